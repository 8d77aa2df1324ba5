from vibecli.data.scrub import REDACTED, scrub, scrub_prompt


def test_known_token_shapes_and_private_keys_are_redacted():
    text = (
        'key = "AKIAABCDEFGHIJKLMNOP"\n'
        "token: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n"
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n"
        "url = 'https://bob:hunter22@example.com/x'\n"
    )
    clean, count = scrub(text)
    for secret in ("AKIAABCDEFGHIJKLMNOP", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "MIIEow", "hunter22"):
        assert secret not in clean
    assert count >= 4


def test_secret_looking_assignments_lose_the_value_and_keep_the_name():
    clean, count = scrub('DB_PASSWORD = "correct-horse"\nname = "alice"\napi_key=os.environ["K"]\n')
    assert clean.startswith(f'DB_PASSWORD = "{REDACTED}"')
    assert 'name = "alice"' in clean
    assert 'api_key=os.environ["K"]' in clean
    assert count == 1


def test_every_value_of_a_dotenv_file_in_a_prompt_goes():
    prompt = "### File: .env\n```\nDATABASE_URL=postgres://x\nDEBUG=1\n```\n### File: app.py\n```python\nDEBUG = 1\n```\n"
    clean, count = scrub_prompt(prompt)
    assert "postgres://x" not in clean and f"DEBUG={REDACTED}" in clean
    assert "DEBUG = 1" in clean
    assert count == 2

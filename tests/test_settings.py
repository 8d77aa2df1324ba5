from __future__ import annotations

from dataclasses import fields

import pytest

from vibecli.core import VibeError
from vibecli.settings import Settings
from vibecli.settings_load import load_settings


def _load(tmp_path, user=None, project=None, env=None, flags=None, trust=True):
    """The layers as a trusted project's file gives them (tests/test_trust.py: an untrusted one)."""
    tmp_path.mkdir(exist_ok=True)
    user_file = tmp_path / "config.yaml"
    if user is not None:
        user_file.write_text(user)
    root = tmp_path / "proj"
    root.mkdir(exist_ok=True)
    if project is not None:
        (root / ".vibecli.yaml").write_text(project)
    return load_settings(user_file=user_file, project_root=root, environ=env or {}, flags=flags, trust_project=trust)


def test_defaults(tmp_path):
    assert _load(tmp_path) == Settings()


def test_each_layer_overrides_the_one_before(tmp_path):
    s = _load(tmp_path, user="max_tokens: 100\nseed: 1\nthreads: 3\n", project="max_tokens: 200\nseed: 2\n",
              env={"VIBECLI_MAX_TOKENS": "300"}, flags={"max_tokens": None})
    assert (s.max_tokens, s.seed, s.threads) == (300, 2, 3)
    s = _load(tmp_path, user="max_tokens: 100\n", env={"VIBECLI_MAX_TOKENS": "300"}, flags={"max_tokens": 400})
    assert s.max_tokens == 400


def test_unknown_key_names_the_file_and_key(tmp_path):
    with pytest.raises(VibeError, match=r"\.vibecli\.yaml: unknown key 'modle'"):
        _load(tmp_path, project="modle: x.gguf\n")


@pytest.mark.parametrize(
    "text, match",
    [
        ("max_tokens: lots\n", "'max_tokens' must be an integer"),
        ("log: maybe\n", "'log' must be true or false"),
        ("grammar: sometimes\n", "'grammar' must be one of"),
        ("threads: 0\n", "'threads' must be at least 1"),
        ("gpu_layers: -2\n", "'gpu_layers' must be -1"),
        ("[1, 2]\n", "must be a mapping"),
        ("a: [\n", "not valid YAML"),
        ("seed: true\n", "'seed' must be an integer"),
        ("adapter_scale: -0.5\n", "'adapter_scale' must not be negative"),
        ("adapter_scale: half\n", "'adapter_scale' must be a number"),
    ],
)
def test_bad_values_are_clear_errors(tmp_path, text, match):
    with pytest.raises(VibeError, match=match) as info:
        _load(tmp_path, user=text)
    assert "config.yaml" in info.value.message


def test_environment_values_are_parsed_and_checked(tmp_path):
    s = _load(tmp_path, env={"VIBECLI_LOG": "false", "VIBECLI_TEMPERATURE": "0.3", "VIBECLI_MODEL": "/m.gguf"})
    assert (s.log, s.temperature, s.model) == (False, 0.3, "/m.gguf")
    assert _load(tmp_path, env={"VIBECLI_ADAPTER_SCALE": "0.5"}).adapter_scale == 0.5
    assert _load(tmp_path, env={"VIBECLI_NO_LOG": "1"}).log is False
    with pytest.raises(VibeError, match="VIBECLI_THREADS"):
        _load(tmp_path, env={"VIBECLI_THREADS": "many"})


def test_replay_backend_needs_a_file(tmp_path):
    with pytest.raises(VibeError, match="--replay-file"):
        _load(tmp_path, flags={"backend": "replay"})


def test_checks_mapping_sets_the_commands(tmp_path):
    s = _load(tmp_path, project="checks:\n  lint: ruff check .\n  test: pytest -q\nmax_rounds: 2\n")
    assert (s.lint_cmd, s.test_cmd, s.max_rounds) == ("ruff check .", "pytest -q", 2)
    assert _load(tmp_path / "x", env={"VIBECLI_TEST_CMD": "make test"}).test_cmd == "make test"
    with pytest.raises(VibeError, match="'checks.typecheck'"):
        _load(tmp_path, project="checks:\n  typecheck: mypy .\n")


def test_speed_settings_take_on_off_and_refuse_a_negative_cache(tmp_path):
    s = _load(tmp_path, project="lookup: off\nprompt_cache_mb: 64\n")
    assert (s.lookup, s.prompt_cache_mb) == ("off", 64)
    assert _load(tmp_path / "d").lookup == "auto"
    assert _load(tmp_path / "q", project="lookup: 'on'\n").lookup == "on"
    s = _load(tmp_path, env={"VIBECLI_LOOKUP": "on", "VIBECLI_PROMPT_CACHE_MB": "0"})
    assert (s.lookup, s.prompt_cache_mb) == ("on", 0)
    assert _load(tmp_path, env={"VIBECLI_LOOKUP": "auto"}).lookup == "auto"
    with pytest.raises(VibeError, match="'lookup' must be one of auto, on, off"):
        _load(tmp_path / "b", project="lookup: sometimes\n")
    with pytest.raises(VibeError, match="prompt_cache_mb"):
        _load(tmp_path, project="prompt_cache_mb: -1\n")


def test_profiles_merge_across_files_and_resolve_over_the_settings(tmp_path):
    from vibecli.settings import backend_settings

    s = _load(
        tmp_path,
        user="backends:\n  big: {type: openai, endpoint: 'http://a:1/v1'}\n  cpu: {type: llama, threads: 1}\n",
        project="backend: cpu\nbackends:\n  big: {type: openai, endpoint: 'http://b:2/v1', endpoint_model: m, endpoint_api: chat}\n",
        env={"VIBECLI_ROUTE": "auto", "VIBECLI_REMOTE": "big"},
    )
    assert s.route == "auto" and s.remote == "big"
    big = backend_settings(s, "big")
    assert (big.backend, big.endpoint, big.endpoint_model, big.endpoint_api) == ("openai", "http://b:2/v1", "m", "chat")
    assert backend_settings(s).endpoint_api == "completions"
    local = backend_settings(s)
    assert (local.backend, local.threads) == ("llama", 1)
    hash(s)  # settings key the batch's backend cache


@pytest.mark.parametrize(
    "text, match",
    [
        ("backends:\n  big: {endpoint: 'http://a/v1'}\n", r"backends\.big needs 'type'"),
        ("backends:\n  big: {type: openai, endpont: x}\n", r"unknown key 'backends\.big\.endpont'"),
        ("backends:\n  big: {type: openai, endpoint_timeout: 0}\n", r"'endpoint_timeout' must be positive"),
        ("backends:\n  llama: {type: openai}\n", r"not a name a profile may take"),
        ("backend: big\n", r"unknown backend 'big'"),
        ("backend: openai\n", r"needs --endpoint URL"),
        ("endpoint: localhost:8080\n", r"'endpoint' must be an http:// or https:// URL"),
        ("endpoint_dialect: tgi\n", r"'endpoint_dialect' must be one of llama.cpp, vllm, plain"),
        ("endpoint_api: responses\n", r"'endpoint_api' must be one of completions, chat"),
        ("route: auto\nremote: big\n", r"unknown backend 'big'"),
    ],
)
def test_bad_backend_settings_are_one_line_errors(tmp_path, text, match):
    with pytest.raises(VibeError, match=match):
        _load(tmp_path, project=text)


def test_protected_paths_are_added_to_by_the_user_config_and_never_by_a_project(tmp_path):
    from vibecli.settings import PROTECTED_PATHS

    s = _load(tmp_path, user='protected_paths: ["secrets/**"]\n')
    assert s.protected_paths == (*PROTECTED_PATHS, "secrets/**")
    notes: list[str] = []
    root = tmp_path / "proj"
    (root / ".vibecli.yaml").write_text("protected_paths: []\nmax_rounds: 2\n")
    s = load_settings(user_file=None, project_root=root, environ={}, on_note=notes.append)
    assert s.protected_paths == PROTECTED_PATHS and s.max_rounds == 2
    assert len(notes) == 1 and "protected_paths ignored" in notes[0]


def test_a_nul_in_a_setting_is_a_usage_error(tmp_path):
    from vibecli.core import UsageError

    with pytest.raises(UsageError, match="NUL"):
        _load(tmp_path, user='model: "a\\0b.gguf"\n')


def test_candidates_and_select_are_checked_in_every_layer(tmp_path):
    assert (Settings().candidates, Settings().select) == (1, "agree")
    s = _load(tmp_path, user="candidates: 4\nselect: greedy\n", env={"VIBECLI_CANDIDATES": "8"})
    assert (s.candidates, s.select) == (8, "greedy")
    assert _load(tmp_path, flags={"candidates": 2, "select": "agree"}).candidates == 2
    for text, match in (("candidates: 0\n", "'candidates' must be from 1 to 16"),
                        ("candidates: 17\n", "'candidates' must be from 1 to 16"),
                        ("select: vote\n", "'select' must be one of agree, greedy")):
        with pytest.raises(VibeError, match=match):
            _load(tmp_path, user=text)
    with pytest.raises(VibeError, match="^--candidates must be from 1 to 16"):
        _load(tmp_path, user="", flags={"candidates": 0})


def test_fixers_are_on_by_default_and_a_flag_or_the_environment_turns_them_off(tmp_path):
    assert _load(tmp_path).fixers is True
    assert _load(tmp_path, flags={"fixers": False}).fixers is False
    assert _load(tmp_path, env={"VIBECLI_FIXERS": "0"}).fixers is False
    assert _load(tmp_path, project="fixers: false\n").fixers is False


def test_unsafe_fixes_come_from_the_user_and_never_from_a_project(tmp_path):
    assert _load(tmp_path).unsafe_fixes is False
    assert _load(tmp_path, user="unsafe_fixes: true\n").unsafe_fixes is True
    notes: list[str] = []
    root = tmp_path / "proj"
    (root / ".vibecli.yaml").write_text("unsafe_fixes: true\n")
    s = load_settings(user_file=None, project_root=root, environ={}, trust_project=True, on_note=notes.append)
    assert s.unsafe_fixes is False
    assert len(notes) == 1 and "unsafe_fixes ignored" in notes[0]


def test_a_bad_flag_is_a_usage_error_that_names_the_flag(tmp_path):
    from vibecli.core import EXIT_USAGE, UsageError

    with pytest.raises(UsageError, match=r"^--format must be one of auto, symbol, search, whole, not 'foo'$") as info:
        _load(tmp_path, flags={"edit_format": "foo"})
    assert info.value.exit_code == EXIT_USAGE
    with pytest.raises(UsageError, match=r"^--threads must be at least 1, not 0$"):
        _load(tmp_path, flags={"threads": 0})
    with pytest.raises(UsageError, match=r"^--backend must name a backend or a profile \(llama, replay, openai, big\)"):
        _load(tmp_path, user="backends:\n  big: {type: llama}\n", flags={"backend": "bigg"})
    assert _load(tmp_path, user="backends:\n  big: {type: llama}\n", flags={"backend": "big"}).backend == "big"


def test_environment_errors_name_the_variable(tmp_path):
    with pytest.raises(VibeError, match=r"^environment VIBECLI_AUTO_FILES: 'auto_files' must be from 1 to 8, not 9$"):
        _load(tmp_path, env={"VIBECLI_AUTO_FILES": "9"})
    assert _load(tmp_path, env={"VIBECLI_TIMEOUT": ""}).timeout is None
    assert _load(tmp_path, env={"VIBECLI_ENDPOINT_TIMEOUT": "5"}).endpoint_timeout == 5.0


def test_every_setting_is_declared_and_every_flag_has_help_and_commands():
    from vibecli.settings import DECLARED

    assert set(DECLARED) == {f.name for f in fields(Settings)}
    for key, item in DECLARED.items():
        assert item.spec.doc and item.spec.section, key
        assert bool(item.spec.flag) == bool(item.spec.help) == bool(item.spec.commands), key

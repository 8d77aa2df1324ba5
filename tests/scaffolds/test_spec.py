"""scaffold.yaml: loading, validation (one error naming the file and the field), typed variables."""

from __future__ import annotations

import pytest

from vibecli.paths import package_data
from vibecli.scaffolds.spec import ScaffoldError, Variable, discover, load_scaffold

SHIPPED = ["fastapi-sqlite", "flask-webapp", "node-service", "python-cli", "python-lib", "static-site"]

GOOD = """\
name: tiny
description: A tiny project.
variables:
  project_name: {type: name, default: tiny-app}
  port: {type: integer, default: 8000, min: 1, max: 65535}
test: "true"
"""


def scaffold_dir(tmp_path, text=GOOD, name="tiny"):
    folder = tmp_path / name
    (folder / "template").mkdir(parents=True)
    (folder / "template" / "README.md.jinja").write_text("# {{ project_name }}\n")
    (folder / "scaffold.yaml").write_text(text)
    return folder


def test_every_shipped_scaffold_loads_with_its_commands():
    found = discover([(package_data("scaffolds"), "shipped")])
    assert sorted(found) == SHIPPED
    for scaffold in found.values():
        assert scaffold.test and scaffold.variables[0].name == "project_name"
        assert scaffold.label and scaffold.examples and scaffold.edit_paths
        assert (scaffold.template / ".gitignore").is_file()
        assert any(p.name.startswith("README.md") for p in scaffold.template.iterdir())
    assert len({s.label for s in found.values()}) == len(found)


def test_a_good_scaffold(tmp_path):
    scaffold = load_scaffold(scaffold_dir(tmp_path), "user")
    assert scaffold.name == "tiny" and scaffold.label == "tiny" and scaffold.source == "user"
    assert [v.name for v in scaffold.variables] == ["project_name", "port"]
    assert scaffold.variable("port").default == 8000


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (GOOD.replace("{type: integer,", "{type: number,"), "variables.port.type"),
        (GOOD.replace("default: 8000", "default: 99999"), "variables.port.default"),
        (GOOD.replace("default: 8000,", ""), "variables.port.default"),
        (GOOD.replace("name: tiny\n", "name: Tiny Thing\n"), "name"),
        (GOOD.replace("description: A tiny project.\n", ""), "description"),
        (GOOD + "colour: blue\n", "colour"),
        (GOOD.replace("min: 1,", "minimum: 1,"), "variables.port.minimum"),
        (GOOD.replace("project_name: {type: name", "project_name: {type: string"), "variables"),
        (GOOD.replace("test: \"true\"", "install: [3]"), "install"),
        (GOOD + "examples:\n  - {description: x, variables: {port: abc}}\n", "examples[0].variables.port"),
        ("- a\n- list\n", "(top level)"),
    ],
)
def test_a_malformed_scaffold_yaml_names_the_file_and_the_field(tmp_path, text, field):
    folder = scaffold_dir(tmp_path, text)
    with pytest.raises(ScaffoldError) as caught:
        load_scaffold(folder)
    assert caught.value.message.startswith(f"{folder / 'scaffold.yaml'}: {field}:"), caught.value.message


def test_not_yaml_and_no_template(tmp_path):
    folder = scaffold_dir(tmp_path, "name: [unclosed\n")
    with pytest.raises(ScaffoldError, match="not valid YAML"):
        load_scaffold(folder)
    other = scaffold_dir(tmp_path, name="other")
    (other / "template" / "README.md.jinja").unlink()
    (other / "template").rmdir()
    with pytest.raises(ScaffoldError, match="has no template/ folder"):
        load_scaffold(other)


def test_a_later_folder_overrides_a_scaffold_of_the_same_name(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    scaffold_dir(first)
    scaffold_dir(second, GOOD.replace("A tiny project.", "Another tiny project."))
    found = discover([(first, "shipped"), (second, "user"), (tmp_path / "missing", "user")])
    assert found["tiny"].description == "Another tiny project." and found["tiny"].source == "user"


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [("name", "My Cool App!", "my-cool-app"), ("name", "42 things", "app-42-things"), ("name", "***", "x-default"),
     ("identifier", "Blog Post", "blog_post"), ("identifier", "class", "class_")],
)
def test_names_and_identifiers_are_sanitized(kind, value, expected):
    variable = Variable("v", kind, "", "x-default" if kind == "name" else "item")
    assert variable.sanitized(value) == expected
    if expected != "x-default":
        assert variable.check(expected) == expected
    with pytest.raises(ValueError):
        variable.check(value)


def test_typed_checks():
    port = Variable("port", "integer", "", 80, min=1, max=65535)
    assert port.check("8080") == 8080
    for bad in ("x", 0, 70000, True, 1.5):
        with pytest.raises(ValueError):
            port.check(bad)
    flag = Variable("flag", "boolean", "", False)
    assert flag.check("yes") is True and flag.check(False) is False
    with pytest.raises(ValueError):
        flag.check("maybe")
    title = Variable("title", "string", "", "T", max_length=10)
    assert title.check("Book API") == "Book API"
    for bad in ('say "hi"', "<b>", "a" * 11, "  ", "{{ x }}"):
        with pytest.raises(ValueError):
            title.check(bad)
    choice = Variable("db", "choice", "", "sqlite", choices=("sqlite", "postgres"))
    assert choice.check("postgres") == "postgres"
    with pytest.raises(ValueError):
        choice.check("mysql")

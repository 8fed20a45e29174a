"""JSON Schema and field reference, both generated from scenario_fields.csv."""
import datetime
import json
from pathlib import Path

import pytest

from saltsim import cli
from saltsim.examples import example_path
from saltsim.scenario import fields as F
from saltsim.scenario import read_toml
from saltsim.scenario.export import json_schema, reference_markdown

README = Path(__file__).resolve().parents[2] / "scenarios" / "README.md"
BROKEN = Path(__file__).parent / "broken"


def test_field_reference_file_is_the_generated_text():
    assert README.read_text(encoding="utf-8") == reference_markdown(), \
        "scenarios/README.md is stale: run `saltsim schema --reference > scenarios/README.md`"


def test_reference_lists_every_field():
    text = reference_markdown()
    for section in F.sections():
        assert f"## `[{section.path}]`" in text or f"## `[[{section.path}]]`" in text
    for spec in F.fields():
        assert f"`{spec.name}`" in text


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def test_json_schema_is_valid_and_accepts_the_bundled_scenarios():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for name in ("qom_baseline", "qom_small"):
        errors = list(validator.iter_errors(_jsonable(read_toml(example_path(name)))))
        assert not errors, [e.message for e in errors]


@pytest.mark.parametrize("name", ["unknown_key_typo", "bare_number_area", "unknown_section_typo",
                                  "bad_enum_role", "wrong_month_count", "expression_in_quantity"])
def test_json_schema_rejects_what_the_loader_rejects(name):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json_schema())
    raw = _jsonable(read_toml(BROKEN / f"{name}.toml"))
    assert list(validator.iter_errors(raw))


def test_schema_command_prints_json_and_reference(capsys):
    assert cli.main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "saltsim scenario"
    assert cli.main(["schema", "--reference"]) == 0
    assert capsys.readouterr().out == reference_markdown()

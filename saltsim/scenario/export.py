"""The scenario format, generated from ``scenario_fields.csv``: a JSON Schema and a Markdown reference.

Both are generated from the same rows as the parser uses, so they cannot drift from it
(``tests/scenario/test_export.py`` checks that ``scenarios/README.md`` is the generated text).
Standard library only.
"""
from __future__ import annotations

from . import fields as F

__all__ = ["json_schema", "reference_markdown", "SCHEMA_ID"]

SCHEMA_ID = "https://saltsim.invalid/schema/scenario.schema.json"
#: A number followed by a unit ("60 cm", "2.5e3 m^3/h", "-5 degC", "26 degBe"): the ECMA-262
#: form of the check in saltsim.scenario.text (no arithmetic, small exponents only).
QUANTITY_PATTERN = (r"^(?=.*[A-Za-z°%µΩ])\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,3})?\s*"
                    r"(1\s*/\s*)?(([A-Za-zÀ-ÿ_°%µΩ]|\))(\s*(\^|\*\*)\s*-?[0-9]{1,2}(\.[0-9]+)?)?|\(|\s|[*/])*$")
NUMBER_PATTERN = r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*%?\s*$"
_TYPE_WORDS = {
    "str": "string", "enum": "one of", "int": "integer", "float": "number (dimensionless)",
    "bool": "boolean", "date": "date", "quantity": "quantity", "monthly": "12 quantities",
    "quantity_list": "quantities", "int_list": "integers", "str_list": "name(s)", "path": "file",
    "table": "table", "concentration": "concentration",
}


def _unit_text(spec: F.FieldSpec) -> str:
    if spec.type in ("quantity", "monthly", "quantity_list", "concentration"):
        if spec.si_unit in ("", "1"):
            return "-"
        if spec.type == "concentration":
            return "mol/kg, g/kg (basis) or mol/L, g/L"
        return spec.si_unit if spec.display_unit in ("", spec.si_unit) else f"{spec.si_unit} ({spec.display_unit})"
    return "-" if spec.type in ("float",) else ""


def _description(spec: F.FieldSpec) -> str:
    text = spec.description
    unit = _unit_text(spec)
    if unit and unit != "-":
        text += f" [{unit}]"
    if spec.default:
        text += f" Default: {spec.default}."
    if spec.source:
        text += f" Source: {spec.source}."
    return text


def _value_schema(spec: F.FieldSpec) -> dict:
    quantity = {"type": "string", "pattern": QUANTITY_PATTERN}
    dimensionless = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": NUMBER_PATTERN}]}
    scalar = dimensionless if spec.si_unit in ("", "1") else quantity
    t = spec.type
    if t in ("str", "path"):
        return {"type": "string"}
    if t == "enum":
        return {"enum": list(spec.choices)}
    if t == "int":
        out = {"type": "integer"}
        if spec.min and spec.min[0] not in "<>":
            out["minimum"] = int(spec.min)
        if spec.max and spec.max[0] not in "<>":
            out["maximum"] = int(spec.max)
        return out
    if t == "float":
        return dimensionless
    if t == "bool":
        return {"type": "boolean"}
    if t == "date":
        return {"type": "string", "format": "date"}
    if t in ("quantity", "concentration"):
        return dict(scalar)
    if t == "monthly":
        return {"type": "array", "items": scalar, "minItems": 12, "maxItems": 12}
    if t == "quantity_list":
        return {"type": "array", "items": scalar, "minItems": 1}
    if t == "int_list":
        return {"type": "array", "items": {"type": "integer", "minimum": int(spec.min), "maximum": int(spec.max)},
                "minItems": 1, "uniqueItems": True}
    if t == "str_list":
        return {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    if t == "table":
        return {"type": "object"}
    raise ValueError(f"scenario_fields.csv: unknown type {t!r} for {spec.path}")


def _section_schema(section_path: str) -> dict:
    properties, required = {}, []
    for spec in F.fields_of(section_path):
        schema = _value_schema(spec)
        schema["description"] = _description(spec)
        if spec.default and spec.default != '""':
            schema["default"] = _default_json(spec)
        if spec.example and not spec.example.startswith(("[", "{")) and "..." not in spec.example:
            schema["examples"] = [_example_json(spec)]
        properties[spec.name] = schema
        if spec.required:
            required.append(spec.name)
    for child in F.children_of(section_path):
        child_schema = _section_schema(child.path)
        child_schema["description"] = child.description
        if child.kind == "array":
            properties[child.key] = {"type": "array", "items": child_schema, "description": child.description}
        else:
            properties[child.key] = child_schema
        if child.presence == "required":
            required.append(child.key)
    if section_path == "brine.composition":
        pass
    out = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = required
    return out


def _default_json(spec: F.FieldSpec):
    if spec.type == "bool":
        return spec.default == "true"
    if spec.type == "int":
        return int(spec.default)
    if spec.type == "float":
        return float(spec.default)
    return spec.default


def _example_json(spec: F.FieldSpec):
    text = spec.example
    if spec.type == "bool":
        return text == "true"
    if spec.type == "int":
        return int(text)
    if spec.type == "float":
        return float(text)
    return text.strip('"')


def json_schema() -> dict:
    """JSON Schema (Draft 2020-12) of a scenario file, as a dict."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "saltsim scenario",
        "description": "A salt-lake mining scenario for saltsim. Dimensional values are strings "
                       "with a unit (\"60 cm\", \"2.5 km^2\", \"25 degC\"); see scenarios/README.md.",
    }
    schema.update(_section_schema(""))
    return schema


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _range(spec: F.FieldSpec) -> str:
    parts = []
    if spec.min:
        parts.append(f"> {spec.min[1:].strip()}" if spec.min[0] == ">" else f"≥ {spec.min}")
    if spec.max:
        parts.append(f"< {spec.max[1:].strip()}" if spec.max[0] == "<" else f"≤ {spec.max}")
    return ", ".join(parts)


def reference_markdown() -> str:
    """The field reference (scenarios/README.md), one table per section."""
    lines = [
        "# Scenario field reference",
        "",
        "Generated from `saltsim/data/scenario_fields.csv` by `saltsim schema --reference`; "
        "do not edit by hand (a test compares this file with the generated text).",
        "",
        "A scenario is a TOML file. Every dimensional value is a string with a unit "
        "(`\"60 cm\"`, `\"2.5 km^2\"`, `\"300 t/h\"`, `\"25 degC\"`, densities also in Baumé: "
        "`\"26 degBe\"`); bare numbers are accepted only for dimensionless fields (which also take "
        "`\"50 %\"`). Values are converted once, at load, to the SI unit shown. Monthly fields hold "
        "12 values, January first. A field without a default that is not required may be left "
        "out. Names in *refers to* must name an entry of that section (or be the literal word). "
        "Bounds are inclusive unless written with `>`/`<`. Source keys refer to the project's "
        "domain dossier (EST = estimate).",
        "",
        "Bundled scenarios: `qom_baseline.toml` (the Qom Salt Lake case, 30 years) and "
        "`qom_small.toml` (1 year, 3 ponds). Check a file with `saltsim validate FILE`; get the "
        "JSON Schema for editor completion with `saltsim schema > scenario.schema.json`.",
        "",
    ]
    for section in F.sections():
        header = f"[[{section.path}]]" if section.kind == "array" else f"[{section.path}]"
        presence = {"required": "required", "default": "optional (defaults apply when absent)",
                    "optional": "optional"}[section.presence]
        lines += [f"## `{header}`", "", f"{section.description}. *{presence}*", ""]
        specs = F.fields_of(section.path)
        if not specs:
            continue
        lines += ["| field | type | SI unit (display) | default | range | description |",
                  "|---|---|---|---|---|---|"]
        for spec in specs:
            kind = _TYPE_WORDS[spec.type]
            if spec.type == "enum":
                kind = "one of " + ", ".join(f"`{c}`" for c in spec.choices)
            if spec.ref:
                kind += " (refers to " + ", ".join(spec.ref) + ")"
            name = f"**`{spec.name}`**" if spec.required else f"`{spec.name}`"
            default = "required" if spec.required else (f"`{spec.default}`" if spec.default else "")
            description = spec.description + (f" (source: {spec.source})" if spec.source else "")
            if spec.example:
                description += f". Example: `{spec.example}`"
            lines.append(f"| {name} | {_md(kind)} | {_md(_unit_text(spec))} | {_md(default)} | "
                         f"{_md(_range(spec))} | {_md(description)} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"

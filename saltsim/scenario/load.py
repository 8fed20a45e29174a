"""``load_scenario``: TOML (tomllib only, nothing is executed) → raw dict → checked SI dataclasses.

Every field is parsed as ``scenario_fields.csv`` describes it; all problems are collected and
raised together as one :class:`~saltsim.errors.ScenarioError` (one line each: field path, what
was found, what was expected). Cross-field checks (references between sections, depths, the
pond graph) follow in :mod:`saltsim.scenario.validate`. pint is used here and nowhere downstream.
"""
from __future__ import annotations

import copy
import csv
import datetime
import difflib
import functools
import hashlib
import json
import math
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .. import units
from ..errors import ScenarioError
from . import brine as brine_module
from . import fields as F
from . import schema
from .overrides import apply_overrides
from .frozen import FrozenMap
from .text import check_quantity_text

__all__ = ["load_scenario", "read_toml", "parse", "MISSING"]

MISSING = object()
_MONTHS = 12
#: Columns a climate series may have, with the SI unit of each.
SERIES_COLUMNS = {"pan_evaporation": "m/s", "rainfall": "m/s", "temperature": "K", "wind_speed": "m/s"}


def read_toml(path: str | os.PathLike) -> dict:
    """Read a TOML file into a dict; any problem becomes a one-line ScenarioError naming the file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file; expected a TOML scenario file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a directory; expected a TOML scenario file") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.strerror}); expected a readable TOML file") from None
    if not data.strip():
        raise ScenarioError(f"{path}: the file is empty; expected a TOML scenario with at least "
                            f"[site], [lake], [brine] and [climate]")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioError(f"{path}: line {line}: not UTF-8 text (binary data?); expected a TOML "
                            f"scenario file") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ScenarioError(f"{path}: line {line}: contains NUL bytes (binary data?); expected a "
                            f"TOML scenario file")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = _toml_error_line(message)
        prefix = f"{path}: line {line}" if line else f"{path}"
        raise ScenarioError(f"{prefix}: TOML syntax error: {message}; expected valid TOML "
                            f"(https://toml.io)") from None


def _toml_error_line(message: str) -> int | None:
    marker = "(at line "
    if marker in message:
        tail = message.split(marker, 1)[1]
        digits = "".join(ch for ch in tail.split(",")[0] if ch.isdigit())
        return int(digits) if digits else None
    if "(at end of document)" in message:
        return None
    return None


def load_scenario(source, overrides: Mapping[str, object] | None = None, *,
                  variant: str | None = None, strict: bool = False,
                  base_dir: str | os.PathLike | None = None) -> schema.Scenario:
    """Load, parse and check a scenario.

    Parameters
    ----------
    source : str, os.PathLike or Mapping
        A TOML file, or a raw dict as ``tomllib`` would return it.
    overrides : Mapping[str, object], optional
        Field path → raw value (``{"ponds[0].area": "20 km^2"}``), applied after ``variant``.
    variant : str, optional
        Name of a ``[[variants]]`` entry whose overrides are applied first.
    strict : bool
        Turn plausibility warnings (not errors) into errors.
    base_dir : path, optional
        Directory that relative file names (``climate.series``) are resolved against; default
        the scenario file's directory, or the working directory for a dict.

    Returns
    -------
    Scenario
        Frozen dataclasses of SI floats and arrays.

    Raises
    ------
    ScenarioError
        Every problem found, one per line (``.problems``); ``ConsistencyError`` when only
        cross-field checks fail.
    """
    if isinstance(source, Mapping):
        raw = copy.deepcopy(dict(source))
        path = None
        base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
    else:
        path = Path(source)
        raw = read_toml(path)
        base_dir = Path(base_dir) if base_dir is not None else path.resolve().parent
    if variant is not None:
        raw = _apply_variant(raw, variant)
    if overrides:
        raw = apply_overrides(raw, overrides)
    scenario = parse(raw, base_dir=base_dir, path=None if path is None else str(path),
                     variant=variant)
    from .validate import check

    check(scenario, raw=raw, strict=strict)
    if variant is None:
        _check_variants(scenario, raw, base_dir, strict)
    return scenario


def _check_variants(scenario, raw: dict, base_dir, strict: bool) -> None:
    """Every variant must load too; its problems are reported under ``variants[i]``."""
    from .validate import check

    problems = []
    for i, entry in enumerate(scenario.variants):
        try:
            varied = apply_overrides(raw, entry.overrides)
        except ScenarioError as exc:
            problems += [f"variants[{i}].{line}" for line in (exc.problems or [str(exc)])]
            continue
        try:
            check(parse(varied, base_dir=base_dir), raw=varied, strict=strict)
        except ScenarioError as exc:
            problems += [f"variants[{i}] ({entry.name}): {line}" for line in (exc.problems or [str(exc)])]
    if problems:
        raise ScenarioError(problems=problems)


def _apply_variant(raw: dict, name: str) -> dict:
    variants = raw.get("variants", [])
    if isinstance(variants, Mapping):
        variants = [variants]
    elif not isinstance(variants, list):
        variants = []
    names = [v.get("name") for v in variants if isinstance(v, dict)]
    for entry in variants:
        if isinstance(entry, dict) and entry.get("name") == name:
            overrides = entry.get("overrides", {})
            if not isinstance(overrides, dict):
                raise ScenarioError(f"variants[{names.index(name)}].overrides: found "
                                    f"{type(overrides).__name__}; expected a table")
            return apply_overrides(raw, overrides)
    raise ScenarioError(f"variant: found {name!r}; expected one of the scenario's variants "
                        f"({', '.join(map(str, names)) or 'none defined'}){did_you_mean(name, names)}")


def did_you_mean(word: str, candidates) -> str:
    """``"; did you mean 'x'?"`` for the closest candidate, or ``""``."""
    matches = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f"; did you mean {matches[0]!r}?" if matches else ""


def scenario_hash(raw: Mapping) -> str:
    """SHA-256 of the canonical JSON of a raw scenario."""
    text = json.dumps(raw, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# -- parsing ----------------------------------------------------------------------------------
class _Context:
    def __init__(self, base_dir: Path):
        self.base_dir = base_dir
        self.problems: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(text)


def parse(raw: Mapping, base_dir: str | os.PathLike | None = None, path: str | None = None,
          variant: str | None = None) -> schema.Scenario:
    """Parse a raw scenario dict into a :class:`Scenario` (field checks only; no cross-field checks)."""
    ctx = _Context(Path(base_dir) if base_dir is not None else Path.cwd())
    if not isinstance(raw, Mapping):
        raise ScenarioError(f"scenario: found {type(raw).__name__}; expected a table of sections")
    values = _parse_children("", raw, "", ctx)
    if ctx.problems:
        raise ScenarioError(problems=ctx.problems)
    return schema.Scenario(**values, path=path, base_dir=str(ctx.base_dir),
                           hash=scenario_hash(raw), variant=variant)


def load_brine(path: str | os.PathLike) -> schema.Brine:
    """Load only the ``[brine]`` table of a file (a brine file or a whole scenario file).

    The table is parsed exactly as in a scenario (bases, units, charge balance); other sections
    of the file are ignored. Raises :class:`ScenarioError` (one line per problem) when the file
    has no valid ``[brine]`` table.
    """
    raw = read_toml(path)
    if "brine" not in raw:
        raise ScenarioError(f"{path}: no [brine] table; expected a [brine] table with a temperature, "
                            f"a basis and a [brine.composition] of ions, as in scenario files")
    ctx = _Context(Path(path).resolve().parent)
    brine = _parse_section(F.section("brine"), raw["brine"], "brine", ctx)
    if ctx.problems:
        raise ScenarioError(problems=ctx.problems)
    return brine


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _parse_children(section_path: str, raw: Mapping, where: str, ctx: _Context) -> dict:
    """Parse the fields and sub-sections of one table; unknown keys are reported."""
    field_specs = F.fields_of(section_path) if section_path else ()
    child_specs = F.children_of(section_path)
    known = [f.name for f in field_specs] + [c.key for c in child_specs]
    for key in raw:
        if key not in known:
            kind = "section" if not section_path else "key"
            ctx.problem(f"{_join(where, str(key))}: unknown {kind}; expected one of "
                        f"{', '.join(known)}{did_you_mean(key, known)}")
    values: dict[str, object] = {}
    for spec in field_specs:
        values[spec.name] = _parse_field(spec, raw.get(spec.name, MISSING), _join(where, spec.name), ctx)
    for child in child_specs:
        if child.path == "brine.composition":
            continue
        values[child.key] = _parse_section(child, raw.get(child.key, MISSING), _join(where, child.key), ctx)
    return values


def _parse_section(spec: F.SectionSpec, raw, where: str, ctx: _Context):
    if raw is MISSING:
        if spec.presence == "required":
            ctx.problem(f"{where}: missing required section [{spec.path}]; expected "
                        f"{spec.description.lower()}")
            return None
        if spec.kind == "array":
            return ()
        if spec.presence == "optional":
            return None
        raw = {}
    if spec.kind == "array":
        if isinstance(raw, Mapping):
            raw = [raw]  # a single [x] where [[x]] was meant: accept
        if not isinstance(raw, list):
            ctx.problem(f"{where}: found {type(raw).__name__}; expected an array of tables [[{spec.path}]]")
            return ()
        records = []
        for i, entry in enumerate(raw):
            record = _parse_record(spec, entry, f"{where}[{i}]", ctx)
            records.append(record)
        return tuple(records)
    return _parse_record(spec, raw, where, ctx)


def _parse_record(spec: F.SectionSpec, raw, where: str, ctx: _Context):
    if not isinstance(raw, Mapping):
        ctx.problem(f"{where}: found {_describe(raw)}; expected a table [{spec.path}]")
        return None
    before = len(ctx.problems)
    values = _parse_children(spec.path, raw, where, ctx)
    if spec.path == "brine":
        values.update(_parse_brine(values, raw.get("composition", MISSING), where, ctx))
    if spec.path == "climate":
        values["series_data"] = _read_series(values.get("series"), _join(where, "series"), ctx)
    if len(ctx.problems) > before:
        return None
    cls = schema.SECTION_CLASSES[spec.path]
    return cls(**values)


def _describe(value) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, list):
        return f"an array of {len(value)}"
    if isinstance(value, Mapping):
        return "a table"
    return f"a {type(value).__name__}"


# -- fields -----------------------------------------------------------------------------------
@functools.lru_cache(maxsize=65536)
def _to_si_cached(text: str, si_unit: str) -> float:
    check_quantity_text(text, "", "")
    return units.to_si(text, si_unit, where="")


def _quantity(value, spec: F.FieldSpec, where: str, si_unit: str | None = None) -> float:
    si_unit = spec.si_unit if si_unit is None else si_unit
    example = spec.example if spec.example and not spec.example.startswith("[") else None
    if spec.type == "monthly" or spec.type == "quantity_list":
        example = spec.example.strip("[]").split(",")[0].strip() or None
    if isinstance(value, str):
        try:
            return _to_si_cached(value, si_unit)
        except ScenarioError:
            pass  # re-raise below with the field path and example
        dimensionless = si_unit in ("", "1")
        check_quantity_text(value, where, "a dimensionless number" if dimensionless else
                            f"a quantity such as {example or '1 ' + si_unit}")
    return units.to_si(value, si_unit, where=where, example=example)


@functools.cache
def _bound(text: str, si_unit: str, type_: str) -> tuple[float, bool] | None:
    if not text:
        return None
    exclusive = text[0] in "<>"
    body = text[1:].strip() if exclusive else text
    if type_ in ("int", "int_list"):
        return float(int(body)), exclusive
    if type_ == "float" or si_unit in ("", "1"):
        return float(units.to_si(float(body) if _is_number(body) else body, "", where="bound")), exclusive
    return units.to_si(body, si_unit, where="bound"), exclusive


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_range(x: float, raw, spec: F.FieldSpec, where: str, ctx: _Context) -> bool:
    low = _bound(spec.min, spec.si_unit, spec.type)
    high = _bound(spec.max, spec.si_unit, spec.type)
    too_low = low is not None and (x <= low[0] if low[1] else x < low[0])
    too_high = high is not None and (x >= high[0] if high[1] else x > high[0])
    if too_low or too_high:
        bounds = []
        if low is not None:
            bounds.append(f"{'>' if low[1] else '≥'} {spec.min.lstrip('<>').strip()}")
        if high is not None:
            bounds.append(f"{'<' if high[1] else '≤'} {spec.max.lstrip('<>').strip()}")
        ctx.problem(f"{where}: found {_describe(raw)}, which is out of range; expected "
                    f"{' and '.join(bounds)}" + (f", such as {spec.example}" if spec.example else ""))
        return False
    return True


def _parse_default(spec: F.FieldSpec, where: str, ctx: _Context):
    text = spec.default
    if spec.type in ("str", "enum"):
        return "" if text == '""' else text
    if spec.type == "bool":
        return text == "true"
    if spec.type == "int":
        return int(text)
    if spec.type == "float":
        return float(text)
    if spec.type == "quantity":
        return _quantity(text, spec, where)
    if spec.type == "monthly":
        return _frozen(np.full(_MONTHS, _quantity(text, spec, where)))
    raise ValueError(f"scenario_fields.csv: no default parser for {spec.path} ({spec.type})")


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=float)
    array.setflags(write=False)
    return array


def _parse_field(spec: F.FieldSpec, raw, where: str, ctx: _Context):
    if raw is MISSING:
        if spec.required:
            ctx.problem(f"{where}: missing; expected {spec.description[0].lower()}"
                        f"{spec.description[1:]}" + (f", such as {spec.example}" if spec.example else ""))
            return None
        if spec.has_default:
            return _parse_default(spec, where, ctx)
        if spec.type == "str_list":
            return ()
        if spec.type == "table":
            return FrozenMap({})
        return None
    parser = _PARSERS[spec.type]
    try:
        return parser(spec, raw, where, ctx)
    except ScenarioError as exc:
        for line in exc.problems or [str(exc)]:
            ctx.problem(line)
        return None


def _parse_str(spec, raw, where, ctx):
    if not isinstance(raw, str):
        ctx.problem(f"{where}: found {_describe(raw)}; expected a string such as {spec.example}")
        return None
    return raw


def _parse_enum(spec, raw, where, ctx):
    if not isinstance(raw, str) or raw not in spec.choices:
        ctx.problem(f"{where}: found {_describe(raw)}; expected one of "
                    f"{', '.join(repr(c) for c in spec.choices)}"
                    f"{did_you_mean(raw, spec.choices) if isinstance(raw, str) else ''}")
        return None
    return raw


def _parse_int(spec, raw, where, ctx):
    if isinstance(raw, bool) or not isinstance(raw, int):
        if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
            raw = int(raw)
        else:
            ctx.problem(f"{where}: found {_describe(raw)}; expected a whole number such as {spec.example}")
            return None
    return raw if _check_range(raw, raw, spec, where, ctx) else None


def _parse_float(spec, raw, where, ctx):
    value = units.to_si(raw, "", where=where, example=spec.example)
    return value if _check_range(value, raw, spec, where, ctx) else None


def _parse_bool(spec, raw, where, ctx):
    if not isinstance(raw, bool):
        ctx.problem(f"{where}: found {_describe(raw)}; expected true or false")
        return None
    return raw


def _parse_date(spec, raw, where, ctx):
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, str):
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            pass
    ctx.problem(f"{where}: found {_describe(raw)}; expected a date such as {spec.example} (TOML date, no quotes)")
    return None


def _parse_quantity(spec, raw, where, ctx):
    value = _quantity(raw, spec, where)
    return value if _check_range(value, raw, spec, where, ctx) else None


def _parse_quantity_array(spec, raw, where, ctx, length=None):
    if not isinstance(raw, list):
        ctx.problem(f"{where}: found {_describe(raw)}; expected an array"
                    + (f" of {length} values (January first)" if length else " of values")
                    + f" such as {spec.example}")
        return None
    if length is not None and len(raw) != length:
        ctx.problem(f"{where}: found {len(raw)} values; expected {length} (one per month, January first)")
        return None
    if length is None and not raw:
        ctx.problem(f"{where}: found an empty array; expected at least one value such as {spec.example}")
        return None
    out, ok = [], True
    for i, item in enumerate(raw):
        try:
            value = _quantity(item, spec, f"{where}[{i}]")
        except ScenarioError as exc:
            ctx.problem(str(exc))
            ok = False
            continue
        ok = _check_range(value, item, spec, f"{where}[{i}]", ctx) and ok
        out.append(value)
    return _frozen(np.array(out)) if ok else None


def _parse_monthly(spec, raw, where, ctx):
    return _parse_quantity_array(spec, raw, where, ctx, length=_MONTHS)


def _parse_int_list(spec, raw, where, ctx):
    if not isinstance(raw, list) or not raw:
        ctx.problem(f"{where}: found {_describe(raw)}; expected a non-empty array of whole numbers such as {spec.example}")
        return None
    out = []
    for i, item in enumerate(raw):
        value = _parse_int(spec, item, f"{where}[{i}]", ctx)
        if value is None:
            return None
        out.append(value)
    if len(set(out)) != len(out):
        ctx.problem(f"{where}: found repeated values {raw!r}; expected each value once")
        return None
    return tuple(out)


def _parse_str_list(spec, raw, where, ctx):
    if isinstance(raw, str):
        return (raw,) if raw else ()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        ctx.problem(f"{where}: found {_describe(raw)}; expected a name or an array of names such as {spec.example}")
        return None
    return tuple(raw)


def _parse_path(spec, raw, where, ctx):
    if not isinstance(raw, str) or not raw:
        ctx.problem(f"{where}: found {_describe(raw)}; expected a file name such as {spec.example}")
        return None
    path = Path(raw)
    if not path.is_absolute():
        path = ctx.base_dir / path
    if not path.is_file():
        ctx.problem(f"{where}: found {raw!r}, but {path} is not a file; expected a file relative to "
                    f"the scenario file, such as {spec.example}")
        return None
    return str(path)


def _parse_table(spec, raw, where, ctx):
    if not isinstance(raw, Mapping):
        ctx.problem(f"{where}: found {_describe(raw)}; expected a table such as {spec.example}")
        return None
    if spec.path == "variants.overrides":
        return FrozenMap(copy.deepcopy(dict(raw)))
    if spec.path == "impacts.factors":
        return _parse_impact_factors(raw, where, ctx)
    out = {}
    for key, value in raw.items():
        out[key] = _free_value(value, f"{where}.{key}", ctx)
    return FrozenMap(out)


@functools.cache
def _impact_factor_units() -> dict[str, str] | None:
    """key → SI unit of saltsim/data/impact_factors.csv (None when the file is absent)."""
    from importlib import resources

    try:
        with resources.files("saltsim").joinpath("data", "impact_factors.csv").open(encoding="utf-8", newline="") as fh:
            return {row["key"]: row["si_unit"] for row in csv.DictReader(fh)}
    except FileNotFoundError:
        return None


def _parse_impact_factors(raw: Mapping, where: str, ctx: _Context):
    """``[impacts.factors]``: keys of impact_factors.csv, each converted to that file's SI unit."""
    known = _impact_factor_units()
    if known is None:
        return FrozenMap({k: _free_value(v, f"{where}.{k}", ctx) for k, v in raw.items()})
    out = {}
    for key, value in raw.items():
        here = f"{where}.{key}"
        if key not in known:
            ctx.problem(f"{here}: unknown factor; expected a key of saltsim/data/impact_factors.csv"
                        f"{did_you_mean(key, known)}")
            continue
        unit = known[key]
        if unit in ("", "1", "-"):
            unit = ""
        spec = F.FieldSpec(section="impacts.factors", name=key, type="quantity", si_unit=unit,
                           display_unit="", default="", min="", max="", required=False, choices=(),
                           ref=(), description="", example=f'"1 {unit}"' if unit else "1.0", source="")
        try:
            out[key] = _quantity(value, spec, here)
        except ScenarioError as exc:
            ctx.problem(str(exc))
    return FrozenMap(out)


def _free_value(value, where, ctx):
    """A value of a free table: quantities → SI base-unit floats; other values as they are."""
    if isinstance(value, str) and value[:1] and (value[0].isdigit() or value[0] in "+-."):
        match = units._BAUME_RE.match(value)
        if match:
            return units.to_si(value, "kg/m^3", where=where)
        try:
            check_quantity_text(value, where, 'a quantity such as "20 cm" or a plain word')
        except ScenarioError as exc:
            ctx.problem(str(exc))
            return None
        try:
            quantity = units.ureg.Quantity(value)
            magnitude = float(quantity.to_base_units().magnitude)
        except Exception:  # pint raises several unrelated types for bad strings
            ctx.problem(f"{where}: found {value!r}, which starts like a number but is not a "
                        f"quantity; expected a quantity such as \"20 cm\" or a plain word")
            return None
        if not math.isfinite(magnitude):
            ctx.problem(f"{where}: found {value!r}, which is not finite; expected a finite quantity")
            return None
        return magnitude
    if isinstance(value, float) and not math.isfinite(value):
        ctx.problem(f"{where}: found {value!r}, which is not finite; expected a finite number")
        return None
    if isinstance(value, list):
        return tuple(_free_value(v, f"{where}[{i}]", ctx) for i, v in enumerate(value))
    if isinstance(value, Mapping):
        return FrozenMap({k: _free_value(v, f"{where}.{k}", ctx) for k, v in value.items()})
    return value


_PARSERS = {"str": _parse_str, "enum": _parse_enum, "int": _parse_int, "float": _parse_float,
            "bool": _parse_bool, "date": _parse_date, "quantity": _parse_quantity,
            "monthly": _parse_monthly, "quantity_list": _parse_quantity_array,
            "int_list": _parse_int_list, "str_list": _parse_str_list, "path": _parse_path,
            "table": _parse_table}


# -- brine ------------------------------------------------------------------------------------
def _parse_brine(values: dict, raw_composition, where: str, ctx: _Context) -> dict:
    where_c = f"{where}.composition"
    out = {"molality": None, "alkalinity": None, "charge_imbalance": None, "composition": None}
    if raw_composition is MISSING:
        ctx.problem(f"{where_c}: missing; expected a table of ions (Na K Mg Ca Cl SO4 HCO3 CO3 Br "
                    f"Li) such as Na = \"4.90 mol/kg\"")
        return out
    if not isinstance(raw_composition, Mapping):
        ctx.problem(f"{where_c}: found {_describe(raw_composition)}; expected a table of ions")
        return out
    composition, ok = {}, True
    for ion, value in raw_composition.items():
        if ion not in brine_module.IONS:
            ctx.problem(f"{where_c}.{ion}: unknown ion; expected one of "
                        f"{', '.join(brine_module.IONS)}{did_you_mean(ion, brine_module.IONS)}")
            ok = False
            continue
        try:
            composition[ion] = brine_module.classify(value, f"{where_c}.{ion}")
        except ScenarioError as exc:
            ctx.problem(str(exc))
            ok = False
            continue
        limit = 60.0  # mol/kg or mol/L order: far beyond any solubility
        si, kind = composition[ion]
        moles = si / brine_module.ION_MOLAR_MASS[ion] if kind in ("mass_fraction", "mass_concentration") else si
        if kind in ("molarity", "mass_concentration"):
            moles /= 1000.0
        if moles > limit:
            ctx.problem(f"{where_c}.{ion}: found {value!r}, which is out of range; expected at most "
                        f"about 60 mol/kg (no brine holds more)")
            ok = False
    if not composition and ok:
        ctx.problem(f"{where_c}: found an empty table; expected at least one ion such as Na = \"4.90 mol/kg\"")
        ok = False
    if not ok or values.get("temperature") is None or values.get("basis") is None:
        return out
    try:
        molality, alkalinity, imbalance = brine_module.to_molality(
            composition, values["basis"], values["temperature"], values.get("density"),
            values.get("charge_balance"), where=where)
    except ScenarioError as exc:
        ctx.problem(str(exc))
        return out
    return {"molality": _frozen(molality), "alkalinity": alkalinity,
            "charge_imbalance": imbalance,
            "composition": FrozenMap(dict(composition))}


# -- climate series ---------------------------------------------------------------------------
def _read_series(path: str | None, where: str, ctx: _Context):
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        ctx.problem(f"{where}: cannot read {path} ({type(exc).__name__}); expected a UTF-8 CSV file")
        return None
    rows = [r for r in rows if r and not r[0].startswith("#")]
    if len(rows) < 2:
        ctx.problem(f"{where}: {path} has no data rows; expected a header and one row per day")
        return None
    header = [h.strip() for h in rows[0]]
    if header[0] != "date":
        ctx.problem(f"{where}: {path} first column is {header[0]!r}; expected 'date'")
        return None
    columns: dict[str, tuple[int, float, float]] = {}
    for j, name in enumerate(header[1:], start=1):
        base, _, unit = name.partition("[")
        base, unit = base.strip(), unit.rstrip("]").strip()
        if base not in SERIES_COLUMNS:
            ctx.problem(f"{where}: {path} column {name!r} is unknown; expected one of "
                        f"{', '.join(SERIES_COLUMNS)}{did_you_mean(base, SERIES_COLUMNS)}")
            continue
        if not unit:
            ctx.problem(f"{where}: {path} column {name!r} has no unit; expected e.g. '{base} [mm/d]'")
            continue
        try:
            offset = units.to_si(f"0 {unit}", SERIES_COLUMNS[base], where=f"{where}: column {name!r}")
            scale = units.to_si(f"1 {unit}", SERIES_COLUMNS[base], where=f"{where}: column {name!r}") - offset
        except ScenarioError as exc:
            ctx.problem(str(exc))
            continue
        columns[base] = (j, scale, offset)
    dates, data = [], {k: [] for k in columns}
    for line_number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            ctx.problem(f"{where}: {path} line {line_number}: found {len(row)} fields; expected {len(header)}")
            return None
        try:
            day = datetime.date.fromisoformat(row[0].strip())
        except ValueError:
            ctx.problem(f"{where}: {path} line {line_number}: found date {row[0]!r}; expected YYYY-MM-DD")
            return None
        if dates and day != dates[-1] + datetime.timedelta(days=1):
            ctx.problem(f"{where}: {path} line {line_number}: found {day}; expected consecutive days ({dates[-1] + datetime.timedelta(days=1)})")
            return None
        dates.append(day)
        for base, (j, _, _) in columns.items():
            try:
                value = float(row[j])
            except ValueError:
                ctx.problem(f"{where}: {path} line {line_number}: column {base}: found {row[j]!r}; expected a number")
                return None
            if not math.isfinite(value):
                ctx.problem(f"{where}: {path} line {line_number}: column {base}: found {row[j]!r}; expected a finite number")
                return None
            data[base].append(value)
    arrays = {}
    for base in SERIES_COLUMNS:
        if base in columns:
            _, scale, offset = columns[base]
            array = offset + scale * np.array(data[base])
            if base != "temperature" and np.any(array < 0):
                ctx.problem(f"{where}: {path} column {base}: found negative values; expected ≥ 0")
                return None
            arrays[base] = _frozen(array)
        else:
            arrays[base] = None
    return schema.ClimateSeries(dates=tuple(dates), **arrays)

"""``scenario_to_raw``: a loaded scenario back to a raw dict (SI strings with units).

Loading the result gives an equal scenario (``load_scenario(scenario_to_raw(s)) == s``, tested
as a property): every quantity is written with ``repr`` of its SI float and its SI unit, which
pint reads back exactly; the brine is written as given (the original kinds of its values), so
the charge-balance adjustment is recomputed identically.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping

from . import brine as brine_module
from . import fields as F
from .schema import Scenario

__all__ = ["scenario_to_raw"]


def _quantity_text(value: float, si_unit: str):
    if si_unit in ("", "1"):
        return float(value)
    return f"{float(value)!r} {si_unit}"


def _field_raw(spec: F.FieldSpec, value):
    if value is None:
        return None
    t = spec.type
    if t == "quantity":
        return _quantity_text(value, spec.si_unit)
    if t in ("monthly", "quantity_list"):
        return [_quantity_text(v, spec.si_unit) for v in value]
    if t == "float":
        return float(value)
    if t in ("int_list", "str_list"):
        return list(value)
    if t == "table" and spec.path == "impacts.factors":
        from .load import _impact_factor_units

        units = _impact_factor_units() or {}
        return {k: _quantity_text(v, "" if units.get(k, "") in ("", "1", "-") else units[k])
                for k, v in value.items()}
    if t == "table":
        return _plain(value)
    return value


def _plain(value):
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return copy.deepcopy(value)


def _record_raw(section_path: str, record) -> dict:
    out = {}
    for spec in F.fields_of(section_path):
        raw = _field_raw(spec, getattr(record, spec.name))
        if raw is not None:
            out[spec.name] = raw
    for child in F.children_of(section_path):
        if child.path == "brine.composition":
            out["composition"] = {
                ion: (_quantity_text(value, brine_module.KINDS[kind] or "kg/kg"))
                for ion, (value, kind) in record.composition.items()}
            continue
        value = getattr(record, child.key)
        if value is None:
            continue
        if child.kind == "array":
            out[child.key] = [_record_raw(child.path, r) for r in value]
        else:
            out[child.key] = _record_raw(child.path, value)
    return out


def scenario_to_raw(scenario: Scenario) -> dict:
    """The scenario as a raw dict that :func:`~saltsim.scenario.load_scenario` loads back equal."""
    return _record_raw("", scenario)

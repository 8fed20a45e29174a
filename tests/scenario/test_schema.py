"""The schema CSVs and the dataclasses agree, and every row of the CSV is usable."""
import dataclasses
import datetime

import pytest

from saltsim import units
from saltsim.scenario import fields as F
from saltsim.scenario import schema

#: Fields of records that are computed at load rather than read from a CSV row.
DERIVED_FIELDS = {"brine": {"molality", "alkalinity", "charge_imbalance", "composition"},
                  "climate": {"series_data"}}
QUANTITY_TYPES = ("quantity", "monthly", "quantity_list", "concentration")


def test_every_section_has_its_class_and_the_fields_match_the_csv():
    for section in F.sections():
        if not section.class_name:
            continue
        cls = schema.SECTION_CLASSES[section.path]
        assert cls.__name__ == section.class_name
        class_fields = [f.name for f in dataclasses.fields(cls)]
        expected = [f.name for f in F.fields_of(section.path)] + [c.key for c in F.children_of(section.path) if c.class_name]
        expected += sorted(DERIVED_FIELDS.get(section.path, ()))
        assert sorted(class_fields) == sorted(expected), section.path


def test_scenario_has_every_top_level_section():
    names = {f.name for f in dataclasses.fields(schema.Scenario)}
    assert {s.key for s in F.children_of("")} <= names


def test_records_are_frozen_and_slotted():
    for cls in schema.SECTION_CLASSES.values():
        params = cls.__dataclass_params__
        assert params.frozen and hasattr(cls, "__slots__"), cls.__name__


@pytest.mark.parametrize("spec", F.fields(), ids=lambda s: s.path)
def test_field_row_is_consistent(spec):
    assert spec.type in F.TYPES
    assert spec.description and spec.example, "every field documents itself with an example"
    if spec.type in QUANTITY_TYPES and spec.si_unit not in ("", "1"):
        assert units.ureg.Quantity(1.0, spec.si_unit).to_base_units().magnitude == pytest.approx(1.0), \
            "si_unit must be coherent SI (no prefixes): values are stored in it"
        if spec.display_unit:
            units.ureg.Quantity(1.0, spec.display_unit).to(spec.si_unit)
    for bound in (spec.min, spec.max):
        if bound and spec.type not in ("int", "int_list"):
            text = bound.lstrip("<>").strip()
            units.to_si(float(text) if spec.si_unit in ("", "1") and _number(text) else text,
                        spec.si_unit if spec.type != "float" else "", where=spec.path)
    if spec.type == "enum":
        assert spec.choices
    for ref in spec.ref:
        assert ref in ("lake", "brine") or ref in F.REFERENCE_KEYS, ref


def _number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_si_units_of_stored_values_are_base_si():
    # kg, m, s, K, mol and their products: pint's base-unit conversion factor is exactly 1
    for spec in F.fields():
        if spec.type in ("quantity", "monthly", "quantity_list") and spec.si_unit not in ("", "1"):
            assert units.ureg.Quantity(1.0, spec.si_unit).to_base_units().magnitude == 1.0, spec.path


def test_record_equality_compares_arrays_elementwise():
    from saltsim.scenario import load_scenario

    a = load_scenario("scenarios/qom_small.toml")
    b = load_scenario("scenarios/qom_small.toml")
    assert a == b and a is not b
    assert a.climate != dataclasses.replace(a.climate, pan_coefficient=0.5)
    assert isinstance(a.site.start, datetime.date)


#: Examples that only make sense together with other fields (set as a group below).
EXAMPLE_GROUPS = [("lake.levels", "lake.areas", "lake.volumes"),
                  ("rail.sections.transit_time_min", "rail.sections.transit_time_max")]
#: Renaming one record to its example name collides with another record of the baseline.
EXAMPLE_SKIP = {"ponds.name": "the baseline already has a pond C1",
                "rail.destinations.name": "the baseline already has a destination china"}


def _field_path(spec):
    parts, current = [], ""
    for key in spec.section.split("."):
        current = f"{current}.{key}" if current else key
        parts.append(key + ("[0]" if F.section(current).kind == "array" else ""))
    return ".".join(parts) + "." + spec.name


def _example_cases():
    grouped = {name for group in EXAMPLE_GROUPS for name in group}
    cases = [(group,) for group in EXAMPLE_GROUPS]
    for spec in F.fields():
        if spec.path in grouped or spec.path in EXAMPLE_SKIP or "..." in spec.example or spec.type == "table":
            continue
        cases.append(((spec.path,),))
    return cases


@pytest.mark.parametrize("paths", [c[0] for c in _example_cases()], ids=lambda p: "+".join(p))
def test_documented_examples_load(paths):
    """Every example in the field reference is a valid value (set on the baseline)."""
    import tomllib
    import warnings

    from saltsim.examples import example_path
    from saltsim.scenario import load_scenario

    overrides = {}
    for path in paths:
        spec = F.field(path)
        overrides[_field_path(spec)] = tomllib.loads(f"v = {spec.example}")["v"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # a variant is named so that the other variants are not re-checked (speed)
        load_scenario(example_path("qom_baseline"), overrides=overrides, variant="ponds_salt_mg")

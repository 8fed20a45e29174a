"""Properties: mutated scenarios fail only with ScenarioError; scenario → raw → scenario is the identity."""
import copy
import dataclasses
import datetime
import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saltsim.errors import ScenarioError
from saltsim.examples import example_path
from saltsim.scenario import load_scenario, read_toml, scenario_to_raw
from saltsim.scenario.validate import ScenarioWarning

BASES = {name: read_toml(example_path(name)) for name in ("qom_small", "qom_baseline")}
UNITS = ["m", "cm", "km^2", "ha", "kg", "t", "degC", "K", "mol/kg", "g/L", "mg/kg", "t/h", "m^3/h",
         "mm/d", "%", "degBe", "yr", "d", "kWh/t", "1/d", "", "m**2", "furlong", "m^9", "kt"]

numbers = st.one_of(st.integers(min_value=-10**20, max_value=10**20),
                    st.floats(allow_nan=True, allow_infinity=True))
quantities = st.builds(lambda x, u: f"{x} {u}", numbers, st.sampled_from(UNITS))
scalars = st.one_of(st.none(), st.booleans(), numbers, quantities, st.text(max_size=25),
                    st.dates(min_value=datetime.date(1, 1, 1)), st.sampled_from(["E1", "C1", "lake", "halite", "water"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=13),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=15)


def _positions(node, path=()):
    """Every (container, key) in a raw tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield node, key
            yield from _positions(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield node, i
            yield from _positions(value, path + (i,))


@st.composite
def mutated(draw):
    raw = copy.deepcopy(BASES[draw(st.sampled_from(sorted(BASES)))])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        positions = list(_positions(raw))
        container, key = draw(st.sampled_from(positions))
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "replace":
            container[key] = draw(values)
        elif action == "delete":
            del container[key]
        elif isinstance(container, dict):
            container[draw(st.text(min_size=1, max_size=10))] = draw(values)
        else:
            container.append(draw(values))
    return raw


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_loading_a_mutated_scenario_succeeds_or_raises_scenario_error(raw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        for variant in (None, "crust_harvest"):
            try:
                scenario = load_scenario(raw, variant=variant)
            except ScenarioError as exc:
                assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
                continue
            assert scenario.site.horizon > 0 and scenario.variant == variant


def _same(a, b):
    skip = {"path", "base_dir", "hash", "variant"}
    return all(getattr(a, f.name) == getattr(b, f.name) for f in dataclasses.fields(a) if f.name not in skip)


@settings(max_examples=60, deadline=None)
@given(area=st.floats(min_value=1.0, max_value=1e9), depth=st.floats(min_value=0.45, max_value=5.0),
       temperature=st.floats(min_value=-20.0, max_value=90.0), sodium=st.floats(min_value=0.1, max_value=6.0),
       basis=st.sampled_from(["water", "solution"]), unit=st.sampled_from(["mol/kg", "g/kg", "g/L"]),
       seed=st.integers(min_value=0, max_value=2**63))
def test_scenario_to_raw_round_trip(area, depth, temperature, sodium, basis, unit, seed):
    raw = copy.deepcopy(BASES["qom_small"])
    raw["lake"]["area"] = f"{area} km^2"
    raw["ponds"][0]["depth_max"] = f"{depth} m"
    raw["site"]["seed"] = seed
    raw["brine"].update(temperature=f"{temperature} degC", basis=basis)
    raw["brine"]["composition"]["Na"] = f"{sodium * (23.0 if unit != 'mol/kg' else 1.0)} {unit}"
    try:
        scenario = load_scenario(raw)
    except ScenarioError:
        return  # e.g. a draw that leaves the brine charge-imbalanced beyond tolerance
    again = load_scenario(scenario_to_raw(scenario))
    assert _same(scenario, again)
    assert scenario_to_raw(again) == scenario_to_raw(scenario)

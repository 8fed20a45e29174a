"""Exact event trace of a tiny deterministic rail case (no delays, no plants).

Two wagons of 68 t [R15], loaded at 1000 t/h with a 20 % non-loading allowance [R37][R40], run
170 km [R7] at 31.3 km/h [R15] to Tehran, are unloaded at the loading rate and come back empty;
408 t in the stockpile make three trains, one after the other.
"""
import tomllib
from importlib import resources

import pytest

from saltsim.des.logistics import run_standalone
from saltsim.scenario import load_scenario
from saltsim.units import DAY, HOUR

# Event times are sums of a few doubles of O(1e5) s.
TIME_RTOL = 1e-12


def tiny_scenario():
    with resources.files("saltsim").joinpath("scenarios/qom_small.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    raw["stockpiles"] = [{"product": "halite", "capacity": "30 kt", "initial": "408 t"}]
    raw["plants"] = []
    raw["rail"] = {
        "terminal": {"loading_rate": "1000 t/h", "non_loading_allowance": 0.2},
        "wagons": {"count": 2, "payload": "68 t", "tare": "24.5 t"},
        "locomotives": {"count": 1},
        "trains": {"min_wagons": 2, "max_wagons": 2, "max_wait": "3 d"},
        "sections": [{"name": "qom-tehran", "origin": "Qom", "destination": "Tehran",
                      "length": "170 km", "speed": "31.3 km/h", "delay_mean": "0 h"}],
        "destinations": [{"name": "tehran", "route": ["qom-tehran"], "products": ["halite"]}],
    }
    return load_scenario(raw)


def test_three_trains_exact_trace():
    handles = run_standalone(tiny_scenario(), {}, until=10 * DAY)
    load = 68.0 / 1000.0 * HOUR * 1.2  # one wagon [s]
    run = 170.0 / 31.3 * HOUR  # one way [s]
    expected, formed = [], 0.0
    for train in (1, 2, 3):
        departure = formed + 2 * load
        arrival = departure + run + 2 * load  # unloading at the loading rate
        back = arrival + run
        expected.append((train, formed, departure, arrival, back))
        formed = back  # the next train waits for the two wagons
    trace = [(r["train"], r["formed_s"], r["departure_s"], r["arrival_s"], r["return_s"])
             for r in handles.rail.shipments]
    assert [t[0] for t in trace] == [1, 2, 3]
    for got, want in zip(trace, expected):
        assert got[1:] == pytest.approx(want[1:], rel=TIME_RTOL)
    assert handles.stockpiles["halite"].level == pytest.approx(0.0, abs=1e-6)
    assert handles.rail.delivered[("halite", "tehran")] == pytest.approx(408e3, rel=TIME_RTOL)
    assert handles.ledger.mass_balance()["closure_rel"].max() <= 1e-12

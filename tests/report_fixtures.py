"""Small hand-made result tables for the report and compare tests (no simulation needed)."""
from types import SimpleNamespace

import numpy as np
import pandas as pd

from saltsim.constants import COMPONENTS
from saltsim.environment import impacts as I
from saltsim.environment.factors import default_factors

DAY = 86400.0


def _flow(time_s, source, sink, process, **masses):
    row = {"time": pd.Timestamp("2026-03-21") + pd.to_timedelta(time_s, unit="s"), "source": source,
           "sink": sink, "process": process}
    row.update({f"{c}_kg": float(masses.get(c, 0.0)) for c in COMPONENTS})
    return row


def synthetic_results(days: int = 60):
    """A 60-day run: lake → E1 → C1 → B1, halite harvested to a stockpile, bitterns returned."""
    start = pd.Timestamp("2026-03-21")
    t = start + pd.to_timedelta(np.arange(days), unit="D")
    ponds = pd.concat([
        pd.DataFrame({"time": t, "pond": name, "role": role,
                      "depth_m": depth + 0.05 * np.sin(np.arange(days) / 9.0),
                      "density_kg_per_m3": dens + np.linspace(0, 30, days)})
        for name, role, depth, dens in [("E1", "concentrator", 0.4, 1200.0), ("C1", "crystallizer", 0.3, 1215.0),
                                        ("B1", "bittern", 1.0, 1260.0)]], ignore_index=True)
    lake = pd.DataFrame({"time": t, "level_m": 789.4 - np.linspace(0, 0.05, days),
                         "exposed_area_m2": np.linspace(6e8, 7e8, days)})
    rows = []
    for d in range(days):
        rows.append(_flow(d * DAY, "lake", "pond:E1", "pumping", H2O=8e6, Na=9e5, Cl=1.4e6, Mg=9e4))
        rows.append(_flow(d * DAY, "pond:E1", "ext:atmosphere", "evaporation", H2O=5e6))
        rows.append(_flow(d * DAY, "pond:E1", "pond:C1", "transfer", H2O=3e6, Na=8.5e5, Cl=1.3e6, Mg=9e4))
        rows.append(_flow(d * DAY, "pond:C1", "layer:C1", "precipitation", Na=7e5, Cl=1.08e6))
        rows.append(_flow(d * DAY, "pond:C1", "pond:B1", "transfer", H2O=1e6, Na=1.5e5, Cl=2.2e5, Mg=9e4))
        rows.append(_flow(d * DAY, "pond:B1", "lake", "bittern_return", H2O=5e5, Na=5e4, Cl=8e4, Mg=4e4))
        rows.append(_flow(d * DAY, "pond:B1", "ext:groundwater", "seepage", H2O=1e4, Na=1e3, Cl=1.5e3))
    for d in (30, 45):
        rows.append(_flow(d * DAY, "layer:C1", "stockpile:halite", "harvest", Na=7e6, Cl=1.08e7))
    flows = pd.DataFrame(rows)
    stockpiles = pd.DataFrame({"time": t, "product": "halite",
                               "mass_kg": np.where(np.arange(days) >= 30, 1.78e7, 0.0)
                               + np.where(np.arange(days) >= 45, 1.78e7, 0.0)})
    shipments = pd.DataFrame({"departure": start + pd.to_timedelta([40, 50, 55], unit="D"),
                              "arrival": start + pd.to_timedelta([41, 51, 70], unit="D"),
                              "product": ["halite", "halite", "halite"],
                              "destination": ["Tehran", "Tehran", "China"],
                              "mass_kg": [3.4e6, 3.4e6, 3.4e6], "wagons": [50, 50, 50]})
    mass_balance = pd.DataFrame({"component": list(COMPONENTS), "in_kg": 1.0, "out_kg": 1.0,
                                 "stored_start_kg": 1.0, "stored_end_kg": 1.0,
                                 "closure_rel": [1e-13] * len(COMPONENTS)})
    kpis = pd.DataFrame({"kpi": ["nacl_harvested", "bittern_volume"], "value": [3.56e7, 1.2e5],
                         "unit": ["kg", "m^3"], "description": ["NaCl harvested", "Bittern produced"]})
    lake_series = I.LakeSeries(time_s=np.arange(days) * DAY, duration_s=np.full(days, DAY),
                               level_m=lake["level_m"].to_numpy(), area_m2=np.full(days, 1.3e9),
                               exposed_area_m2=lake["exposed_area_m2"].to_numpy(),
                               disturbed_area_m2=np.full(days, 1e6), wind_m_per_s=np.full(days, 5.0),
                               rain_m=np.zeros(days))
    impacts = I.compute(I.Activity(products_kg={"halite": 3.56e7}, electricity_J={"grid": 3.6e11},
                                   diesel_m3=20.0, rail_kg_m=1.02e7 * 1.7e5, water_m3={"groundwater": 5e3},
                                   lake=lake_series, pond_area_m2=8.5e5, handled_kg=3.56e7,
                                   hauled_kg=3.56e7), default_factors())
    return SimpleNamespace(kpis=kpis, ponds=ponds, lake=lake, flows=flows, events=pd.DataFrame(),
                           stockpiles=stockpiles, shipments=shipments, plants=pd.DataFrame(),
                           impacts=impacts, mass_balance=mass_balance,
                           metadata={"seed": 7, "scenario_hash": "abc123", "saltsim_version": "0.1.0"})


def cached_path_tables():
    """A context in which the site model builds each brine's evaporation path once.

    The path depends only on the brine (molality, temperature); the tests that simulate several
    variants of one scenario reuse it instead of paying ~5 s of equilibrium solves per run.
    """
    import pytest

    from saltsim.des import model

    original = model.build_path
    cache = {}

    def build_path(scenario):
        key = (tuple(np.asarray(scenario.brine.molality, dtype=float)), float(scenario.brine.temperature))
        if key not in cache:
            cache[key] = original(scenario)
        return cache[key]

    patch = pytest.MonkeyPatch()
    patch.setattr(model, "build_path", build_path)
    return patch

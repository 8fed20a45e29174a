"""Pump availability from failures and repairs, and crust harvesting, against hand calculations."""
import importlib.util
from importlib import resources
from pathlib import Path

import pytest

from saltsim.des.model import SiteModel
from saltsim.scenario import load_scenario
from saltsim.units import DAY, HOUR

_spec = importlib.util.spec_from_file_location("nacl_path", Path(__file__).parents[1] / "kernels" / "nacl_path.py")
nacl_path = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nacl_path)

SMALL = resources.files("saltsim").joinpath("scenarios/qom_small.toml")
MTBF, MTTR = 100.0 * HOUR, 20.0 * HOUR
#: Availability MTBF/(MTBF+MTTR) estimated over N ≈ 146 exponential up/down cycles per pump and
#: 3 pumps: standard error ≈ A(1 − A)·sqrt(2/(3N)) ≈ 0.010; 4σ.
ATOL_AVAILABILITY = 0.04
#: Crust bookkeeping is arithmetic on a few numbers per day.
RTOL_EXACT = 1e-9
#: exp(−60 d / 100 yr) − 1 ≈ −1.6e-3: the recovery of the disturbed crust during the test.
RTOL_RECOVERY = 2e-3


def test_pumped_volume_follows_the_availability_of_failing_pumps():
    overrides = {"site.horizon": "2 yr", "pumps[0].count": 3, "pumps[0].capacity": "0.5 m^3/h",
                 "pumps[0].months": list(range(1, 13)), "pumps[0].mtbf": f"{MTBF / HOUR} h",
                 "pumps[0].mttr": f"{MTTR / HOUR} h", "ponds[1].harvest_layer": "5 m"}
    model = SiteModel(load_scenario(SMALL, overrides=overrides), path_table=nacl_path.nacl_path()).run(False)
    tables = model.tables()
    capacity = 0.5 / HOUR
    pumped = tables["lake"]["brine_pumped_m3"].sum()
    availability = pumped / (3 * capacity * model.n_days * DAY)
    assert availability == pytest.approx(MTBF / (MTBF + MTTR), abs=ATOL_AVAILABILITY)
    events = tables["events"]
    assert (events["kind"] == "pump_failure").sum() - (events["kind"] == "pump_repair").sum() in (0, 1, 2, 3)


def test_crust_harvest_moves_crust_salt_to_the_stockpile_and_disturbs_the_crust():
    overrides = {"site.horizon": "60 d", "strategy.name": "crust_harvest",
                 "lake.crust.harvestable_area": "20 km^2", "lake.crust.regeneration_rate": "0 kg/m^2/yr",
                 "lake.crust.recovery_time": "100 yr", "harvest.months": list(range(1, 13)),
                 "harvest.loaders": 2, "harvest.loader_rate": "100 t/h", "harvest.shifts_per_day": 1,
                 "harvest.shift_length": "10 h", "stockpiles[0].capacity": "100 kt"}
    scenario = load_scenario(SMALL, overrides=overrides)
    model = SiteModel(scenario, path_table=nacl_path.nacl_path())
    crust_before = model.lake.crust_nacl
    model.run(False)
    tables = model.tables()
    flows = tables["flows"].query("process == 'crust_harvest'")
    taken = flows[["Na_kg", "Cl_kg"]].to_numpy().sum()
    days_worked = len(flows)
    # the playa is flooded (wetted area above the unharvestable part) on some days: count those worked
    assert taken == pytest.approx(days_worked * 2 * 100e3 / HOUR * 10 * HOUR, rel=RTOL_EXACT)
    nacl = 22.98976928e-3 + 35.453e-3
    assert crust_before - model.lake.crust_nacl == pytest.approx(taken / nacl, rel=RTOL_EXACT)
    crust = scenario.lake.crust
    # each tonne cut disturbs 1/(ρ d f) m²; recovery over 100 yr changes the sum by < 2e-3 in 60 d
    disturbed = taken / (crust.bulk_density * crust.harvest_depth * crust.halite_fraction)
    assert days_worked > 0
    assert model.lake.disturbed_area == pytest.approx(min(disturbed, crust.harvestable_area), rel=RTOL_RECOVERY)
    assert (tables["mass_balance"]["closure_rel"] <= 1e-9).all()
    assert tables["ponds"].empty or len(model.field.names) == 0

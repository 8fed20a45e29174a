"""The bundled Qom baseline's plants and rail, fed at constant rates (logistics standalone).

The site model decides how much halite, bittern, carnallite and mirabilite the ponds give; here
they are fixed (400 kt/yr raw halite ≈ the wash plant's capacity; 800 kt/yr of a 30 wt % MgCl₂
bittern [M5] for the MgCl₂ and MgO plants; 8 kt/yr carnallite; 150 kt/yr mirabilite) so that the
test shows the baseline's own plant and rail configuration at work: salt and sodium sulphate to
Tehran, magnesia, magnesium and potash to China over the Sarakhs gauge break.
"""
from importlib import resources

import numpy as np
import pytest

from saltsim.des.logistics import run_standalone
from saltsim.processing.stoichiometry import mass_per_mass
from saltsim.scenario import load_scenario
from saltsim.units import YEAR

# The ledger closes to 1e-9 relative (issue 5).
CLOSURE_TOL = 1e-9
# Sums of ~10³ daily batches in double precision.
SUM_RTOL = 1e-9

PRODUCTION = {"halite": 400e6 / YEAR, "BS": 800e6 / YEAR, "carnallite": 8e6 / YEAR,
              "mirabilite": 150e6 / YEAR}


@pytest.fixture(scope="module")
def baseline():
    scenario = load_scenario(str(resources.files("saltsim").joinpath("scenarios/qom_baseline.toml")))
    # 3.5 years: the Mg metal plant starts after 3 years (start_delay in the baseline).
    return run_standalone(scenario, PRODUCTION, until=3.5 * YEAR, seed=1)


def test_baseline_ships_salt_and_magnesium_products_by_rail(baseline):
    assert np.all(baseline.ledger.mass_balance()["closure_rel"] <= CLOSURE_TOL)
    delivered = baseline.rail.delivered
    for product, destination in [("salt", "tehran"), ("sodium_sulphate", "tehran"),
                                 ("magnesium_chloride", "tehran"), ("magnesia", "china"),
                                 ("magnesium", "china"), ("potash", "china")]:
        assert delivered.get((product, destination), 0.0) > 0.0, (product, destination)
    shipments = baseline.tables()["shipments"]
    china = shipments[shipments["destination"] == "china"]
    assert china["border"].notna().any()  # gauge break at Sarakhs [R30b][R32]


def test_chlorine_co_product_is_2_917_per_tonne_of_magnesium(baseline):
    plants = baseline.tables()["plants"]
    metal = plants[plants["route"] == "magnesium_metal"]
    assert metal["production_kg"].sum() > 0
    assert metal["chlorine_kg"].sum() / metal["production_kg"].sum() == \
        pytest.approx(mass_per_mass("Cl2", "Mg"), rel=SUM_RTOL)


def test_plant_energy_is_booked_by_carrier(baseline):
    plants = baseline.tables()["plants"]
    carriers = plants[["pv_J", "grid_J", "diesel_generated_J", "electricity_unmet_J"]].sum(axis=1)
    assert np.allclose(carriers, plants["electricity_J"], rtol=SUM_RTOL, atol=1e-3)
    assert plants["pv_J"].sum() > 0 and plants["grid_J"].sum() > 0
    water = plants[[c for c in plants.columns if c.startswith("water_") and c.endswith("_m3")
                    and c not in ("water_m3", "water_unmet_m3")]].sum(axis=1)
    assert np.allclose(water + plants["water_unmet_m3"], plants["water_m3"], rtol=SUM_RTOL, atol=1e-9)

"""Stoichiometry and mass splits of the processing routes (saltsim.processing).

References: mass ratios per t Mg from domain.md §3.7 (DERIVED from molar masses there, rounded to
4 significant figures); energy of Mg electrolysis [M29][M30][M31]; hand calculations below.
"""
import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saltsim.constants import COMPONENTS, MOLAR_MASS
from saltsim.processing import routes
from saltsim.processing.routes import (CALCINATION_ENTHALPY, LATENT_HEAT_WATER, ROUTE_DEFAULTS,
                                       ROUTES, RouteParameters, process,
                                       sodium_sulphate_solubility, unit_split)
from saltsim.processing.stoichiometry import component_masses, mass_per_mass, molar_mass

# domain.md quotes the ratios to 3 decimals: half a unit of the last digit.
RATIO_ROUNDING = 5e-4
# Sums of O(10) terms of O(1e3) kg in double precision.
CONSERVATION_RTOL = 1e-12
# Hand calculations repeat the same floating-point operations in a different order.
HAND_RTOL = 1e-12

KWH = 3.6e6
H2O, NA, K, MG, CA, CL, SO4 = (COMPONENTS.index(c) for c in ("H2O", "Na", "K", "Mg", "Ca", "Cl", "SO4"))


@pytest.mark.parametrize("compound, expected", [
    ("MgCl2", 3.917), ("Cl2", 2.917), ("MgO", 1.658), ("Mg(OH)2", 2.399),
    ("bischofite", 8.36), ("carnallite", 11.43),
])
def test_mass_per_tonne_of_magnesium_matches_domain_dossier(compound, expected):
    decimals = len(str(expected).split(".")[1])
    assert mass_per_mass(compound, "Mg") == pytest.approx(expected, abs=10 ** -decimals / 2)


def test_magnesia_to_hydroxide_ratio():
    assert molar_mass("MgO") / molar_mass("Mg(OH)2") == pytest.approx(0.691, abs=RATIO_ROUNDING)


def _random_feed(data):
    # Subnormal masses (< 2.2e-308 kg) carry a few significant bits only: a product and its
    # remainder then round apart by far more than CONSERVATION_RTOL, and no plant sees them.
    values = data.draw(st.lists(st.floats(0.0, 1e4, allow_subnormal=False), min_size=len(COMPONENTS),
                                max_size=len(COMPONENTS)))
    return np.array(values)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), route=st.sampled_from(sorted(ROUTES)))
def test_every_route_conserves_each_component_and_stays_non_negative(data, route):
    feed = _random_feed(data)
    split = process(route, feed)
    into = feed + split.reagents + split.water
    out = split.product + split.waste + split.vapour + split.chlorine
    assert np.allclose(into, out, rtol=CONSERVATION_RTOL, atol=CONSERVATION_RTOL * (1 + into.max()))
    for name in ("product", "waste", "vapour", "chlorine", "reagents", "water"):
        assert np.all(getattr(split, name) >= 0.0), name
    assert split.product_mass >= split.product.sum() * (1 - CONSERVATION_RTOL)
    assert split.electricity >= 0 and split.heat >= 0


def test_routes_vectorise_over_batches():
    rng = np.random.default_rng(5)
    feeds = rng.uniform(0, 100, size=(7, len(COMPONENTS)))
    for route in ROUTES:
        stacked = process(route, feeds)
        for i in range(feeds.shape[0]):
            one = process(route, feeds[i])
            assert np.allclose(stacked.product[i], one.product, rtol=HAND_RTOL, atol=0)
            assert np.allclose(stacked.heat[i], one.heat, rtol=HAND_RTOL, atol=0)


_PARAMETER_SETS = [None, RouteParameters(recovery=0.83, impurity_removal=0.5, water_per_product=0.2,
                                          electricity_per_product=3e4, heat_per_product=1e5,
                                          thermal_efficiency=0.6, liquor_water_per_solute=0.4, dolime=True,
                                          cooling_temperature=278.0)]


def _split_bits(route, feed, params):
    split = process(route, feed, params)
    block = np.stack([split.reagents, split.water, split.waste, split.vapour, split.chlorine, split.product])
    return block.tobytes(), np.array([split.product_mass, split.electricity, split.heat]).tobytes()


@settings(max_examples=150, deadline=None)
@given(data=st.data(), route=st.sampled_from(sorted(ROUTES)), which=st.sampled_from([0, 1]))
def test_unit_split_on_floats_is_process_bit_for_bit(data, route, which):
    # Plants split one feed per batch with unit_split; it must give process()'s numbers exactly
    # (the same IEEE operations in the same order), signed zeros included.
    values = data.draw(st.lists(st.one_of(st.floats(0.0, 1e4, allow_subnormal=False), st.just(0.0),
                                          st.just(-0.0)),
                                min_size=len(COMPONENTS), max_size=len(COMPONENTS)))
    feed, params = np.array(values), _PARAMETER_SETS[which]
    rows, product_mass, electricity, heat = unit_split(route, feed.tolist(), params)
    assert (np.array(rows).tobytes(), np.array([product_mass, electricity, heat]).tobytes()) \
        == _split_bits(route, feed, params)


def test_unit_split_on_stockpile_like_feeds_is_process_bit_for_bit():
    # Many feeds of one kg with a dominant salt and traces, as plants see them.
    rng = np.random.default_rng(11)
    for route in ROUTES:
        for params in _PARAMETER_SETS:
            for _ in range(200):
                feed = rng.random(len(COMPONENTS)) * 10.0 ** rng.integers(-9, 0, len(COMPONENTS))
                feed[rng.random(len(COMPONENTS)) < 0.3] = 0.0
                feed /= feed.sum() if feed.sum() > 0 else 1.0
                rows, product_mass, electricity, heat = unit_split(route, feed.tolist(), params)
                assert (np.array(rows).tobytes(), np.array([product_mass, electricity, heat]).tobytes()) \
                    == _split_bits(route, feed, params), route


def test_unit_split_checks_route_and_length():
    with pytest.raises(KeyError, match="unknown route 'magnesum'"):
        unit_split("magnesum", [0.0] * len(COMPONENTS))
    with pytest.raises(ValueError, match="components"):
        unit_split("magnesia", [0.0] * 3)


def test_magnesium_metal_from_anhydrous_magnesium_chloride():
    mgcl2_kg = 3917.0  # ≈ 1 t Mg
    feed = component_masses("MgCl2", mgcl2_kg / molar_mass("MgCl2"))
    params = RouteParameters(recovery=1.0, electricity_per_product=13.0 * KWH,
                             heat_per_product=24.5 * KWH)
    split = process("magnesium_metal", feed, params)
    mg = float(split.product_mass)
    assert mg == pytest.approx(mgcl2_kg / mass_per_mass("MgCl2", "Mg"), rel=HAND_RTOL)
    assert split.chlorine.sum() / mg == pytest.approx(2.917, abs=RATIO_ROUNDING)
    # 13 kWh/kg in the cell [M31], 37.5 MWh/t in total [M29][M30].
    assert split.electricity / mg == pytest.approx(13.0 * KWH, rel=HAND_RTOL)
    assert (split.electricity + split.heat) / mg / KWH == pytest.approx(37.5, rel=HAND_RTOL)


def test_default_magnesium_energy_is_inside_the_published_range():
    p = ROUTE_DEFAULTS["magnesium_metal"]
    assert 12.0 <= p.electricity_per_product / KWH <= 15.0  # cell, [M31][M30]
    assert 35.0 <= (p.electricity_per_product + p.heat_per_product) / KWH <= 40.0  # total, [M29][M30]


def _bittern(mgcl2_frac=0.30, mass=1000.0):
    """A 30 wt % MgCl2 bittern (US Magnesium pond product, [M5])."""
    feed = component_masses("MgCl2", mgcl2_frac * mass / molar_mass("MgCl2"))
    feed[H2O] += (1 - mgcl2_frac) * mass
    return feed


def test_magnesia_by_lime_hand_calculation():
    feed = _bittern()
    params = RouteParameters(recovery=0.8, thermal_efficiency=0.5)
    split = process("magnesia", feed, params)
    n_mg = 0.8 * feed[MG] / MOLAR_MASS["Mg"]
    assert split.product_mass == pytest.approx(n_mg * molar_mass("MgO"), rel=HAND_RTOL)
    assert split.reagents[CA] == pytest.approx(n_mg * MOLAR_MASS["Ca"], rel=HAND_RTOL)
    assert split.vapour[H2O] == pytest.approx(n_mg * MOLAR_MASS["H2O"], rel=HAND_RTOL)
    assert split.heat == pytest.approx(n_mg * 81.114e3 / 0.5, rel=1e-4)
    # CaCl2 liquor: all Ca and Cl leave as waste.
    assert split.waste[CA] == pytest.approx(split.reagents[CA], rel=HAND_RTOL)
    assert split.waste[CL] == pytest.approx(feed[CL], rel=HAND_RTOL)


def test_calcination_enthalpy_from_formation_enthalpies():
    assert CALCINATION_ENTHALPY == pytest.approx(81.114e3, abs=1.0)


def test_dolime_doubles_hydroxide_per_mole_of_reagent_calcium():
    feed = _bittern()
    lime = process("magnesium_hydroxide", feed, RouteParameters(recovery=1.0))
    dolime = process("magnesium_hydroxide", feed, RouteParameters(recovery=1.0, dolime=True))
    assert dolime.product_mass == pytest.approx(2 * lime.product_mass, rel=HAND_RTOL)
    assert dolime.reagents[CA] == pytest.approx(lime.reagents[CA], rel=HAND_RTOL)
    assert dolime.reagents[MG] == pytest.approx(feed[MG], rel=HAND_RTOL)


def test_bischofite_evaporation_heat_from_water_balance():
    feed = _bittern()
    params = RouteParameters(recovery=1.0, thermal_efficiency=0.7, liquor_water_per_solute=1.8)
    split = process("bischofite", feed, params)
    n = feed[MG] / MOLAR_MASS["Mg"]
    assert split.product_mass == pytest.approx(n * molar_mass("bischofite"), rel=HAND_RTOL)
    evaporated = feed[H2O] - 6 * n * MOLAR_MASS["H2O"]  # no solutes left for a liquor
    assert split.vapour[H2O] == pytest.approx(evaporated, rel=HAND_RTOL)
    assert split.heat == pytest.approx(evaporated * LATENT_HEAT_WATER / 0.7, rel=HAND_RTOL)


def test_washing_purity_hand_calculation():
    # 1000 kg raw salt: 970 kg NaCl, 20 kg MgCl2, 10 kg water.
    feed = component_masses("NaCl", 970.0 / molar_mass("NaCl")) + component_masses("MgCl2", 20.0 / molar_mass("MgCl2"))
    feed[H2O] += 10.0
    params = RouteParameters(recovery=0.95, impurity_removal=0.774, water_per_product=0.3)
    split = process("salt_washing", feed, params)
    assert split.product_mass == pytest.approx(0.95 * 970.0 + 0.226 * 20.0, rel=HAND_RTOL)
    water = 0.3 * split.product_mass
    assert split.water[H2O] == pytest.approx(water, rel=HAND_RTOL)
    assert split.waste[H2O] == pytest.approx(10.0 + water, rel=HAND_RTOL)


def test_carnallite_to_potassium_chloride():
    feed = component_masses("carnallite", 1e3 / molar_mass("carnallite"))
    split = process("potassium_chloride", feed, RouteParameters(recovery=1.0))
    # KCl/carnallite = 74.551/277.85 (molar masses).
    assert split.product_mass / 1e3 == pytest.approx(molar_mass("KCl") / molar_mass("carnallite"), rel=HAND_RTOL)
    assert split.waste[MG] == pytest.approx(feed[MG], rel=HAND_RTOL)


def test_mirabilite_cooling_leaves_a_saturated_liquor():
    # 100 kg Na2SO4 in 1000 kg water, cooled to 0 °C.
    feed = component_masses("thenardite", 100.0 / molar_mass("thenardite"))
    feed[H2O] += 1000.0
    split = process("mirabilite_cooling", feed, RouteParameters(recovery=1.0, cooling_temperature=273.15))
    liquor_salt = 100.0 - split.product_mass * molar_mass("thenardite") / molar_mass("mirabilite")
    liquor_water = feed[H2O] - split.product[H2O]
    assert liquor_salt / liquor_water == pytest.approx(sodium_sulphate_solubility(273.15), rel=1e-10)
    # A brine below saturation at the cooling temperature yields nothing.
    dilute = feed.copy()
    dilute[H2O] = 5000.0
    assert process("mirabilite_cooling", dilute, RouteParameters(cooling_temperature=273.15)).product_mass == 0.0


def test_unknown_route_is_named():
    with pytest.raises(KeyError, match="unknown route 'magnesum'"):
        process("magnesum", np.zeros(len(COMPONENTS)))


def test_processing_imports_only_numerics():
    code = ("import sys, json, saltsim.processing\n"
            "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert not set(json.loads(out.stdout)) & {"simpy", "pint", "pandas"}
    assert routes.__name__ == "saltsim.processing.routes"

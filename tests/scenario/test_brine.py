"""Brine bases: per kg water, per kg solution and per litre give the molalities they should.

References: PHREEQC (pitzer.dat, through phreeqpython) converts the same analyses itself; the
seawater analysis is PHREEQC's standard sea-water example in ppm (mg per kg solution).
"""
import math

import numpy as np
import pytest

from saltsim.constants import MOLAR_MASS, SOLUTES
from saltsim.errors import ScenarioError
from saltsim.scenario import brine as B
from saltsim.scenario import load_scenario

#: PHREEQC's gram formula weights differ from the IUPAC 2013 values of saltsim.constants in the
#: fifth digit (e.g. SO4 96.0616 vs 96.0626 g/mol); conversions agree to this.
RTOL_PHREEQC = 1e-4
#: Conversions of the same analysis written in two bases are exact up to float round-off.
RTOL_ROUNDOFF = 1e-12
#: Self-consistency of the per-litre density iteration (saltsim.scenario.brine.DENSITY_RTOL).
RTOL_DENSITY_FIXED_POINT = 1e-9

#: Sea water, mg per kg solution (PHREEQC example 1 / Nordstrom et al. 1979, without carbonate).
SEAWATER_PPM = {"Na": 10768.0, "K": 399.1, "Mg": 1291.8, "Ca": 412.3, "Cl": 19353.0, "SO4": 2712.0, "Br": 67.3}


def _molality_dict(vector):
    return dict(zip(SOLUTES, vector))


def _convert(composition, basis, **kwargs):
    parsed = {ion: B.classify(text, f"brine.composition.{ion}") for ion, text in composition.items()}
    return B.to_molality(parsed, basis, kwargs.pop("temperature", 298.15), **kwargs)


def test_seawater_in_g_per_kg_solution_equals_the_same_in_mol_per_kg_water():
    per_solution = {ion: f"{ppm / 1000.0} g/kg" for ion, ppm in SEAWATER_PPM.items()}
    molality, _, _ = _convert(per_solution, "solution")
    # the same analysis by hand in mol per kg water: water = 1 − Σ solute mass fractions
    water = 1.0 - sum(SEAWATER_PPM.values()) * 1e-6
    by_hand = {ion: ppm * 1e-6 / MOLAR_MASS[ion] / water for ion, ppm in SEAWATER_PPM.items()}
    per_water = {ion: f"{m!r} mol/kg" for ion, m in by_hand.items()}
    molality_water, _, _ = _convert(per_water, "water")
    np.testing.assert_allclose(molality, molality_water, rtol=RTOL_ROUNDOFF)
    assert math.isclose(_molality_dict(molality)["Na"], 10.768 / 22.98976928 / water, rel_tol=RTOL_ROUNDOFF)


def test_seawater_per_kg_solution_agrees_with_phreeqc():
    phreeqpython = pytest.importorskip("phreeqpython")
    pp = phreeqpython.PhreeqPython(database="pitzer.dat")
    raw = {"units": "ppm", "temp": 25.0, **{k: v for k, v in SEAWATER_PPM.items() if k != "SO4"},
           "S(6)": f"{SEAWATER_PPM['SO4']} as SO4"}
    solution = pp.add_solution(raw)
    molality, _, _ = _convert({ion: f"{ppm} mg/kg" for ion, ppm in SEAWATER_PPM.items()}, "solution")
    ours = _molality_dict(molality)
    for ion, element in [("Na", "Na"), ("K", "K"), ("Mg", "Mg"), ("Ca", "Ca"), ("Cl", "Cl"), ("SO4", "S"), ("Br", "Br")]:
        assert math.isclose(ours[ion], solution.total_element(element, "mol") / solution.mass, rel_tol=RTOL_PHREEQC), ion


def test_per_litre_with_measured_density_agrees_with_phreeqc():
    phreeqpython = pytest.importorskip("phreeqpython")
    pp = phreeqpython.PhreeqPython(database="pitzer.dat")
    solution = pp.add_solution({"units": "mg/L", "temp": 25.0, "density": 1.023, "Na": 10768.0, "Cl": 16606.0})
    molality, _, _ = _convert({"Na": "10768 mg/L", "Cl": "16606 mg/L"}, "water", density=1023.0,
                              charge_balance=None)
    ours = _molality_dict(molality)
    assert math.isclose(ours["Na"], solution.total_element("Na", "mol") / solution.mass, rel_tol=RTOL_PHREEQC)
    assert math.isclose(ours["Cl"], solution.total_element("Cl", "mol") / solution.mass, rel_tol=RTOL_PHREEQC)


def test_per_litre_by_hand_with_measured_density():
    # 1 L of solution weighs 1.2 kg and holds 5 mol NaCl (292.2 g): water = 1.2 − 0.2922 kg
    molality, _, _ = _convert({"Na": "5 mol/L", "Cl": "5 mol/L"}, "water", density=1200.0)
    salt = 5 * (MOLAR_MASS["Na"] + MOLAR_MASS["Cl"])
    assert math.isclose(_molality_dict(molality)["Na"], 5 / (1.2 - salt), rel_tol=RTOL_ROUNDOFF)


def test_per_litre_without_density_is_self_consistent_with_the_density_model():
    density_module = pytest.importorskip("saltsim.chemistry.density")
    # balanced within 3 % as given (no charge_balance: an adjustment would change the per-litre values)
    molality, _, _ = _convert({"Na": "120 g/L", "Cl": "185 g/L", "Mg": "8 g/L", "SO4": "20 g/L"}, "water")
    rho = float(density_module.solution_density(molality, 298.15))
    # re-deriving the per-litre values from the result with that density gives back the input
    m = _molality_dict(molality)
    solution_per_kg_water = 1.0 + sum(m[i] * MOLAR_MASS[i] for i in SOLUTES)
    grams_per_litre_na = m["Na"] * MOLAR_MASS["Na"] / solution_per_kg_water * rho
    assert math.isclose(grams_per_litre_na, 120.0, rel_tol=RTOL_DENSITY_FIXED_POINT)


def test_charge_imbalance_is_reported_and_refused_beyond_tolerance():
    # cations 1.2 eq, anions 1.0 eq → (1.2 − 1.0)/(2.2)
    _, _, imbalance = _convert({"Na": "1.2 mol/kg", "Cl": "1.0 mol/kg"}, "water", charge_balance="Cl")
    assert math.isclose(imbalance, 0.2 / 2.2, rel_tol=RTOL_ROUNDOFF)
    with pytest.raises(ScenarioError, match=r"brine\.composition: charge imbalance \+9\.1%"):
        _convert({"Na": "1.2 mol/kg", "Cl": "1.0 mol/kg"}, "water")
    # within ±5 %: accepted as given
    molality, _, imbalance = _convert({"Na": "1.04 mol/kg", "Cl": "1.0 mol/kg"}, "water")
    assert _molality_dict(molality)["Cl"] == 1.0 and 0 < imbalance < B.CHARGE_IMBALANCE_TOLERANCE


def test_charge_balance_adjusts_the_named_ion_exactly():
    molality, _, _ = _convert({"Na": "1.0 mol/kg", "Mg": "0.2 mol/kg", "Cl": "1.0 mol/kg", "SO4": "0.1 mol/kg"},
                              "water", charge_balance="Cl")
    m = _molality_dict(molality)
    assert math.isclose(m["Cl"], 1.0 + 0.4 - 0.2, rel_tol=RTOL_ROUNDOFF)
    assert math.isclose(B.charge_imbalance({"Na": m["Na"], "Mg": m["Mg"], "Cl": m["Cl"], "SO4": m["SO4"]}), 0.0,
                        abs_tol=RTOL_ROUNDOFF)


def test_carbonate_species_are_counted_as_C_with_their_alkalinity():
    molality, alkalinity, _ = _convert({"Na": "1.0 mol/kg", "Cl": "0.997 mol/kg", "HCO3": "2 mmol/kg",
                                        "CO3": "0.5 mmol/kg"}, "water")
    assert math.isclose(_molality_dict(molality)["C"], 2.5e-3, rel_tol=RTOL_ROUNDOFF)
    assert math.isclose(alkalinity, 3.0e-3, rel_tol=RTOL_ROUNDOFF)


@pytest.mark.parametrize("text, kind, value", [
    ("4.9 mol/kg", "molality", 4.9), ("12 mmol/kg", "molality", 0.012), ("87 g/kg", "mass_fraction", 0.087),
    ("450 mg/kg", "mass_fraction", 4.5e-4), ("5.4 mol/L", "molarity", 5400.0), ("120 g/L", "mass_concentration", 120.0),
    ("300 mg/L", "mass_concentration", 0.3)])
def test_concentration_kinds(text, kind, value):
    si, found = B.classify(text, "x")
    assert found == kind and math.isclose(si, value, rel_tol=RTOL_ROUNDOFF)


def test_bundled_baseline_brine_is_the_urmia_proxy():
    scenario = load_scenario("scenarios/qom_baseline.toml")
    m = _molality_dict(scenario.brine.molality)
    # [U1] Lake Urmia modelled brine, mol/kg water (Cl raised by the charge balance)
    assert (m["Na"], m["K"], m["Mg"], m["Ca"], m["SO4"]) == (4.900, 0.005, 0.461, 0.0156, 0.181)
    cations = m["Na"] + m["K"] + 2 * m["Mg"] + 2 * m["Ca"] + m["Li"]
    assert math.isclose(m["Cl"] + 2 * m["SO4"], cations, rel_tol=RTOL_ROUNDOFF)
    assert not scenario.brine.molality.flags.writeable

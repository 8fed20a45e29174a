"""Evaporation, dilution and cooling paths (saltsim.chemistry.evaporation) against the PHREEQC
seawater path (scored with compare_path.py), PHREEQC saturation indices and conservation laws."""
import csv
import doctest
import importlib.util
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import saltsim.chemistry.evaporation as evaporation
from saltsim.chemistry.equilibrium import (
    RESIDUAL_TOLERANCE,
    SUPERSATURATION_TOLERANCE,
    ValidityWarning,
    chemical_system,
)
from saltsim.chemistry.evaporation import (
    cooling_path,
    dilution_path,
    evaporation_path,
    path_columns,
)
from saltsim.constants import CHARGE, MOLAR_MASS, SOLUTES

DATA = Path(__file__).resolve().parents[1] / "data" / "evaporation"
REFERENCE = DATA / "seawater_noC_25C_pitzer.csv"
IDX = {c: i for i, c in enumerate(SOLUTES)}

# The issue's acceptance targets for seawater at 25 °C.
ONSET_RTOL = 0.03
ONSET_RTOL_SULPHATES = 0.10          # gypsum, anhydrite, glauberite: published models disagree
POOLED_RMS_MAX = 0.03
SEQUENCE_MINERALS = ("Halite", "Epsomite", "Hexahydrite", "Kieserite", "Carnallite", "Bischofite")
#: Onset bracket: the issue asks for 0.5 % in concentration factor.
ONSET_BRACKET = 0.005
#: Mass balance per element along a path, relative to the element's total.
RTOL_MASS = 1e-12
#: SI tolerances of the solver, in log10 units.
SI_PRESENT = RESIDUAL_TOLERANCE / np.log(10.0)
SI_ABSENT = SUPERSATURATION_TOLERANCE / np.log(10.0)
#: Dilution back to the starting water returns the starting molalities to solver precision.
RTOL_RETURN = 1e-9
#: PHREEQC's mirabilite SI at saltsim's onset temperature: the Pitzer model agrees with PHREEQC to
#: ~1e-3 in SI; 0.02 corresponds to ~0.3 K in onset temperature.
SI_PHREEQC_ONSET = 0.02
#: The starting seawater of the reference, with the six major ions.
STEPS_IN_TESTS = 50  # fewer than the reference's 200; onsets are bisected, so scoring stays meaningful


def _compare_module():
    spec = importlib.util.spec_from_file_location("compare_path", DATA / "compare_path.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _seawater():
    with open(REFERENCE, newline="") as fh:
        first = next(csv.DictReader(fh))
    return np.array([float(first[f"m_{c}"]) for c in SOLUTES])


@lru_cache(maxsize=None)
def _seawater_path(mode):
    return evaporation_path(_seawater(), 298.15, mode=mode, steps=STEPS_IN_TESTS)


def _check_conservation(path, totals0):
    system = chemical_system()
    stoich = path.mineral_stoichiometry
    recombined = path.dissolved + path.minerals @ stoich[:, 1:]
    scale = np.where(totals0 > 0, totals0, 1.0)
    assert np.all(np.abs(recombined - totals0) <= RTOL_MASS * scale)
    water = path.water_kg + path.water_removed + MOLAR_MASS["H2O"] * (path.minerals @ stoich[:, 0])
    np.testing.assert_allclose(water, 1.0, rtol=0, atol=1e-12)
    charge = np.array([CHARGE[c] for c in SOLUTES])
    np.testing.assert_allclose(path.dissolved @ charge, totals0 @ charge, rtol=0, atol=1e-12)
    assert system.mineral_names == path.mineral_names


def test_seawater_equilibrium_path_scores_against_phreeqc():
    compare = _compare_module()
    path = _seawater_path("equilibrium")
    columns = path_columns(path)
    candidate = [compare._normalise({k: float(v[i]) for k, v in columns.items()})
                 for i in range(len(path.water_kg))]
    reference = [compare._normalise(r) for r in compare.read_csv(str(REFERENCE))]
    report = compare.compare(reference, candidate)
    sequence_ref = [m for m in report["sequence_ref"] if m in SEQUENCE_MINERALS]
    sequence_cand = [m for m in report["sequence_cand"] if m in SEQUENCE_MINERALS]
    assert sequence_cand == sequence_ref
    assert report["sequence_match"]
    for name, entry in report["minerals"].items():
        assert entry["status"] == "both", (name, entry)
        tolerance = ONSET_RTOL_SULPHATES if name in ("Gypsum", "Anhydrite", "Glauberite") else ONSET_RTOL
        assert abs(entry["rel_err"]) <= tolerance, (name, entry)
    assert report["elements_pooled_rms_rel_err"] <= POOLED_RMS_MAX


@pytest.mark.parametrize("mode", ["equilibrium", "fractional"])
def test_onsets_are_bracketed_within_half_a_percent(mode):
    path = _seawater_path(mode)
    onsets = path.onsets()
    assert len(onsets) >= 8
    for onset in onsets:
        row = onset["row"]
        assert row > 0
        ratio = path.concentration_factor[row] / path.concentration_factor[row - 1] - 1.0
        assert 0 < ratio <= ONSET_BRACKET, onset


@pytest.mark.parametrize("mode", ["equilibrium", "fractional"])
def test_mass_water_and_charge_are_conserved_along_the_path(mode):
    _check_conservation(_seawater_path(mode), _seawater())


@pytest.mark.parametrize("mode", ["equilibrium", "fractional"])
def test_no_absent_mineral_is_supersaturated(mode):
    path = _seawater_path(mode)
    if mode == "equilibrium":
        present = path.minerals > 0
        assert np.all(np.abs(path.saturation_index[present]) <= SI_PRESENT)
        assert np.all(path.saturation_index[~present] <= SI_ABSENT)
    else:
        assert np.all(path.saturation_index <= SI_ABSENT)


def test_fractional_path_differs_from_equilibrium_where_solids_would_redissolve():
    # In the equilibrium path gypsum converts to anhydrite (gypsum redissolves); in the
    # fractional path the gypsum removed earlier is kept as precipitated.
    eq_path, fr_path = _seawater_path("equilibrium"), _seawater_path("fractional")
    g = eq_path.mineral_names.index("Gypsum")
    assert eq_path.minerals[-1, g] == 0.0 and eq_path.minerals[:, g].max() > 0
    assert fr_path.minerals[-1, g] == pytest.approx(fr_path.minerals[:, g].max())
    assert np.all(np.diff(fr_path.minerals, axis=0) >= 0)


def test_dilution_after_evaporation_returns_to_the_start():
    brine = _seawater()
    evaporated = evaporation_path(brine, 298.15, steps=12, to_water_fraction=0.02)
    assert evaporated.minerals[-1].sum() > 0.4  # halite and others present
    back = dilution_path(None, 298.15, np.linspace(0.0, 0.98, 8), start=evaporated)
    np.testing.assert_allclose(back.molality[-1], brine, rtol=RTOL_RETURN, atol=1e-15)
    assert np.all(back.minerals[-1] == 0.0)
    assert back.water_removed[-1] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(back.water_activity[-1], evaporated.water_activity[0], rtol=1e-12)


def test_cooling_precipitates_mirabilite_where_phreeqc_puts_saturation():
    brine = np.zeros(len(SOLUTES))
    brine[IDX["Na"]], brine[IDX["SO4"]] = 2.0, 1.0            # 1 mol/kg Na2SO4
    path = cooling_path(brine, np.linspace(303.15, 273.15, 16))
    onsets = path.onsets()
    assert [o["name"] for o in onsets] == ["Mirabilite"]
    onset_temperature = onsets[0]["temperature"]
    j = path.mineral_names.index("Mirabilite")
    row = onsets[0]["row"]
    assert path.temperature[row - 1] - onset_temperature <= 0.05 + 1e-9
    # Water is taken by the hydrate: the brine concentrates on cooling.
    assert path.water_kg[-1] < 1.0 - 10 * MOLAR_MASS["H2O"] * path.minerals[-1, j] + 1e-12
    phreeqpython = pytest.importorskip("phreeqpython")
    pp = phreeqpython.PhreeqPython(database="pitzer.dat")
    # Raw PHREEQC input: phreeqpython's Solution.si() leaves out the water activity of hydrates.
    pp.ip.run_string("\n".join([
        "SOLUTION 1", " units mol/kgw", f" temp {onset_temperature - 273.15:.6f}", " Na 2", " S(6) 1",
        "SELECTED_OUTPUT", " -reset false", " -si Mirabilite", "END"]))
    si = pp.ip.get_selected_output_array()[1][0]
    assert abs(si) <= SI_PHREEQC_ONSET


brines = st.tuples(
    st.floats(0.2, 3.0), st.floats(0.0, 0.3), st.floats(0.0, 0.6), st.floats(0.0, 0.05),
    st.floats(0.0, 0.4), st.floats(0.0, 0.01), st.floats(0.0, 0.01))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(brines, st.sampled_from(["equilibrium", "fractional"]), st.floats(278.15, 318.15))
def test_random_brines_conserve_mass_and_charge(values, mode, temperature):
    na, k, mg, ca, so4, br, li = values
    brine = np.zeros(len(SOLUTES))
    brine[IDX["Na"]], brine[IDX["K"]], brine[IDX["Mg"]], brine[IDX["Ca"]] = na, k, mg, ca
    brine[IDX["SO4"]], brine[IDX["Br"]], brine[IDX["Li"]] = so4, br, li
    brine[IDX["Cl"]] = na + k + 2 * mg + 2 * ca + li - 2 * so4 - br
    if brine[IDX["Cl"]] < 0:
        brine[IDX["Cl"]] = 0.0
        brine[IDX["Na"]] += 2 * so4 + br - (na + k + 2 * mg + 2 * ca + li)
    path = evaporation_path(brine, temperature, mode=mode, steps=10, to_water_fraction=0.1)
    _check_conservation(path, brine)
    present = path.minerals > 0
    if mode == "equilibrium":
        assert np.all(path.saturation_index[~present] <= SI_ABSENT)
    else:
        assert np.all(path.saturation_index <= SI_ABSENT)


def test_csv_columns_are_the_issue_columns():
    columns = list(path_columns(_seawater_path("equilibrium")))
    assert columns[:8] == ["step", "water_fraction", "concentration_factor", "water_kg", "water_activity",
                           "density_kg_per_m3", "ionic_strength_mol_per_kg", "valid"]
    assert columns[8:14] == ["m_Na", "m_K", "m_Mg", "m_Ca", "m_Cl", "m_SO4"]
    assert "m_Br" not in columns and "m_C" not in columns
    assert "min_Halite" in columns and "min_Labile_S" in columns and "min_Carnallite" in columns
    assert all(c.startswith("min_") for c in columns[14:])


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="mode"):
        evaporation_path(_seawater(), 298.15, mode="batch", steps=3)
    with pytest.raises(ValueError, match="to_water_fraction"):
        evaporation_path(_seawater(), 298.15, to_water_fraction=1.5)
    with pytest.raises(ValueError, match="molality"):
        evaporation_path(np.ones(6), 298.15)


def test_doctests():
    assert doctest.testmod(evaporation).failed == 0


def test_a_brine_that_dries_out_ends_its_path_with_a_warning():
    # Lake Urmia model brine (domain.md §1.3 [U1]): MgCl2-rich; below ~0.05 kg of water per kg the
    # hydrates (bischofite: 6 H2O per Mg) would need more water than is left.
    brine = np.zeros(len(SOLUTES))
    brine[IDX["Na"]], brine[IDX["K"]], brine[IDX["Mg"]] = 4.9, 0.005, 0.461
    brine[IDX["Ca"]], brine[IDX["SO4"]] = 0.0156, 0.181
    brine[IDX["Cl"]] = 4.9 + 0.005 + 2 * 0.461 + 2 * 0.0156 - 2 * 0.181
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = evaporation_path(brine, 298.15, steps=16)
    categories = [w.category for w in caught]
    assert categories.count(evaporation.PathTruncatedWarning) == 1
    assert "the path ends at system water" in str(caught[categories.index(evaporation.PathTruncatedWarning)].message)
    # Rows beyond the model's validity are reported once for the whole path, and flagged.
    assert categories.count(ValidityWarning) == int(not path.valid.all())
    assert set(categories) <= {evaporation.PathTruncatedWarning, ValidityWarning}
    assert 0.005 < 1.0 - path.water_removed[-1] < 0.06
    mg = path.mineral_names.index("Bischofite")
    hydrate_water = MOLAR_MASS["H2O"] * 6 * path.minerals[-1, mg]
    assert hydrate_water > 0.25 * (1.0 - path.water_removed[-1])     # a good part of the water is bound
    _check_conservation(path, brine)


def test_fractional_seawater_path_matches_phreeqc_fractional():
    pytest.importorskip("phreeqpython")
    from saltsim.commands.evaporate import phreeqc_fractional_path

    path = _seawater_path("fractional")
    reference = phreeqc_fractional_path(_seawater(), 298.15, path.water_removed, path.mineral_names)
    compare = _compare_module()
    ours = path_columns(path)
    n = len(path.water_kg)
    rows_ours = [compare._normalise({k: float(v[i]) for k, v in ours.items()}) for i in range(n)]
    rows_ref = [compare._normalise({**{k: float(v[i]) for k, v in reference.items()}, "valid": 1.0})
                for i in range(n)]
    report = compare.compare(rows_ref, rows_ours)
    assert report["sequence_match"], (report["sequence_ref"], report["sequence_cand"])
    for name, entry in report["minerals"].items():
        tolerance = ONSET_RTOL_SULPHATES if name in ("Gypsum", "Anhydrite", "Glauberite") else ONSET_RTOL
        assert abs(entry["rel_err"]) <= tolerance, (name, entry)
    assert report["elements_pooled_rms_rel_err"] <= POOLED_RMS_MAX


#: At other temperatures the reference is PHREEQC run here on the same 80 steps to 1 % water
#: (6 % apart in CF): its onsets are located only within its step, so they are compared within
#: 6 %. (Below 1 % water PHREEQC's own solver fails at 0 °C; at 50 °C gypsum is stable only
#: between CF 3.43 and 3.59, so coarser steps miss it.)
ONSET_RTOL_COARSE_REFERENCE = 0.06


@pytest.mark.parametrize("celsius", [0.0, 40.0, 50.0])
def test_seawater_paths_at_0_40_and_50_c_match_phreeqc(celsius):
    pytest.importorskip("phreeqpython")
    from saltsim.commands.evaporate import phreeqc_path

    temperature = 273.15 + celsius
    path = evaporation_path(_seawater(), temperature, steps=80, to_water_fraction=0.01)
    reference = phreeqc_path(_seawater(), temperature, 1.0 - path.water_removed[~path.refined],
                             path.mineral_names)
    compare = _compare_module()
    ours = path_columns(path)
    rows_ours = [compare._normalise({k: float(v[i]) for k, v in ours.items()}) for i in range(len(path.water_kg))]
    n_ref = len(reference["water_kg"])
    rows_ref = [compare._normalise({**{k: float(v[i]) for k, v in reference.items()}, "valid": 1.0})
                for i in range(n_ref)]
    report = compare.compare(rows_ref, rows_ours)
    key_ref = [m for m in report["sequence_ref"] if m in SEQUENCE_MINERALS]
    key_ours = [m for m in report["sequence_cand"] if m in SEQUENCE_MINERALS]
    assert key_ours == key_ref
    both = {name: entry for name, entry in report["minerals"].items() if entry["status"] == "both"}
    assert set(both) >= set(key_ref)
    for name, entry in both.items():
        assert abs(entry["rel_err"]) <= ONSET_RTOL_COARSE_REFERENCE, (name, entry)
    assert report["elements_pooled_rms_rel_err"] <= POOLED_RMS_MAX
    if celsius == 0.0:
        assert "Mirabilite" in report["sequence_cand"]     # winter: sodium sulphate decahydrate

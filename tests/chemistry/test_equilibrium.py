"""Equilibrium solver (saltsim.chemistry.equilibrium) against PHREEQC states, conservation laws
and its own contract (residuals, saturation, validity flags, errors)."""
import csv
import dataclasses
import doctest
import pickle
from pathlib import Path

import numpy as np
import pytest

import saltsim.chemistry.equilibrium as equilibrium
from saltsim.chemistry.equilibrium import (
    RESIDUAL_TOLERANCE,
    SUPERSATURATION_TOLERANCE,
    ValidityWarning,
    chemical_system,
    solve_equilibrium,
)
from saltsim.constants import MOLAR_MASS, SOLUTES
from saltsim.errors import ConvergenceError

DATA = Path(__file__).resolve().parents[1] / "data" / "evaporation"
IDX = {c: i for i, c in enumerate(SOLUTES)}

#: Mass balance per element, relative to the element's total (the issue's requirement).
RTOL_MASS_BALANCE = 1e-12
#: Molalities of a cold-started state vs PHREEQC at the same water. The Pitzer model reproduces
#: PHREEQC's saturation indices to ~1e-3 (log units); with five minerals present (an invariant
#: assemblage) that moves the molalities by up to ~2.5 %; the issue's path target is 3 %.
RTOL_PHREEQC_MOLALITY = 3e-2
#: Water activity is insensitive to that (osmotic sums over all ions).
RTOL_PHREEQC_AW = 5e-3
#: Mineral amounts vs PHREEQC: 5 % of the amount, plus 1e-4 mol for the small amounts of minor
#: minerals (glauberite, polyhalite: differences of large element totals, sensitive to 1e-3 in
#: SI). At CF ≈ 500 PHREEQC's solution holds 2 mmol less water than the water balance
#: (1 kg − evaporated − hydrate water) gives, which shifts bischofite by ~4 %.
RTOL_PHREEQC_AMOUNT = 5e-2
ATOL_PHREEQC_AMOUNT = 1e-4
#: ln(IAP/K) converged to RESIDUAL_TOLERANCE, expressed in log10 units.
SI_TOL = RESIDUAL_TOLERANCE / np.log(10.0)
SI_SUPERSATURATION = SUPERSATURATION_TOLERANCE / np.log(10.0)


def _reference_rows():
    with open(DATA / "seawater_noC_25C_pitzer.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _molality(row):
    return np.array([float(row[f"m_{c}"]) for c in SOLUTES])


def _brine(**molality):
    out = np.zeros(len(SOLUTES))
    for key, value in molality.items():
        out[IDX[key]] = value
    return out


def _check_mass_balance(state, totals):
    system = chemical_system().select(state.mineral_names)
    recombined = state.dissolved + state.minerals @ system.stoichiometry
    scale = np.where(np.abs(totals) > 0, np.abs(totals), 1.0)
    assert np.all(np.abs(recombined - totals) <= RTOL_MASS_BALANCE * scale)


@pytest.mark.parametrize("row_index", [80, 120, 150, 175, 199])
def test_cold_start_matches_phreeqc_seawater_states(row_index):
    rows = _reference_rows()
    totals = _molality(rows[0])
    row = rows[row_index]
    evaporated = float(row["h2o_evaporated_mol"]) * MOLAR_MASS["H2O"]
    state = solve_equilibrium(totals, 1.0 - evaporated, 298.15)
    present = {n for n, a in zip(state.mineral_names, state.minerals) if a > 0}
    expected = {n for n in state.mineral_names if float(row[f"min_{n}"]) > 0}
    assert present == expected
    np.testing.assert_allclose(state.molality[:6], _molality(row)[:6], rtol=RTOL_PHREEQC_MOLALITY)
    for j, name in enumerate(state.mineral_names):
        reference = float(row[f"min_{name}"])
        assert state.minerals[j] == pytest.approx(reference, rel=RTOL_PHREEQC_AMOUNT,
                                                  abs=ATOL_PHREEQC_AMOUNT)
    assert state.water_activity == pytest.approx(float(row["aw"]), rel=RTOL_PHREEQC_AW)
    _check_mass_balance(state, totals)


def test_saturation_indices_present_zero_absent_non_positive():
    rows = _reference_rows()
    totals = _molality(rows[0])
    water = 1.0 - np.array([float(rows[i]["h2o_evaporated_mol"]) for i in range(0, 200, 9)]) * MOLAR_MASS["H2O"]
    state = solve_equilibrium(np.broadcast_to(totals, water.shape + totals.shape), water, 298.15)
    present = state.minerals > 0
    assert np.all(np.abs(state.saturation_index[present]) <= SI_TOL)
    assert np.all(state.saturation_index[~present] <= SI_SUPERSATURATION)


def test_batched_solve_equals_individual_solves():
    rng = np.random.default_rng(7)
    brines = np.array([_brine(Na=a, K=b, Mg=c, Ca=d, Cl=a + b + 2 * c + 2 * d - 2 * e, SO4=e)
                       for a, b, c, d, e in rng.uniform([3, 0, 0, 0, 0], [8, 1, 2, 0.1, 1], (6, 5))])
    temperatures = rng.uniform(278.15, 318.15, len(brines))
    batch = solve_equilibrium(brines, 1.0, temperatures)
    for i in range(len(brines)):
        one = solve_equilibrium(brines[i], 1.0, temperatures[i])
        np.testing.assert_allclose(batch.molality[i], one.molality, rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(batch.minerals[i], one.minerals, rtol=1e-8, atol=1e-14)
        _check_mass_balance(one, brines[i])


def test_warm_start_reaches_the_cold_state():
    rows = _reference_rows()
    totals = _molality(rows[0])
    cold = solve_equilibrium(totals, 0.01, 298.15)
    warm = solve_equilibrium(totals, 0.0102, 298.15, warm_start=cold)
    again = solve_equilibrium(totals, 0.0102, 298.15)
    np.testing.assert_allclose(warm.minerals, again.minerals, rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(warm.molality, again.molality, rtol=1e-9)


def test_hydrate_water_comes_out_of_the_solution():
    # 2 mol/kg Na2SO4 at 0 °C is far above mirabilite's solubility (~0.3 mol/kg).
    totals = _brine(Na=4.0, SO4=2.0)
    state = solve_equilibrium(totals, 1.0, 273.15)
    j = state.mineral_names.index("Mirabilite")
    assert state.minerals[j] > 1.0
    expected_water = 1.0 - 10 * MOLAR_MASS["H2O"] * state.minerals[j]
    assert state.water_kg == pytest.approx(expected_water, rel=1e-14)
    _check_mass_balance(state, totals)


def test_dependent_minerals_respect_the_phase_rule():
    # Glauberite = thenardite + anhydrite; the assemblage must stay linearly independent.
    rng = np.random.default_rng(3)
    n = 40
    na, ca = rng.uniform(2.0, 9.0, n), rng.uniform(0.0, 0.2, n)
    so4 = rng.uniform(0.5, 4.5, n)
    cl = na + 2 * ca - 2 * so4
    ok = cl > 0
    brines = np.zeros((ok.sum(), len(SOLUTES)))
    brines[:, IDX["Na"]], brines[:, IDX["Ca"]] = na[ok], ca[ok]
    brines[:, IDX["SO4"]], brines[:, IDX["Cl"]] = so4[ok], cl[ok]
    state = solve_equilibrium(brines, 1.0, 323.15)
    vectors = chemical_system().full_stoichiometry
    for amounts in state.minerals:
        present = vectors[amounts > 0]
        assert np.linalg.matrix_rank(present) == len(present)


def test_outside_validity_is_flagged_and_warned():
    # Bischofite-saturated MgCl2 brine: I ≈ 17 mol/kg is valid; CaCl2 at 9 mol/kg (I = 27) is not.
    brines = np.array([_brine(Mg=5.0, Cl=10.0), _brine(Ca=9.0, Cl=18.0)])
    with pytest.warns(ValidityWarning, match="1 of 2 brines"):
        state = solve_equilibrium(brines, 1.0, 298.15, minerals=["Bischofite"])
    assert state.valid.tolist() == [True, False]
    assert state.ionic_strength[1] > equilibrium.MAX_IONIC_STRENGTH


def test_convergence_failure_raises_with_the_state(monkeypatch):
    monkeypatch.setattr(equilibrium, "MAX_NEWTON_ITERATIONS", 1)
    with pytest.raises(ConvergenceError, match="residual") as info:
        solve_equilibrium(_brine(Na=8.0, Cl=8.0), 1.0, 298.15)
    error = info.value
    assert error.residual > RESIDUAL_TOLERANCE and error.temperature == 298.15
    assert error.minerals_present == ["Halite"]
    clone = pickle.loads(pickle.dumps(error))
    assert str(clone) == str(error) and clone.ionic_strength == error.ionic_strength


def test_properties_of_the_returned_state():
    totals = _brine(Na=1.0, K=0.2, Mg=0.5, Cl=2.2)
    state = solve_equilibrium(totals, 1.0, 298.15)
    charge = np.array([1, 1, 2, 2, -1, -2, 0, -1, 1])
    ionic = 0.5 * (state.molality * charge ** 2).sum()
    assert state.ionic_strength == pytest.approx(ionic, rel=1e-14)
    phi = -np.log(state.water_activity) / (MOLAR_MASS["H2O"] * state.molality.sum())
    assert state.osmotic_coefficient == pytest.approx(phi, rel=1e-12)
    assert np.all(state.minerals == 0) and state.valid
    assert state.baume == pytest.approx(145 - 145 * 999.01 / state.density_kg_per_m3, rel=1e-12)


def test_doctests():
    assert doctest.testmod(equilibrium).failed == 0


#: A start predicted from a solved neighbour 3 % wetter: the activity model is linearised at the
#: neighbour, so the mass-action residual left is second order in the molality change (measured
#: ~1e-3 for seawater concentrates); the neighbour's solids alone leave ~0.5–0.9.
MAX_PREDICTED_RESIDUAL = 1e-2
#: The lever rule solves normal equations with a 1e-12 relative ridge: exact up to the ridge
#: and the squared condition number of the scaled stoichiometry (~1e-8 relative here).
RTOL_LEVER_RULE = 1e-7


def _max_residual(totals, water, temperature, amounts):
    system = chemical_system()
    dissolved, left = equilibrium._composition(totals, water, amounts, system)
    ln_a, ln_aw, *_ = equilibrium._log_activities(dissolved, left, temperature, system, False)
    ratio = equilibrium._residuals(ln_a, ln_aw, system.ln_k(temperature), system)
    return float(np.abs(np.where(amounts > 0, ratio, 0.0)).max())


def test_lever_rule_recovers_the_solids_of_a_brine_at_the_target_composition():
    # Hand-built: a brine of known molality m in W kg of water plus known solids p gives totals
    # N = m W + Sᵀ p, with W = W0 − M_w hᵀ p; the lever rule must return p exactly.
    system = chemical_system()
    names = list(system.mineral_names)
    present = np.zeros((1, len(names)), dtype=bool)
    amounts = np.zeros((1, len(names)))
    for name, value in (("Halite", 0.8), ("Carnallite", 0.05), ("Kieserite", 0.02), ("Anhydrite", 0.003)):
        present[0, names.index(name)] = True
        amounts[0, names.index(name)] = value
    m = _brine(Na=0.5, K=0.3, Mg=4.0, Ca=0.01, Cl=7.5, SO4=0.66)
    water0 = np.array([0.05])
    water = water0 - MOLAR_MASS["H2O"] * (amounts @ system.hydrate_water)
    totals = m[None] * water[:, None] + amounts @ system.stoichiometry
    solved = equilibrium._lever_rule(totals, water0, m[None], present, system)
    np.testing.assert_allclose(solved, amounts, rtol=RTOL_LEVER_RULE, atol=1e-15)


def test_lever_rule_per_target_equals_per_brine():
    # Brines aiming at shared targets (one small solve per target) get the amounts of the same
    # least squares set up brine by brine; a target with a vanishing Ca molality sends its brines
    # through the per-brine route (the scale's floor applies), with the same result.
    system = chemical_system()
    names = list(system.mineral_names)
    present = np.zeros((3, len(names)), dtype=bool)
    present[0, [names.index("Halite"), names.index("Gypsum")]] = True
    present[1, [names.index("Halite"), names.index("Carnallite"), names.index("Kieserite")]] = True
    present[2, [names.index("Halite"), names.index("Glauberite")]] = True
    targets = np.array([_brine(Na=5.0, K=0.2, Mg=0.5, Ca=0.02, Cl=6.0, SO4=0.15),
                        _brine(Na=0.5, K=0.3, Mg=4.0, Ca=0.01, Cl=7.5, SO4=0.66),
                        _brine(Na=5.5, K=0.1, Mg=0.2, Ca=1e-16, Cl=5.5, SO4=0.35)])
    totals, water, temperature = _perturbed_seawater(30, seed=15)
    nearest = np.arange(30) % 3
    shared = equilibrium._lever_rule(totals, water, targets, present, system, nearest)
    reacting = np.flatnonzero(np.any(system.stoichiometry != 0, axis=0))
    for b in range(30):
        # the scaled (ridge-regularised) least squares of one brine, set up directly
        t, cols = nearest[b], np.flatnonzero(present[nearest[b]])
        m = targets[t, reacting]
        matrix = (system.stoichiometry[cols][:, reacting]
                  - MOLAR_MASS["H2O"] * system.hydrate_water[cols, None] * m[None, :]).T
        scale = 1.0 / np.maximum(m * water[b], 1e-12 * totals[b, reacting] + 1e-300)
        rhs = (totals[b, reacting] - m * water[b]) * scale
        scaled = matrix * scale[:, None]
        normal = scaled.T @ scaled
        ridge = 1e-12 * np.trace(normal)      # (the solver's guard against rounding; it dominates
        #                                        only where the scale's floor applies, Ca here)
        p = np.linalg.solve(normal + ridge * np.eye(len(cols)), scaled.T @ rhs)
        expected = np.zeros(len(names))
        expected[cols] = np.maximum(p, 0.0)
        np.testing.assert_allclose(shared[b], expected, rtol=RTOL_LEVER_RULE, atol=1e-15)


@pytest.mark.parametrize("water", [0.02, 0.01, 0.005])
def test_start_predicted_from_a_solved_neighbour_is_close(water):
    rows = _reference_rows()
    totals = _molality(rows[0])[None]
    temperature = np.array([298.15])
    neighbour = solve_equilibrium(totals, np.array([water]), temperature)
    drier = np.array([0.97 * water])
    system = chemical_system()
    plain = equilibrium._restore_feasibility(totals, drier, neighbour.minerals.copy(), system)
    predicted = equilibrium._predict(totals, drier, temperature, neighbour, np.array([0]), system)
    assert np.array_equal(predicted > 0, neighbour.minerals > 0)
    assert _max_residual(totals, drier, temperature, predicted) <= MAX_PREDICTED_RESIDUAL
    assert _max_residual(totals, drier, temperature, plain) > 10 * MAX_PREDICTED_RESIDUAL


@pytest.mark.parametrize("cooler", [4.0, -4.0])
def test_prediction_from_a_neighbour_at_another_temperature_follows_the_temperature(cooler):
    # A neighbour solved 4 K away (seawater at CF 100: five minerals): its ln γ and ln a_w are
    # carried to the brine's temperature to first order; the start's residual must be far smaller
    # than without (measured 0.027 against 0.64, and 0.003 against 0.70).
    rows = _reference_rows()
    totals = _molality(rows[0])[None]
    temperature = np.array([298.15])
    neighbour = solve_equilibrium(totals, np.array([0.01]), temperature - cooler)
    drier = np.array([0.97 * 0.01])
    system = chemical_system()
    with_t, without_t = (
        _max_residual(totals, drier, temperature,
                      equilibrium._predict(totals, drier, temperature, neighbour, np.array([0]), system,
                                           follow_temperature=follow))
        for follow in (True, False))
    assert with_t < 0.1 * without_t


@pytest.mark.parametrize("temperature", [283.15, 300.0, 310.0])
def test_gypsum_anhydrite_exchange_matches_phreeqc(monkeypatch, temperature):
    # Halite-saturated CaSO4 brine across the gypsum/anhydrite transition (~35 °C here): the two
    # hydrates have the same solutes, so one replaces the other rather than both entering a
    # nearly singular Newton system; no fallback to continuation is needed.
    phreeqpython = pytest.importorskip("phreeqpython")

    def no_continuation(*args, **kwargs):
        raise AssertionError("continuation used")

    monkeypatch.setattr(equilibrium, "_continuation", no_continuation)
    totals = _brine(Na=8.0, Cl=8.0, Ca=0.1, SO4=0.1)
    state = solve_equilibrium(np.broadcast_to(totals, (3, len(SOLUTES))), 1.0, temperature)
    engine = phreeqpython.PhreeqPython(database="pitzer.dat")
    engine.ip.run_string("\n".join(
        ["SOLUTION 1", " units mol/kgw", f" temp {temperature - 273.15:.4f}", " Na 8", " Cl 8", " Ca 0.1",
         " S(6) 0.1", "EQUILIBRIUM_PHASES 1"] + [f" {m} 0 0" for m in state.mineral_names]
        + ["SELECTED_OUTPUT", " -reset false", " -equilibrium_phases " + " ".join(state.mineral_names), "END"]))
    output = engine.ip.get_selected_output_array()       # header, initial solution, equilibrium
    header, values = output[0], output[-1]
    reference = {name: float(values[header.index(name)]) for name in state.mineral_names}
    for j, name in enumerate(state.mineral_names):
        assert state.minerals[0, j] == pytest.approx(reference[name], rel=RTOL_PHREEQC_AMOUNT,
                                                     abs=ATOL_PHREEQC_AMOUNT)
    assert {n for n, a in zip(state.mineral_names, state.minerals[0]) if a > 0} \
        == {n for n, a in reference.items() if a > 0}


def _perturbed_seawater(n, seed):
    """``n`` seawater brines, each ion perturbed log-normally (σ 0.2, Cl closing the charge),
    concentrated 1–60×, at 5–45 °C: totals [mol], water [kg], temperature [K]."""
    rng = np.random.default_rng(seed)
    seawater = _molality(_reference_rows()[0])
    totals = seawater * np.exp(rng.normal(0.0, 0.2, (n, len(SOLUTES))))
    charge = np.array([1, 1, 2, 2, 0, -2, 0, -1, 1], dtype=float)
    totals[:, IDX["Cl"]] = totals @ charge
    water = np.exp(-rng.uniform(0.0, np.log(60.0), n))
    temperature = rng.uniform(278.15, 318.15, n)
    return totals, water, temperature


def test_seeded_cold_batch_equals_individual_solves():
    # A cold batch of ≥ _SEED_MIN_BATCH brines starts from solved neighbours (seeds, lever rule,
    # linearised prediction); each result must be the equilibrium a lone cold solve finds.
    n = equilibrium._SEED_MIN_BATCH + 44
    totals, water, temperature = _perturbed_seawater(n, seed=11)
    batch = solve_equilibrium(totals, water, temperature)
    present = batch.minerals > 0
    assert np.all(np.abs(batch.saturation_index[present]) <= SI_TOL)
    assert np.all(batch.saturation_index[~present] <= SI_SUPERSATURATION)
    for i in np.argsort(water)[:: n // 6]:
        one = solve_equilibrium(totals[i], water[i], temperature[i])
        np.testing.assert_allclose(batch.minerals[i], one.minerals, rtol=1e-7, atol=1e-13)
        np.testing.assert_allclose(batch.molality[i], one.molality, rtol=1e-8)


def test_assemblage_that_does_not_settle_raises_without_continuation(monkeypatch):
    monkeypatch.setattr(equilibrium, "MAX_ACTIVE_SET_CHANGES", 0)
    with pytest.raises(ConvergenceError, match="did not settle"):
        solve_equilibrium(_brine(Na=8.0, Cl=8.0), 1.0, 298.15, continuation=False)


def test_thin_products_equal_one_matrix_product():
    rng = np.random.default_rng(5)
    tall, small = rng.normal(size=(20_011, 22)), rng.normal(size=(22, 9))
    np.testing.assert_allclose(equilibrium._thin_product(tall, small), tall @ small, rtol=1e-12, atol=1e-12)


def test_mineral_capacity_is_the_scarcest_component_limit():
    system = chemical_system()
    totals = np.random.default_rng(2).uniform(0.0, 3.0, (50, len(SOLUTES)))
    totals[:5, IDX["Ca"]] = 0.0
    expected = np.full((50, len(system.mineral_names)), np.inf)
    for j, row in enumerate(system.stoichiometry):
        for e in np.flatnonzero(row > 0):
            expected[:, j] = np.minimum(expected[:, j], totals[:, e] / row[e])
    np.testing.assert_array_equal(equilibrium._capacity(totals, system), expected)


#: Two solves of a brine that stop at |ln IAP/K| ≤ 1e-8 from different last iterates: amounts and
#: molalities agree to about the residual tolerance (relative), tiny amounts to rounding.
RTOL_SAME_STATE_AMOUNT = 1e-7
ATOL_SAME_STATE_AMOUNT = 1e-13
RTOL_SAME_STATE_MOLALITY = 1e-8


def test_confirming_evaluations_skip_the_jacobian_and_change_nothing(monkeypatch):
    # The evaluation after a small full Newton step only confirms convergence (no Jacobian); the
    # states must be those of a solve that always evaluates the Jacobian.
    n = equilibrium._SEED_MIN_BATCH + 44
    totals, water, temperature = _perturbed_seawater(n, seed=12)
    confirmed = []
    split = equilibrium._split_evaluation

    def counting(dissolved, water_kg, conditions, idx, confirm, system):
        confirmed.append(int(confirm.sum()))
        return split(dissolved, water_kg, conditions, idx, confirm, system)

    monkeypatch.setattr(equilibrium, "_split_evaluation", counting)
    monkeypatch.setattr(equilibrium, "_MIN_CONFIRM_BATCH", 16)
    light = solve_equilibrium(totals, water, temperature)
    assert sum(confirmed) > n // 4
    confirmed.clear()
    monkeypatch.setattr(equilibrium, "_FINAL_EVALUATION_MERIT", -1.0)
    full = solve_equilibrium(totals, water, temperature)
    assert sum(confirmed) == 0
    np.testing.assert_array_equal(light.minerals > 0, full.minerals > 0)
    np.testing.assert_allclose(light.minerals, full.minerals, rtol=RTOL_SAME_STATE_AMOUNT,
                               atol=ATOL_SAME_STATE_AMOUNT)
    np.testing.assert_allclose(light.molality, full.molality, rtol=RTOL_SAME_STATE_MOLALITY)


def test_seeds_left_out_after_the_pass_limit_do_not_change_the_results(monkeypatch):
    # Nested seeding (seeds of seeds) with a pass limit so short that some seeds are left out:
    # every brine must still reach the equilibrium a lone cold solve finds.
    monkeypatch.setattr(equilibrium, "_SEED_MIN_BATCH", 16)
    monkeypatch.setattr(equilibrium, "_SEED_STRIDE", 4)
    monkeypatch.setattr(equilibrium, "_SEED_PASSES", 3)
    left_out = []
    solve_seeds = equilibrium._solve_seeds

    def counting(*args):
        state, converged = solve_seeds(*args)
        left_out.append(int((~converged).sum()))
        return state, converged

    monkeypatch.setattr(equilibrium, "_solve_seeds", counting)
    n = 120
    totals, water, temperature = _perturbed_seawater(n, seed=13)
    batch = solve_equilibrium(totals, water, temperature)
    assert left_out and sum(left_out) > 0
    present = batch.minerals > 0
    assert np.all(np.abs(batch.saturation_index[present]) <= SI_TOL)
    assert np.all(batch.saturation_index[~present] <= SI_SUPERSATURATION)
    for i in np.argsort(water)[:: n // 5]:
        one = solve_equilibrium(totals[i], water[i], temperature[i])
        np.testing.assert_allclose(batch.minerals[i], one.minerals, rtol=RTOL_SAME_STATE_AMOUNT,
                                   atol=ATOL_SAME_STATE_AMOUNT)
        np.testing.assert_allclose(batch.molality[i], one.molality, rtol=RTOL_SAME_STATE_MOLALITY)


#: Stoichiometric coefficients of the dependence test are small rationals; the least-squares
#: combination reproduces them to rounding. [-]
ATOL_DEPENDENCE_COEFFICIENT = 1e-12


def test_dependence_verdicts_cached_equal_fresh_and_stoichiometry():
    """Glauberite Na2Ca(SO4)2 = thenardite Na2SO4 + anhydrite CaSO4 (solutes), so adding it beside
    both exchanges it for them; beside halite alone it is independent. The cached verdict (second
    call) gives the same amounts as the first, computed one."""
    system = equilibrium.chemical_system().select(["Halite", "Anhydrite", "Thenardite", "Glauberite"])
    names = list(system.mineral_names)
    glauberite = names.index("Glauberite")
    present = np.zeros(len(names), dtype=bool)
    present[[names.index("Anhydrite"), names.index("Thenardite")]] = True
    dependent, alpha = equilibrium._dependence(present, system.mineral_vectors[0],
                                               system.mineral_vectors[0, glauberite])
    assert dependent
    expected = np.zeros(len(names))
    expected[[names.index("Anhydrite"), names.index("Thenardite")]] = 1.0
    np.testing.assert_allclose(alpha, expected, atol=ATOL_DEPENDENCE_COEFFICIENT)
    alone = np.zeros(len(names), dtype=bool)
    alone[names.index("Halite")] = True
    assert not equilibrium._dependence(alone, system.mineral_vectors[0], system.mineral_vectors[0, glauberite])[0]

    results = []
    for _ in range(2):
        amounts = np.zeros((2, len(names)))
        amounts[:, names.index("Anhydrite")] = [0.3, 0.1]
        amounts[:, names.index("Thenardite")] = [0.2, 0.5]
        active = amounts > 0
        equilibrium._add_minerals(np.arange(2), np.array([glauberite, glauberite]), amounts, active, system)
        results.append((amounts, active))
    # The exchange uses up the scarcer of the two (ratio test) and conserves every solute.
    np.testing.assert_allclose(results[0][0][:, glauberite], [0.2, 0.1], atol=ATOL_DEPENDENCE_COEFFICIENT)
    before = np.array([[0.3, 0.2], [0.1, 0.5]])
    solutes = results[0][0] @ system.stoichiometry
    expected_solutes = before[:, :1] * system.stoichiometry[names.index("Anhydrite")] \
        + before[:, 1:] * system.stoichiometry[names.index("Thenardite")]
    np.testing.assert_allclose(solutes, expected_solutes, atol=ATOL_DEPENDENCE_COEFFICIENT)
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_species_absent_from_a_batch_and_from_every_mineral_leave_the_solve_unchanged():
    # Br and Li take part in no mineral; a batch without them is solved with the activity model
    # restricted to the six other species. Its states must equal those of the full model.
    system = chemical_system()
    n = 40
    totals, water, temperature = _perturbed_seawater(n, seed=14)
    totals[:, [IDX["Br"], IDX["Li"]]] = 0.0
    reduced = system.without_absent(totals)
    assert len(reduced.species_component) == len(system.species_component) - 2
    assert system.without_absent(totals) is reduced                      # kept per system
    with_br = totals.copy()
    with_br[0, IDX["Br"]] = 1e-3
    assert len(system.without_absent(with_br).species_component) == len(system.species_component) - 1
    unrestricted = dataclasses.replace(system, species_subset=None)
    assert unrestricted.without_absent(totals) is unrestricted
    fast = solve_equilibrium(totals, water, temperature)
    full = solve_equilibrium(totals, water, temperature, system=unrestricted)
    np.testing.assert_array_equal(fast.minerals > 0, full.minerals > 0)
    np.testing.assert_allclose(fast.minerals, full.minerals, rtol=RTOL_SAME_STATE_AMOUNT,
                               atol=ATOL_SAME_STATE_AMOUNT)
    np.testing.assert_allclose(fast.molality, full.molality, rtol=RTOL_SAME_STATE_MOLALITY)
    np.testing.assert_allclose(fast.ionic_strength, full.ionic_strength, rtol=RTOL_SAME_STATE_MOLALITY)
    np.testing.assert_allclose(fast.saturation_index, full.saturation_index, rtol=0, atol=1e-9)


#: exp and expm1 of the log update against the closed form: round-off only. [-]
RTOL_LOG_UPDATE = 1e-12


def test_full_newton_step_follows_the_log_of_a_scarce_growing_ion():
    # Halite + glauberite with almost no Ca left: glauberite's step dissolves it, raising Ca by
    # a factor 1 + y on the linear step; the update lands on Ca · e^y instead, moving the other
    # minerals as the plain step does. Steps with small relative changes stay plain.
    system = chemical_system()
    names = list(system.mineral_names)
    halite, glauberite = names.index("Halite"), names.index("Glauberite")
    amounts = np.zeros((2, len(names)))
    amounts[:, halite], amounts[:, glauberite] = 0.5, 0.01
    active = amounts > 0
    totals = np.zeros((2, len(SOLUTES)))
    totals[:, IDX["Na"]], totals[:, IDX["Cl"]] = 0.8, 0.78
    totals[:, IDX["Ca"]], totals[:, IDX["SO4"]] = 0.01 + 1e-6, 0.05
    water0 = np.ones(2)
    delta = np.zeros_like(amounts)
    delta[0, halite], delta[0, glauberite] = 1e-5, -5e-6        # Ca: 1e-6 → 6e-6 (y = 5)
    delta[1, halite], delta[1, glauberite] = 1e-5, -1e-7        # Ca: y = 0.1 (plain)
    dissolved, water = equilibrium._composition(totals, water0, amounts, system)
    d_dissolved = -(delta @ system.stoichiometry)
    d_water = -equilibrium._WATER_MOLAR_MASS * (delta @ system.hydrate_water)
    new, length = equilibrium._take_step(amounts, delta, active, dissolved, water, d_dissolved, d_water, system)
    np.testing.assert_array_equal(length, 1.0)
    ca = dissolved[0, IDX["Ca"]]
    after, _ = equilibrium._composition(totals, water0, new, system)
    assert after[0, IDX["Ca"]] == pytest.approx(ca * np.exp(5.0), rel=RTOL_LOG_UPDATE)
    assert new[0, halite] == amounts[0, halite] + delta[0, halite]
    np.testing.assert_array_equal(new[1], amounts[1] + delta[1])
    # mass balance: the brine holds the totals less the solids, whatever the update
    np.testing.assert_allclose(after + new @ system.stoichiometry, totals, rtol=1e-15, atol=1e-15)


def test_undersaturated_predicted_brines_finish_before_the_fused_loop(monkeypatch):
    # Brines whose predicted start holds no mineral and that nothing saturates are finished by one
    # evaluation without Jacobian; their states (and all others) equal a solve without that step.
    n = equilibrium._SEED_MIN_BATCH + 44
    totals, water, temperature = _perturbed_seawater(n, seed=16)
    finished = []
    finish = equilibrium._finish_undersaturated

    def counting(*args):
        out = finish(*args)
        finished.append(int(out.sum()))
        return out

    monkeypatch.setattr(equilibrium, "_finish_undersaturated", counting)
    monkeypatch.setattr(equilibrium, "_MIN_CONFIRM_BATCH", 16)
    early = solve_equilibrium(totals, water, temperature)
    assert finished and finished[-1] > n // 10
    assert np.all(early.saturation_index <= SI_SUPERSATURATION)
    monkeypatch.setattr(equilibrium, "_MIN_CONFIRM_BATCH", 10 * n)        # (disables the step)
    full = solve_equilibrium(totals, water, temperature)
    np.testing.assert_array_equal(early.minerals > 0, full.minerals > 0)
    np.testing.assert_allclose(early.minerals, full.minerals, rtol=RTOL_SAME_STATE_AMOUNT,
                               atol=ATOL_SAME_STATE_AMOUNT)
    np.testing.assert_allclose(early.molality, full.molality, rtol=RTOL_SAME_STATE_MOLALITY)
    np.testing.assert_allclose(early.water_activity, full.water_activity, rtol=RTOL_SAME_STATE_MOLALITY)


#: J δ = −r of a 2–3 mineral Newton system (compiled elimination or LAPACK), checked by a
#: product in another order: round-off of a well-conditioned small system (residuals ~0.1). [-]
RTOL_LINEAR_SOLVE = 1e-9
ATOL_LINEAR_SOLVE = 1e-12


def test_compiled_newton_step_matches_the_numpy_route_and_solves_the_linear_system():
    # The compiled step treats every brine on its own: the same brines alone or beside one with
    # fewer minerals get the same bits. It agrees with the NumPy route (padded LAPACK solves) to
    # round-off, and each step solves the present minerals' linearised mass-action laws
    # (J δ = −r, checked by an independent product).
    system = chemical_system()
    names = list(system.mineral_names)
    totals, water0, temperature = _perturbed_seawater(4, seed=21)
    amounts = np.zeros((4, len(names)))
    dissolved, water = equilibrium._composition(totals, water0 * 0.05, amounts, system)
    ln_a, ln_aw, molality, d_gamma, d_aw = equilibrium._log_activities(dissolved, water, temperature, system, True)
    active = np.zeros((4, len(names)), dtype=bool)
    for row, present in enumerate([("Halite", "Gypsum", "Epsomite"), ("Halite", "Glauberite", "Sylvite"),
                                   ("Halite", "Anhydrite", "Kieserite"), ("Halite", "Gypsum")]):
        active[row, [names.index(n) for n in present]] = True
    residual = np.where(active, np.random.default_rng(5).normal(0.0, 0.1, active.shape), 0.0)
    alone = equilibrium._newton_step(active[:3], residual[:3], molality[:3], water[:3], d_gamma[:3], d_aw[:3], system)
    step = equilibrium._newton_step(active, residual, molality, water, d_gamma, d_aw, system)
    np.testing.assert_array_equal(alone, step[:3])
    assert np.all(alone[~active[:3]] == 0.0) and np.all(step[~active] == 0.0)
    reference = equilibrium._newton_step_numpy(active, residual, molality, water, d_gamma, d_aw, system)
    np.testing.assert_allclose(step, reference, rtol=RTOL_LINEAR_SOLVE, atol=ATOL_LINEAR_SOLVE)
    # J δ = −r: ∂ ln(IAP_j)/∂ p_k = Σ_s ν_js ∂ ln a_s/∂ p_k + h_j ∂ ln a_w/∂ p_k, with
    # ∂ m_s/∂ p_k = (−ν_ks + m_s M_w h_k)/W
    nu = system.species_stoichiometry
    h = system.hydrate_water
    for row in range(4):
        k = np.flatnonzero(active[row])
        m, w = molality[row], water[row]
        dm = (np.outer(MOLAR_MASS["H2O"] * h[k], m) - nu[k]) / w                 # (k, s)
        d_ln_a = dm / np.maximum(m, equilibrium._MOLALITY_FLOOR) + dm @ d_gamma[row]
        jac = d_ln_a @ nu[k].T + np.outer(dm @ d_aw[row], h[k])                         # (k, j)
        np.testing.assert_allclose(step[row, k] @ jac, -residual[row, k], rtol=RTOL_LINEAR_SOLVE,
                                   atol=ATOL_LINEAR_SOLVE)


#: The compiled least-squares step of a singular Newton matrix is the ridge limit with a relative
#: ridge of 1e-9 (equilibrium._SINGULAR_RIDGE): its bias is ~1e-9, the split between dependent
#: minerals is fixed to ~1e-7. [-]
RTOL_SINGULAR_STEP = 1e-6


def test_singular_newton_system_takes_the_least_squares_step():
    # The same mineral twice makes the Jacobian exactly singular: the compiled step takes the
    # least-squares step of least norm (its ridge limit), which splits the one-mineral Newton
    # step equally between the two copies, as the NumPy route's pseudo-inverse does.
    system = chemical_system()
    twice, once = system.select(["Halite", "Halite"]), system.select(["Halite"])
    totals, water0, temperature = _perturbed_seawater(3, seed=22)
    dissolved, water = equilibrium._composition(totals, water0 * 0.08, np.zeros((3, 1)), once)
    _, _, molality, d_gamma, d_aw = equilibrium._log_activities(dissolved, water, temperature, once, True)
    residual = np.array([[0.3], [-0.2], [0.05]])
    single = equilibrium._newton_step(np.ones((3, 1), dtype=bool), residual, molality, water, d_gamma, d_aw, once)
    both = np.ones((3, 2), dtype=bool)
    split = equilibrium._newton_step(both, np.repeat(residual, 2, axis=1), molality, water, d_gamma, d_aw, twice)
    reference = equilibrium._newton_step_numpy(both, np.repeat(residual, 2, axis=1), molality, water, d_gamma, d_aw,
                                               twice)
    assert np.all(np.isfinite(split)) and np.all(single != 0.0)
    np.testing.assert_allclose(split, np.repeat(0.5 * single, 2, axis=1), rtol=RTOL_SINGULAR_STEP)
    np.testing.assert_allclose(split, reference, rtol=RTOL_SINGULAR_STEP)

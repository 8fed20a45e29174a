"""Pitzer activity model: special functions, derivatives, thermodynamic consistency, PHREEQC agreement."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from saltsim.chemistry.pitzer import (
    WATER_MOLALITY,
    activity,
    activity_and_jacobian,
    debye_huckel_aphi,
    j_function,
    ln_activity_coefficients,
    ln_water_activity,
    load_pitzer_model,
    osmotic_coefficient,
)

#: Harvie's (1981) 21-term Chebyshev fit of J(x) is accurate to ~1e-9 absolute over 0 < x < 1000.
ATOL_J = 3e-9
#: Central differences with h = 1e-6 mol/kg on O(1) functions: truncation + round-off ~1e-8.
ATOL_FD = 1e-7
#: Gibbs–Duhem is an exact identity of the model; only floating-point round-off remains.
ATOL_GIBBS_DUHEM = 1e-10
#: PHREEQC keeps minor species saltsim omits (H+, OH−, HSO4−, MgOH+ ≈ 1e-6–1e-5 mol/kg at
#: pH 5.5); their share of the ionic strength and interactions shifts ln γ by up to ~3e-5 at I ≈ 10.
ATOL_PHREEQC_LN_GAMMA = 1e-4
ATOL_PHREEQC_LN_AW = 2e-5

#: Central differences of J1 with a relative step of 1e-6: truncation ~1e-12, round-off ~1e-10/x.
RTOL_J2_FD = 1e-6
ATOL_J2_FD = 1e-9
#: PHREEQC's Aφ(25 °C) = 0.39146 printed to 5 digits.
ATOL_APHI = 5e-5
#: Same arithmetic in a different batch layout: only floating-point reassociation.
ATOL_LAYOUT = 1e-13
#: Small-batch (fused) vs elementwise pair terms: the same terms summed in another order; relative
#: to the largest |value| of each row (Jacobian cells can cancel to far below their terms). [-]
RTOL_FUSED = 1e-13
#: At I = 1e-6 mol/kg the f-term differs from the limiting law −3Aφ√I by ~b√I + B-terms (≈ 0.2 %).
RTOL_LIMITING_LAW = 5e-3
#: Gibbs–Duhem residual relative to the size of the summed terms (round-off at high I).
RTOL_GIBBS_DUHEM_PROPERTY = 1e-9

MODEL = load_pitzer_model()
SP = MODEL.species


def _mpmath_j(x):
    mp = pytest.importorskip("mpmath")
    x = mp.mpf(x)

    def integrand(y):
        return (1 - mp.exp(-(x / y) * mp.exp(-y))) * y**2

    return x / 4 - 1 + mp.quad(integrand, [0, 0.5, 2, 10, 50, mp.inf]) / x


XS = [1e-4, 1e-2, 0.3, 1.0, 1.0 + 1e-9, 3.0, 20.0, 150.0, 800.0]


@pytest.mark.parametrize("x", XS)
def test_j_function_matches_mpmath_quadrature(x):
    mp = pytest.importorskip("mpmath")
    with mp.workdps(30):
        ref = _mpmath_j(x)
        ref_j1 = x * mp.diff(_mpmath_j, x)
    j, j1 = j_function(np.array(x), order=1)
    assert abs(float(j) - float(ref)) < ATOL_J
    assert abs(float(j1) - float(ref_j1)) < ATOL_J * max(1.0, x / 10)


def test_j_function_limits_at_zero():
    j, j1, j2 = j_function(np.array([0.0, 1e-8]), order=2)
    assert j[0] == 0.0 and j1[0] == 0.0 and j2[0] == 0.0
    # J(x) ~ −x² ln(x)/6 → 0 faster than x: the Chebyshev fit leaves only its ~3e-10 offset
    assert abs(j[1]) < 1e-9 and abs(j1[1]) < 1e-9


def test_j2_is_x_times_derivative_of_j1():
    x = np.array([1e-3, 0.2, 0.9, 1.5, 7.0, 60.0])
    h = 1e-6 * x
    _, j1p = j_function(x + h, order=1)
    _, j1m = j_function(x - h, order=1)
    _, _, j2 = j_function(x, order=2)
    np.testing.assert_allclose(j2, x * (j1p - j1m) / (2 * h), rtol=RTOL_J2_FD, atol=ATOL_J2_FD)


def test_aphi_at_25c_matches_phreeqc_value():
    # HMW (1984) used 0.392 at 25 °C; PHREEQC's Bradley–Pitzer dielectric + IAPWS density gives 0.3915
    assert debye_huckel_aphi(298.15) == pytest.approx(0.39146, abs=ATOL_APHI)


def _brines(rng, n):
    m = np.zeros((n, SP.n))
    idx = SP.indices(["Na+", "K+", "Mg+2", "Ca+2", "Br-", "Li+"])
    m[:, idx] = rng.uniform(0, [4.0, 1.0, 2.0, 0.05, 0.05, 0.1], size=(n, 6))
    m[:, SP.index("SO4-2")] = rng.uniform(0, 0.6, n)
    m[:, SP.index("Cl-")] = m @ SP.charge  # chloride closes the charge balance (Cl− is still 0 here)
    return m[m[:, SP.index("Cl-")] > 0]


def assert_matches_central_differences(m, st, jac, jac_w, h=1e-6, atol=ATOL_FD):
    """d ln γ / dm and d ln a_w / dm against central differences of ``activity`` [kg mol⁻¹]
    (also used by the carbonate system's tests, with their own step and tolerance)."""
    for k in range(m.shape[-1]):
        mp_, mm = m.copy(), m.copy()
        mp_[:, k] += h
        mm[:, k] -= h
        (gp, wp), (gm, wm) = activity(mp_, None, st), activity(mm, None, st)
        np.testing.assert_allclose(jac[..., k], (gp - gm) / (2 * h), atol=atol)
        np.testing.assert_allclose(jac_w[..., k], (wp - wm) / (2 * h), atol=atol)


@pytest.mark.parametrize("macinnes", [True, False])
def test_analytic_jacobian_matches_finite_differences(macinnes):
    model = load_pitzer_model(macinnes)
    rng = np.random.default_rng(7)
    m = _brines(rng, 6)
    temps = rng.uniform(273.15, 323.15, len(m))
    st = model.at(temps)
    _, _, jac, jac_w = activity_and_jacobian(m, None, st)
    assert_matches_central_differences(m, st, jac, jac_w)


def test_gibbs_duhem_links_activity_coefficients_and_water_activity():
    """Σ_i m_i ∂lnγ_i/∂m_k + 1 + 55.50837 ∂ln aw/∂m_k = 0 for every k (exact identity)."""
    model = load_pitzer_model(macinnes=False)
    rng = np.random.default_rng(3)
    m = _brines(rng, 8)
    _, _, jac, jac_w = activity_and_jacobian(m, rng.uniform(273.15, 323.15, len(m)), model)
    residual = np.einsum("bi,bik->bk", m, jac) + 1.0 + WATER_MOLALITY * jac_w
    np.testing.assert_allclose(residual, 0.0, atol=ATOL_GIBBS_DUHEM)


def test_vectorised_call_equals_row_by_row_calls():
    rng = np.random.default_rng(11)
    m = _brines(rng, 5)
    t = rng.uniform(273.15, 323.15, len(m))
    lg, law = activity(m, t, MODEL)
    for b in range(len(m)):
        lg1, law1 = activity(m[b], t[b], MODEL)
        np.testing.assert_allclose(lg[b], lg1, rtol=0, atol=ATOL_LAYOUT)
        np.testing.assert_allclose(law[b], law1, rtol=0, atol=ATOL_LAYOUT)
    assert ln_activity_coefficients(m, t, MODEL).shape == m.shape
    np.testing.assert_allclose(ln_water_activity(m, t, MODEL), law)
    np.testing.assert_allclose(osmotic_coefficient(m, t, MODEL), -law * WATER_MOLALITY / m.sum(-1))


def test_pure_water_is_ideal():
    lg, law = activity(np.zeros(SP.n), 298.15, MODEL)
    assert np.all(lg == 0.0) and law == 0.0


def test_dilute_limit_is_debye_huckel():
    m = np.zeros(SP.n)
    m[SP.indices(["Na+", "Cl-"])] = 1e-6
    lg, _ = activity(m, 298.15, load_pitzer_model(macinnes=False))
    aphi = debye_huckel_aphi(298.15)
    # limiting law ln γ = −3 Aφ √I for a univalent ion (the HMW f-term with b = 1.2 → same slope)
    assert lg[SP.index("Na+")] == pytest.approx(-3 * aphi * 1e-3, rel=RTOL_LIMITING_LAW)


# ---------------------------------------------------------------- PHREEQC agreement
ELEMENT = {"Na+": "Na", "K+": "K", "Mg+2": "Mg", "Ca+2": "Ca", "Cl-": "Cl", "SO4-2": "S(6)",
           "Br-": "Br", "Li+": "Li"}


@pytest.fixture(scope="module")
def phreeqc():
    pp_mod = pytest.importorskip("phreeqpython", reason="phreeqpython (PHREEQC) is not installed")
    return pp_mod.PhreeqPython(database="pitzer.dat")


def phreeqc_state(pp, totals, temp_c):
    """PHREEQC free molalities, ln γ and ln aw of a brine given as element totals [mol/kgw]."""
    lines = ["SOLUTION 1", f" temp {temp_c:.12g}", " units mol/kgw", " pH 5.5"]
    lines += [f" {ELEMENT[s]} {float(v):.17g}" for s, v in zip(SP.ids, totals) if v > 0]
    heads = [f"m{i}" for i in range(SP.n)] + [f"g{i}" for i in range(SP.n)] + ["law"]
    expr = [f'MOL("{s}")' for s in SP.ids] + [f'LG("{s}")' for s in SP.ids] + ['LA("H2O")']
    lines += ["SELECTED_OUTPUT 1", " -reset false", "USER_PUNCH 1", " -headings " + " ".join(heads),
              " 10 PUNCH " + ", ".join(expr), "END"]
    pp.ip.run_string("\n".join(lines))
    row = np.array(pp.ip.get_selected_output_array()[1], dtype=float)
    return row[:SP.n], row[SP.n:2 * SP.n] * np.log(10), row[-1] * np.log(10)


def test_agrees_with_phreeqc_on_random_brines_0_to_50c(phreeqc):
    rng = np.random.default_rng(2026)
    m = _brines(rng, 12)
    temps_c = rng.uniform(0.0, 50.0, len(m))
    for b in range(len(m)):
        free, lg_ref, law_ref = phreeqc_state(phreeqc, m[b], temps_c[b])
        present = m[b] > 0
        lg, law = activity(free, temps_c[b] + 273.15, MODEL)
        np.testing.assert_allclose(lg[present], lg_ref[present], atol=ATOL_PHREEQC_LN_GAMMA,
                                   err_msg=f"brine {b} at {temps_c[b]:.1f} C")
        assert abs(law - law_ref) < ATOL_PHREEQC_LN_AW


#: The power-basis evaluation of Harvie's Chebyshev sums differs from Clenshaw only by rounding.
ATOL_POWER_BASIS = 1e-13


def test_power_basis_j_matches_clenshaw_chebyshev_evaluation():
    from numpy.polynomial import chebyshev

    from saltsim.chemistry import pitzer

    x = np.concatenate([np.logspace(-6, 0, 200), np.logspace(0, 3, 200)[1:]])
    low = x <= 1.0
    t = np.where(low, 2.0 * x ** 0.2 - 1.0, (20.0 * x ** -0.1 - 11.0) / 9.0)
    clenshaw = np.where(low, chebyshev.chebval(t, pitzer._C_LOW[0]), chebyshev.chebval(t, pitzer._C_HIGH[0]))
    np.testing.assert_allclose(j_function(x, order=0), x / 4 - 1 + clenshaw, atol=ATOL_POWER_BASIS)


def test_blocked_batches_equal_single_pass(monkeypatch):
    from saltsim.chemistry import pitzer

    rng = np.random.default_rng(5)
    m = _brines(rng, 40)
    t = rng.uniform(273.15, 323.15, len(m))
    st = MODEL.at(t)
    monkeypatch.setattr(pitzer, "_BLOCK", 7)
    blocked = activity_and_jacobian(m, None, st)
    single = pitzer._core(m, st, jacobian=True)
    for a, b in zip(blocked, single):
        np.testing.assert_allclose(a, b, rtol=0, atol=ATOL_LAYOUT)
    # scalar temperature and a 2-D batch of brines take the same path
    m2 = m[:36].reshape(6, 6, SP.n)
    lg, law = activity(m2, 300.0, MODEL)
    lg1, law1 = pitzer._core(m2, MODEL.at(300.0), jacobian=False)[:2]
    np.testing.assert_allclose(lg, lg1, rtol=0, atol=ATOL_LAYOUT)
    np.testing.assert_allclose(law, law1, rtol=0, atol=ATOL_LAYOUT)


def test_j_function_single_branch_equals_mixed_arguments():
    """Arguments all on one side of x = 1 take the branch's formulas alone; the values equal
    those of the masked evaluation of a mixed set (the same formulas, products summed in
    another order)."""
    from saltsim.chemistry import pitzer

    low = np.array([1e-4, 0.03, 0.4, 1.0])
    high = np.array([1.0000001, 2.5, 17.0, 80.0])
    mixed = pitzer.j_function(np.concatenate([low, high]), order=2)
    for part, sel in ((low, slice(0, 4)), (high, slice(4, 8))):
        for order in (0, 1, 2):
            alone = pitzer.j_function(part, order=order)
            alone = alone if order else (alone,)
            for a, b in zip(alone, mixed):
                np.testing.assert_allclose(a, b[sel], rtol=RTOL_FUSED, atol=0)


def test_einsum_fallbacks_for_older_numpy_give_the_same_values(monkeypatch):
    """On NumPy without ``vecdot``/``matvec`` the row sums fall back to einsum: same values."""
    from saltsim.chemistry import pitzer

    rng = np.random.default_rng(12)
    m = _brines(rng, 5)
    st_ = MODEL.at(rng.uniform(273.15, 323.15, len(m)))
    current = pitzer._core(m, st_, jacobian=True)
    monkeypatch.setattr(pitzer, "_dot", pitzer._einsum_dot)
    monkeypatch.setattr(pitzer, "_matvec", pitzer._einsum_matvec)
    for a, b in zip(current, pitzer._core(m, st_, jacobian=True)):
        scale = np.max(np.abs(b), axis=-1, keepdims=True) if b.ndim > 1 else np.abs(b)
        assert np.all(np.abs(a - b) <= RTOL_FUSED * scale)


def test_small_batch_terms_equal_the_elementwise_terms(monkeypatch):
    """The fused pair terms of small batches (one product with the α weights, and the stacked
    partner sums) give the values of the elementwise terms used for large batches."""
    from saltsim.chemistry import pitzer

    rng = np.random.default_rng(11)
    m = _brines(rng, 12)
    t = rng.uniform(273.15, 323.15, len(m))
    for st_, mm in ((MODEL.at(t), m), (MODEL.at(300.0), m), (MODEL.at(t[0]), m[0])):
        for jac in (True, False):
            fused = pitzer._core(mm, st_, jacobian=jac)
            monkeypatch.setattr(pitzer, "_SMALL_BATCH", 0)
            plain = pitzer._core(mm[None] if mm.ndim == 1 else mm, st_, jacobian=jac)
            monkeypatch.setattr(pitzer, "_SMALL_BATCH", 64)
            for a, b in zip(fused, plain):
                if a is None:
                    continue
                b = b[0] if mm.ndim == 1 else b
                scale = np.max(np.abs(b), axis=-1, keepdims=True) if b.ndim > mm.ndim - 1 else np.abs(b)
                assert np.all(np.abs(a - b) <= RTOL_FUSED * scale)


def test_parameters_at_temperature_are_memoised_per_temperature_array():
    t = np.array([280.0, 300.0])
    assert MODEL.at(t) is MODEL.at(t.copy())
    assert MODEL.at(t) is not MODEL.at(t + 1.0)
    # the memoised object holds the same values as a fresh evaluation
    fresh = load_pitzer_model.__wrapped__().at(t)
    np.testing.assert_array_equal(MODEL.at(t).beta0, fresh.beta0)


def test_osmotic_coefficient_of_pure_water_is_one():
    assert osmotic_coefficient(np.zeros((2, SP.n)), 298.15, MODEL).tolist() == [1.0, 1.0]


#: g, g' from their closed forms (x > 0.01; cancellation ~1e-16/x²) or Taylor series to x⁴ (x ≤ 0.01).
RTOL_G = 1e-9


@pytest.mark.parametrize("x", [1e-5, 3e-3, 0.00999, 0.01001, 0.3, 2.0, 25.0])
def test_g_and_gprime_match_mpmath(x):
    mp = pytest.importorskip("mpmath")
    from saltsim.chemistry.pitzer import _g_gp_exp

    with mp.workdps(40):
        xm = mp.mpf(x)
        g_ref = 2 * (1 - (1 + xm) * mp.exp(-xm)) / xm**2
        gp_ref = -2 * (1 - (1 + xm + xm**2 / 2) * mp.exp(-xm)) / xm**2
    g, gp, e = _g_gp_exp(np.array(x))
    assert float(g) == pytest.approx(float(g_ref), rel=RTOL_G)
    assert float(gp) == pytest.approx(float(gp_ref), rel=RTOL_G)
    assert float(e) == pytest.approx(np.exp(-x), rel=ATOL_LAYOUT)


def test_jacobian_with_one_temperature_for_a_batch_matches_finite_differences():
    """The solver's call pattern: many brines, one scalar temperature."""
    rng = np.random.default_rng(13)
    m = _brines(rng, 5)
    st = MODEL.at(298.15)
    _, _, jac, jac_w = activity_and_jacobian(m, None, st)
    assert jac.shape == (len(m), SP.n, SP.n) and jac_w.shape == (len(m), SP.n)
    assert_matches_central_differences(m, st, jac, jac_w)


@settings(max_examples=60, deadline=None)
@given(
    molality=hnp.arrays(np.float64, SP.n, elements=st.floats(0.0, 6.0, allow_nan=False)),
    temperature=st.floats(273.15, 323.15),
)
def test_property_finite_and_gibbs_duhem_for_any_composition(molality, temperature):
    """Any non-negative composition (charge-balanced or not) gives finite values obeying Gibbs–Duhem."""
    model = load_pitzer_model(macinnes=False)
    lg, law, jac, jac_w = activity_and_jacobian(molality, temperature, model)
    assert np.all(np.isfinite(lg)) and np.isfinite(law)
    assert np.all(np.isfinite(jac)) and np.all(np.isfinite(jac_w))
    residual = molality @ jac + 1.0 + WATER_MOLALITY * jac_w
    np.testing.assert_allclose(residual, 0.0, atol=RTOL_GIBBS_DUHEM_PROPERTY * max(1.0, float(np.abs(molality @ jac).max())))


def test_horner_and_power_product_evaluations_of_j_agree():
    # J(x) of many arguments runs Horner's scheme, of few the product with the powers of t: the
    # same polynomials, so J, J1 and J2 agree to rounding, and both agree with Clenshaw.
    from numpy.polynomial import chebyshev

    from saltsim.chemistry import pitzer

    x = np.concatenate([[0.0], np.logspace(-6, 0, 500), np.logspace(0, 3, 500)[1:]])
    assert len(x) >= pitzer._HORNER_MIN_SIZE > 10
    many = j_function(x, order=2)
    few = [np.concatenate(part) for part in zip(*(j_function(x[k:k + 10], order=2) for k in range(0, len(x), 10)))]
    for a, b in zip(many, few):
        np.testing.assert_allclose(a, b, atol=ATOL_POWER_BASIS)
    low = x <= 1.0
    xs = np.where(x > 0, x, 1.0)
    t = np.where(low, 2.0 * xs ** 0.2 - 1.0, (20.0 * xs ** -0.1 - 11.0) / 9.0)
    clenshaw = np.where(low, chebyshev.chebval(t, pitzer._C_LOW[0]), chebyshev.chebval(t, pitzer._C_HIGH[0]))
    np.testing.assert_allclose(few[0], np.where(x > 0, x / 4 - 1 + clenshaw, 0.0), atol=ATOL_POWER_BASIS)


#: A plan's product sums the same ≤ 40 terms of order one as the loop, in another order.
RTOL_SCATTER = 1e-13


def test_scatter_plans_sum_columns_onto_their_targets():
    from saltsim.chemistry import pitzer

    rng = np.random.default_rng(3)
    targets = rng.integers(0, 7, 40)
    plan = pitzer._plan(targets, 9)
    g = rng.normal(size=(3000, 40))
    expected = np.zeros((3000, 9))
    for k, target in enumerate(targets):
        expected[:, target] += g[:, k]
    np.testing.assert_allclose(pitzer._scatter(g, plan), expected, rtol=RTOL_SCATTER, atol=RTOL_SCATTER)
    # a column may feed several targets with weights (the Jacobian's triplet cells)
    plan = pitzer._plan([0, 3, 3], 4, sources=[1, 1, 0], weights=[2.0, 1.0, 4.0])
    np.testing.assert_allclose(pitzer._scatter(np.array([[1.0, 10.0]]), plan), [[20.0, 0.0, 0.0, 14.0]])


#: The restricted model sums the same non-zero terms in a different order: round-off only.
ATOL_SUBSET = 1e-12


@pytest.mark.parametrize("jacobian", [False, True])
def test_subset_model_equals_full_model_when_left_out_species_are_absent(jacobian):
    # Br- and Li+ at zero molality: every term coupling them to the others carries their molality,
    # so the model restricted to the other six species gives the same ln γ, ln aw and derivatives.
    keep = np.array([SP.index(s) for s in ("Na+", "K+", "Mg+2", "Ca+2", "Cl-", "SO4-2")])
    sub = MODEL.subset(keep)
    assert sub.species.ids == tuple(SP.ids[i] for i in keep)
    assert len(sub._derived["pc"]) < len(MODEL._derived["pc"])
    rng = np.random.default_rng(21)
    m = np.zeros((300, SP.n))
    m[:, keep] = rng.uniform(0.0, 3.0, (300, len(keep)))
    temperature = rng.uniform(273.15, 323.15, 300)
    full = (activity_and_jacobian if jacobian else activity)(m, temperature, MODEL)
    part = (activity_and_jacobian if jacobian else activity)(m[:, keep], temperature, sub)
    np.testing.assert_allclose(part[0], full[0][:, keep], rtol=0, atol=ATOL_SUBSET)
    np.testing.assert_allclose(part[1], full[1], rtol=0, atol=ATOL_SUBSET)
    if jacobian:
        np.testing.assert_allclose(part[2], full[2][:, keep][:, :, keep], rtol=0, atol=ATOL_SUBSET)
        np.testing.assert_allclose(part[3], full[3][:, keep], rtol=0, atol=ATOL_SUBSET)

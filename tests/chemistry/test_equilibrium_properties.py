"""Property tests of solve_equilibrium on random brines (hypothesis): conservation of every
element and of charge, saturation indices, batch/single agreement."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saltsim.chemistry.equilibrium import (
    RESIDUAL_TOLERANCE,
    SUPERSATURATION_TOLERANCE,
    chemical_system,
    solve_equilibrium,
)
from saltsim.constants import CHARGE, MOLAR_MASS, SOLUTES

IDX = {c: i for i, c in enumerate(SOLUTES)}
#: Mass balance per element (the issue's requirement), relative to the element's total.
RTOL_MASS = 1e-12
SI_PRESENT = RESIDUAL_TOLERANCE / np.log(10.0)
SI_ABSENT = SUPERSATURATION_TOLERANCE / np.log(10.0)
CHARGES = np.array([CHARGE[c] for c in SOLUTES], dtype=float)


def _brine(values):
    na, k, mg, ca, so4, br, li = values
    brine = np.zeros(len(SOLUTES))
    brine[IDX["Na"]], brine[IDX["K"]], brine[IDX["Mg"]], brine[IDX["Ca"]] = na, k, mg, ca
    brine[IDX["SO4"]], brine[IDX["Br"]], brine[IDX["Li"]] = so4, br, li
    cl = na + k + 2 * mg + 2 * ca + li - 2 * so4 - br
    if cl < 0:                      # sulphate-rich: balance with sodium instead of chloride
        brine[IDX["Na"]] -= cl
        cl = 0.0
    brine[IDX["Cl"]] = cl
    return brine


#: Natural brines up to ~25 mol/kg of Na and ~5 mol/kg of Mg per kg of water (water ≥ 0.25 kg for
#: these totals): salts up to bischofite saturation, but never so little water that the hydrates
#: would bind all of it (a dry salt mixture has no brine to solve for).
brine_values = st.tuples(
    st.floats(0.05, 6.0), st.floats(0.0, 0.6), st.floats(0.0, 1.2), st.floats(0.0, 0.2),
    st.floats(0.0, 1.0), st.floats(0.0, 0.05), st.floats(0.0, 0.3))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(brine_values, min_size=1, max_size=6), st.floats(0.25, 1.0), st.floats(273.15, 323.15))
def test_random_brines_conserve_elements_and_charge(values, water, temperature):
    brines = np.array([_brine(v) for v in values])
    state = solve_equilibrium(brines, water, temperature)
    system = chemical_system()
    recombined = state.dissolved + state.minerals @ system.stoichiometry
    scale = np.where(brines > 0, brines, 1.0)
    assert np.all(np.abs(recombined - brines) <= RTOL_MASS * scale)
    bound = MOLAR_MASS["H2O"] * (state.minerals @ system.hydrate_water)
    np.testing.assert_allclose(state.water_kg + bound, water, rtol=1e-13)
    np.testing.assert_allclose(state.dissolved @ CHARGES, brines @ CHARGES, atol=1e-12)
    present = state.minerals > 0
    assert np.all(np.abs(state.saturation_index[present]) <= SI_PRESENT)
    assert np.all(state.saturation_index[~present] <= SI_ABSENT)
    assert np.all(state.minerals >= -1e-13)

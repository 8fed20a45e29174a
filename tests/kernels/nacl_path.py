"""A hand-made fractional evaporation path of a NaCl + MgCl2 brine, computable by hand.

Feed per kg of water: Na 5.0, Mg 0.1, Cl 5.2 mol. Halite saturates at a constant NaCl molality
of ``M_SAT`` (an idealisation: the real solubility falls slightly as Mg builds up); MgCl2 never
precipitates. Along the path, with w the water left per kg of initial water:

    w ≥ w_sat = 5 / M_SAT:  Na = 5,          halite = 0
    w < w_sat:              Na = M_SAT · w,  halite = 5 − M_SAT · w

Every quantity is linear in w on each side of w_sat, so linear interpolation between rows (with a
row at w_sat) is exact, and the kernel's answers can be checked by hand.
"""
import numpy as np

from saltsim.chemistry.path_table import PathTable
from saltsim.constants import SOLUTES

M_SAT = 6.15          # [mol kg⁻¹], NaCl solubility at 25 °C (Pitzer, HMW 1984) rounded
NA0, MG0, CL0 = 5.0, 0.1, 5.2
W_SAT = NA0 / M_SAT
W_END = 0.05


def nacl_path(n_rows: int = 41) -> PathTable:
    w = np.unique(np.concatenate([np.linspace(1.0, W_END, n_rows), [W_SAT]]))[::-1]
    na = np.where(w >= W_SAT, NA0, M_SAT * w)
    halite = NA0 - na
    dissolved = np.zeros((w.size, len(SOLUTES)))
    dissolved[:, SOLUTES.index("Na")] = na
    dissolved[:, SOLUTES.index("Mg")] = MG0
    dissolved[:, SOLUTES.index("Cl")] = na + 2 * MG0
    stoich = np.zeros((1, 1 + len(SOLUTES)))
    stoich[0, 1 + SOLUTES.index("Na")] = 1.0
    stoich[0, 1 + SOLUTES.index("Cl")] = 1.0
    molality = (na + MG0 + na + 2 * MG0) / w
    return PathTable(temperature=298.15, ln_concentration_factor=-np.log(w), water=w,
                     dissolved=dissolved, minerals=halite[:, None], mineral_names=("Halite",),
                     mineral_stoichiometry=stoich,
                     water_activity=np.exp(-0.018015 * molality),   # ideal-solution proxy
                     density=1000.0 + 20.0 * molality)


def feed_state(feed_kg):
    """Brine of ``feed_kg`` kg of feed water at the start of the path (as kernel arrays)."""
    feed_kg = np.atleast_1d(np.asarray(feed_kg, dtype=float))
    solutes = np.zeros((feed_kg.size, len(SOLUTES)))
    solutes[:, SOLUTES.index("Na")] = NA0 * feed_kg
    solutes[:, SOLUTES.index("Mg")] = MG0 * feed_kg
    solutes[:, SOLUTES.index("Cl")] = CL0 * feed_kg
    return feed_kg.copy(), solutes

"""Mass splits and energy of the processing routes (pure functions, NumPy only).

A route turns a *feed* (component masses taken from a stockpile or from bittern storage) into a
product and its by-streams. Every route conserves each ledger component exactly:

    feed + reagents + water = product + waste + vapour + chlorine            (1)

where ``reagents`` come from ``ext:reagents`` (lime, dolime), ``water`` from the water supply,
``waste`` goes to ``ext:waste`` (wash brine, end liquor, CaCl₂ liquor), ``vapour`` to
``ext:atmosphere`` (evaporation, dehydration, calcination) and ``chlorine`` to ``ext:chlorine``
(the Cl₂ co-product of electrolysis). Oxygen of oxides is not a ledger component
(:mod:`saltsim.processing.stoichiometry`), so the *product mass* (what is sold) is reported
separately from its component masses.

Routes
------
``salt_washing``, ``salt_refining``
    NaCl recovered with ``recovery``; of the other solutes a fraction ``impurity_removal`` goes to
    the wash brine ([S14] washing removed 77.4 % of MgCl₂ in a published example; vacuum
    refining, ``salt_refining``, recrystallises and removes nearly all of them [S15]).
``bischofite``
    MgCl₂·6H₂O flakes by evaporating bittern; heat = evaporated water × latent heat / efficiency.
``magnesium_hydroxide``, ``magnesia``
    MgCl₂ + CaO + H₂O → Mg(OH)₂ + CaCl₂ (lime), or with dolime CaO·MgO, which brings one more
    Mg(OH)₂ per Ca [M38]. ``magnesia`` calcines it: Mg(OH)₂ → MgO + H₂O(g), ΔH = 81.1 kJ mol⁻¹
    (from standard enthalpies of formation, see :data:`CALCINATION_ENTHALPY`).
``magnesium_metal``
    Dehydration and electrolysis, MgCl₂ → Mg + Cl₂: 2.917 kg Cl₂ per kg Mg. Electricity of the
    cell 12–15 kWh kg⁻¹ [M31][M30]; the rest of the 35–40 MWh t⁻¹ total [M29][M30] is heat.
``potassium_chloride``
    Cold decomposition of carnallite with water: KCl crystallises, MgCl₂ leaves in the liquor.
``thenardite``
    Na₂SO₄ by melting and drying mirabilite (or any Na₂SO₄-bearing feed).
``mirabilite_cooling``
    Na₂SO₄·10H₂O crystallised by cooling a sulphate-rich brine in winter to the solubility of
    Na₂SO₄ at ``cooling_temperature`` (:func:`sodium_sulphate_solubility`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..constants import COMPONENTS, MOLAR_MASS
from .stoichiometry import component_mass_per_mole, component_masses, molar_mass

__all__ = ["RouteParameters", "Split", "ROUTES", "ROUTE_PRODUCTS", "process", "unit_split",
           "LATENT_HEAT_WATER", "CALCINATION_ENTHALPY", "sodium_sulphate_solubility",
           "ROUTE_DEFAULTS"]

_H2O, _NA, _K, _MG, _CA, _CL, _SO4 = (COMPONENTS.index(c) for c in ("H2O", "Na", "K", "Mg", "Ca", "Cl", "SO4"))
_N = len(COMPONENTS)

#: Latent heat of vaporisation of water at 100 °C (IAPWS-IF97 steam tables: 2256.4 kJ kg⁻¹). [J kg⁻¹]
LATENT_HEAT_WATER = 2.2564e6
#: Mg(OH)₂(s) → MgO(s) + H₂O(g): ΔH = ΔfH(MgO) + ΔfH(H₂O, g) − ΔfH(Mg(OH)₂)
#: = −601.60 − 241.826 + 924.54 kJ mol⁻¹ (CODATA key values / NBS tables). [J mol⁻¹]
CALCINATION_ENTHALPY = (-601.60 - 241.826 + 924.54) * 1e3

#: Solubility of Na₂SO₄ in pure water, kg anhydrous Na₂SO₄ per kg water, against temperature
#: (mirabilite branch, 0–30 °C; Seidell / CRC Handbook "Aqueous solubility of inorganic compounds";
#: cross-checked against PHREEQC pitzer.dat in tests). Pure-water values: NaCl in a lake brine
#: lowers it (common ion), so cooling recovers *at least* this much — an approximation.
_NA2SO4_SOLUBILITY_T = np.array([273.15, 283.15, 293.15, 303.15])  # [K]
_NA2SO4_SOLUBILITY = np.array([0.0476, 0.0909, 0.194, 0.408])  # [kg kg⁻¹]


def sodium_sulphate_solubility(temperature):
    """Solubility of Na₂SO₄ (mirabilite) in water, interpolated in log space.

    Parameters
    ----------
    temperature : float or ndarray
        Brine temperature, 0–30 °C. [K]

    Returns
    -------
    float or ndarray
        kg of anhydrous Na₂SO₄ per kg of water. [kg kg⁻¹]
    """
    t = np.clip(temperature, _NA2SO4_SOLUBILITY_T[0], _NA2SO4_SOLUBILITY_T[-1])
    return np.exp(np.interp(t, _NA2SO4_SOLUBILITY_T, np.log(_NA2SO4_SOLUBILITY)))


@dataclass(frozen=True, slots=True)
class RouteParameters:
    """Technical parameters of one processing route (SI).

    Attributes
    ----------
    recovery : float
        Fraction of the limiting feed component that ends in the product. [-]
    impurity_removal : float
        Fraction of non-product solutes removed from a washed salt. [-]
    water_per_product : float
        Make-up water per kg of product. [kg kg⁻¹]
    electricity_per_product : float
        Electricity per kg of product (cell energy for Mg metal). [J kg⁻¹]
    heat_per_product : float
        Process heat per kg of product besides evaporation and calcination. [J kg⁻¹]
    thermal_efficiency : float
        Efficiency of evaporators, dryers and kilns (latent or reaction heat / fuel heat). [-]
    liquor_water_per_solute : float
        Water leaving with the discharged liquor per kg of its solutes. [kg kg⁻¹]
    dolime : bool
        Precipitate with dolime CaO·MgO instead of lime CaO. [-]
    cooling_temperature : float
        Brine temperature reached by winter cooling (mirabilite route). [K]
    """

    recovery: float = 0.9
    impurity_removal: float = 0.774
    water_per_product: float = 0.0
    electricity_per_product: float = 0.0
    heat_per_product: float = 0.0
    thermal_efficiency: float = 0.7
    liquor_water_per_solute: float = 1.8
    dolime: bool = False
    cooling_temperature: float = 274.15


class Split(NamedTuple):
    """Where the feed of one batch goes; mass arrays have shape ``(..., n_components)``. [kg], [J]"""

    product: np.ndarray
    product_mass: np.ndarray
    waste: np.ndarray
    vapour: np.ndarray
    chlorine: np.ndarray
    reagents: np.ndarray
    water: np.ndarray
    electricity: np.ndarray
    heat: np.ndarray


def _moles(feed, index):
    return feed[..., index] / MOLAR_MASS[COMPONENTS[index]]


def _zeros(feed):
    return np.zeros(np.shape(feed))


def _only_water(mass):
    out = np.zeros(np.shape(mass) + (_N,))
    out[..., _H2O] = mass
    return out


def _solutes(masses):
    return masses.sum(axis=-1) - masses[..., _H2O]


def _liquor_and_vapour(feed_water, product_water, waste_solutes, params):
    """Split the feed water not bound in the product between discharged liquor and vapour. [kg]"""
    free = np.maximum(feed_water - product_water, 0.0)
    liquor = np.minimum(params.liquor_water_per_solute * waste_solutes, free)
    return liquor, free - liquor


def _finish(feed, product, product_mass, reagents, water, vapour, chlorine, electricity, heat):
    waste = feed + reagents + water - product - vapour - chlorine
    # Round-off can leave −1e-13 kg; a real negative means the route is wrong.
    waste = np.where(np.abs(waste) < 1e-12 * (1.0 + np.abs(feed)), 0.0, waste)
    return Split(product, product_mass, waste, vapour, chlorine, reagents, water, electricity, heat)


def _wash(feed, params):
    nacl = np.minimum(_moles(feed, _NA), _moles(feed, _CL))
    pure = component_masses("NaCl", nacl)
    impurities = feed - pure
    impurities[..., _H2O] = 0.0
    product = params.recovery * pure + (1.0 - params.impurity_removal) * impurities
    mass = product.sum(axis=-1)
    water = _only_water(params.water_per_product * mass)
    return _finish(feed, product, mass, _zeros(feed), water, _zeros(feed), _zeros(feed),
                   params.electricity_per_product * mass, params.heat_per_product * mass)


def _bischofite(feed, params):
    n = params.recovery * np.minimum.reduce([_moles(feed, _MG), 0.5 * _moles(feed, _CL),
                                             _moles(feed, _H2O) / 6.0])
    product = component_masses("bischofite", n)
    mass = n * molar_mass("bischofite")
    waste_solutes = _solutes(feed) - _solutes(product)
    _, vapour_mass = _liquor_and_vapour(feed[..., _H2O], product[..., _H2O], waste_solutes, params)
    heat = vapour_mass * LATENT_HEAT_WATER / params.thermal_efficiency + params.heat_per_product * mass
    return _finish(feed, product, mass, _zeros(feed), _zeros(feed), _only_water(vapour_mass),
                   _zeros(feed), params.electricity_per_product * mass, heat)


def _hydroxide(feed, params, calcine):
    n_brine = params.recovery * _moles(feed, _MG)
    reagent_name = "dolime" if params.dolime else "CaO"
    reagents = component_masses(reagent_name, n_brine)
    n_product = n_brine * (2.0 if params.dolime else 1.0)
    hydroxide = component_masses("Mg(OH)2", n_product)
    # Hydration water comes from the brine; make-up water only if the feed is too dry.
    water = _only_water(np.maximum(hydroxide[..., _H2O] - feed[..., _H2O], 0.0))
    if calcine:
        product = component_masses("MgO", n_product)
        mass = n_product * molar_mass("MgO")
        vapour = _only_water(hydroxide[..., _H2O])
        heat = (n_product * CALCINATION_ENTHALPY / params.thermal_efficiency
                + params.heat_per_product * mass)
    else:
        product = hydroxide
        mass = n_product * molar_mass("Mg(OH)2")
        vapour = _zeros(feed)
        heat = params.heat_per_product * mass
    return _finish(feed, product, mass, reagents, water, vapour, _zeros(feed),
                   params.electricity_per_product * mass, heat)


def _magnesium_metal(feed, params):
    n = params.recovery * np.minimum(_moles(feed, _MG), 0.5 * _moles(feed, _CL))
    product = component_masses("Mg", n)
    mass = n * molar_mass("Mg")
    chlorine = component_masses("Cl2", n)
    waste_solutes = _solutes(feed) - _solutes(product) - _solutes(chlorine)
    _, vapour_mass = _liquor_and_vapour(feed[..., _H2O], 0.0, waste_solutes, params)
    return _finish(feed, product, mass, _zeros(feed), _zeros(feed), _only_water(vapour_mass), chlorine,
                   params.electricity_per_product * mass, params.heat_per_product * mass)


def _potassium_chloride(feed, params):
    n = params.recovery * np.minimum(_moles(feed, _K), _moles(feed, _CL))
    product = component_masses("KCl", n)
    mass = n * molar_mass("KCl")
    water = _only_water(params.water_per_product * mass)
    return _finish(feed, product, mass, _zeros(feed), water, _zeros(feed), _zeros(feed),
                   params.electricity_per_product * mass, params.heat_per_product * mass)


def _thenardite(feed, params):
    n = params.recovery * np.minimum(0.5 * _moles(feed, _NA), _moles(feed, _SO4))
    product = component_masses("thenardite", n)
    mass = n * molar_mass("thenardite")
    waste_solutes = _solutes(feed) - _solutes(product)
    _, vapour_mass = _liquor_and_vapour(feed[..., _H2O], 0.0, waste_solutes, params)
    heat = vapour_mass * LATENT_HEAT_WATER / params.thermal_efficiency + params.heat_per_product * mass
    return _finish(feed, product, mass, _zeros(feed), _zeros(feed), _only_water(vapour_mass),
                   _zeros(feed), params.electricity_per_product * mass, heat)


def _mirabilite_cooling(feed, params):
    """Crystallise mirabilite until the cold liquor is saturated in Na₂SO₄.

    With n₀ mol Na₂SO₄ and W kg water, m mol mirabilite leave the solution when
    (n₀ − m)·M_s = s·(W − 10·m·M_w)   (2)   ⇒   m = (n₀·M_s − s·W) / (M_s − 10·s·M_w).
    """
    m_s, m_w = molar_mass("thenardite"), MOLAR_MASS["H2O"]
    n0 = np.minimum(0.5 * _moles(feed, _NA), _moles(feed, _SO4))
    s = sodium_sulphate_solubility(params.cooling_temperature)
    m = (n0 * m_s - s * feed[..., _H2O]) / (m_s - 10.0 * s * m_w)
    n = params.recovery * np.clip(m, 0.0, np.minimum(n0, feed[..., _H2O] / (10.0 * m_w)))
    product = component_masses("mirabilite", n)
    mass = n * molar_mass("mirabilite")
    return _finish(feed, product, mass, _zeros(feed), _zeros(feed), _zeros(feed), _zeros(feed),
                   params.electricity_per_product * mass, params.heat_per_product * mass)


#: Route name → pure function ``(feed (..., n_components) [kg], RouteParameters) -> Split``.
ROUTES = {
    "salt_washing": _wash,
    "salt_refining": _wash,
    "bischofite": _bischofite,
    "magnesium_hydroxide": lambda feed, p: _hydroxide(feed, p, calcine=False),
    "magnesia": lambda feed, p: _hydroxide(feed, p, calcine=True),
    "magnesium_metal": _magnesium_metal,
    "potassium_chloride": _potassium_chloride,
    "thenardite": _thenardite,
    "mirabilite_cooling": _mirabilite_cooling,
}

#: Route name → the compound its product is counted as (for product compositions and names).
ROUTE_PRODUCTS = {
    "salt_washing": "NaCl", "salt_refining": "NaCl", "bischofite": "bischofite",
    "magnesium_hydroxide": "Mg(OH)2", "magnesia": "MgO", "magnesium_metal": "Mg",
    "potassium_chloride": "KCl", "thenardite": "thenardite", "mirabilite_cooling": "mirabilite",
}

_KWH = 3.6e6  # [J kWh⁻¹]
_MWH_PER_T = 3.6e9 / 1e3  # [J kg⁻¹ per MWh t⁻¹]

#: Default parameters per route, with their sources (EST = estimate; see docs/decisions.md).
ROUTE_DEFAULTS: dict[str, RouteParameters] = {
    # Washing removed 77.4 % of MgCl2 in [S14]; recovery EST 0.95; electricity and make-up water
    # per tonne are NOT FOUND in domain.md §5.3 → EST 5 kWh/t and 0.3 t water per t product.
    "salt_washing": RouteParameters(recovery=0.95, impurity_removal=0.774, water_per_product=0.3,
                                    electricity_per_product=5.0 * _KWH / 1e3),
    # Vacuum (edible) salt 99.8–99.95 % NaCl [S15] → impurity_removal 0.998; EST energy: redissolve
    # at 26 wt% (2.85 kg water per kg salt [B4]) and evaporate in a 4-effect evaporator,
    # 2.85 × 2.256 MJ/kg / 4 ≈ 1.6 MJ/kg; electricity EST 40 kWh/t; make-up water EST 0.5 t/t.
    "salt_refining": RouteParameters(recovery=0.95, impurity_removal=0.998, water_per_product=0.5,
                                     electricity_per_product=40.0 * _KWH / 1e3,
                                     heat_per_product=1.6e6),
    # Evaporation heat from the water balance; dryer/evaporator efficiency EST 0.7; recovery EST.
    "bischofite": RouteParameters(recovery=0.9, electricity_per_product=20.0 * _KWH / 1e3,
                                  thermal_efficiency=0.7, liquor_water_per_solute=1.8),
    # Lime route [M38]; recovery EST 0.9; electricity EST 50 kWh/t (filtration, pumping).
    "magnesium_hydroxide": RouteParameters(recovery=0.9, electricity_per_product=50.0 * _KWH / 1e3),
    # Calcination 500–900 °C [M39]; kiln efficiency EST 0.5.
    "magnesia": RouteParameters(recovery=0.9, electricity_per_product=50.0 * _KWH / 1e3,
                                thermal_efficiency=0.5),
    # Cell 13 kWh/kg [M31]; total 37.5 MWh/t (midpoint of 35–40 [M29][M30]) → 24.5 MWh/t heat and
    # auxiliaries (EST split); recovery EST 0.9.
    "magnesium_metal": RouteParameters(recovery=0.9, electricity_per_product=13.0 * _KWH,
                                       heat_per_product=(37.5 - 13.0) * _MWH_PER_T),
    # Cold decomposition of carnallite; recovery EST 0.85, decomposition water EST 0.3 kg per kg KCl,
    # electricity EST 30 kWh/t (Iran Potash Khor plant uses the carnallite route [Q35]).
    "potassium_chloride": RouteParameters(recovery=0.85, water_per_product=0.3,
                                          electricity_per_product=30.0 * _KWH / 1e3),
    # Mirabilite melts at 32.4 °C and is dried; dryer efficiency EST 0.7; recovery EST 0.95.
    "thenardite": RouteParameters(recovery=0.95, electricity_per_product=20.0 * _KWH / 1e3,
                                  thermal_efficiency=0.7, liquor_water_per_solute=1.8),
    # Winter brine at ~1 °C: Tehran Jan mean Tmin −1.5 °C [C9] + 2.5 °C Qom offset (EST, domain §2.2);
    # solid–liquid separation recovery EST 0.9; pumping EST 2 kWh/t.
    "mirabilite_cooling": RouteParameters(recovery=0.9, electricity_per_product=2.0 * _KWH / 1e3,
                                          cooling_temperature=274.15),
}


def process(route: str, feed, params: RouteParameters | None = None) -> Split:
    """Split one batch of feed through a processing route.

    Parameters
    ----------
    route : str
        A key of :data:`ROUTES`. [-]
    feed : ndarray
        Component masses of the feed, shape ``(..., n_components)``. [kg]
    params : RouteParameters, optional
        Defaults to :data:`ROUTE_DEFAULTS` ``[route]``. [-]

    Returns
    -------
    Split
        Product, waste, vapour, chlorine, reagents and water (component masses) [kg], the
        product mass including untracked oxygen [kg], electricity and heat [J]. Equation (1) of
        the module docstring holds per component.

    Examples
    --------
    >>> from saltsim.processing.stoichiometry import component_masses
    >>> split = process("magnesium_metal", component_masses("MgCl2", 1e3 / 0.095211))
    >>> round(float(split.product_mass) / 1e3 / 0.9, 4)  # t Mg per t MgCl2 at 100 % recovery
    0.2553
    """
    try:
        function = ROUTES[route]
    except KeyError:
        raise KeyError(f"unknown route {route!r}; known: {', '.join(ROUTES)}") from None
    feed = np.asarray(feed, dtype=float)
    return function(feed, ROUTE_DEFAULTS[route] if params is None else params)


# -- One feed on Python floats -------------------------------------------------------------------
# A plant splits one feed composition per batch (the stockpile's mix changes in its last digits
# almost every day, so a cache of splits rarely hits). The functions below compute the split of
# a 1-D feed on Python floats with the same IEEE operations, in the same order, as the array
# routes above: element-wise products and sums one element at a time, ``np.minimum``/``np.maximum``
# /``np.clip`` with NumPy's choice between equal operands and NaN propagation, ``np.where`` of the
# round-off test, and sums over the components by NumPy's pairwise summation. They give the same
# bits as :func:`process` (tests/test_stoichiometry.py checks every route on random feeds) at a
# fifth of its cost for one feed.

_MOLAR = [float(MOLAR_MASS[c]) for c in COMPONENTS]   # [kg mol⁻¹]
_ZERO_ROW = (0.0,) * _N


def _min(a, b):
    """``np.minimum`` of two floats: ``b`` unless ``a < b`` or ``a`` is NaN."""
    return a if (a < b or a != a) else b


def _max(a, b):
    """``np.maximum`` of two floats: ``b`` unless ``a > b`` or ``a`` is NaN."""
    return a if (a > b or a != a) else b


def _clip(x, low, high):
    """``np.clip`` of one float: raised to ``low``, then lowered to ``high`` (NaN propagates), as NumPy."""
    y = low if x < low else x
    return high if y > high else y


def _sum(values):
    """``ndarray.sum()`` of a 1-D float64 array, on floats: NumPy's pairwise summation (eight
    partial sums for 8 to 128 values, the rest added one by one) added to the identity 0.0."""
    n = len(values)
    if n < 8:
        total = 0.0
        for v in values:
            total += v
        return 0.0 + total
    r = list(values[:8])
    i = 8
    while i < n - n % 8:
        for j in range(8):
            r[j] += values[i + j]
        i += 8
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        total += values[i]
        i += 1
    return 0.0 + total


def _masses(compound, moles):
    """:func:`component_masses` of one amount, as a list. [kg]"""
    return [moles * m for m in component_mass_per_mole(compound)]


def _water_row(mass):
    row = [0.0] * _N
    row[_H2O] = mass
    return row


def _s_liquor_and_vapour(feed_water, product_water, waste_solutes, params):
    free = _max(feed_water - product_water, 0.0)
    liquor = _min(params.liquor_water_per_solute * waste_solutes, free)
    return liquor, free - liquor


def _s_finish(feed, product, mass, reagents, water, vapour, chlorine, electricity, heat):
    waste = []
    for f, r, w, p, v, c in zip(feed, reagents, water, product, vapour, chlorine):
        x = f + r + w - p - v - c
        waste.append(0.0 if abs(x) < 1e-12 * (1.0 + abs(f)) else x)
    return [list(reagents), list(water), waste, list(vapour), list(chlorine), product], mass, electricity, heat


def _s_wash(feed, params):
    nacl = _min(feed[_NA] / _MOLAR[_NA], feed[_CL] / _MOLAR[_CL])
    pure = _masses("NaCl", nacl)
    keep = 1.0 - params.impurity_removal
    product = [params.recovery * p + keep * (0.0 if i == _H2O else f - p)
               for i, (f, p) in enumerate(zip(feed, pure))]
    mass = _sum(product)
    return _s_finish(feed, product, mass, _ZERO_ROW, _water_row(params.water_per_product * mass), _ZERO_ROW,
                     _ZERO_ROW, params.electricity_per_product * mass, params.heat_per_product * mass)


def _s_bischofite(feed, params):
    n = params.recovery * _min(_min(feed[_MG] / _MOLAR[_MG], 0.5 * (feed[_CL] / _MOLAR[_CL])),
                               feed[_H2O] / _MOLAR[_H2O] / 6.0)
    product = _masses("bischofite", n)
    mass = n * molar_mass("bischofite")
    waste_solutes = (_sum(feed) - feed[_H2O]) - (_sum(product) - product[_H2O])
    _, vapour = _s_liquor_and_vapour(feed[_H2O], product[_H2O], waste_solutes, params)
    heat = vapour * LATENT_HEAT_WATER / params.thermal_efficiency + params.heat_per_product * mass
    return _s_finish(feed, product, mass, _ZERO_ROW, _ZERO_ROW, _water_row(vapour), _ZERO_ROW,
                     params.electricity_per_product * mass, heat)


def _s_hydroxide(feed, params, calcine):
    n_brine = params.recovery * (feed[_MG] / _MOLAR[_MG])
    reagents = _masses("dolime" if params.dolime else "CaO", n_brine)
    n_product = n_brine * (2.0 if params.dolime else 1.0)
    bound = n_product * component_mass_per_mole("Mg(OH)2")[_H2O]   # hydration water of Mg(OH)2
    water = _water_row(_max(bound - feed[_H2O], 0.0))
    if calcine:
        product = _masses("MgO", n_product)
        mass = n_product * molar_mass("MgO")
        vapour = _water_row(bound)
        heat = n_product * CALCINATION_ENTHALPY / params.thermal_efficiency + params.heat_per_product * mass
    else:
        product = _masses("Mg(OH)2", n_product)
        mass = n_product * molar_mass("Mg(OH)2")
        vapour = _ZERO_ROW
        heat = params.heat_per_product * mass
    return _s_finish(feed, product, mass, reagents, water, vapour, _ZERO_ROW,
                     params.electricity_per_product * mass, heat)


def _s_magnesium_metal(feed, params):
    n = params.recovery * _min(feed[_MG] / _MOLAR[_MG], 0.5 * (feed[_CL] / _MOLAR[_CL]))
    product = _masses("Mg", n)
    mass = n * molar_mass("Mg")
    chlorine = _masses("Cl2", n)
    waste_solutes = ((_sum(feed) - feed[_H2O]) - (_sum(product) - product[_H2O])
                     - (_sum(chlorine) - chlorine[_H2O]))
    _, vapour = _s_liquor_and_vapour(feed[_H2O], 0.0, waste_solutes, params)
    return _s_finish(feed, product, mass, _ZERO_ROW, _ZERO_ROW, _water_row(vapour), chlorine,
                     params.electricity_per_product * mass, params.heat_per_product * mass)


def _s_potassium_chloride(feed, params):
    n = params.recovery * _min(feed[_K] / _MOLAR[_K], feed[_CL] / _MOLAR[_CL])
    product = _masses("KCl", n)
    mass = n * molar_mass("KCl")
    return _s_finish(feed, product, mass, _ZERO_ROW, _water_row(params.water_per_product * mass), _ZERO_ROW,
                     _ZERO_ROW, params.electricity_per_product * mass, params.heat_per_product * mass)


def _s_thenardite(feed, params):
    n = params.recovery * _min(0.5 * (feed[_NA] / _MOLAR[_NA]), feed[_SO4] / _MOLAR[_SO4])
    product = _masses("thenardite", n)
    mass = n * molar_mass("thenardite")
    waste_solutes = (_sum(feed) - feed[_H2O]) - (_sum(product) - product[_H2O])
    _, vapour = _s_liquor_and_vapour(feed[_H2O], 0.0, waste_solutes, params)
    heat = vapour * LATENT_HEAT_WATER / params.thermal_efficiency + params.heat_per_product * mass
    return _s_finish(feed, product, mass, _ZERO_ROW, _ZERO_ROW, _water_row(vapour), _ZERO_ROW,
                     params.electricity_per_product * mass, heat)


_SOLUBILITY: dict[float, float] = {}


def _s_mirabilite_cooling(feed, params):
    m_s, m_w = molar_mass("thenardite"), MOLAR_MASS["H2O"]
    n0 = _min(0.5 * (feed[_NA] / _MOLAR[_NA]), feed[_SO4] / _MOLAR[_SO4])
    temperature = params.cooling_temperature
    if temperature not in _SOLUBILITY:
        _SOLUBILITY[temperature] = float(sodium_sulphate_solubility(temperature))
    s = _SOLUBILITY[temperature]
    water = feed[_H2O]
    m = (n0 * m_s - s * water) / (m_s - 10.0 * s * m_w)
    n = params.recovery * _clip(m, 0.0, _min(n0, water / (10.0 * m_w)))
    product = _masses("mirabilite", n)
    mass = n * molar_mass("mirabilite")
    return _s_finish(feed, product, mass, _ZERO_ROW, _ZERO_ROW, _ZERO_ROW, _ZERO_ROW,
                     params.electricity_per_product * mass, params.heat_per_product * mass)


_SCALAR_ROUTES = {
    "salt_washing": _s_wash,
    "salt_refining": _s_wash,
    "bischofite": _s_bischofite,
    "magnesium_hydroxide": lambda feed, p: _s_hydroxide(feed, p, calcine=False),
    "magnesia": lambda feed, p: _s_hydroxide(feed, p, calcine=True),
    "magnesium_metal": _s_magnesium_metal,
    "potassium_chloride": _s_potassium_chloride,
    "thenardite": _s_thenardite,
    "mirabilite_cooling": _s_mirabilite_cooling,
}


def unit_split(route: str, feed, params: RouteParameters | None = None):
    """:func:`process` of one feed vector, on Python floats (the same numbers, bit for bit).

    Parameters
    ----------
    route : str
        A key of :data:`ROUTES`. [-]
    feed : sequence of float
        Component masses of the feed, length ``n_components``. [kg]
    params : RouteParameters, optional
        Defaults to :data:`ROUTE_DEFAULTS` ``[route]``. [-]

    Returns
    -------
    rows : list of list of float
        Reagents, water, waste, vapour, chlorine and product component masses, in that order
        (the rows of ``Split.reagents``, ``.water``, ``.waste``, ``.vapour``, ``.chlorine``,
        ``.product``). [kg]
    product_mass : float
        Product mass including untracked oxygen. [kg]
    electricity, heat : float
        [J]
    """
    try:
        function = _SCALAR_ROUTES[route]
    except KeyError:
        raise KeyError(f"unknown route {route!r}; known: {', '.join(ROUTES)}") from None
    feed = [float(x) for x in feed]
    if len(feed) != _N:
        raise ValueError(f"feed must have {_N} components, got {len(feed)}")
    return function(feed, ROUTE_DEFAULTS[route] if params is None else params)

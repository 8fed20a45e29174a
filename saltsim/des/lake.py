"""The lake: water and solute balance, level–area–volume, brine composition, natural crust.

The lake brine (surface water plus the pore brine of the salt body) is one well-mixed store,
carried by the same kernel as the ponds (a pond of one, on the path of the lake brine, whose
area is the wetted area of the hypsometry). Each day: river and groundwater inflow (fresh
water; the dissolved load of the rivers is neglected), rain on the whole playa (what falls on dry
playa drains to the brine), evaporation from the wetted area through the brine's water
activity, salt precipitated on evaporation goes to the lake's own deposit (``layer:lake``)
and redissolves on dilution (:mod:`saltsim.kernels.ponds`), brine abstraction by the pumps and
returned bitterns.

The natural crust (``lake:crust``, counted as its NaCl) is harvested mechanically in the crust
harvesting strategy; it re-forms at ``crust.regeneration_rate`` from the lake brine's NaCl while
the brine has any, and the area it disturbs recovers with ``crust.recovery_time``.

Level below the playa floor: when the surface water is gone (the pore brine is being drawn), the
level falls below the lowest table level by volume / (playa area × ``SPECIFIC_YIELD``).
"""
from __future__ import annotations

import numpy as np

from ..constants import MOLAR_MASS, SOLUTES
from ..kernels import pond_core
from ..kernels import ponds as kernel
from ..kernels.lake import crust_regeneration, hypsometry
from ..kernels.path import PathLookup, interp_one

__all__ = ["Lake", "SPECIFIC_YIELD"]

#: Drainable porosity of the salt body for the water-table level below the playa floor
#: (EST: halite aquifers 0.05–0.15). [-]
SPECIFIC_YIELD = 0.1
_NA, _CL = SOLUTES.index("Na"), SOLUTES.index("Cl")
_NACL = MOLAR_MASS["Na"] + MOLAR_MASS["Cl"]


class Lake:
    """State and daily balance of the lake.

    Parameters
    ----------
    spec : saltsim.scenario.schema.Lake
    molality : ndarray (n_el,)
        Lake brine molality. [mol kg⁻¹]
    density : float
        Lake brine density. [kg m⁻³]
    lookup : PathLookup
        Path of the lake brine.
    """

    def __init__(self, spec, molality, density, lookup: PathLookup):
        self.spec = spec
        self.lookup = lookup
        self.hyps = hypsometry(spec.levels, spec.areas, spec.volumes, playa_area=spec.area)
        # the table as lists for the daily level and area (np.interp of one value, same bits)
        self._volumes, self._levels, self._areas = (self.hyps.volumes.tolist(), self.hyps.levels.tolist(),
                                                    self.hyps.areas.tolist())
        level0 = spec.initial_level if spec.initial_level is not None else float(self.hyps.levels[0])
        surface = float(self.hyps.volume(level0))
        volume = surface + spec.pore_brine_volume
        water = volume * density / (1.0 + float(molality @ lookup.solute_molar_mass))
        state = kernel.empty_state(1, len(SOLUTES), lookup.n_minerals)
        state.water[:] = water
        state.solutes[:] = water * molality
        state.feed[:] = water
        self.state = state
        crust = spec.crust
        #: NaCl of the natural crust over the playa. [mol]
        self.crust_nacl = crust.thickness * crust.bulk_density * crust.halite_fraction * spec.area / _NACL
        #: Crust area disturbed by harvest and not yet recovered. [m²]
        self.disturbed_area = 0.0
        self.pore_volume = spec.pore_brine_volume

    # -- state ----------------------------------------------------------------------------
    @property
    def state(self) -> kernel.PondState:
        """The lake brine as a kernel state of one pond (assigning it refreshes the cache)."""
        return self._state

    @state.setter
    def state(self, value: kernel.PondState) -> None:
        self._state = value
        self.changed()

    def set_state(self, state: kernel.PondState, properties: kernel.BrineProperties) -> None:
        """Assign a new state together with its brine properties (computed by the same call)."""
        self.state = state
        self._props = properties

    def changed(self) -> None:
        """Call after changing the state arrays in place."""
        self._scalars = None
        self._props = None
        self._level = None

    def _properties(self) -> tuple[float, float, float, float]:
        """(volume [m³], density [kg m⁻³], water activity [-], mass [kg]) of the lake brine as
        floats, cached until the state changes."""
        if self._scalars is None:
            props = self.properties()
            self._scalars = (props.volume.item(), props.density.item(), props.water_activity.item(),
                             props.mass.item())
        return self._scalars

    def properties(self) -> kernel.BrineProperties:
        """Bulk properties of the lake brine (cached until the state changes)."""
        if self._props is None:
            self._props = kernel.brine_properties(self._state, self.lookup)
        return self._props

    def volume(self) -> float:
        """Brine volume, surface plus pore brine. [m³]"""
        return self._properties()[0]

    def density(self) -> float:
        """Brine density. [kg m⁻³]"""
        return self._properties()[1]

    def surface_volume(self) -> float:
        return self.volume() - self.pore_volume

    def _surface(self) -> tuple[float, float]:
        """(level [m], wetted area [m²]) of the current state, cached."""
        if self._level is None:
            surface = self.surface_volume()
            if surface >= 0.0:
                volumes = self._volumes
                level = interp_one(surface, volumes, self._levels) \
                    if surface <= volumes[-1] else float(self.hyps.level(surface))
                area = interp_one(surface, volumes, self._areas) if surface > 0 else 0.0
            else:
                level = float(self.hyps.levels[0] + surface / (SPECIFIC_YIELD * self.spec.area))
                area = 0.0
            self._level = (level, area)
        return self._level

    def level(self) -> float:
        """Water level (below the lowest table level when only pore brine is left). [m]"""
        return self._surface()[0]

    def wetted_area(self) -> float:
        """Wetted area of the surface water. [m²]"""
        return self._surface()[1]

    def crust_masses(self) -> np.ndarray:
        """The natural crust in ledger components (NaCl only). [kg]"""
        masses = np.zeros(1 + len(SOLUTES))
        masses[1 + _NA] = self.crust_nacl * MOLAR_MASS["Na"]
        masses[1 + _CL] = self.crust_nacl * MOLAR_MASS["Cl"]
        return masses

    # -- daily balance --------------------------------------------------------------------
    def step(self, inflow_water, rain_depth, fresh_evaporation, relative_humidity):
        """One day: inflow and rain, evaporation, precipitation or redissolution.

        Parameters
        ----------
        inflow_water : float
            River and groundwater inflow over the day. [kg]
        rain_depth, fresh_evaporation : float
            [m]
        relative_humidity : float
            [-]

        Returns
        -------
        rain : float
            Rain water received by the lake (whole playa). [kg]
        flows : saltsim.kernels.ponds.DayFlows
        """
        rain = rain_depth * self.spec.area * kernel.WATER_DENSITY
        state, lookup = self._state, self.lookup
        columns, delta, neg_retained, rows, stoich, hydrate, molar_mass, _, stoichiometry, mass = lookup.core
        new, (_, evaporated), deposited, props, _ = pond_core.lake_day(
            state.water, state.solutes, state.feed, state.position, state.layer, columns, delta, neg_retained, rows,
            stoich, hydrate, molar_mass, stoichiometry, mass, inflow_water + rain, self.hyps.volumes, self.hyps.areas,
            self.pore_volume, fresh_evaporation, relative_humidity)
        self.set_state(kernel.PondState(*new), kernel.BrineProperties(*props))
        return rain, kernel.DayFlows(rain=np.zeros(1), evaporated=evaporated, deposited=deposited, seepage=None,
                                     overflow=None, properties=self._props, ledger=None)

    def regenerate_crust(self, duration: float) -> float:
        """Crust re-formed from the brine's NaCl over ``duration``, and disturbed-area recovery.

        Returns the NaCl moved from the brine to the crust. [mol]
        """
        spec = self.spec.crust
        if self.disturbed_area != 0.0:   # (0 stays 0: skip the NumPy call)
            self.disturbed_area = float(crust_regeneration(self.disturbed_area, spec.recovery_time, duration))
        if spec.harvestable_area <= 0.0 or spec.regeneration_rate <= 0.0:
            return 0.0
        wanted = spec.regeneration_rate * spec.harvestable_area * duration * spec.halite_fraction / _NACL
        available = float(min(self.state.solutes[0, _NA], self.state.solutes[0, _CL]))
        amount = min(wanted, 0.5 * available)
        self.state.solutes[0, _NA] -= amount
        self.state.solutes[0, _CL] -= amount
        self.crust_nacl += amount
        self.changed()
        return amount

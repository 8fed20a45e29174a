"""Energy and water supply of the plants: shared daily budgets, carriers, sources and CO2.

One :class:`Supply` serves every plant of a run. Plants draw from it once per tick; PV output,
grid and generator capacity and each water source's capacity are daily budgets shared by the
plants in scenario order (:func:`saltsim.processing.supply.allocate_electricity`,
:func:`~saltsim.processing.supply.allocate_water`). Water sources' pumping and treatment
electricity is added to the electricity demand. CO2 per carrier uses the scenario's impact
factors: grid 665 g kWh⁻¹ [R20], PV 0 (operational), diesel 2.61 kg L⁻¹ [X1], process heat
from natural gas 56.1 t TJ⁻¹ (impact_factors.csv ``heat_co2``).
"""
from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

import numpy as np

from ..processing.supply import day_length_fraction
from ..units import DAY

__all__ = ["Supply", "SupplyFactors", "DEFAULT_FACTORS", "WATER_KINDS", "QOM_LAKE_LATITUDE", "DRAW_COLUMNS"]

#: Latitude of the centre of Qom (Namak) lake, 34°29′45″N [Q2]; sets the daylight share of PV. [°]
QOM_LAKE_LATITUDE = 34.496

#: Kinds of water source (the ``water.sources.kind`` enum); the plants table has one
#: ``water_<kind>_m3`` column per kind.
WATER_KINDS = ("groundwater", "treated_wastewater", "municipal", "recycled_brine", "desalinated")

#: What :meth:`Supply.draw` returns, in the order of :meth:`Supply.draw_values` (the last columns
#: of the ``plants`` table).
DRAW_COLUMNS = ("electricity_J", "pv_J", "grid_J", "diesel_generated_J", "electricity_unmet_J",
                "diesel_m3", "heat_J", "water_m3", "water_unmet_m3", "co2_kg",
                *(f"water_{kind}_m3" for kind in WATER_KINDS))


@dataclass(frozen=True, slots=True)
class SupplyFactors:
    """CO2 factors of the energy carriers (SI)."""

    grid_co2: float = 665e-3 / 3.6e6  # [kg J⁻¹]  665 g/kWh [R20]
    pv_co2: float = 0.0  # [kg J⁻¹]  operational only (EST)
    diesel_co2: float = 2610.0  # [kg m⁻³]  2.61 kg/L [X1]
    heat_co2: float = 56.1e3 / 1e12  # [kg J⁻¹]  natural gas, 56.1 t/TJ (impact_factors.csv [G1])


DEFAULT_FACTORS = SupplyFactors()


def _opt(value, default):
    return default if value is None else value


@dataclass
class Supply:
    """Daily energy and water budgets shared by the plants.

    Parameters
    ----------
    start : numpy.datetime64
        Calendar date of the simulation start (months for PV). [-]
    pv_capacity : float
        Peak PV capacity. [W]
    pv_capacity_factor : ndarray
        Mean capacity factor of each month, January first, shape (12,). [-]
    latitude : float
        Site latitude; plants run round the clock, so PV covers at most the daylight share of
        their demand (no storage). [°]
    grid_capacity : float
        Largest grid draw (0 if not connected, ``inf`` if unlimited). [W]
    diesel_capacity : float
        Diesel generator capacity. [W]
    generator_efficiency : float
        Electrical efficiency of the generators on the LHV. [-]
    diesel_heating_value : float
        Lower heating value of diesel, 42.68 MJ kg⁻¹ [X4]. [J kg⁻¹]
    diesel_density : float
        Density of diesel. [kg m⁻³]
    water_names : tuple of str
        Water sources in priority order. [-]
    water_kinds : tuple of str
        Kind of each source (:data:`WATER_KINDS`). [-]
    water_capacity : ndarray
        Capacity of each source (``inf``: unlimited). [m³ s⁻¹]
    water_energy : ndarray
        Electricity per m³ of each source. [J m⁻³]
    factors : SupplyFactors
        CO2 factors. [-]
    """

    start: np.datetime64
    pv_capacity: float = 0.0
    pv_capacity_factor: np.ndarray = field(default_factory=lambda: np.zeros(12))
    latitude: float = QOM_LAKE_LATITUDE
    grid_capacity: float = math.inf
    diesel_capacity: float = 0.0
    generator_efficiency: float = 0.35
    diesel_heating_value: float = 42.68e6
    diesel_density: float = 835.0
    water_names: tuple[str, ...] = ("groundwater",)
    water_kinds: tuple[str, ...] = ("groundwater",)
    water_capacity: np.ndarray = field(default_factory=lambda: np.array([math.inf]))
    water_energy: np.ndarray = field(default_factory=lambda: np.zeros(1))
    factors: SupplyFactors = DEFAULT_FACTORS
    _day: int = -1
    _budget: list = field(default_factory=lambda: [0.0, 0.0, 0.0])
    _daylight: float = 1.0
    _water_budget: list = field(default_factory=list)
    _cache: tuple | None = None
    _orders: dict = field(default_factory=dict)
    _pending: list = field(default_factory=list)

    @classmethod
    def from_scenario(cls, scenario, factors: SupplyFactors | None = None) -> "Supply":
        """Build from ``scenario.energy``, ``scenario.water`` and ``scenario.impacts``."""
        energy, water = scenario.energy, scenario.water
        pv = energy.pv
        grid_capacity = _opt(energy.grid.capacity, math.inf) if energy.grid.available else 0.0
        sources = sorted(water.sources, key=lambda s: s.priority)
        if factors is None:
            impacts = scenario.impacts
            factors = SupplyFactors(
                grid_co2=_opt(getattr(impacts, "grid_co2", None), DEFAULT_FACTORS.grid_co2),
                pv_co2=_opt(getattr(impacts, "pv_co2", None), DEFAULT_FACTORS.pv_co2),
                diesel_co2=_opt(getattr(impacts, "diesel_co2", None), DEFAULT_FACTORS.diesel_co2),
                heat_co2=_opt(getattr(impacts, "heat_co2", None), DEFAULT_FACTORS.heat_co2))
        kwargs = {}
        if sources:
            kwargs = dict(water_names=tuple(s.name for s in sources),
                          water_kinds=tuple(s.kind for s in sources),
                          water_capacity=np.array([_opt(s.capacity, math.inf) for s in sources]),
                          water_energy=np.array([s.energy for s in sources]))
        return cls(start=np.datetime64(scenario.site.start, "s"),
                   pv_capacity=pv.capacity if pv is not None else 0.0,
                   pv_capacity_factor=(np.asarray(pv.capacity_factor, dtype=float) if pv is not None
                                       else np.zeros(12)),
                   grid_capacity=grid_capacity,
                   diesel_capacity=energy.diesel.generator_capacity,
                   generator_efficiency=energy.diesel.generator_efficiency,
                   diesel_heating_value=energy.diesel.lower_heating_value,
                   diesel_density=energy.diesel.density, factors=factors, **kwargs)

    def _open_day(self, time_s: float) -> None:
        day = int(time_s // DAY) if time_s % DAY else int(time_s // DAY) - 1
        if day == self._day:
            return
        self._day = day
        if self._cache is None:   # per run: the start as a datetime, daylight share by day of year,
            # capacity factors and water capacities as floats, the fixed daily budgets
            self._cache = (np.datetime64(self.start, "s").astype(datetime.datetime), {},
                           [float(cf) for cf in self.pv_capacity_factor],
                           [float(c) for c in self.water_capacity],
                           self.grid_capacity * DAY, self.diesel_capacity * DAY)
        start, daylight, factors, water_capacity, grid, diesel = self._cache
        date = start + datetime.timedelta(seconds=max(time_s - 1.0, 0.0))
        cf = factors[date.month - 1]
        yday = date.timetuple().tm_yday
        if yday not in daylight:
            daylight[yday] = float(day_length_fraction(self.latitude, yday))
        self._daylight = daylight[yday]
        # The day's budgets as Python floats (the same products as the array expressions
        # ``[pv · cf, grid, diesel] · DAY`` and ``capacity · DAY``). [J], [m³]
        self._budget = [self.pv_capacity * cf * DAY, grid, diesel]
        self._water_budget = [c * DAY for c in water_capacity]

    def draw_columns(self) -> tuple[str, ...]:
        """Keys of the record :meth:`draw` returns (columns of the ``plants`` table)."""
        return DRAW_COLUMNS

    def draw(self, time_s: float, electricity: float, heat: float, water: float,
             preferred_source: str | None = None) -> dict[str, float]:
        """Supply one plant's demand for the period that ends at ``time_s``.

        Parameters
        ----------
        time_s : float
            End of the period (simulation clock); budgets are per calendar day. [s]
        electricity : float
            Process electricity. [J]
        heat : float
            Process heat (natural gas). [J]
        water : float
            Fresh water. [m³]
        preferred_source : str, optional
            Water source drawn first (the plant's ``water_source``). [-]

        Returns
        -------
        dict of str to float
            Energy by carrier [J], diesel [m³], water by source [m³], unmet demand and CO2 [kg],
            keyed by result column name (:data:`DRAW_COLUMNS`).
        """
        return dict(zip(DRAW_COLUMNS, self.draw_values(time_s, electricity, heat, water, preferred_source)))

    def _plan(self, preferred_source):
        """The order of the water sources for a preference, and their kinds (computed once)."""
        plan = self._orders.get(preferred_source)
        if plan is None:
            order = list(range(len(self.water_names)))
            if preferred_source in self.water_names:
                first = self.water_names.index(preferred_source)
                order = [first] + [i for i in order if i != first]
            finite = all(math.isfinite(e) for e in self.water_energy)
            # per kind of WATER_KINDS, the sources of that kind (added in source order)
            by_kind = tuple(tuple(i for i, k in enumerate(self.water_kinds) if k == kind) for kind in WATER_KINDS)
            plan = (order, finite, by_kind, [float(e) for e in self.water_energy])
            self._orders[preferred_source] = plan
        return plan

    def draw_values(self, time_s: float, electricity: float, heat: float, water: float,
                    preferred_source: str | None = None) -> tuple[float, ...]:
        """:meth:`draw` as a tuple of floats in :data:`DRAW_COLUMNS` order (the plants' rows)."""
        if self._pending:   # deferred draws come first
            self.settle()
        self._open_day(time_s)
        return self._draw_open(electricity, heat, water, preferred_source)

    def _draw_open(self, electricity, heat, water, preferred_source) -> tuple[float, ...]:
        """:meth:`draw_values` on the budgets of the day that is open."""
        order, finite, by_kind, energies = self._plan(preferred_source)
        # allocate_water and allocate_electricity on Python floats for one period of unit
        # duration: the same IEEE operations in the same order (the cumulative capacities and the
        # total drawn are running sums, as NumPy sums fewer than 8 values; the clips are min/max),
        # without a dozen small arrays per call.
        budget = self._water_budget
        water_by_source = [0.0] * len(budget)
        volumes = []
        before = 0.0
        for i in order:
            available = budget[i]
            volume = min(max(water - before, 0.0), available)
            before = before + available
            budget[i] = available - volume
            water_by_source[i] = volume
            volumes.append(volume)
        if len(volumes) < 8:
            drawn = volumes[0] if volumes else 0.0
            for volume in volumes[1:]:
                drawn = drawn + volume
        else:
            drawn = float(np.sum(volumes))
        water_unmet = max(float(water - drawn), 0.0)
        if water != 0.0 or not finite:   # pumping and treatment electricity
            used = [i for i, volume in enumerate(water_by_source) if volume != 0.0]
            if finite and len(used) == 1:
                # One source drew water: every other product of the dot is an exact zero, so any
                # summation order (BLAS, with or without fused multiply-add) gives this product.
                demand = electricity + water_by_source[used[0]] * energies[used[0]]
            else:   # BLAS dot, as the array code
                demand = electricity + float(np.array(water_by_source) @ self.water_energy)
        else:   # no water drawn: the dot product is 0.0
            demand = electricity + 0.0
        b = self._budget
        pv = min(demand * self._daylight, b[0])
        rest = demand - pv
        grid = min(rest, b[1])
        rest = rest - grid
        diesel = min(rest, b[2])
        unmet = rest - diesel
        b[0], b[1], b[2] = b[0] - pv, b[1] - grid, b[2] - diesel
        diesel_m3 = diesel / (self.generator_efficiency * self.diesel_heating_value) / self.diesel_density
        f = self.factors
        co2 = grid * f.grid_co2 + pv * f.pv_co2 + diesel_m3 * f.diesel_co2 + heat * f.heat_co2
        kinds = []
        for sources in by_kind:   # each kind's column: 0.0 plus its sources' volumes in order
            total = 0.0
            for i in sources:
                total += water_by_source[i]
            kinds.append(total)
        return (float(demand), float(pv), float(grid), float(diesel), float(unmet), float(diesel_m3),
                float(heat), float(water), float(water_unmet), float(co2), *kinds)

    # -- deferred draws ------------------------------------------------------------------------
    # A draw's result feeds nothing in the simulation (only the plants' rows), so a plant can
    # queue its draw and have the row completed later: settle() then computes all queued draws
    # in queue order, each day's draws one after the other on that day's budgets, as arrays
    # over the days (the k-th draw of every day at once) with the same IEEE operations as
    # draw_values: Python's min(a, b) and max(a, b) as np.where(b < a, b, a) and
    # np.where(b > a, b, a), sums in the same order, the one-source pumping energy as its one
    # product and a BLAS dot otherwise. Any direct draw settles the queue first.

    def defer_draw(self, time_s: float, electricity: float, heat: float, water: float,
                   preferred_source: str | None, records: list, index: int) -> None:
        """Queue :meth:`draw_values` for the period that ends at ``time_s``; :meth:`settle`
        appends its values to ``records[index]`` (a tuple). Arguments as :meth:`draw`."""
        day = int(time_s // DAY) if time_s % DAY else int(time_s // DAY) - 1
        if day != self._day:
            self._open_day(time_s)
        start = None
        if not self._pending or self._pending[-1][0] != day:   # the day's first queued draw: the
            # budgets it starts from (a new day's, or what direct draws left of this one)
            start = (self._daylight, list(self._budget), list(self._water_budget))
        self._pending.append((day, electricity, heat, water, preferred_source, records, index, start))

    def settle(self) -> None:
        """Compute the queued draws (:meth:`defer_draw`) and complete their rows."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        n_sources = len(self.water_names)
        plans = {p[4]: self._plan(p[4]) for p in pending}
        if n_sources >= 8 or not all(plan[1] for plan in plans.values()):
            self._settle_one_by_one(pending)
            return
        # the days of the queue: their first draw carries the budgets the day started from
        starts = [k for k, p in enumerate(pending) if p[7] is not None]
        day_of = np.zeros(len(pending), dtype=np.int64)
        slot = np.zeros(len(pending), dtype=np.int64)
        for d, begin in enumerate(starts):
            end = starts[d + 1] if d + 1 < len(starts) else len(pending)
            day_of[begin:end] = d
            slot[begin:end] = np.arange(end - begin)
        budget = np.array([pending[k][7][1] for k in starts], dtype=float).reshape(len(starts), 3)
        water_budget = np.array([pending[k][7][2] for k in starts], dtype=float).reshape(len(starts), n_sources)
        daylight = np.array([pending[k][7][0] for k in starts], dtype=float)
        electricity = np.array([p[1] for p in pending], dtype=float)
        heat = np.array([p[2] for p in pending], dtype=float)
        water = np.array([p[3] for p in pending], dtype=float)
        by_source = np.zeros((len(pending), n_sources))
        out = np.zeros((len(pending), 10))
        preference = np.array([list(plans).index(p[4]) for p in pending])
        energy = np.asarray(self.water_energy, dtype=float)
        f = self.factors
        diesel_per_j = self.generator_efficiency * self.diesel_heating_value
        for k in range(int(slot.max()) + 1):
            for j, key in enumerate(plans):
                rows = np.flatnonzero((slot == k) & (preference == j))
                if rows.size == 0:
                    continue
                days = day_of[rows]
                order = plans[key][0]
                w = water[rows]
                before = 0.0
                volumes = []
                for i in order:
                    available = water_budget[days, i]
                    wanted = w - before
                    wanted = np.where(0.0 > wanted, 0.0, wanted)
                    volume = np.where(available < wanted, available, wanted)
                    before = before + available
                    water_budget[days, i] = available - volume
                    by_source[rows, i] = volume
                    volumes.append(volume)
                drawn = volumes[0] if volumes else np.zeros(rows.size)
                for volume in volumes[1:]:
                    drawn = drawn + volume
                unmet_water = w - drawn
                unmet_water = np.where(0.0 > unmet_water, 0.0, unmet_water)
                e = electricity[rows]
                used = by_source[rows] != 0.0
                count = used.sum(axis=1)
                first = np.argmax(used, axis=1)
                pumping = by_source[rows, first] * energy[first]
                demand = np.where(w != 0.0, e + pumping, e + 0.0)
                for r in np.flatnonzero((w != 0.0) & (count != 1)):   # BLAS dot, as draw_values
                    demand[r] = e[r] + float(by_source[rows[r]] @ self.water_energy)
                b0, b1, b2 = budget[days, 0], budget[days, 1], budget[days, 2]
                pv = demand * daylight[days]
                pv = np.where(b0 < pv, b0, pv)
                rest = demand - pv
                grid = np.where(b1 < rest, b1, rest)
                rest = rest - grid
                diesel = np.where(b2 < rest, b2, rest)
                unmet = rest - diesel
                budget[days, 0], budget[days, 1], budget[days, 2] = b0 - pv, b1 - grid, b2 - diesel
                diesel_m3 = diesel / diesel_per_j / self.diesel_density
                co2 = grid * f.grid_co2 + pv * f.pv_co2 + diesel_m3 * f.diesel_co2 + heat[rows] * f.heat_co2
                out[rows] = np.column_stack([demand, pv, grid, diesel, unmet, diesel_m3, heat[rows], w,
                                             unmet_water, co2])
        kinds = np.zeros((len(pending), len(WATER_KINDS)))
        for c, sources in enumerate(next(iter(plans.values()))[2]):
            for i in sources:   # 0.0 plus the kind's sources in source order
                kinds[:, c] = kinds[:, c] + by_source[:, i]
        values = np.concatenate([out, kinds], axis=1).tolist()
        for p, row in zip(pending, values):
            records, index = p[5], p[6]
            records[index] = records[index] + tuple(row)
        # what is left of the last day's budgets, for the draws that follow
        self._budget = budget[-1].tolist()
        self._water_budget = water_budget[-1].tolist()

    def _settle_one_by_one(self, pending) -> None:
        """settle() for supplies the array path does not cover (8+ sources, unbounded energy)."""
        for _, electricity, heat, water, source, records, index, start in pending:
            if start is not None:   # the day's first queued draw: the budgets it starts from
                self._daylight, self._budget, self._water_budget = start[0], list(start[1]), list(start[2])
            records[index] = records[index] + self._draw_open(electricity, heat, water, source)

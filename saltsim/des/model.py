"""The site model: weather, lake, pumps, pond field, harvest and stockpiles in one SimPy run.

:func:`simulate` builds the model from a scenario, runs it to the horizon and returns the result
tables (:class:`SiteTables`, a mapping of table name → DataFrame with ``metadata``).

One SimPy process, :func:`site_day`, advances the continuous physics once a day (weather, lake,
pumps' daily volumes, the vectorised pond kernel, transfers, harvest triggers, daily records).
Discrete events are their own processes: pump failures and maintenance
(:mod:`saltsim.des.pumping`), harvest campaigns and crust harvesting
(:mod:`saltsim.des.harvest`), and — when the scenario has plants or rail — the logistics of
:func:`saltsim.des.logistics.start_logistics`.

Random streams (``numpy.random.SeedSequence(seed).spawn(5)``, in this order): weather, pumps
(one child per pump station, then per pump), harvest, logistics, lake inflow.

Every movement of mass is booked in the ledger; the internal stores are snapshotted from the
state at the start and at the end, and the ``mass_balance`` table compares the two (D2).
"""
from __future__ import annotations

import dataclasses
import json
import math
import sys
import time as wallclock
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import simpy

from ..chemistry.equilibrium import MAX_IONIC_STRENGTH, MIN_WATER_ACTIVITY
from ..chemistry.pitzer import ionic_strength
from ..constants import CHARGE, COMPONENTS, MOLAR_MASS, SOLUTES
from ..errors import ScenarioError
from ..kernels.path import path_lookup
from ..strategies import registry
from ..strategies.base import SiteView
from ..units import DAY, YEAR, density_to_baume
from .clock import Calendar
from .harvest import Fleet, crust_harvest, harvest_campaign
from .lake import Lake
from .ledger import Ledger
from .pond_field import PondField
from .pumping import PumpStation, pump_failures, pump_maintenance
from .weather import daily_weather

__all__ = ["simulate", "SiteModel", "SiteTables", "build_path"]

_WASHED_PRODUCTS = ("halite", "salt", "raw_salt", "nacl")
_STREAMS = ("weather", "pumps", "harvest", "logistics", "lake_inflow")


class SiteTables(dict):
    """Result tables of a site run: table name → DataFrame, plus ``metadata`` (dict)."""

    def __init__(self, tables: Mapping, metadata: dict):
        super().__init__(tables)
        self.metadata = metadata


#: Path tables already built in this process, by (brine molality bytes, temperature). Building
#: one costs about half of a one-year run; sweeps and replications reuse the same brine. The
#: tables' arrays are made read-only, so a cached table cannot be changed by a run.
_PATH_CACHE: dict[tuple[bytes, float], object] = {}
_PATH_CACHE_SIZE = 8


def build_path(scenario):
    """The fractional evaporation path of the scenario's brine (chemistry engine), cached per process."""
    molality = np.ascontiguousarray(scenario.brine.molality, dtype=float)
    key = (molality.tobytes(), float(scenario.brine.temperature))
    if key not in _PATH_CACHE:
        table = _build_path(molality, key[1])
        for field in dataclasses.fields(table):
            value = getattr(table, field.name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        if len(_PATH_CACHE) >= _PATH_CACHE_SIZE:
            _PATH_CACHE.pop(next(iter(_PATH_CACHE)))
        _PATH_CACHE[key] = table
    return _PATH_CACHE[key]


def _build_path(molality: np.ndarray, temperature: float):
    from ..chemistry import path_table as chemistry

    builder = getattr(chemistry, "build_path_table", None)
    if builder is None:
        raise ScenarioError("brine: the chemistry engine has no build_path_table; the site model "
                            "needs the evaporation path of the brine")
    from ..chemistry.equilibrium import ValidityWarning

    # The last rows of a path to 0.5 % water lie past the activity model's validity (I > 20 mol/kg);
    # ponds rarely get there (the kernel holds a brine at the table's end). The chemistry engine
    # flags those rows with a warning; the path is kept whole and the fact is recorded.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ValidityWarning)
        table = builder(molality, temperature)
    for warning in caught:
        if not issubclass(warning.category, ValidityWarning):
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return table


def _stores(env, scenario, ledger):
    from .plant import MassStore
    try:
        from .logistics import nominal_composition
    except ImportError:  # pragma: no cover - logistics is part of the package
        nominal_composition = None
    stores = {}
    for spec in scenario.stockpiles:
        composition = nominal_composition(spec.product) if nominal_composition else None
        if composition is None:
            composition = np.zeros(len(COMPONENTS))
        stores[spec.product] = MassStore(env, capacity=spec.capacity, composition=composition,
                                         init=spec.initial, name=f"stockpile:{spec.product}")
    return stores


class SiteModel:
    """A built site model (see module docstring).

    Parameters
    ----------
    scenario : saltsim.scenario.Scenario
    seed : int, optional
        Overrides ``scenario.site.seed``.
    strategy : str or Strategy, optional
        Overrides ``scenario.strategy``.
    path_table : PathTable, optional
        The evaporation path of the brine (default: built by the chemistry engine).
    """

    def __init__(self, scenario, seed=None, strategy=None, path_table=None):
        self.scenario = scenario
        site = scenario.site
        if abs(site.time_step - DAY) > 1e-9:
            raise ScenarioError(f"site.time_step: found {site.time_step} s; expected 1 d (the site "
                                f"model steps daily)")
        self.seed = int(site.seed if seed is None else seed)
        if strategy is None or isinstance(strategy, str):
            spec = scenario.strategy
            name = strategy or spec.name
            self.strategy = registry.create(name, spec.parameters if name == spec.name else {})
        else:
            self.strategy = strategy
        self.n_days = int(math.ceil(site.horizon / DAY - 1e-9))
        self.calendar = Calendar(site.start, self.n_days)
        streams = np.random.SeedSequence(self.seed).spawn(len(_STREAMS))
        self.rng = {k: np.random.default_rng(s) for k, s in zip(_STREAMS, streams)}
        table = path_table if path_table is not None else build_path(scenario)
        self.table = table
        self.lookup = path_lookup(table, SOLUTES)
        self.env = simpy.Environment()
        self.ledger = Ledger()
        self.forcing = daily_weather(scenario.climate, self.calendar, self.rng["weather"])
        self.lake = Lake(scenario.lake, np.asarray(scenario.brine.molality), float(table.density[0]), self.lookup)
        ponds = scenario.ponds if self.strategy.uses_ponds else ()
        self.field = PondField(ponds, self.lookup, self.ledger, self.lake)
        self.stockpiles = _stores(self.env, scenario, self.ledger)
        from .plant import MassStore
        for product in {p.product for p in ponds if p.product} | ({"halite"} if self.strategy.crust_harvesting else set()):
            if product not in self.stockpiles:
                self.stockpiles[product] = MassStore(self.env, composition=np.zeros(len(COMPONENTS)),
                                                     name=f"stockpile:{product}")
        pond_index = {n: i for i, n in enumerate(self.field.names)}
        self.feed_stores = {}
        select = getattr(self.strategy, "select_plants", None)
        self.plants = tuple(select(scenario.plants)) if select is not None else tuple(scenario.plants)
        for plant in self.plants:
            if plant.feed in pond_index and plant.feed not in self.stockpiles:
                store = MassStore(self.env, composition=np.zeros(len(COMPONENTS)), name=f"stockpile:{plant.feed}")
                self.stockpiles[plant.feed] = store
                self.feed_stores[plant.feed] = pond_index[plant.feed]
        self.fleet = Fleet(self.env, scenario.harvest)
        self.pumps = [PumpStation(p) for p in scenario.pumps] if self.strategy.uses_ponds else []
        years = int(self.calendar.year[-1] - self.calendar.year[0] + 1)
        cv = scenario.lake.inflow_variability
        sigma = math.sqrt(math.log1p(cv * cv))
        self.inflow_factor = np.exp(sigma * self.rng["lake_inflow"].standard_normal(years) - 0.5 * sigma ** 2)
        self.totals = {"wash_energy_J": 0.0, "diesel_m3": 0.0, "hauled_kg": 0.0, "pumping_energy_J": 0.0,
                       "in_transit": np.zeros(len(COMPONENTS)), "blocked_open": {}}
        self.in_campaign = np.zeros(len(self.field.names), dtype=bool)
        self._view_constants = None
        # the calendar as Python ints for the daily tick: month (1-12) and year of each day
        self._months = (self.calendar.month.astype(np.int64) + 1).tolist()
        self._years = self.calendar.year.astype(np.int64).tolist()
        # the daily tick's constants as Python floats (the same values): forcing per day
        # (rain [m], fresh evaporation [m], relative humidity [-]), monthly inflow [m³ s⁻¹], yearly factor
        forcing = self.forcing
        self._forcing_days = list(zip(np.asarray(forcing.rain, dtype=float).tolist(),
                                      np.asarray(forcing.fresh_evaporation, dtype=float).tolist(),
                                      np.asarray(forcing.relative_humidity, dtype=float).tolist()))
        self._inflow = [float(v) for v in scenario.lake.inflow]
        self._inflow_factor = self.inflow_factor.tolist()
        # pumps: (record column, station, destination pond index or None, source ("lake" or a pond
        # index), process name)
        names = self.field.names
        self._pump_plan = [(k, station, names.index(station.spec.destination) if station.spec.destination in names
                            else None,
                            "lake" if station.spec.source == "lake"
                            else names.index(station.spec.source) if station.spec.source in names else None,
                            f"pumping:{station.spec.name}")
                           for k, station in enumerate(self.pumps)]
        acc = self.ledger.account
        # accounts and processes of the lake's daily rows (without, with vapour uptake)
        pid = self.ledger.process_id
        inflow = [(acc("ext:river"), acc("lake")), (acc("ext:groundwater"), acc("lake")), (acc("ext:rain"), acc("lake"))]
        self._lake_rows = {
            up: (np.array([a for a, _ in rows]), np.array([b for _, b in rows]),
                 np.array([pid("lake_inflow")] * 3 + [pid(process), pid("precipitation")]))
            for up, rows, process in (
                (False, inflow + [(acc("lake"), acc("ext:atmosphere")), (acc("lake"), acc("layer:lake"))], "evaporation"),
                (True, inflow + [(acc("ext:atmosphere"), acc("lake")), (acc("lake"), acc("layer:lake"))], "vapour_uptake"))}
        self._allocate_records()
        self._snapshot(0.0)
        if ponds:
            self.field.fill_from_lake(0.0, np.array([p.depth_initial for p in ponds]))
            self.field.plan_seepage((np.arange(self.n_days) + 1.0) * DAY, DAY)
        self._start_processes()
        self.logistics = self._start_logistics()

    # -- construction ---------------------------------------------------------------------
    def _allocate_records(self):
        n, p = self.n_days, len(self.field.names)
        n_el, n_min = len(SOLUTES), self.lookup.n_minerals
        # the daily records hold the state as it is; depth, molality and layer thickness are
        # derived from it once at the end of the run (_derive_records), by the same elementwise
        # operations the daily tick would have done
        # (each day's state is copied into its row; days not simulated stay zero)
        shapes = {"volume": (p,), "density": (p,), "water_activity": (p,), "water": (p,),
                  "solutes": (p, n_el), "layer": (p, n_min), "solid_volume": (p,), "lake": (12,),
                  "lake_molality": (n_el,)}
        self._stock_days = []
        self.rec = {"pumped": np.zeros((n, max(len(self.pumps), 1))),
                    "pump_energy": np.zeros((n, max(len(self.pumps), 1)))}
        self.rec.update({name: np.zeros((n,) + shape) for name, shape in shapes.items()})

    def _snapshot(self, time_s):
        ledger, lake = self.ledger, self.lake
        brine, layer = lake.state.component_masses(self.lookup)
        ledger.stock(time_s, "lake", brine[0])
        ledger.stock(time_s, "layer:lake", layer[0])
        ledger.stock(time_s, "lake:crust", lake.crust_masses())
        ledger.stock(time_s, "harvest:field", self.totals["in_transit"].copy())
        self.field.record_stock(time_s)
        for product, store in self.stockpiles.items():
            ledger.stock(time_s, store.name or f"stockpile:{product}", store.masses)

    def _start_processes(self):
        env, ledger = self.env, self.ledger
        pump_rngs = self.rng["pumps"].spawn(max(len(self.pumps), 1))
        for station, rng in zip(self.pumps, pump_rngs):
            spec = station.spec
            if spec.mtbf is not None and spec.mttr is not None:
                for k, child in enumerate(rng.spawn(spec.count)):
                    env.process(pump_failures(env, station, k, child, ledger))
            if spec.maintenance_interval is not None:
                env.process(pump_maintenance(env, station, ledger))
        if self.strategy.crust_harvesting:
            env.process(crust_harvest(env, self.lake, self.fleet, self.stockpiles, "halite", self.calendar,
                                      self.rng["harvest"].spawn(1)[0], self.field.book, self.totals))
        self.process = env.process(site_day(env, self))

    def _start_logistics(self):
        scenario = self.scenario
        select = getattr(self.strategy, "select_plants", None)
        if select is not None:  # a named strategy runs only its plant kinds (none for no_project)
            if not getattr(self.strategy, "uses_plants", True):
                return None
            import dataclasses
            scenario = dataclasses.replace(scenario, plants=select(scenario.plants))
        has_rail = scenario.rail is not None and scenario.rail.enabled
        if not (scenario.plants or has_rail):
            return None
        try:
            from .logistics import start_logistics
        except ImportError:  # pragma: no cover
            return None
        return start_logistics(self.env, scenario, self.stockpiles, self.ledger, self.rng["logistics"],
                               plants=self.plants)

    # -- daily physics (called by site_day) -----------------------------------------------
    def day(self, day: int, time_s: float) -> None:
        """Advance the continuous physics by the day that ends at ``time_s``."""
        ledger, lake, field = self.ledger, self.lake, self.field
        book = field.book
        month, year = self._months[day], self._years[day]
        year_index = year - self._years[0]
        rain_depth, fresh_evaporation, humidity = self._forcing_days[day]
        # pumps (destination, source: "lake" or a pond index, process name: _pump_plan)
        for k, station, dst, source, process in self._pump_plan:
            seconds = station.pump_seconds_since_last(time_s)
            volume = station.allowed_volume(time_s, seconds, month, year, lake.level)
            if volume <= 0.0 or dst is None:
                continue
            if source == "lake":
                moved = field.pump_from_lake(time_s, dst, volume, process)
            else:   # (an unknown source pond raises here, as list.index does)
                source = field.names.index(station.spec.source) if source is None else source
                moved = field.pond_to_pond(time_s, source, dst, volume, process)
            energy = station.account(moved)
            self.totals["pumping_energy_J"] += energy
            self.rec["pumped"][day, k] = moved
            self.rec["pump_energy"][day, k] = energy
        # lake
        spec = self.scenario.lake
        inflow = self._inflow[month - 1]
        inflow_m3 = (inflow * self._inflow_factor[year_index] + spec.groundwater_inflow) * DAY
        rain_kg, flows = lake.step(inflow_m3 * 1000.0, rain_depth, fresh_evaporation, humidity)
        evaporated = float(flows.evaporated[0])
        river = inflow * self._inflow_factor[year_index] * DAY * 1000.0
        # one block of rows: river, groundwater, rain, evaporation (or vapour uptake by a
        # hygroscopic brine), precipitation to the lake's deposit
        block = np.zeros((5, len(COMPONENTS)))
        block[0, 0], block[1, 0] = river, spec.groundwater_inflow * DAY * 1000.0
        block[2, 0], block[3, 0] = rain_kg, abs(evaporated)
        field._mineral_masses(flows.deposited, out=block[4:])
        src, snk, proc = self._lake_rows[evaporated < 0]
        book.rows(time_s, src, snk, block, proc)
        regenerated = lake.regenerate_crust(DAY)
        if regenerated > 0.0:
            masses = np.zeros(len(COMPONENTS))
            masses[1 + SOLUTES.index("Na")] = regenerated * MOLAR_MASS["Na"]
            masses[1 + SOLUTES.index("Cl")] = regenerated * MOLAR_MASS["Cl"]
            book.flow(time_s, "lake", "lake:crust", masses, "crust_regeneration")
        # ponds
        if field.names:
            spilled = field.tick(time_s, rain_depth, fresh_evaporation, humidity, month)
            if spilled is not None:
                for i in np.flatnonzero(spilled):
                    ledger.event(time_s, "overflow", field.names[i])
            for name, index in self.feed_stores.items():
                field.to_store(time_s, index, self.stockpiles[name])
        book.flush()
        self._record(day, time_s)

    def harvest_view(self, time_s: float, day: int) -> SiteView:
        field = self.field
        props = field.properties()
        if self._view_constants is None:   # names, roles and thresholds do not change (read-only)
            threshold = np.array([np.nan if p.harvest_layer is None else p.harvest_layer for p in field.ponds])
            threshold.flags.writeable = False
            self._view_constants = (tuple(field.names), tuple(p.role for p in field.ponds), threshold)
        names, roles, threshold = self._view_constants
        return SiteView(time_s=time_s, month=self._months[day], pond_names=names,
                        roles=roles, layer_thickness=field.layer_thickness(),
                        harvest_layer=threshold, online=field.online & ~self.in_campaign,
                        density=props.density, lake_level=self.lake.level(), depth_max=field.depth_max)

    def start_campaigns(self, time_s: float, day: int) -> None:
        months = self.scenario.harvest.months
        if not self.field.names or (months is not None and self._months[day] not in months):
            return
        for index in self.strategy.ponds_to_harvest(self.harvest_view(time_s, day), self.scenario.harvest.months):
            self.in_campaign[index] = True
            product = self.field.ponds[index].product or self._dominant_product(int(index))
            self.env.process(self._campaign(int(index), product))

    def _dominant_product(self, index: int) -> str:
        """Stockpile for a pond without a product: ``halite`` when halite is most of its layer
        (by mass), else the lower-case name of the main mineral."""
        masses = self.field.state.layer[index] * self.lookup.mineral_molar_mass
        name = self.lookup.mineral_names[int(np.argmax(masses))].lower()
        if name not in self.stockpiles:
            from .plant import MassStore
            self.stockpiles[name] = MassStore(self.env, composition=np.zeros(len(COMPONENTS)),
                                              name=f"stockpile:{name}")
            self.ledger.stock(0.0, f"stockpile:{name}", np.zeros(len(COMPONENTS)))
        return name

    def _campaign(self, index, product):
        rng = np.random.default_rng(self.rng["harvest"].integers(2 ** 63))
        spec = self.scenario.harvest
        washing = product in _WASHED_PRODUCTS and spec.wash_capacity is not None
        yield from harvest_campaign(self.env, self.field, index, self.fleet, self.stockpiles, product,
                                    self.calendar, rng, self.ledger, self.totals, washing)
        self.in_campaign[index] = False

    def _record(self, day, time_s):
        rec, field, lake = self.rec, self.field, self.lake
        if field.names:
            props, state = field.properties(), field.state
            rec["volume"][day] = props.volume
            rec["density"][day] = props.density
            rec["water_activity"][day] = props.water_activity
            rec["water"][day] = state.water
            rec["solutes"][day] = state.solutes
            rec["layer"][day] = state.layer
            rec["solid_volume"][day] = field.solid_volume()
        density = lake.density()   # (first: it computes the lake's properties, the volume reads them)
        volume = lake.volume()
        level, wetted = lake.level(), lake.wetted_area()
        water = lake.state.water.item()
        # the lake table's columns 7-11 (the day's weather) are filled from the forcing at the end
        rec["lake"][day, :7] = (level, volume, wetted, max(lake.spec.area - wetted, 0.0), lake.disturbed_area,
                                density, water)
        np.divide(lake.state.solutes[0], max(water, 1e-30), out=rec["lake_molality"][day])
        self._stock_days.append([s.level for s in self.stockpiles.values()])

    def _stack_records(self):
        """The stockpile levels as an array (n_days, n_stockpiles); days not simulated are zero."""
        n, rec = self.n_days, self.rec
        stock = np.zeros((n, len(self.stockpiles)))
        if self._stock_days and all(len(row) == stock.shape[1] for row in self._stock_days):
            stock[:len(self._stock_days)] = self._stock_days
        else:   # stockpiles made during the run have zeros before
            for day, row in enumerate(self._stock_days):
                stock[day, :len(row)] = row
        rec["stock"] = stock
        self._stock_days = []

    def _derive_records(self):
        """Depth, molality and layer thickness of the ponds and the lake's weather columns, for all
        days at once (the same elementwise operations as per day, so the same numbers)."""
        self._stack_records()
        rec, field, f = self.rec, self.field, self.forcing
        n = self.n_days
        rec["depth"] = rec["volume"] / field.area
        water = np.where(rec["water"] > 0, rec["water"], np.inf)
        rec["molality"] = rec["solutes"] / water[:, :, None]
        # PondField.layer_thickness: solid volume / area / (1 - porosity)
        rec["thickness"] = rec["solid_volume"] / field.area / (1.0 - field.porosity)
        rec["lake"][:, 7:] = np.column_stack([f.rain[:n], f.wind_speed[:n], f.fresh_evaporation[:n],
                                              f.temperature[:n], f.relative_humidity[:n]])

    # -- run and results ------------------------------------------------------------------
    def run(self, progress=None):
        self.progress = None
        if callable(progress):
            self.progress = _CallbackProgress(progress, self.n_days)
        elif progress if progress is not None else sys.stderr.isatty():
            from tqdm import tqdm
            self.progress = tqdm(total=self.n_days, unit="d", desc="site", leave=False, file=sys.stderr)
        started = wallclock.perf_counter()
        end = self.n_days * DAY
        self.env.run(until=end + 1e-6)
        self.field.book.flush()
        self._derive_records()
        if self.progress is not None:
            self.progress.close()
        self._snapshot(end)
        if self.logistics is not None and hasattr(self.logistics, "finish"):
            self.logistics.finish()
        self.wall_time = wallclock.perf_counter() - started
        return self

    def tables(self) -> SiteTables:
        return build_tables(self)


class _CallbackProgress:
    """Progress reported to a callable as ``callback(days_done, days_total)``."""

    def __init__(self, callback, total):
        self.callback, self.total, self.done = callback, total, 0

    def update(self, days):
        self.done = min(self.done + days, self.total)
        self.callback(self.done, self.total)

    def close(self):
        if self.done < self.total:
            self.update(self.total - self.done)


def site_day(env, model: SiteModel):
    """The daily tick: physics of the day just ended, then harvest decisions."""
    for day in range(model.n_days):
        yield env.timeout(DAY)
        model.day(day, env.now)
        model.start_campaigns(env.now, day)
        if model.progress is not None and day % 30 == 29:
            model.progress.update(30)


def simulate(scenario, seed=None, strategy=None, progress=None, *, path_table=None) -> SiteTables:
    """Simulate the site of ``scenario`` to its horizon.

    Parameters
    ----------
    scenario : saltsim.scenario.Scenario
    seed : int, optional
        Seed of the run (default ``scenario.site.seed``).
    strategy : str or Strategy, optional
        Strategy name in the registry, or an object (default ``scenario.strategy``).
    progress : bool or callable, optional
        Show a tqdm progress bar (default: when stderr is a terminal); a callable is called as
        ``progress(days_done, days_total)`` every 30 simulated days and at the end.
    path_table : PathTable, optional
        Evaporation path of the brine (default: built by the chemistry engine).

    Returns
    -------
    SiteTables
        ``ponds``, ``lake``, ``flows``, ``events``, ``stockpiles``, ``mass_balance``, ``kpis`` (+
        the logistics tables when plants or rail run), and ``metadata``.
    """
    return SiteModel(scenario, seed=seed, strategy=strategy, path_table=path_table).run(progress).tables()


# -- result tables --------------------------------------------------------------------------
def _timestamps(model, time_s):
    return model.calendar.timestamps(time_s)


#: Charges of the solutes, in SOLUTES order (C as constants.CHARGE counts it). [-]
_SOLUTE_CHARGE = np.array([CHARGE[name] for name in SOLUTES], dtype=float)


def within_validity(molality, water_activity, volume) -> np.ndarray:
    """Whether a pond's brine lies within the activity model's validity range.

    The range of :mod:`saltsim.chemistry.equilibrium`: ionic strength ≤ ``MAX_IONIC_STRENGTH``
    and water activity ≥ ``MIN_WATER_ACTIVITY``. A pond without brine is valid (nothing is
    extrapolated). A thin film left in a drained crystallizer can lie far outside it.

    Parameters
    ----------
    molality : array_like (..., n_solutes)
        Solute molalities in :data:`saltsim.constants.SOLUTES` order. [mol kg⁻¹]
    water_activity : array_like (...)
        [-]
    volume : array_like (...)
        Brine volume. [m³]

    Returns
    -------
    ndarray of bool (...)
    """
    inside = ((ionic_strength(molality, _SOLUTE_CHARGE) <= MAX_IONIC_STRENGTH)
              & (np.asarray(water_activity) >= MIN_WATER_ACTIVITY))
    return inside | (np.asarray(volume) <= 0.0)


def _pond_table(model) -> pd.DataFrame:
    rec, field = model.rec, model.field
    n, p = model.n_days, len(field.names)
    if p == 0:
        return pd.DataFrame()
    time_s = (np.arange(n) + 1.0) * DAY
    data = {
        "time": np.repeat(_timestamps(model, time_s), p),
        "time_s": np.repeat(time_s, p),
        "pond": _labels(field.names, np.tile(np.arange(p), n)),
        "role": _labels([q.role for q in field.ponds], np.tile(np.arange(p), n)),
        "depth_m": rec["depth"].ravel(),
        "volume_m3": rec["volume"].ravel(),
        "density_kg_per_m3": rec["density"].ravel(),
        "baume_degBe": np.where(rec["volume"].ravel() > 0, density_to_baume(rec["density"].ravel()), 0.0),
        "water_activity_frac": rec["water_activity"].ravel(),
    }
    for k, name in enumerate(SOLUTES):
        data[f"{name}_mol_per_kg"] = rec["molality"][:, :, k].ravel()
    data["valid"] = within_validity(rec["molality"], rec["water_activity"], rec["volume"]).ravel()
    data["layer_thickness_m"] = rec["thickness"].ravel()
    masses = rec["layer"] * model.lookup.mineral_molar_mass
    for k, name in enumerate(model.lookup.mineral_names):
        if np.any(masses[:, :, k] > 0):
            data[f"layer_{name.lower()}_kg"] = masses[:, :, k].ravel()
    return pd.DataFrame(data)


def _lake_table(model) -> pd.DataFrame:
    rec = model.rec["lake"]
    time_s = (np.arange(model.n_days) + 1.0) * DAY
    data = {"time": _timestamps(model, time_s), "time_s": time_s, "duration_s": np.full(model.n_days, DAY)}
    names = ("level_m", "volume_m3", "area_m2", "exposed_area_m2", "disturbed_area_m2",
             "density_kg_per_m3", "water_kg", "rain_m", "wind_m_per_s", "fresh_evaporation_m",
             "temperature_K", "relative_humidity_frac")
    for k, name in enumerate(names):
        data[name] = rec[:, k]
    for k, name in enumerate(SOLUTES):
        data[f"{name}_mol_per_kg"] = model.rec["lake_molality"][:, k]
    data["brine_pumped_m3"] = model.rec["pumped"].sum(axis=1)
    data["pumping_energy_J"] = model.rec["pump_energy"].sum(axis=1)
    return pd.DataFrame(data)


def _flow_table(model) -> pd.DataFrame:
    time_s, source, sink, process, masses = model.ledger.flow_arrays()
    if np.count_nonzero(time_s[1:] < time_s[:-1]):   # (the ledger's rows are usually in time order already)
        order = np.argsort(time_s, kind="stable")
        time_s, source, sink, process, masses = time_s[order], source[order], sink[order], process[order], \
            masses[order]
    names = model.ledger.names
    processes = model.ledger.processes or ("",)
    data = {"time": _timestamps(model, time_s), "time_s": time_s,
            "source": _labels(names, source) if source.size else [], "sink": _labels(names, sink) if sink.size else [],
            "process": _labels(processes, process) if process.size else []}
    for k, name in enumerate(COMPONENTS):
        data[f"{name}_kg"] = masses[:, k]
    return pd.DataFrame(data), _FlowCodes(source, sink, process, names, processes)


@dataclasses.dataclass
class _FlowCodes:
    """The flow table's source, sink and process columns as the ledger's integer codes (same rows),
    so that the KPIs select rows by integer comparisons instead of string lookups."""

    source: np.ndarray
    sink: np.ndarray
    process: np.ndarray
    names: tuple
    processes: tuple

    def isin(self, column: str, wanted) -> np.ndarray:
        """Boolean rows whose ``column`` is one of the names ``wanted`` (as ``Series.isin``)."""
        wanted = set(wanted)
        labels = self.processes if column == "process" else self.names
        return np.isin(getattr(self, column), [i for i, name in enumerate(labels) if name in wanted])


def _labels(names, codes: np.ndarray):
    """``names[codes]`` as a table column. With pandas' Arrow-backed default string dtype the column
    is built by one Arrow dictionary cast from the integer codes (the same column as from an
    object array of the names, without a Python string per row)."""
    dtype = pd.Series(list(names)).dtype if codes.size else None
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        labels = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(list(names), type=pa.large_string()))
        return pd.arrays.ArrowStringArray(labels.cast(pa.large_string()), dtype=dtype)
    return np.array(names, dtype=object)[codes]


def _event_table(model) -> pd.DataFrame:
    events = model.ledger.events
    return pd.DataFrame({
        "time": _timestamps(model, [e[0] for e in events]),
        "time_s": np.array([e[0] for e in events], dtype=float),
        "kind": [e[1] for e in events], "entity": [e[2] for e in events],
        "detail": [json.dumps(e[3], sort_keys=True, default=float) for e in events]})


def _stockpile_table(model) -> pd.DataFrame:
    products = list(model.stockpiles)
    n = model.n_days
    time_s = (np.arange(n) + 1.0) * DAY
    return pd.DataFrame({"time": np.repeat(_timestamps(model, time_s), len(products)),
                         "time_s": np.repeat(time_s, len(products)),
                         "product": _labels(products, np.tile(np.arange(len(products)), n)),
                         "level_kg": model.rec["stock"][:, :len(products)].ravel(),
                         "capacity_kg": np.tile([model.stockpiles[p].capacity for p in products], n)})


def _mass_balance_table(model) -> pd.DataFrame:
    balance = model.ledger.mass_balance()
    return pd.DataFrame({"element": balance["component"], "in_kg": balance["in_kg"],
                         "out_kg": balance["out_kg"], "stored_start_kg": balance["stored_start_kg"],
                         "stored_end_kg": balance["stored_end_kg"], "closure_rel": balance["closure_rel"]})


def _kpi_table(model, flows: pd.DataFrame, codes: _FlowCodes) -> pd.DataFrame:
    """Yearly KPIs over the run (see ``KPI`` descriptions in the rows)."""
    years = model.n_days * DAY / YEAR
    field = model.field
    rows = []

    def add(kpi, value, unit, description):
        rows.append({"kpi": kpi, "value": float(value), "unit": unit, "description": description})

    nacl_kg_per_mol = MOLAR_MASS["Na"] + MOLAR_MASS["Cl"]
    salt_into = flows[codes.isin("sink", [f"stockpile:{p}" for p in _WASHED_PRODUCTS])
                      & codes.isin("process", ["to_stockpile", "crust_harvest"])]
    nacl_t = float(np.minimum(salt_into["Na_kg"] / MOLAR_MASS["Na"], salt_into["Cl_kg"] / MOLAR_MASS["Cl"]).sum()
                   * nacl_kg_per_mol / 1000.0) if len(salt_into) else 0.0
    add("nacl_harvested", nacl_t / years, "t/yr", "NaCl put into salt stockpiles per year")
    area_ha = float(field.area.sum() / 1e4) if field.names else 0.0
    add("salt_yield", nacl_t / years / area_ha if area_ha > 0 else 0.0, "t/ha/yr",
        "NaCl harvested per gross pond hectare per year")
    if field.names and "Halite" in model.lookup.mineral_names:
        halite = field.deposited_total[:, model.lookup.mineral_names.index("Halite")] * nacl_kg_per_mol / 1000.0
        crystal = np.array([q.role == "crystallizer" for q in field.ponds])
        add("halite_deposited_yield", halite.sum() / years / area_ha, "t/ha/yr",
            "Halite deposited in all ponds per gross pond hectare per year (production capacity)")
        crystal_ha = field.area[crystal].sum() / 1e4
        add("crystallizer_yield", halite[crystal].sum() / years / crystal_ha if crystal_ha > 0 else 0.0,
            "t/ha/yr", "Halite deposited in crystallizers per crystallizer hectare per year")
    roles = {q.name: q.role for q in field.ponds}
    bittern_ponds = [f"pond:{n}" for n, r in roles.items() if r in ("bittern",)]
    crystallizers = [f"pond:{n}" for n, r in roles.items() if r == "crystallizer"]
    moved = codes.isin("process", ["transfer", "drain"])
    into_bittern = flows[codes.isin("sink", bittern_ponds) & codes.isin("source", crystallizers) & moved]
    bittern_kg = into_bittern[[f"{c}_kg" for c in COMPONENTS]].to_numpy().sum()
    # volume from the bittern pond densities on the days of the transfers
    density = float(np.nanmean(model.rec["density"][:, [field.names.index(b[5:]) for b in bittern_ponds]])) \
        if bittern_ponds else np.nan
    add("bittern", bittern_kg / density / years if bittern_ponds and density > 0 else 0.0, "m^3/yr",
        "Brine drained from crystallizers to bittern ponds per year")
    for element in ("Mg", "K"):
        add(f"bittern_{element}", into_bittern[f"{element}_kg"].sum() / years, "kg/yr",
            f"{element} carried to the bittern ponds per year")
        add(f"bittern_{element}_concentration",
            into_bittern[f"{element}_kg"].sum() / (bittern_kg / density) if bittern_kg > 0 else 0.0,
            "kg/m^3", f"Mean {element} concentration of the bittern")
    lake_mg = float(np.asarray(model.scenario.brine.molality)[SOLUTES.index("Mg")])
    mg_enrich = np.nan
    if bittern_kg > 0:
        water = into_bittern["H2O_kg"].sum()
        mg_enrich = into_bittern["Mg_kg"].sum() / MOLAR_MASS["Mg"] / water / lake_mg
    add("bittern_mg_enrichment", mg_enrich, "-", "Mg molality of the bittern / Mg molality of the lake brine")
    # crystallizer feed and drain Baumé (density-weighted by the transfers)
    baume = density_to_baume(model.rec["density"])
    for label, sources, sinks in (("crystallizer_feed_baume", None, crystallizers),
                                  ("crystallizer_drain_baume", crystallizers, bittern_ponds)):
        selected = moved & codes.isin("sink", sinks) & (codes.isin("source", sources) if sources
                                                         else ~codes.isin("source", crystallizers))
        moves = flows[selected]
        if len(moves) and field.names:
            source = codes.source[selected]
            pond = np.zeros(len(codes.names), dtype=np.int64)
            for account in np.unique(source).tolist():
                pond[account] = field.names.index(codes.names[account][5:])
            src_idx = pond[source]
            day = np.clip((moves["time_s"].to_numpy() / DAY).astype(int) - 2, 0, model.n_days - 1)
            weights = moves[[f"{c}_kg" for c in COMPONENTS]].to_numpy().sum(axis=1)
            add(label, np.average(baume[day, src_idx], weights=weights), "degBe",
                "Mass-weighted Baumé of the brine on the day before it moved")
        else:
            add(label, np.nan, "degBe", "No such transfer in the run")
    add("brine_pumped", model.rec["pumped"].sum() / years, "m^3/yr", "Brine pumped per year, all stations")
    add("pumping_energy", model.totals["pumping_energy_J"] / years, "J/yr", "Electricity of the pumps per year")
    add("wash_energy", model.totals["wash_energy_J"] / years, "J/yr", "Electricity of the field wash plant per year")
    add("harvest_diesel", model.totals["diesel_m3"] / years, "m^3/yr", "Diesel of the harvest fleet per year")
    add("hauled", model.totals["hauled_kg"] / years, "kg/yr", "Raw salt cut and hauled per year")
    end = model.n_days * DAY
    blocked = model.totals.get("blocked_s", 0.0) + sum(end - t for t in model.totals["blocked_open"].values())
    add("stockpile_blocked", blocked, "s", "Harvester time spent waiting for stockpile room (summed over "
        "campaigns, including waits still open at the end)")
    add("lake_level_change", model.rec["lake"][-1, 0] - model.rec["lake"][0, 0], "m",
        "Lake level at the end minus the first day")
    return pd.DataFrame(rows)


def build_tables(model: SiteModel) -> SiteTables:
    """The result tables of a finished run."""
    flows, codes = _flow_table(model)
    tables = {"ponds": _pond_table(model), "lake": _lake_table(model), "flows": flows,
              "events": _event_table(model), "stockpiles": _stockpile_table(model),
              "mass_balance": _mass_balance_table(model), "kpis": _kpi_table(model, flows, codes)}
    if model.logistics is not None:
        logistics = model.logistics.tables()
        tables.update({name: logistics[name] for name in ("plants", "shipments", "wagon_states")
                       if name in logistics})
        extra = pd.DataFrame(model.logistics.kpis(), columns=["kpi", "value", "unit", "description"])
        tables["kpis"] = pd.concat([tables["kpis"], extra], ignore_index=True)
    metadata = {"seed": model.seed, "strategy": model.strategy.name, "n_days": model.n_days,
                "path_rows": int(model.lookup.n_rows), "minerals": list(model.lookup.mineral_names),
                "site_wall_time_s": model.wall_time,
                "random_streams": list(_STREAMS),
                # domain.md keys the site model's own defaults and equations rest on
                "citations": ["E7", "E8", "E9", "S5", "M6", "M8", "U1"]}
    return SiteTables(tables, metadata)

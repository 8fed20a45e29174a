"""Processing plants as SimPy processes, and the mass-tracking store they draw from and fill.

A plant ticks once per period (one day). At the end of each period it takes from its feed store
as much as its capacity, its uptime in the period, the feed on hand and the room left in its
output store allow; splits the feed through its route (:func:`saltsim.processing.process`);
books every stream in the ledger; puts the product into the output store; and draws electricity,
heat and water from the :class:`~saltsim.des.supply.Supply`. Failures (exponential time to
failure with mean MTBF and exponential repair with mean MTTR) run in a separate process; without
an MTBF the scenario's ``availability`` derates the capacity.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import simpy
from simpy.core import BoundClass
from simpy.events import Event
from simpy.resources.container import ContainerGet, ContainerPut

from ..constants import COMPONENTS
from ..processing.routes import ROUTE_DEFAULTS, ROUTE_PRODUCTS, RouteParameters, unit_split
from ..processing.stoichiometry import mass_fractions
from ..processing.supply import month_of
from ..units import DAY
from .ledger import Ledger
from .supply import DRAW_COLUMNS, Supply

__all__ = ["MassStore", "PlantSpec", "PlantRun", "Uptime", "plant", "breakdowns", "plant_specs", "KIND_ROUTES",
           "WINTER_MONTHS", "TOTAL_ENERGY_ROUTES", "composition_of", "PLANT_RECORD_FIELDS"]

#: Scenario ``plants.kind`` → processing route.
KIND_ROUTES = {
    "salt_washing": "salt_washing", "salt_refining": "salt_refining", "mgcl2": "bischofite",
    "mg_hydroxide": "magnesium_hydroxide", "mgo": "magnesia", "mg_metal": "magnesium_metal",
    "kcl": "potassium_chloride", "sodium_sulphate": "thenardite",
    "mirabilite_cooling": "mirabilite_cooling",
}
#: Fields of a plant's record (a tuple per plant and period): the columns of the ``plants`` table
#: (:data:`saltsim.des.logistics.PLANTS_COLUMNS`), in order.
PLANT_RECORD_FIELDS = ("time_s", "plant", "route", "product", "uptime_frac", "feed_kg", "production_kg",
                       "reagents_kg", "waste_kg", "vapour_kg", "chlorine_kg", "blocked_by_output",
                       *DRAW_COLUMNS)
#: Months in which winter cooling crystallises mirabilite: those with a mean daily minimum
#: ≤ 1 °C in the Tehran proxy (Dec 1.0, Jan −1.5, Feb −0.2 °C [C9]).
WINTER_MONTHS = (12, 1, 2)


class _MassPut(ContainerPut):
    def __init__(self, container, amount, masses=None):
        self.masses = masses
        if amount > 0 and not container.put_queue and container._capacity - container._level >= amount:
            # Nobody waits to put and it fits: what ContainerPut does, without the queue round
            # (appended, tried first and alone, succeeded, removed again).
            Event.__init__(self, container._env)
            self.amount, self.resource, self.proc = amount, container, self.env.active_process
            self.callbacks.append(container._trigger_get)
            container._do_put(self)
            return
        super().__init__(container, amount)


class _MassGet(ContainerGet):
    def __init__(self, container, amount):
        self.masses = None
        if amount > 0 and not container.get_queue and container._level >= amount:
            # Nobody waits to get and there is enough: what ContainerGet does, without the queue round.
            Event.__init__(self, container._env)
            self.amount, self.resource, self.proc = amount, container, self.env.active_process
            self.callbacks.append(container._trigger_put)
            container._do_get(self)
            return
        super().__init__(container, amount)


class MassStore(simpy.Container):
    """A well-mixed ``simpy.Container`` that also tracks its ledger component masses.

    ``level`` is the real mass of material [kg] (of product, including oxygen the ledger does
    not track); ``masses`` are its component masses [kg]. A plain ``put(amount)`` adds material
    of the store's nominal ``composition`` (component mass per kg of material); ``put(amount,
    masses)`` adds a known composition. A ``get(amount)`` removes a proportional share of
    ``masses``, available afterwards as the event's ``masses``.

    Parameters
    ----------
    env : simpy.Environment
    capacity : float
        Largest mass held. [kg]
    composition : ndarray
        Nominal component mass per kg of material, shape (n_components,). [kg kg⁻¹]
    init : float
        Initial mass, of nominal composition. [kg]
    name : str
        Ledger account of the store, e.g. ``"store:magnesia"``. [-]
    """

    put = BoundClass(_MassPut)
    get = BoundClass(_MassGet)

    def __init__(self, env, capacity=math.inf, composition=None, init=0.0, name=""):
        super().__init__(env, capacity=capacity, init=init)
        self.composition = (np.zeros(len(COMPONENTS)) if composition is None
                            else np.asarray(composition, dtype=float))
        self.masses = self.composition * float(init)
        self.name = name
        self._watchers: list[tuple[float, simpy.Event]] = []

    def when_level(self, amount: float) -> simpy.Event:
        """An event that succeeds as soon as the store holds at least ``amount``. [kg]"""
        event = self._env.event()
        if self._level >= amount:
            event.succeed()
        else:
            self._watchers.append((amount, event))
        return event

    def _do_put(self, event):
        if self._capacity - self._level >= event.amount:
            self._fill(event.amount, event.masses)
            event.succeed()
            self._wake()
        return None

    def _do_get(self, event):
        if self._level >= event.amount:
            event.masses = self._take(event.amount)
            event.succeed(event.masses)
        return None

    def _fill(self, amount, masses):
        """Add ``amount`` of material (component ``masses``, else of nominal composition). [kg]"""
        masses = masses if masses is not None else self.composition * amount
        self.masses = self.masses + masses
        self._level += amount

    def _wake(self):
        """Trigger the :meth:`when_level` events the level now reaches."""
        if self._watchers:
            ready = [w for w in self._watchers if w[0] <= self._level]
            self._watchers = [w for w in self._watchers if w[0] > self._level]
            for _, watcher in ready:
                watcher.succeed()

    def _take(self, amount):
        """Remove ``amount`` of material and return its share of the component masses. [kg]"""
        share = amount / self._level if self._level > 0 else 0.0
        masses = self.masses * share
        self.masses = self.masses - masses
        self._level -= amount
        if self._level <= 0.0:
            self._level, self.masses = 0.0, np.zeros_like(self.masses)
        return masses

    def get_now(self, amount):
        """What processing ``get(amount)`` does at once, without its event, when it would be the next
        event: the caller checked that nothing else is scheduled at this instant (``env.peek() >
        env.now``), that nobody waits to get or put and that the store holds ``amount``. The get's
        event would succeed at once and, processed next, only try the waiting puts (none) before
        resuming its caller. Returns the component masses taken. [kg]"""
        return self._take(amount)

    def put_now(self, amount, masses=None):
        """What ``put(amount, masses)`` and processing its event do at once, without the event, when
        it would be the next event (the caller checked as for :meth:`get_now`, and that it fits): fill,
        wake the level watchers (their events are scheduled as the put's would leave them) and give
        the waiting gets their turn, as the processed put would."""
        self._fill(amount, masses)
        self._wake()
        self._trigger_get(None)


def composition_of(store, nominal) -> np.ndarray:
    """Component mass per kg of material in ``store`` (its tracked mix, else ``nominal``). [kg kg⁻¹]"""
    if isinstance(store, MassStore) and store.level > 0:
        return store.masses / store.level
    return np.asarray(nominal, dtype=float)


@dataclass(frozen=True, slots=True)
class PlantSpec:
    """A plant as the simulation needs it (SI; built from ``scenario.plants[i]``).

    Attributes
    ----------
    name, route, feed, product : str
        Plant name, processing route, feed stockpile and product name. [-]
    capacity : float
        Largest production rate of product. [kg s⁻¹]
    params : RouteParameters
        Route parameters (recovery, energy, water, reagent). [-]
    availability : float
        Capacity derating when no failure model is given. [-]
    mtbf, mttr : float or None
        Mean time between failures and to repair. [s]
    start_delay : float
        Time from the start at which the plant starts. [s]
    water_source : str or None
        Water source drawn first. [-]
    months : tuple of int
        Calendar months in which the plant runs (winter cooling); empty: all. [-]
    feed_composition : ndarray
        Component mass per kg of feed used when the feed store does not track it. [kg kg⁻¹]
    """

    name: str
    route: str
    feed: str
    product: str
    capacity: float
    params: RouteParameters = field(default_factory=RouteParameters)
    availability: float = 1.0
    mtbf: float | None = None
    mttr: float | None = None
    start_delay: float = 0.0
    water_source: str | None = None
    months: tuple[int, ...] = ()
    feed_composition: np.ndarray | None = None

    @property
    def product_composition(self) -> np.ndarray:
        return mass_fractions(ROUTE_PRODUCTS[self.route])


class Uptime:
    """Cumulative downtime of one plant, read by its production ticks. [s]"""

    def __init__(self):
        self.down_since: float | None = None
        self.accumulated = 0.0

    def downtime(self, now: float) -> float:
        return self.accumulated + (now - self.down_since if self.down_since is not None else 0.0)


def breakdowns(env: simpy.Environment, spec: PlantSpec, uptime: Uptime, rng: np.random.Generator,
               ledger: Ledger):
    """Failures and repairs of one plant (exponential times, means MTBF and MTTR)."""
    while True:
        yield env.timeout(rng.exponential(spec.mtbf))
        uptime.down_since = env.now
        ledger.event(env.now, "plant_failure", f"plant:{spec.name}")
        yield env.timeout(rng.exponential(spec.mttr))
        uptime.accumulated += env.now - uptime.down_since
        uptime.down_since = None
        ledger.event(env.now, "plant_repair", f"plant:{spec.name}")


def plant(env: simpy.Environment, spec: PlantSpec, feed: simpy.Container, output: simpy.Container,
          feed_account: str, output_account: str, supply: Supply, ledger: Ledger, uptime: Uptime,
          records: list, start: np.datetime64, period: float = DAY):
    """Run one plant: a production batch per period, every stream booked in the ledger.

    A process that starts the plant's periods (:class:`PlantRun`) and ends: the periods run as
    callbacks of their own events (see there).

    Parameters
    ----------
    env : simpy.Environment
    spec : PlantSpec
    feed, output : simpy.Container
        Feed stockpile and product store (:class:`MassStore` keeps their compositions). [kg]
    feed_account, output_account : str
        Their ledger accounts. [-]
    supply : Supply
    ledger : Ledger
    uptime : Uptime
        Downtime written by :func:`breakdowns` (never down when the plant has no MTBF).
    records : list
        Receives one tuple per period: a row of the ``plants`` table (:data:`PLANT_RECORD_FIELDS`).
        A batch's row gets its supply columns when the supply settles its deferred draws
        (:meth:`Supply.settle`; :class:`~saltsim.des.logistics.LogisticsHandles` does before
        reading the rows).
    start : numpy.datetime64
        Calendar date of the simulation start. [-]
    period : float
        Length of a production period. [s]
    """
    run = PlantRun(env, spec, feed, output, feed_account, output_account, supply, ledger, uptime, records,
                   start, period)
    env.timeout(spec.start_delay).callbacks.append(run.begin_period)
    return run
    yield   # a generator, started by env.process like the other processes  # pragma: no cover


class PlantRun:
    """The periods of one plant as callbacks of SimPy events (arguments as :func:`plant`).

    Each step is what a generator process would do between two yields, attached to the same
    event the process would wait for, so every event is created, scheduled and processed at the
    same moment and in the same order as by a process; only the process machinery per step is
    left out (most days of most plants are idle ticks):

    - :meth:`begin_period` (at the start and after each period): read the downtime, wait ``period``;
    - :meth:`end_period` (the period's timeout): decide the batch; an idle period records its row
      and begins the next; a batch gets its feed from the feed store;
    - :meth:`fed` (the feed ``get``): split and book the batch, put the product into the output store;
    - :meth:`finish` (the product ``put``, or at once without product): record, and queue the
      supply draw that completes the row (:meth:`Supply.defer_draw`).
    """

    def __init__(self, env, spec, feed, output, feed_account, output_account, supply, ledger, uptime,
                 records, start, period=DAY):
        self.env, self.spec, self.feed, self.output = env, spec, feed, output
        self.supply, self.ledger, self.uptime, self.records = supply, ledger, uptime, records
        self.start, self.period = start, period
        self.account, self.output_account = f"plant:{spec.name}", output_account
        self.nominal_feed = (spec.feed_composition if spec.feed_composition is not None
                             else np.zeros(len(COMPONENTS)))
        self.derate = 1.0 if spec.mtbf is not None else spec.availability
        account = self.account
        self.sources = ledger.accounts([feed_account, "ext:reagents", "ext:water_supply", account, account,
                                        account, account])
        self.sinks = ledger.accounts([account, account, account, "ext:waste", "ext:atmosphere", "ext:chlorine",
                                      output_account])
        self.process_id = None  # registered with the first batch, as a direct ledger call would
        self.mass_output = isinstance(output, MassStore)
        self.mass_feed = isinstance(feed, MassStore)
        self.seasonal = bool(spec.months)
        # The unit split of the current feed composition: its streams as one (6, n) block in ledger
        # row order (reagents, water, waste, vapour, chlorine, product) and its scalars as floats.
        self.cached_key = self.unit_block = None
        self.unit_product = self.unit_electricity = self.unit_heat = 0.0
        # A day's row is a tuple in PLANT_RECORD_FIELDS order: these leading fields, the period's
        # figures, and the supply's draw (all 0.0 on an idle day).
        self.name_fields = (spec.name, spec.route, spec.product)
        self.idle_tail = (0.0,) * 6
        self.idle_draw = (0.0,) * len(DRAW_COLUMNS)
        self.failing = spec.mtbf is not None   # else no breakdowns process writes the uptime
        self.steady_up = max(period - (0.0 - 0.0), 0.0) * self.derate
        self.begin = self.down_begin = 0.0

    def begin_period(self, _event=None) -> None:
        env = self.env
        self.begin = env.now
        if self.failing:
            self.down_begin = self.uptime.downtime(self.begin)
        env.timeout(self.period).callbacks.append(self.end_period)

    def end_period(self, _event) -> None:
        env, spec, feed, output = self.env, self.spec, self.feed, self.output
        if self.failing:
            up = max(self.period - (self.uptime.downtime(env.now) - self.down_begin), 0.0) * self.derate
        else:   # never down: the same expression with both downtimes 0
            up = self.steady_up
        now = env.now
        in_season = not self.seasonal or month_of(self.start, self.begin) in spec.months
        room = output.capacity - output.level
        feed_kg, blocked, product_per_feed = 0.0, False, 0.0
        if in_season and up > 0.0 and feed.level > 0.0:
            composition = composition_of(feed, self.nominal_feed)
            key = composition.tobytes()
            if key != self.cached_key:  # the unit split depends on the feed composition only
                # process() of this composition, on floats (the same numbers; rows in ledger order)
                rows, self.unit_product, self.unit_electricity, self.unit_heat = unit_split(
                    spec.route, composition.tolist(), spec.params)
                self.cached_key = key
                self.unit_block = np.array(rows)
            self.composition = composition
            product_per_feed = self.unit_product
        if product_per_feed > 0.0:
            wanted = min(feed.level, spec.capacity * up / product_per_feed)
            feed_kg = min(wanted, room / product_per_feed)
            blocked = feed_kg < wanted
        if feed_kg > 0.0:
            self.now, self.up, self.feed_kg, self.blocked = now, up, feed_kg, blocked
            if self.mass_feed and env.peek() > now and not feed.get_queue and not feed.put_queue \
                    and feed._level >= feed_kg:
                # nothing else happens at this instant: the get's event would be the next one
                self.fed_with(feed.get_now(feed_kg))
            else:
                feed.get(feed_kg).callbacks.append(self.fed)
            return
        if blocked:
            self.ledger.event(now, "plant_blocked", self.account, store=self.output_account)
        self.records.append((now, *self.name_fields, up / self.period, *self.idle_tail, blocked, *self.idle_draw))
        self.begin_period()

    def fed(self, event) -> None:
        self.fed_with(event.value)

    def fed_with(self, got) -> None:
        feed_kg, output = self.feed_kg, self.output
        unit_block = self.unit_block
        # Routes are linear in their feed: the batch is the unit split scaled (the same
        # elementwise products as scaling each stream), rows in the ledger's order.
        block = np.empty((7, unit_block.shape[1]))
        block[0] = got if isinstance(got, np.ndarray) else self.composition * feed_kg
        np.multiply(unit_block, feed_kg, out=block[1:])
        product = block[6]
        product_kg = min(self.unit_product * feed_kg, output.capacity - output.level)
        self.block, self.product_kg = block, product_kg
        # One ledger record per batch: feed, reagents, water in; waste, vapour, chlorine,
        # product out (deferred: turned into arrays with the site's rows, in call order).
        if self.process_id is None:
            self.process_id = self.ledger.process_id(f"plant:{self.spec.route}")
        self.ledger.defer([(float(self.env.now), self.sources, self.sinks, block, self.process_id)])
        if product_kg > 0.0:
            env = self.env
            if self.mass_output and env.peek() > env.now and not output.put_queue \
                    and output._capacity - output._level >= product_kg:
                # nothing else happens at this instant: the put's event would be the next one
                output.put_now(product_kg, product)
                self.finish()
                return
            put = output.put(product_kg, product) if self.mass_output else output.put(product_kg)
            put.callbacks.append(self.finish)
        else:
            self.finish()

    def finish(self, _event=None) -> None:
        env, feed_kg = self.env, self.feed_kg
        # row sums: the same pairwise sums as each stream's .sum()
        reagents_kg, water_kg, waste_kg, vapour_kg, chlorine_kg = self.block[1:6].sum(axis=1).tolist()
        if self.blocked:
            self.ledger.event(env.now, "plant_blocked", self.account, store=self.output_account)
        # the row without the supply's columns: the draw completes it when the supply settles
        records = self.records
        records.append((self.now, *self.name_fields, self.up / self.period, feed_kg, self.product_kg,
                        reagents_kg, waste_kg, vapour_kg, chlorine_kg, self.blocked))
        self.supply.defer_draw(env.now, self.unit_electricity * feed_kg, self.unit_heat * feed_kg,
                               water_kg / 1000.0, self.spec.water_source, records, len(records) - 1)
        self.begin_period()


#: Routes whose default heat is the rest of a published *total* specific energy: when a scenario
#: sets the electricity alone, the heat is what is left of that total (Mg: 35–40 MWh/t in all
#: [M29][M30]), so an all-electric figure is not counted twice.
TOTAL_ENERGY_ROUTES = ("magnesium_metal",)


def _heat(plant, route: str, base: RouteParameters) -> float:
    if plant.heat is not None:
        return plant.heat
    if route in TOTAL_ENERGY_ROUTES and plant.electricity is not None:
        total = base.electricity_per_product + base.heat_per_product
        return max(total - plant.electricity, 0.0)
    return base.heat_per_product


def plant_specs(plants: Sequence, nominal: Mapping[str, np.ndarray]) -> list[PlantSpec]:
    """Build :class:`PlantSpec` objects from ``scenario.plants`` records.

    Scenario values left unset take the route defaults of
    :data:`saltsim.processing.routes.ROUTE_DEFAULTS` (each with its source there).
    """
    specs = []
    for p in plants:
        route = KIND_ROUTES[p.kind]
        base = ROUTE_DEFAULTS[route]
        product_mass_per_m3 = 1000.0  # water density for m³ → kg [kg m⁻³]
        params = RouteParameters(
            recovery=p.recovery if p.recovery is not None else base.recovery,
            impurity_removal=base.impurity_removal,
            water_per_product=(p.water * product_mass_per_m3 if p.water is not None
                               else base.water_per_product),
            electricity_per_product=(p.electricity if p.electricity is not None
                                     else base.electricity_per_product),
            heat_per_product=_heat(p, route, base),
            thermal_efficiency=base.thermal_efficiency,
            liquor_water_per_solute=base.liquor_water_per_solute,
            dolime=(p.reagent or "").lower() == "dolime",
            cooling_temperature=base.cooling_temperature)
        specs.append(PlantSpec(
            name=p.name, route=route, feed=p.feed, product=p.product, capacity=p.capacity,
            params=params, availability=p.availability, mtbf=p.mtbf,
            mttr=p.mttr if p.mttr is not None else (DAY if p.mtbf is not None else None),
            start_delay=p.start_delay, water_source=p.water_source,
            months=WINTER_MONTHS if route == "mirabilite_cooling" else (),
            feed_composition=nominal.get(p.feed)))
    return specs

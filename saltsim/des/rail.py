"""Rail export as a discrete-event model: terminal, wagon fleet, locomotives, lines, border.

Resources and stores
--------------------
- ``fleet``: a ``simpy.Store`` of wagon numbers idle at the loading terminal;
- ``locomotives``: a ``simpy.Resource``, held by a train for its whole round trip;
- ``claim``: a ``simpy.Resource(1)`` through which a forming train takes its ``min_wagons``
  (one train at a time, so trains of two destinations never deadlock on half a minimum each);
- ``loader``: the loading position (``simpy.Resource(1)``), loading at ``loading_rate`` with a
  non-loading allowance of 15–30 % on the fill time [R40];
- each line section with a ``capacity`` (trains per day) has an entry ``simpy.Resource(1)`` held
  for the headway 1/capacity, in both directions (single track);
- ``transloader`` at the border station (gauge break [R30b][R10]), held for
  mass / transload rate + dwell.

Processes
---------
- :func:`dispatcher`, one per (destination, product): waits until the store holds product for
  ``min_wagons`` (so wagons are not parked on a product that is not coming), claims ``min_wagons`` idle wagons, loads
  each with one payload from the product store (waiting for product), then adds wagon after
  wagon until ``max_wagons`` or the deadline: ``max_wait`` after formation start
  (``when_full``) or the next headway slot (``schedule``, where the train also waits for its
  slot). Demand caps pace the loading. Wagons that are idle while product is on hand are
  taken and loaded as one batch (one product get, the loader held for their summed loading
  time) — the same timing as wagon by wagon when nothing competes, with far fewer events. At a
  quiet instant (nothing else scheduled then, nobody waiting) the product, an idle wagon and the
  loader are taken, and the loader released, at once instead of through events that would be
  processed next anyway (:func:`_quiet`; docs/decisions.md D41).
- :func:`train`: takes a locomotive, runs the sections (time = length / speed, or uniform between
  the transit-time bounds, plus an exponential delay), transloads at the border (the cargo goes
  on in broad-gauge wagons that are not the site's, and the site's wagons return) or unloads at
  the destination, then returns empty.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import simpy
from simpy.resources.resource import Release

from ..constants import COMPONENTS
from .ledger import Ledger

__all__ = ["RailModel", "SectionRuntime", "dispatcher", "train", "wagon_monitor", "WAGON_STATES"]

#: Polling interval for the product level of a plain ``simpy.Container`` (a
#: :class:`~saltsim.des.plant.MassStore` signals it instead). [s]
LEVEL_POLL = 6 * 3600.0

#: States a wagon can be in; the ``wagon_states`` table counts wagons per state daily.
WAGON_STATES = ("idle", "forming", "loaded", "transloading", "unloading", "empty_return")


@dataclass
class SectionRuntime:
    """A line section in the running model (SI)."""

    name: str
    length: float  # [m]
    speed: float  # [m s⁻¹]
    transit_time_min: float | None  # [s]
    transit_time_max: float | None  # [s]
    headway: float  # [s]  1 / capacity; 0 = unlimited
    delay_mean: float  # [s]
    destination: str | None
    entry: simpy.Resource | None = None

    def travel_time(self, rng: np.random.Generator) -> float:
        """Running time of one passage, with its random delay. [s]"""
        if self.transit_time_min is not None and self.transit_time_max is not None:
            base = rng.uniform(self.transit_time_min, self.transit_time_max)
        else:
            base = self.length / self.speed
        return base + (rng.exponential(self.delay_mean) if self.delay_mean > 0 else 0.0)


@dataclass
class RailModel:
    """Shared state of the rail model: resources, counters and records."""

    env: simpy.Environment
    ledger: Ledger
    rng: np.random.Generator
    wagon_count: int
    payload: float  # [kg]
    tare: float  # [kg]
    wagon_type: str
    loading_rate: float  # [kg s⁻¹]
    non_loading_allowance: float  # [-]
    min_wagons: int
    max_wagons: int
    departure: str  # "when_full" | "schedule"
    headway: float  # [s]
    max_wait: float  # [s]
    return_empty: bool
    sections: dict[str, SectionRuntime]
    locomotive_count: int
    fuel_rate: float | None  # [m³ kg⁻¹ m⁻¹]
    rail_co2: float  # [kg kg⁻¹ m⁻¹]
    diesel_co2: float  # [kg m⁻³]
    border_station: str | None = None
    transload_rate: float = math.inf  # [kg s⁻¹]
    border_dwell: float = 0.0  # [s]
    gauge_break: bool = False
    shipments: list = field(default_factory=list)
    wagon_rows: list = field(default_factory=list)
    waits: dict = field(default_factory=lambda: {"wagon": [], "product": [], "loader": [],
                                                 "locomotive": [], "section": [], "transloader": []})
    in_transit: dict = field(default_factory=dict)
    pending: list = field(default_factory=list)
    delivered: dict = field(default_factory=dict)

    def __post_init__(self):
        env = self.env
        self.fleet = simpy.Store(env)
        self.fleet.items.extend(range(self.wagon_count))
        self.locomotives = simpy.Resource(env, capacity=max(self.locomotive_count, 1))
        self.claim = simpy.Resource(env, capacity=1)
        self.loader = simpy.Resource(env, capacity=1)
        self.transloader = simpy.Resource(env, capacity=1)
        for section in self.sections.values():
            section.entry = simpy.Resource(env, capacity=1) if section.headway > 0 else None
        self.counts = dict.fromkeys(WAGON_STATES, 0)
        self.counts["idle"] = self.wagon_count
        self.state_seconds = dict.fromkeys(WAGON_STATES, 0.0)
        self._last_change = env.now
        self._train_ids = 0

    # -- wagon-state bookkeeping ------------------------------------------------------------
    def move(self, old: str, new: str, wagons: int) -> None:
        """Move ``wagons`` from state ``old`` to ``new``, integrating wagon-seconds per state."""
        now = self.env.now
        for state, count in self.counts.items():
            self.state_seconds[state] += count * (now - self._last_change)
        self._last_change = now
        self.counts[old] -= wagons
        self.counts[new] += wagons

    def state_fractions(self) -> dict[str, float]:
        """Share of wagon time spent in each state since the start. [-]"""
        self.move("idle", "idle", 0)
        total = sum(self.state_seconds.values())
        return {s: (v / total if total > 0 else 0.0) for s, v in self.state_seconds.items()}

    def book(self, pending: list) -> None:
        """Book the loads of a forming train (store → in transit) in the ledger."""
        if np.any(pending[2]):
            _defer_flow(self.ledger, self.env.now, pending[0], pending[1], pending[2], "rail_loading")
            pending[2] = np.zeros(len(COMPONENTS))

    def flush(self) -> None:
        """Book every load not yet booked (call before snapshotting the stores)."""
        for pending in self.pending:
            self.book(pending)

    def next_train_id(self) -> int:
        self._train_ids += 1
        return self._train_ids

    # -- movement ----------------------------------------------------------------------------
    def pass_section(self, section: SectionRuntime):
        """Enter a section (waiting for its headway slot) and run it."""
        env = self.env
        if section.entry is not None:
            request = section.entry.request()
            asked = env.now
            yield request
            self.waits["section"].append(env.now - asked)
            env.process(_release_after(env, section.entry, request, section.headway))
        yield env.timeout(section.travel_time(self.rng))


def _defer_flow(ledger: Ledger, time_s: float, source: str, sink: str, masses: np.ndarray,
                process: str) -> None:
    """:meth:`Ledger.flow` as a deferred row: the same accounts, process and row, registered in
    the same order, turned into arrays with the site's rows (no array pass per train)."""
    row = np.array(masses, dtype=float)   # a copy: the caller keeps its array
    if row.shape != (len(ledger.components),):
        raise ValueError(f"mass vector must have shape ({len(ledger.components)},), got {row.shape}")
    source_id, sink_id = ledger.account(source), ledger.account(sink)
    ledger.defer([(float(time_s), source_id, sink_id, row.reshape(1, -1), ledger.process_id(process))])


def _quiet(env: simpy.Environment) -> bool:
    """True if nothing else is scheduled at ``env.now``: an event that succeeds now would be the
    next one processed, so doing at once what processing it does changes nothing (the event
    itself is left out). Callers also check that nobody waits on the resource concerned."""
    return env.peek() > env.now


class _Held:
    """Stands in a resource's ``users`` for a request granted at once at a quiet instant."""

    __slots__ = ()


def _acquire(env: simpy.Environment, resource: simpy.Resource):
    """A request of ``resource`` to wait for, or None if it is granted at once: at a quiet instant,
    with a free place and nobody queued, the request would succeed and be processed next, which
    only resumes the requester (no release is ever pending: releases succeed as they are made)."""
    if (_quiet(env) and len(resource.users) < resource.capacity and not resource.put_queue
            and not resource.get_queue):
        return None
    return resource.request()


def _release(env: simpy.Environment, resource: simpy.Resource, holder) -> None:
    """Release ``holder`` (a granted request or a :class:`_Held`): at a quiet instant at once
    (what processing the release event does: free the place, grant the queued requests), else
    by a release event, as leaving a ``with resource.request()`` block does."""
    if _quiet(env):
        resource.users.remove(holder)
        resource._trigger_put(None)
    else:
        resource.release(holder)


def _release_after(env, resource, request, delay):
    yield env.timeout(delay)
    resource.release(request)


def _load_time(rail: RailModel, mass: float) -> float:
    return mass / rail.loading_rate * (1.0 + rail.non_loading_allowance)


def dispatcher(env: simpy.Environment, rail: RailModel, destination: str, product: str,
               store: simpy.Container, store_account: str, nominal: np.ndarray,
               own_route: list[SectionRuntime], foreign_route: list[SectionRuntime],
               demand: float | None):
    """Form trains of ``product`` for ``destination`` and send them off (see module docstring).

    Parameters
    ----------
    env : simpy.Environment
    rail : RailModel
    destination, product : str
        Destination name and product shipped. [-]
    store : simpy.Container
        Product store or stockpile loaded from (a :class:`~saltsim.des.plant.MassStore` gives
        the loaded component masses). [kg]
    store_account : str
        Ledger account of ``store``. [-]
    nominal : ndarray
        Component mass per kg of product, used for plain containers. [kg kg⁻¹]
    own_route, foreign_route : list of SectionRuntime
        Sections run with the site's wagons, and after the border transload. [-]
    demand : float or None
        Largest rate the destination takes (None: unlimited). [kg s⁻¹]
    """
    transit_account = f"rail:{destination}"
    rail.in_transit.setdefault(destination, np.zeros(len(COMPONENTS)))
    state = {"shipped": 0.0}

    def load(count, masses, deadline):
        """Load ``count`` wagons, one after the other, with product from the store.

        Returns False (nothing loaded) if ``deadline`` passed before the product was there.
        """
        asked = env.now
        amount = count * rail.payload
        if (mass_store and _quiet(env) and not store.get_queue and not store.put_queue
                and store.level >= amount):
            # The get would succeed at once and be the next event (its condition with the
            # deadline's timeout right after it): take the product now.
            loaded = store.get_now(amount)
        else:
            request = store.get(amount)
            if deadline is None:
                yield request
            else:
                yield request | env.timeout(max(deadline - env.now, 0.0))
                if not request.triggered:
                    request.cancel()
                    return False
            loaded = (request.value if isinstance(request.value, np.ndarray)
                      else nominal * (count * rail.payload))
        rail.waits["product"].append(env.now - asked)
        rail.in_transit[destination] = rail.in_transit[destination] + loaded
        masses += loaded
        pending[2] += loaded  # booked in the ledger per train, at departure (or by flush)
        state["shipped"] += count * rail.payload
        asked = env.now
        position = _acquire(env, rail.loader)
        if position is not None:
            yield position
        else:   # taken at once at a quiet instant: a stand-in holds the loader's place
            position = _Held()
            rail.loader.users.append(position)
        rail.waits["loader"].append(env.now - asked)
        yield env.timeout(count * _load_time(rail, rail.payload))
        _release(env, rail.loader, position)
        return True

    def take_idle(count):
        """Take up to ``count`` idle wagons at once when no other train is waiting for one."""
        if rail.fleet.get_queue:
            return []
        taken = rail.fleet.items[:count]
        del rail.fleet.items[:count]
        if taken:
            rail.move("idle", "forming", len(taken))
        return taken

    def allowance():
        """Most the destination takes by now: demand × time plus one train of slack. [kg]"""
        return demand * env.now + rail.max_wagons * rail.payload

    def paced(count):
        """Wait until the destination's demand allows ``count`` more payloads."""
        if demand is not None:
            excess = state["shipped"] + count * rail.payload - allowance()
            if excess > 0:
                yield env.timeout(excess / demand)

    pending = [store_account, transit_account, np.zeros(len(COMPONENTS))]
    rail.pending.append(pending)
    mass_store = hasattr(store, "get_now")   # a MassStore: product taken at once at a quiet instant
    while True:
        wagons, masses = [], np.zeros(len(COMPONENTS))
        # Wait for product for a minimum train before taking wagons out of the pool.
        minimum = rail.min_wagons * rail.payload
        if hasattr(store, "when_level"):
            yield store.when_level(min(minimum, store.capacity))
        else:
            while store.level < min(minimum, store.capacity):
                yield env.timeout(LEVEL_POLL)
        # Claim the train's minimum of wagons first, one train at a time, so that trains of
        # different destinations never hold part of a minimum each (no deadlock).
        with rail.claim.request() as claim:
            asked = env.now
            yield claim
            wagons += take_idle(rail.min_wagons)
            while len(wagons) < rail.min_wagons:
                request = rail.fleet.get()
                yield request
                wagons.append(request.value)
                rail.move("idle", "forming", 1)
            rail.waits["wagon"].append(env.now - asked)
        formed_at = env.now
        deadline = (formed_at + rail.max_wait if rail.departure == "when_full"
                    else (math.floor(formed_at / rail.headway) + 1) * rail.headway)
        yield from paced(len(wagons))
        yield from load(len(wagons), masses, None)
        while len(wagons) < rail.max_wagons and env.now < deadline:
            # As many wagons as there are idle ones and product for, in one go ...
            room = rail.max_wagons - len(wagons)
            if demand is not None:
                room = min(room, max(int((allowance() - state["shipped"]) // rail.payload), 0))
            fits = int((deadline - env.now) // _load_time(rail, rail.payload))  # loaded by the deadline
            batch = take_idle(min(room, fits, int(store.level // rail.payload)))
            if batch:
                yield from load(len(batch), masses, None)
                wagons += batch
                continue
            # ... else wait for one wagon and its product, up to the deadline.
            yield from paced(1)
            if env.now >= deadline:
                break
            fleet = rail.fleet
            if fleet.items and _quiet(env) and not fleet.get_queue and not fleet.put_queue:
                # The get would succeed at once and be the next event, its condition right after
                # it: take the first idle wagon now (what Store.get takes).
                wagon = fleet.items.pop(0)
            else:
                request = fleet.get()
                yield request | env.timeout(max(deadline - env.now, 0.0))
                if not request.triggered:
                    request.cancel()
                    break
                wagon = request.value
            rail.move("idle", "forming", 1)
            if not (yield from load(1, masses, deadline)):
                rail.move("forming", "idle", 1)
                yield rail.fleet.put(wagon)
                break
            wagons.append(wagon)
        if rail.departure == "schedule":
            if env.now > deadline:
                deadline += math.ceil((env.now - deadline) / rail.headway) * rail.headway
            yield env.timeout(deadline - env.now)
        rail.book(pending)
        env.process(train(env, rail, rail.next_train_id(), destination, product, wagons, masses,
                          formed_at, own_route, foreign_route))


def train(env: simpy.Environment, rail: RailModel, train_id: int, destination: str, product: str,
          wagons: list, masses: np.ndarray, formed_at: float, own_route: list[SectionRuntime],
          foreign_route: list[SectionRuntime]):
    """Run one train: loaded trip, border transload or unloading, delivery, empty return."""
    n = len(wagons)
    mass = n * rail.payload
    with rail.locomotives.request() as locomotive:
        asked = env.now
        yield locomotive
        rail.waits["locomotive"].append(env.now - asked)
        rail.move("forming", "loaded", n)
        row = {"train": train_id, "product": product, "destination": destination, "wagons": n,
               "mass_kg": mass, "formed_s": formed_at, "departure_s": env.now,
               "border_s": math.nan, "arrival_s": math.nan, "return_s": math.nan}
        rail.shipments.append(row)
        for section in own_route:
            yield from rail.pass_section(section)
        own_length = sum(s.length for s in own_route)
        foreign_length = sum(s.length for s in foreign_route)
        if foreign_route or (rail.gauge_break and own_route and
                             own_route[-1].destination == rail.border_station):
            rail.move("loaded", "transloading", n)
            with rail.transloader.request() as crane:
                asked = env.now
                yield crane
                rail.waits["transloader"].append(env.now - asked)
                yield env.timeout(mass / rail.transload_rate + rail.border_dwell)
            row["border_s"] = env.now
            env.process(_foreign_leg(env, rail, destination, masses, foreign_route, row))
            rail.move("transloading", "empty_return", n)
        else:
            rail.move("loaded", "unloading", n)
            yield env.timeout(_load_time(rail, mass))
            _deliver(env, rail, destination, masses, row)
            rail.move("unloading", "empty_return", n)
        for section in reversed(own_route):
            yield from rail.pass_section(section)
    row["return_s"] = env.now
    gross = (mass + n * rail.tare) * own_length + (n * rail.tare * own_length if rail.return_empty else 0.0) \
        + mass * foreign_length
    net = mass * (own_length + foreign_length)
    if rail.fuel_rate is not None:
        diesel = rail.fuel_rate * gross
        co2 = diesel * rail.diesel_co2
    else:
        co2 = rail.rail_co2 * net
        diesel = co2 / rail.diesel_co2
    row.update(distance_m=own_length + foreign_length, net_kg_m=net, gross_kg_m=gross,
               diesel_m3=diesel, co2_kg=co2, cycle_time_s=env.now - formed_at)
    rail.move("empty_return", "idle", n)
    fleet = rail.fleet
    if (not fleet.get_queue and not fleet.put_queue and len(fleet.items) + n <= fleet.capacity
            and _quiet_instant(env, rail.locomotives)):
        # Nobody waits for a wagon and nothing else can happen at this instant: one put per
        # wagon would only append them in order, one event after the other, so append them at once.
        fleet.items.extend(wagons)
        return
    for wagon in wagons:
        yield fleet.put(wagon)


def _quiet_instant(env: simpy.Environment, locomotives: simpy.Resource) -> bool:
    """True if no process can run at ``env.now`` before the active one finishes.

    The only events left at this instant may be releases of ``locomotives`` (the returning
    train's own) with no train waiting for one: processing them changes nothing. Reads SimPy's
    event queue (``Environment._queue``, entries ``(time, priority, id, event)``).
    """
    now = env.now
    if env.peek() > now:
        return True
    queue = getattr(env, "_queue", None)
    if locomotives.put_queue or queue is None:   # a SimPy without that queue: one put per wagon
        return False
    return all(type(event) is Release and event.resource is locomotives
               for time, _, _, event in queue if time == now)


def _foreign_leg(env, rail, destination, masses, route, row):
    for section in route:
        yield from rail.pass_section(section)
    _deliver(env, rail, destination, masses, row)


def _deliver(env, rail, destination, masses, row):
    _defer_flow(rail.ledger, env.now, f"rail:{destination}", f"ext:customer:{destination}", masses,
                "rail_delivery")
    rail.in_transit[destination] = rail.in_transit[destination] - masses
    rail.delivered[(row["product"], destination)] = rail.delivered.get((row["product"], destination), 0.0) \
        + row["mass_kg"]
    row["arrival_s"] = env.now


def wagon_monitor(env: simpy.Environment, rail: RailModel, interval: float):
    """Record the number of wagons in each state every ``interval`` seconds."""
    while True:
        for state in WAGON_STATES:
            rail.wagon_rows.append((env.now, state, rail.counts[state]))
        yield env.timeout(interval)

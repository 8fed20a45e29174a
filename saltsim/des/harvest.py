"""Harvest: crystallizer drain-and-harvest campaigns, crust harvesting, haulage, washing, stockpiles.

A campaign drains a crystallizer (its brine goes on along the network), waits ``drain_time``,
takes a harvester (a ``simpy.Resource``), and works shift by shift in the harvest months. A day's
cut is the harvester rate over the shift hours left after breakdowns (operating time to
breakdown exponential with ``mtbf``, repair ``mttr``), within what the truck fleet can still
haul that day (trucks × payload / (2 × distance / speed + turnaround)) and, for washed salt,
what the field wash plant can still take (both :class:`SharedRate`: their full rate is shared by
the campaigns that cut that day, first come first served, not split over idle harvesters). The
cut leaves ``harvest_floor`` of salt in place. Washed salt is the NaCl of the cut times
``wash_yield``; the rest (other minerals, entrained brine, the NaCl lost) returns to the lake
with the wash water. A full stockpile stops the harvester until there is room; the time blocked
is recorded.

The season bounds a campaign (D33): one that cannot start cutting before the harvest months
close is not started; one still cutting when they close stops, leaves the rest of the layer in
place and puts its pond back online at once, so that the network refills it the next day (a
harvester blocked by a full stockpile keeps its cut salt, not the pond). Every movement of mass
is booked through the pond field's flow book (``field.book``), like the daily physics.

Stockpiles are :class:`saltsim.des.plant.MassStore` s (``simpy.Container`` s of kg that also
carry the ledger component masses of their content), keyed by product.
"""
from __future__ import annotations

import numpy as np
import simpy

from ..constants import COMPONENTS, MOLAR_MASS
from ..units import DAY

__all__ = ["Fleet", "SharedRate", "season_close", "harvest_campaign", "crust_harvest"]

_NA, _CL = COMPONENTS.index("Na"), COMPONENTS.index("Cl")
_NACL_FRACTIONS = np.zeros(len(COMPONENTS))
_NACL_FRACTIONS[_NA] = MOLAR_MASS["Na"] / (MOLAR_MASS["Na"] + MOLAR_MASS["Cl"])
_NACL_FRACTIONS[_CL] = MOLAR_MASS["Cl"] / (MOLAR_MASS["Na"] + MOLAR_MASS["Cl"])


class SharedRate:
    """A rate shared by the campaigns that cut on the same day: the field wash plant, the trucks.

    Each day it handles ``capacity`` × the shift hours of raw salt; a campaign gets what it cuts,
    at most ``capacity`` × its own working hours and what the campaigns before it that day left
    (first come, first served: the throughput is the real rate whatever the number of
    harvesters, idle or not).

    Parameters
    ----------
    capacity : float
        Raw salt handled per second of operation. [kg s⁻¹]
    work_per_day : float
        Operating time per day, the harvest shifts. [s]
    """

    def __init__(self, capacity: float, work_per_day: float):
        self.capacity = float(capacity)
        self.work_per_day = float(work_per_day)
        self._day = None
        self._left = 0.0

    def available(self, day: int, worked: float) -> float:
        """Raw salt one campaign working ``worked`` [s] on ``day`` can still pass. [kg]"""
        if day != self._day:
            self._day, self._left = day, self.capacity * self.work_per_day
        return max(min(self.capacity * worked, self._left), 0.0)

    def take(self, day: int, wanted: float, worked: float) -> float:
        """Raw salt passed for one campaign on ``day``: ``wanted`` [kg] within what is
        :meth:`available`; the amount is used up for the day. [kg]"""
        got = max(min(wanted, self.available(day, worked)), 0.0)
        self._left -= got
        return got


class Fleet:
    """The harvest fleet: harvesters (``simpy.Resource``), loaders (a ``simpy.Container`` of
    machines, for crust harvesting), and the haul rate of the trucks and the field wash plant
    (:class:`SharedRate` s; ``wash`` is None without ``wash_capacity``).

    Parameters
    ----------
    env : simpy.Environment
    spec : saltsim.scenario.schema.Harvest
    """

    def __init__(self, env, spec):
        self.spec = spec
        self.harvesters = simpy.Resource(env, capacity=max(spec.harvesters, 1))
        self.loaders = simpy.Container(env, capacity=max(spec.loaders, 1), init=max(spec.loaders, 1))
        #: Round trip of a truck: there and back plus loading, dumping and manoeuvring. [s]
        self.truck_cycle = 2.0 * spec.haul_distance / spec.truck_speed + spec.truck_turnaround
        #: Cutting rate of one harvester. [kg s⁻¹]
        self.rate = spec.harvester_rate
        self.work_per_day = spec.shifts_per_day * spec.shift_length
        #: The truck fleet's haul rate, shared by the campaigns cutting on a day.
        self.haul = SharedRate(max(spec.trucks, 1) * spec.truck_payload / self.truck_cycle, self.work_per_day)
        self.wash = None if spec.wash_capacity is None else SharedRate(spec.wash_capacity, self.work_per_day)

    def working_time(self, rng, clock: list) -> tuple[float, float]:
        """Hours worked today and repair time lost (breakdowns of the machine). [s]

        ``clock`` holds the machine's operating time left before its next breakdown.
        """
        spec = self.spec
        if spec.mtbf is None:
            return self.work_per_day, 0.0
        worked, lost = 0.0, 0.0
        remaining = self.work_per_day
        while remaining > 0.0:
            if clock[0] > remaining:
                clock[0] -= remaining
                worked += remaining
                break
            worked += clock[0]
            remaining -= clock[0]
            repair = float(rng.exponential(spec.mttr))
            lost += repair
            remaining -= repair
            clock[0] = float(rng.exponential(spec.mtbf))
        return max(worked, 0.0), lost


def season_close(calendar, time_s: float, months) -> float | None:
    """Start of the first day at or after ``time_s`` outside the harvest ``months`` (1-based;
    None = all year), or None when the season stays open to the end of the calendar. [s]"""
    if months is None:
        return None
    first = calendar.day(time_s)
    closed = np.flatnonzero(~np.isin(calendar.month[first:] + 1, months))
    return None if closed.size == 0 else float((first + closed[0]) * DAY)


def _wash(salt: np.ndarray, brine: np.ndarray, spec, washing: bool):
    """Washed product and wash waste in components [kg] (see module docstring)."""
    raw = salt + brine
    if not washing:
        return raw, np.zeros_like(raw)
    nacl = min(salt[_NA] / MOLAR_MASS["Na"], salt[_CL] / MOLAR_MASS["Cl"])
    product = np.zeros_like(raw)
    product[_NA] = nacl * MOLAR_MASS["Na"] * spec.wash_yield
    product[_CL] = nacl * MOLAR_MASS["Cl"] * spec.wash_yield
    return product, raw - product


def harvest_campaign(env, field, index: int, fleet: Fleet, stockpiles, product: str,
                     calendar, rng, ledger, totals: dict, washing: bool = True):
    """Drain, wait, and harvest one crystallizer down to its salt floor or to the end of the
    harvest season; then put it back online.

    Salt products (``washing`` True) go through the wash plant; other products (carnallite,
    mirabilite) go raw, with their entrained brine, to their stockpile. Flows are booked through
    ``field.book``; ``ledger`` records the events (``campaign_start``, ``campaign_end`` with
    ``reason`` "floor" or "season_end", ``harvested_kg`` and ``layer_m``, breakdowns, stockpile
    waits). A cut waiting for stockpile room when the season closes ends the campaign all the same:
    the pond goes back online, the harvester is released, and the salt is stocked when room
    appears (D44).

    Parameters
    ----------
    env : simpy.Environment
    field : saltsim.des.pond_field.PondField
    index : int
        Pond harvested. [-]
    fleet : Fleet
    stockpiles : mapping of str to saltsim.des.plant.MassStore
    product : str
        Stockpile that receives the salt. [-]
    calendar : saltsim.des.clock.Calendar
    rng : numpy.random.Generator
        Breakdowns of the campaign's harvester.
    ledger : saltsim.des.ledger.Ledger
        Receives the events.
    totals : dict
        Run totals (wash energy [J], diesel [m³], hauled [kg], salt in transit [kg], blocked time [s]).
    washing : bool
        Whether the product goes through the wash plant. [-]
    """
    spec = fleet.spec
    name = field.names[index]
    closes = season_close(calendar, env.now, spec.months)
    if closes is not None and env.now + spec.drain_time >= closes:
        return   # the drain would end after the season: leave the pond producing
    season_over = env.timeout(closes - env.now) if closes is not None else env.event()
    book = field.book
    field.drain(env.now, index)
    ledger.event(env.now, "campaign_start", name, layer_m=float(field.layer_thickness()[index]))
    yield env.timeout(spec.drain_time)
    clock = [float(rng.exponential(spec.mtbf)) if spec.mtbf is not None else np.inf]
    floor = field.ponds[index].harvest_floor
    harvested, online, reason = 0.0, False, "floor"

    def back_online():
        field.online[index] = True
        ledger.event(env.now, "campaign_end", name, harvested_kg=harvested, reason=reason,
                     layer_m=float(field.layer_thickness()[index]))

    def stocked(washed, blocked_from=None):
        if blocked_from is not None:
            del totals["blocked_open"][name]
            totals["blocked_s"] = totals.get("blocked_s", 0.0) + env.now - blocked_from
            ledger.event(env.now, "stockpile_unblocked", product, pond=name, blocked_s=env.now - blocked_from)
        totals["in_transit"] -= washed
        book.flow(env.now, "harvest:field", f"stockpile:{product}", washed, "to_stockpile")

    def stock_when_room(put, washed, blocked_from):
        yield put
        stocked(washed, blocked_from)

    waiting = None   # a stockpile put still open when the season closed: (put, washed, blocked since)
    with fleet.harvesters.request() as machine:
        yield machine | season_over
        if not machine.triggered:   # no harvester came free this season
            reason = "season_end"
            back_online()
            return
        while not online:
            thickness = float(field.layer_thickness()[index])
            if thickness <= floor * (1.0 + 1e-9):
                break
            if not calendar.in_months(env.now, spec.months):
                reason = "season_end"
                break
            worked, lost = fleet.working_time(rng, clock)
            if lost > 0.0:
                ledger.event(env.now, "harvester_breakdown", name, lost_s=lost)
            layer_mass = float(field.state.layer[index] @ field.lookup.mineral_molar_mass)
            cuttable = layer_mass * (thickness - floor) / thickness
            day = calendar.day(env.now)
            cut = min(fleet.rate * worked, cuttable)
            if washing and fleet.wash is not None:
                cut = min(cut, fleet.wash.available(day, worked))
            cut = fleet.haul.take(day, cut, worked)
            if washing and fleet.wash is not None:
                fleet.wash.take(day, cut, worked)
            if cut > 0.0:
                fraction = cut / layer_mass if cut < cuttable else (thickness - floor) / thickness
                salt, brine = field.harvest_layer(env.now, index, fraction)
                washed, waste = _wash(salt, brine, spec, washing)
                wash_water = np.zeros(len(COMPONENTS))
                wash_water[0] = spec.wash_water * washed.sum() * 1000.0 if washing else 0.0
                if wash_water[0] > 0:
                    book.flow(env.now, "ext:water_supply", "harvest:field", wash_water, "wash_water")
                if washing:
                    field.dump_to_lake(env.now, "harvest:field", waste + wash_water, "wash_waste")
                totals["wash_energy_J"] += spec.wash_energy * washed.sum() if washing else 0.0
                totals["diesel_m3"] += spec.diesel_rate * (salt + brine).sum()
                totals["hauled_kg"] += (salt + brine).sum()
                kg = float(washed.sum())
                harvested += kg
                totals["in_transit"] += washed     # hauled, waiting for stockpile room
                stockpile = stockpiles[product]
                put = stockpile.put(kg, washed) if kg > 0.0 else None   # a cut without NaCl stocks nothing
                blocked_from = None
                if put is not None and not put.triggered:
                    blocked_from = env.now
                    ledger.event(env.now, "stockpile_full", product, pond=name)
                    totals["blocked_open"][name] = blocked_from
                    yield put | season_over
                    if not put.triggered:
                        # the season closed: the campaign ends, the pond goes back online and the
                        # crew is released (D44); the cut salt waits for room on its own
                        reason, online = "season_end", True
                        back_online()
                        waiting = (put, washed, blocked_from)
                        break
                stocked(washed, blocked_from)
            if not online:
                yield env.timeout(DAY)
    if waiting is not None:
        env.process(stock_when_room(*waiting))   # the campaign (and the pond's turn) ends now
    elif not online:
        back_online()


def crust_harvest(env, lake, fleet: Fleet, stockpiles, product: str, calendar, rng, book,
                  totals: dict):
    """Mechanical harvest of the natural lake crust (the cheap, dusty strategy).

    Loaders (``harvest.loaders`` × ``loader_rate``) work the harvest months when the playa is dry
    (no wetted area over the harvestable crust); each tonne taken disturbs
    1 / (bulk_density × harvest_depth × halite_fraction) m² of crust. ``book`` is the model's flow
    book (``PondField.book``) or the ledger.
    """
    spec, crust = fleet.spec, lake.spec.crust
    nacl_molar = MOLAR_MASS["Na"] + MOLAR_MASS["Cl"]
    loaders = spec.loaders
    if loaders > 0:
        yield fleet.loaders.get(loaders)  # the crust crew holds the loaders for the whole run
    while True:
        if calendar.in_months(env.now, spec.months) and lake.wetted_area() < lake.spec.area - crust.harvestable_area \
                and crust.harvestable_area > 0:
            rate = loaders * spec.loader_rate
            kg = min(rate * spec.shifts_per_day * spec.shift_length, lake.crust_nacl * nacl_molar * 0.999)
            stockpile = stockpiles[product]
            kg = min(kg, stockpile.capacity - stockpile.level)
            if kg > 0.0:
                moles = kg / nacl_molar
                lake.crust_nacl -= moles
                masses = moles * nacl_molar * _NACL_FRACTIONS
                yield stockpile.put(kg, masses)
                book.flow(env.now, "lake:crust", f"stockpile:{product}", masses, "crust_harvest")
                lake.disturbed_area = min(lake.disturbed_area + kg / (
                    crust.bulk_density * crust.harvest_depth * crust.halite_fraction), crust.harvestable_area)
                totals["diesel_m3"] += spec.diesel_rate * kg
                totals["hauled_kg"] += kg
        yield env.timeout(DAY)

"""Harvest: crystallizer drain-and-harvest campaigns, crust harvesting, haulage, washing, stockpiles.

A campaign drains a crystallizer (its brine goes on along the network), waits ``drain_time``,
takes a harvester (a ``simpy.Resource``), and works shift by shift in the harvest months. A day's
cut is the smaller of the harvester rate and the haul rate of the trucks assigned to it
(payload / (2 × distance / speed + turnaround)), and of the wash plant's capacity, over the
shift hours left after breakdowns (operating time to breakdown exponential with ``mtbf``,
repair ``mttr``). The cut leaves ``harvest_floor`` of salt in place. Washed salt is the NaCl of
the cut times ``wash_yield``; the rest (other minerals, entrained brine, the NaCl lost) returns to
the lake with the wash water. A full stockpile stops the harvester until there is room; the
time blocked is recorded.

Stockpiles are :class:`saltsim.des.plant.MassStore` s (``simpy.Container`` s of kg that also
carry the ledger component masses of their content), keyed by product.
"""
from __future__ import annotations

import numpy as np
import simpy

from ..constants import COMPONENTS, MOLAR_MASS
from ..units import DAY

__all__ = ["Fleet", "harvest_campaign", "crust_harvest"]

_NA, _CL = COMPONENTS.index("Na"), COMPONENTS.index("Cl")
_NACL_FRACTIONS = np.zeros(len(COMPONENTS))
_NACL_FRACTIONS[_NA] = MOLAR_MASS["Na"] / (MOLAR_MASS["Na"] + MOLAR_MASS["Cl"])
_NACL_FRACTIONS[_CL] = MOLAR_MASS["Cl"] / (MOLAR_MASS["Na"] + MOLAR_MASS["Cl"])


class Fleet:
    """The harvest fleet as SimPy resources: harvesters (``simpy.Resource``), and the trucks and
    loaders as pools (``simpy.Container`` of machines) that campaigns draw their share from.

    Parameters
    ----------
    env : simpy.Environment
    spec : saltsim.scenario.schema.Harvest
    """

    def __init__(self, env, spec):
        self.spec = spec
        self.harvesters = simpy.Resource(env, capacity=max(spec.harvesters, 1))
        self.trucks = simpy.Container(env, capacity=max(spec.trucks, 1), init=max(spec.trucks, 1))
        self.loaders = simpy.Container(env, capacity=max(spec.loaders, 1), init=max(spec.loaders, 1))
        #: Trucks that serve one harvester (its share of the pool). [-]
        self.trucks_per_harvester = max(spec.trucks // max(spec.harvesters, 1), 1)
        #: Round trip of a truck: there and back plus loading, dumping and manoeuvring. [s]
        self.truck_cycle = 2.0 * spec.haul_distance / spec.truck_speed + spec.truck_turnaround
        #: Cutting rate of one harvester with its trucks (and its share of the wash plant). [kg s⁻¹]
        self.rate = min(spec.harvester_rate, self.trucks_per_harvester * spec.truck_payload / self.truck_cycle)
        if spec.wash_capacity is not None:
            self.rate = min(self.rate, spec.wash_capacity / max(spec.harvesters, 1))
        self.work_per_day = spec.shifts_per_day * spec.shift_length

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
    """Drain, wait, and harvest one crystallizer down to its salt floor; then put it back online.

    Salt products (``washing`` True) go through the wash plant; other products (carnallite,
    mirabilite) go raw, with their entrained brine, to their stockpile.
    """
    spec = fleet.spec
    name = field.names[index]
    field.drain(env.now, index)
    ledger.event(env.now, "campaign_start", name, layer_m=float(field.layer_thickness()[index]))
    yield env.timeout(spec.drain_time)
    clock = [float(rng.exponential(spec.mtbf)) if spec.mtbf is not None else np.inf]
    with fleet.harvesters.request() as machine:
        yield machine
        yield fleet.trucks.get(fleet.trucks_per_harvester)
        floor = field.ponds[index].harvest_floor
        harvested = 0.0
        while True:
            thickness = float(field.layer_thickness()[index])
            if thickness <= floor * (1.0 + 1e-9):
                break
            if not calendar.in_months(env.now, spec.months):
                yield env.timeout(DAY)
                continue
            worked, lost = fleet.working_time(rng, clock)
            if lost > 0.0:
                ledger.event(env.now, "harvester_breakdown", name, lost_s=lost)
            layer_mass = float(field.state.layer[index] @ field.lookup.mineral_molar_mass)
            cuttable = layer_mass * (thickness - floor) / thickness
            cut = min(fleet.rate * worked, cuttable)
            if cut > 0.0:
                fraction = cut / layer_mass if cut < cuttable else (thickness - floor) / thickness
                salt, brine = field.harvest_layer(env.now, index, fraction)
                washed, waste = _wash(salt, brine, spec, washing)
                ledger.flow(env.now, f"layer:{name}", "harvest:field", salt, "harvest")
                ledger.flow(env.now, f"pond:{name}", "harvest:field", brine, "harvest_entrained_brine")
                wash_water = np.zeros(len(COMPONENTS))
                wash_water[0] = spec.wash_water * washed.sum() * 1000.0 if washing else 0.0
                if wash_water[0] > 0:
                    ledger.flow(env.now, "ext:water_supply", "harvest:field", wash_water, "wash_water")
                if washing:
                    field.dump_to_lake(env.now, "harvest:field", waste + wash_water, "wash_waste")
                totals["wash_energy_J"] += spec.wash_energy * washed.sum() if washing else 0.0
                totals["diesel_m3"] += spec.diesel_rate * (salt + brine).sum()
                totals["hauled_kg"] += (salt + brine).sum()
                kg = float(washed.sum())
                totals["in_transit"] += washed     # hauled, waiting for stockpile room
                stockpile = stockpiles[product]
                if stockpile.capacity - stockpile.level < kg:
                    blocked_from = env.now
                    ledger.event(env.now, "stockpile_full", product, pond=name)
                    totals["blocked_open"][name] = blocked_from
                    yield stockpile.put(kg, washed)
                    del totals["blocked_open"][name]
                    totals["blocked_s"] = totals.get("blocked_s", 0.0) + env.now - blocked_from
                    ledger.event(env.now, "stockpile_unblocked", product, pond=name,
                                 blocked_s=env.now - blocked_from)
                else:
                    yield stockpile.put(kg, washed)
                totals["in_transit"] -= washed
                ledger.flow(env.now, "harvest:field", f"stockpile:{product}", washed, "to_stockpile")
                harvested += kg
            yield env.timeout(DAY)
        yield fleet.trucks.put(fleet.trucks_per_harvester)
    field.online[index] = True
    ledger.event(env.now, "campaign_end", name, harvested_kg=harvested)


def crust_harvest(env, lake, fleet: Fleet, stockpiles, product: str, calendar, rng, ledger,
                  totals: dict):
    """Mechanical harvest of the natural lake crust (the cheap, dusty strategy).

    Loaders (``harvest.loaders`` × ``loader_rate``) work the harvest months when the playa is dry
    (no wetted area over the harvestable crust); each tonne taken disturbs
    1 / (bulk_density × harvest_depth × halite_fraction) m² of crust.
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
                ledger.flow(env.now, "lake:crust", f"stockpile:{product}", masses, "crust_harvest")
                lake.disturbed_area = min(lake.disturbed_area + kg / (
                    crust.bulk_density * crust.harvest_depth * crust.halite_fraction), crust.harvestable_area)
                totals["diesel_m3"] += spec.diesel_rate * kg
                totals["hauled_kg"] += kg
        yield env.timeout(DAY)

"""Processing plants, energy and water supply, and rail export, wired into one SimPy model.

:func:`start_logistics` is called by the site model after it has built the environment, the
ledger and the stockpiles; it works as well on a small environment of its own (tests, benchmarks,
``examples/fleet_size_sweep.py``).

Mass path and ledger accounts::

    stockpile:<feed> ─▶ plant:<name> ─▶ store:<product> (or stockpile:<product>) ─▶ rail:<destination>
         ext:reagents ─▶ plant ─▶ ext:waste, ext:atmosphere, ext:chlorine         ─▶ ext:customer:<destination>
     ext:water_supply ─▶ plant

Stores created here (``store:<product>``: the load-out silos of plant products that have no
stockpile of their own; ``plant:<name>``; ``rail:<destination>``: product loaded and not yet
delivered) are snapshotted in the ledger at the start and by :meth:`LogisticsHandles.finish`.
Stockpiles belong to the site model, which snapshots them.

Random streams: ``rngs`` is one ``numpy.random.Generator`` (or a sequence whose first two items
are used); it is split with ``spawn(2)`` into the plant-failure stream and the rail-delay stream,
and the plant stream again into one child per plant, in scenario order.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

import numpy as np
import simpy

from ..constants import COMPONENTS
from ..errors import ScenarioError
from ..processing.routes import ROUTE_PRODUCTS
from ..processing.stoichiometry import component_masses, mass_fractions, molar_mass
from ..units import DAY
from .ledger import Ledger
from .plant import PLANT_RECORD_FIELDS, MassStore, PlantSpec, Uptime, breakdowns, plant, plant_specs
from .rail import WAGON_STATES, RailModel, SectionRuntime, dispatcher, wagon_monitor
from .supply import WATER_KINDS, Supply

__all__ = ["start_logistics", "run_standalone", "feeder", "LogisticsHandles", "nominal_composition",
           "BITTERN_PROXY", "PLANTS_COLUMNS", "SHIPMENTS_COLUMNS", "WAGON_STATES_COLUMNS",
           "KPI_DESCRIPTIONS", "KPI_DISPLAY", "BLOCKED_EVENT"]

#: Event kind the site model records when a full stockpile stops harvest (``entity`` =
#: ``stockpile:<product>``); the ``production_blocked_d`` KPI counts the distinct days.
BLOCKED_EVENT = "stockpile_full"


def _bittern_proxy() -> np.ndarray:
    """A 30 wt % MgCl₂ bittern, per kg: US Magnesium ponds raise MgCl₂ from 2.5 to 30 % [M5]."""
    masses = component_masses("MgCl2", 0.30 / molar_mass("MgCl2"))
    masses[COMPONENTS.index("H2O")] += 0.70
    return masses


#: Composition of bittern when the stockpile does not track it (PROXY, [M5]). [kg kg⁻¹]
BITTERN_PROXY = _bittern_proxy()

_NAMED = {"halite": "NaCl", "salt": "NaCl", "raw_salt": "NaCl", "nacl": "NaCl",
          "carnallite": "carnallite", "mirabilite": "mirabilite", "thenardite": "thenardite",
          "sodium_sulphate": "thenardite", "bischofite": "bischofite", "kcl": "KCl",
          "sylvite": "KCl", "magnesia": "MgO", "mgo": "MgO", "magnesium": "Mg",
          "mg(oh)2": "Mg(OH)2", "magnesium_hydroxide": "Mg(OH)2", "potash": "KCl",
          "magnesium_chloride": "bischofite", "mgcl2": "bischofite"}


def nominal_composition(product: str) -> np.ndarray | None:
    """Component mass per kg of a named product (None if the name says nothing). [kg kg⁻¹]"""
    key = product.lower()
    if key in ("bittern", "bitterns"):
        return BITTERN_PROXY.copy()
    if key in _NAMED:
        return mass_fractions(_NAMED[key])
    return None


@dataclass
class LogisticsHandles:
    """What :func:`start_logistics` built: stores, plants, supply, rail, and their records."""

    env: simpy.Environment
    ledger: Ledger
    stores: dict[str, MassStore]
    plants: list[PlantSpec]
    supply: Supply
    rail: RailModel | None
    plant_records: list   # one tuple per plant and period (plant.PLANT_RECORD_FIELDS)
    start: np.datetime64
    stockpiles: dict | None = None

    def snapshot(self) -> None:
        """Record the content of every internal account created here."""
        now = self.env.now
        if self.rail is not None:
            self.rail.flush()
        for store in self.stores.values():
            self.ledger.stock(now, store.name, store.masses)
        for spec in self.plants:
            self.ledger.stock(now, f"plant:{spec.name}", np.zeros(len(COMPONENTS)))
        if self.rail is not None:
            for destination, masses in self.rail.in_transit.items():
                self.ledger.stock(now, f"rail:{destination}", masses)

    def finish(self) -> None:
        """Snapshot the stores at the end of a run (call after ``env.run``); complete the plant rows."""
        self.snapshot()
        self.supply.settle()

    # -- tables ------------------------------------------------------------------------------
    def _time(self, seconds):
        return self.start + (np.asarray(seconds, dtype=float) * 1e3).astype("timedelta64[ms]")

    def tables(self) -> dict:
        """The ``plants``, ``shipments`` and ``wagon_states`` tables (pandas DataFrames)."""
        import pandas as pd

        self.supply.settle()   # plant rows are complete once the supply's deferred draws are in
        plants = pd.DataFrame(self.plant_records, columns=list(PLANTS_COLUMNS))
        plants.insert(0, "time", self._time(plants.pop("time_s").to_numpy(float)))
        rows = self.rail.shipments if self.rail is not None else []
        shipments = pd.DataFrame(rows, columns=list(_SHIPMENT_FIELDS))
        for name in ("formed", "departure", "border", "arrival", "return"):
            shipments[name] = self._time(shipments.pop(f"{name}_s").to_numpy(float))
        shipments["transit_time_s"] = (shipments["arrival"] - shipments["departure"]).dt.total_seconds()
        shipments = shipments[list(SHIPMENTS_COLUMNS)]
        wagon_rows = self.rail.wagon_rows if self.rail is not None else []
        wagons = pd.DataFrame(wagon_rows, columns=["time_s", "state", "wagons"])
        wagons.insert(0, "time", self._time(wagons.pop("time_s").to_numpy(float)))
        return {"plants": plants, "shipments": shipments, "wagon_states": wagons}

    def kpi_table(self):
        """The KPIs of :meth:`kpis` as a ``kpis`` DataFrame in display units (t, MWh, h, t*km)."""
        import pandas as pd

        rows = []
        for row in self.kpis():
            factor, unit = KPI_DISPLAY[row["unit"]]
            rows.append({**row, "value": row["value"] * factor, "unit": unit})
        return pd.DataFrame(rows, columns=["kpi", "value", "unit", "description"])

    def kpis(self) -> list[dict]:
        """Logistics KPIs as rows of the ``kpis`` table: ``kpi``, ``value``, ``unit``, ``description``.

        Values are SI (``unit`` in pint syntax); a KPI that is split by product, destination,
        state or queue is named ``<kpi>:<what>`` (``delivered:magnesia->china``).
        """
        rows = []
        units = {"kg": "kg", "J": "J", "m3": "m^3", "d": "d", "s": "s", "frac": "", "-": "",
                 "kg m": "kg*m"}

        def add(kpi, value, unit, detail=""):
            rows.append({"kpi": f"{kpi}:{detail}" if detail else kpi, "value": float(value),
                         "unit": units[unit], "description": KPI_DESCRIPTIONS.get(kpi, kpi)})

        horizon = max(self.env.now, 1.0)
        self.supply.settle()
        produced: dict[str, float] = {}
        product_at, production_at = _FIELD["product"], _FIELD["production_kg"]
        for record in self.plant_records:
            produced[record[product_at]] = produced.get(record[product_at], 0.0) + record[production_at]
        for product, mass in sorted(produced.items()):
            add("plant_production_kg", mass, "kg", product)
        # sum() over itemgetter: the same float additions in the same order as a generator
        # expression, without a Python frame per record
        energy = {key: sum(map(itemgetter(_FIELD[key]), self.plant_records))
                  for key in ("electricity_J", "heat_J", "pv_J", "grid_J", "diesel_m3", "water_m3",
                              "co2_kg", "electricity_unmet_J", "water_unmet_m3")}
        for key, value in energy.items():
            add(f"plants_{key}", value, key.rsplit("_", 1)[1])
        blocked_days = {int(t // DAY) for t, kind, _, _ in self.ledger.events if kind == BLOCKED_EVENT}
        add("production_blocked_d", len(blocked_days), "d")
        plant_blocked = {int(t // DAY) for t, kind, _, _ in self.ledger.events if kind == "plant_blocked"}
        add("plant_blocked_d", len(plant_blocked), "d")
        rail = self.rail
        if rail is None:
            return rows
        for (product, destination), mass in sorted(rail.delivered.items()):
            add("delivered_kg", mass, "kg", f"{product}->{destination}")
        shipped = rail.shipments
        add("trains_run", len(shipped), "-")
        add("trains_delivered", sum(1 for r in shipped if not math.isnan(r["arrival_s"])), "-")
        done = [r for r in shipped if "cycle_time_s" in r]
        wagons_done = sum(r["wagons"] for r in done)
        add("wagon_cycle_time_s", (sum(r["cycle_time_s"] * r["wagons"] for r in done) / wagons_done
                                   if wagons_done else math.nan), "s")
        fractions = rail.state_fractions()
        add("wagon_utilisation_frac", 1.0 - fractions["idle"], "frac")
        for state, share in fractions.items():
            add("wagon_time_frac", share, "frac", state)
        for queue, waits in rail.waits.items():
            add("mean_wait_s", float(np.mean(waits)) if waits else 0.0, "s", queue)
        add("net_tonne_km_kg_m", sum(r.get("net_kg_m", 0.0) for r in shipped), "kg m")
        add("rail_diesel_m3", sum(r.get("diesel_m3", 0.0) for r in shipped), "m3")
        add("rail_co2_kg", sum(r.get("co2_kg", 0.0) for r in shipped), "kg")
        add("wagons_in_fleet", rail.wagon_count, "-")
        add("simulated_s", horizon, "s")
        return rows


#: KPI name → description (the ``kpis`` table's ``description`` column).
KPI_DESCRIPTIONS = {
    "plant_production_kg": "Product made by the plants, per product",
    "plants_electricity_J": "Plant electricity incl. water supply", "plants_heat_J": "Plant process heat",
    "plants_pv_J": "Plant electricity from on-site PV", "plants_grid_J": "Plant electricity from the grid",
    "plants_diesel_m3": "Diesel burnt by generators", "plants_water_m3": "Fresh water used by the plants",
    "plants_co2_kg": "CO2 of plant electricity, diesel and heat",
    "plants_electricity_unmet_J": "Electricity no carrier could supply",
    "plants_water_unmet_m3": "Water no source could supply",
    "production_blocked_d": "Days on which a full stockpile stopped production (stockpile_full events)",
    "plant_blocked_d": "Days on which a full product store limited a plant",
    "delivered_kg": "Mass delivered per product and destination",
    "trains_run": "Trains that left the terminal", "trains_delivered": "Trains whose load arrived",
    "wagon_cycle_time_s": "Mean wagon round trip, formation start to return (wagon-weighted)",
    "wagon_utilisation_frac": "Share of wagon time not idle at the terminal",
    "wagon_time_frac": "Share of wagon time per state",
    "mean_wait_s": "Mean wait per queue (wagon claim, product, loader, locomotive, section, transloader)",
    "net_tonne_km_kg_m": "Net transport work (1 t km = 1e6 kg m)",
    "rail_diesel_m3": "Diesel burnt by trains", "rail_co2_kg": "CO2 of the trains",
    "wagons_in_fleet": "Wagons in the fleet", "simulated_s": "Simulated time",
}

#: SI unit of a KPI → (factor, display unit) for the ``kpis`` table.
KPI_DISPLAY = {"kg": (1e-3, "t"), "J": (1 / 3.6e9, "MWh"), "m^3": (1.0, "m^3"), "d": (1.0, "d"),
               "s": (1 / 3600.0, "h"), "": (1.0, ""), "kg*m": (1e-6, "t*km")}

_SHIPMENT_FIELDS = ("train", "product", "destination", "wagons", "mass_kg", "formed_s", "departure_s",
                    "border_s", "arrival_s", "return_s", "distance_m", "net_kg_m", "gross_kg_m",
                    "diesel_m3", "co2_kg", "cycle_time_s")

#: Columns of the ``shipments`` table (one row per train) and their descriptions.
SHIPMENTS_COLUMNS = {
    "train": "Train number (1, 2, … in order of departure)",
    "product": "Product carried",
    "destination": "Destination name",
    "wagons": "Wagons in the train",
    "mass_kg": "Net mass carried",
    "formed": "When the first wagon of the train was taken for loading",
    "departure": "Departure from the loading terminal",
    "border": "End of transloading at the border (NaT if the train does not cross it)",
    "arrival": "Delivery to the customer (NaT while in transit)",
    "return": "Return of the site's empty wagons to the terminal (NaT while out)",
    "transit_time_s": "Arrival minus departure",
    "cycle_time_s": "Return of the wagons minus formation start",
    "distance_m": "Route length terminal to destination",
    "net_kg_m": "Net transport work (mass × distance; 1 t·km = 1e6 kg·m)",
    "gross_kg_m": "Gross transport work incl. wagon tare, loaded and empty",
    "diesel_m3": "Diesel burnt by the train (from fuel_rate, else derived from the CO2 factor)",
    "co2_kg": "CO2 of the train",
}

#: Columns of the ``plants`` table (one row per plant and period) and their descriptions.
PLANTS_COLUMNS = {
    "time_s": "End of the production period",
    "plant": "Plant name", "route": "Processing route", "product": "Product made",
    "uptime_frac": "Share of the period the plant could run (failures, availability)",
    "feed_kg": "Feed taken from the feed stockpile", "production_kg": "Product made (incl. oxygen of oxides)",
    "reagents_kg": "Reagents (lime, dolime) as ledger components",
    "waste_kg": "Wash brine, end liquor and CaCl2 liquor to waste", "vapour_kg": "Water evaporated",
    "chlorine_kg": "Cl2 co-product", "blocked_by_output": "The product store was full",
    "electricity_J": "Electricity incl. water pumping and treatment", "pv_J": "Electricity from on-site PV",
    "grid_J": "Electricity from the grid", "diesel_generated_J": "Electricity from diesel generators",
    "electricity_unmet_J": "Electricity demand no carrier could meet",
    "diesel_m3": "Diesel burnt by generators", "heat_J": "Process heat (natural gas)",
    "water_m3": "Fresh water demanded", "water_unmet_m3": "Fresh water no source could supply",
    "co2_kg": "CO2 of electricity, diesel and heat",
    **{f"water_{kind}_m3": f"Water from {kind.replace('_', ' ')} sources" for kind in WATER_KINDS},
}

#: Position of each field in a plant record (they are rows of the plants table: PLANTS_COLUMNS).
_FIELD = {name: i for i, name in enumerate(PLANT_RECORD_FIELDS)}

#: Columns of the ``wagon_states`` table (daily count of wagons per state).
WAGON_STATES_COLUMNS = {"time": "Time of the count", "state": f"One of {', '.join(WAGON_STATES)}",
                        "wagons": "Wagons in that state"}


def _generators(rngs) -> tuple[np.random.Generator, np.random.Generator]:
    if isinstance(rngs, np.random.Generator):
        plants_rng, rail_rng = rngs.spawn(2)
        return plants_rng, rail_rng
    return rngs[0], rngs[1]


def _default_rail_products(plants, stockpiles) -> list[str]:
    products = [p.product for p in plants]
    feeds = {p.feed for p in plants}
    products += [name for name in stockpiles if name not in feeds and name not in products
                 and name.lower() not in ("bittern", "bitterns")]
    return list(dict.fromkeys(products))


def _sections(rail_spec) -> dict[str, SectionRuntime]:
    sections = {}
    for s in rail_spec.sections:
        capacity = s.capacity
        sections[s.name] = SectionRuntime(
            name=s.name, length=s.length, speed=s.speed, transit_time_min=s.transit_time_min,
            transit_time_max=s.transit_time_max, headway=1.0 / capacity if capacity else 0.0,
            delay_mean=s.delay_mean, destination=s.destination)
    return sections


def _impact(scenario, name, default):
    value = getattr(getattr(scenario, "impacts", None), name, None)
    return default if value is None else value


def start_logistics(env: simpy.Environment, scenario, stockpiles: Mapping[str, simpy.Container],
                    ledger: Ledger, rngs, *, plants: Sequence | None = None, period: float = DAY,
                    monitor_interval: float = DAY) -> LogisticsHandles:
    """Start the plants, the supply and the rail export of ``scenario`` in ``env``.

    Parameters
    ----------
    env : simpy.Environment
    scenario : saltsim.scenario.Scenario
        Uses ``site.start``, ``plants``, ``rail``, ``energy``, ``water``, ``impacts``.
    stockpiles : mapping of str to simpy.Container
        The site's stockpiles by product (kg). A :class:`~saltsim.des.plant.MassStore` tracks its
        composition; a plain Container is taken to hold the nominal composition of its product
        (:func:`nominal_composition`). Plant feeds must be here. [kg]
    ledger : Ledger
    rngs : numpy.random.Generator or sequence of Generator
        See the module docstring.
    plants : sequence of scenario plant records, optional
        The plants that run (a strategy's ``select_plants(scenario.plants)``); default all.
    period : float
        Production period of the plants. [s]
    monitor_interval : float
        Interval of the wagon-state counts. [s]

    Returns
    -------
    LogisticsHandles

    Raises
    ------
    ScenarioError
        One line per plant feed, destination route or product that names nothing.
    """
    problems: list[str] = []
    start = np.datetime64(scenario.site.start, "s")
    plants_rng, rail_rng = _generators(rngs)
    nominal = {name: nominal_composition(name) for name in stockpiles}
    nominal = {k: v for k, v in nominal.items() if v is not None}
    plant_records = tuple(scenario.plants if plants is None else plants)
    specs = plant_specs(plant_records, nominal)
    rail_spec = scenario.rail if scenario.rail is not None and scenario.rail.enabled else None
    silo = (rail_spec.terminal.silo_capacity if rail_spec is not None
            and rail_spec.terminal.silo_capacity is not None else math.inf)
    stores: dict[str, MassStore] = {}
    outputs: dict[str, tuple[simpy.Container, str]] = {
        name: (pile, f"stockpile:{name}") for name, pile in stockpiles.items()}
    for i, spec in enumerate(specs):
        if spec.feed not in stockpiles:
            problems.append(f"plants[{i}].feed: found {spec.feed!r}, which names no stockpile; "
                            f"expected one of: {', '.join(sorted(stockpiles)) or '(none)'}")
        if spec.product not in outputs:
            store = MassStore(env, capacity=silo, composition=mass_fractions(ROUTE_PRODUCTS[spec.route]),
                              name=f"store:{spec.product}")
            stores[spec.product] = store
            outputs[spec.product] = (store, store.name)
    supply = Supply.from_scenario(scenario) if hasattr(scenario, "energy") else Supply(start=start)
    rail = None
    if rail_spec is not None:
        sections = _sections(rail_spec)
        border = rail_spec.border
        rail = RailModel(
            env=env, ledger=ledger, rng=rail_rng, wagon_count=rail_spec.wagons.count,
            payload=rail_spec.wagons.payload, tare=rail_spec.wagons.tare,
            wagon_type=rail_spec.wagons.type, loading_rate=rail_spec.terminal.loading_rate,
            non_loading_allowance=rail_spec.terminal.non_loading_allowance,
            min_wagons=rail_spec.trains.min_wagons, max_wagons=rail_spec.trains.max_wagons,
            departure=rail_spec.trains.departure, headway=rail_spec.trains.headway,
            max_wait=rail_spec.trains.max_wait, return_empty=rail_spec.trains.return_empty,
            sections=sections, locomotive_count=rail_spec.locomotives.count,
            fuel_rate=rail_spec.locomotives.fuel_rate,
            rail_co2=_impact(scenario, "rail_co2", 30e-3 / 1e6),  # 30 g/tkm [R42]
            diesel_co2=_impact(scenario, "diesel_co2", 2610.0),  # 2.61 kg/L [X1]
            border_station=border.station if border is not None else None,
            transload_rate=border.transload_rate if border is not None else math.inf,
            border_dwell=border.dwell if border is not None else 0.0,
            gauge_break=bool(border is not None and border.gauge_break))
        default_products = _default_rail_products(plant_records, stockpiles)
        for d, destination in enumerate(rail_spec.destinations):
            route = []
            for name in destination.route:
                if name not in sections:
                    problems.append(f"rail.destinations[{d}].route: found {name!r}, which names no "
                                    f"section; expected one of: {', '.join(sections) or '(none)'}")
                else:
                    route.append(sections[name])
            own, foreign = route, []
            if destination.crosses_border:
                ends = [k for k, s in enumerate(route) if s.destination == rail.border_station]
                through = [k for k, s in enumerate(route) if s.transit_time_min is not None]
                if not ends and through and through[0] > 0:
                    # The border lies inside an international through service described by
                    # transit times: the site's wagons run to its start (docs/decisions.md).
                    ends = [through[0] - 1]
                if border is None or not ends:
                    problems.append(f"rail.destinations[{d}].crosses_border: true, but no section of its "
                                    f"route ends at the border station {rail.border_station!r}; expected "
                                    f"a section with that destination, or a transit-time section after "
                                    f"the first")
                else:
                    own, foreign = route[:ends[0] + 1], route[ends[0] + 1:]
            by_plant = {spec.name: spec.product for spec in specs}
            idle = {p.name for p in scenario.plants} - set(by_plant)  # plants the strategy left out
            products = list(dict.fromkeys(by_plant.get(name, name) for name in destination.products
                                          if name not in idle))
            products = products or default_products
            for product in products:
                if product not in outputs:
                    # References are checked at load; a name missing here is a plant the
                    # strategy does not run, so nothing of it is shipped.
                    ledger.event(env.now, "rail_product_not_made", f"rail:{destination.name}",
                                 product=product)
                    continue
                store, account = outputs[product]
                composition = (store.composition if isinstance(store, MassStore) and store.composition.any()
                               else nominal.get(product, np.zeros(len(COMPONENTS))))
                demand = destination.demand / len(products) if destination.demand is not None else None
                env.process(dispatcher(env, rail, destination.name, product, store, account,
                                       composition, own, foreign, demand))
            rail.in_transit.setdefault(destination.name, np.zeros(len(COMPONENTS)))
        env.process(wagon_monitor(env, rail, monitor_interval))
    if problems:
        raise ScenarioError(problems=problems)
    records: list = []
    plant_rngs = plants_rng.spawn(len(specs)) if specs else []
    for spec, rng in zip(specs, plant_rngs):
        uptime = Uptime()
        feed = stockpiles[spec.feed]
        output, account = outputs[spec.product]
        env.process(plant(env, spec, feed, output, f"stockpile:{spec.feed}", account, supply, ledger,
                          uptime, records, start, period))
        if spec.mtbf is not None:
            env.process(breakdowns(env, spec, uptime, rng, ledger))
    handles = LogisticsHandles(env=env, ledger=ledger, stores=stores, plants=specs, supply=supply,
                               rail=rail, plant_records=records, start=start)
    handles.snapshot()
    return handles



def feeder(env: simpy.Environment, pile: simpy.Container, product: str, rate: float,
           composition: np.ndarray, ledger: Ledger, source: str = "ext:site", period: float = DAY):
    """Stand-in for the site model: put ``rate`` × ``period`` of product into a stockpile per period.

    What does not fit is not produced (it stays in the ponds) and a :data:`BLOCKED_EVENT` is
    recorded, as the site model's harvest does when a stockpile is full.

    Parameters
    ----------
    rate : float
        Production rate. [kg s⁻¹]
    composition : ndarray
        Component mass per kg of product. [kg kg⁻¹]
    """
    while True:
        yield env.timeout(period)
        amount = rate * period
        room = pile.capacity - pile.level
        put = min(amount, room)
        if put < amount:
            ledger.event(env.now, BLOCKED_EVENT, f"stockpile:{product}", lost_kg=amount - put)
        if put > 0:
            masses = composition * put
            ledger.flow(env.now, source, f"stockpile:{product}", masses, "harvest")
            yield pile.put(put, masses) if isinstance(pile, MassStore) else pile.put(put)


def run_standalone(scenario, production: Mapping[str, float], until: float, seed: int = 0,
                   ledger: Ledger | None = None) -> LogisticsHandles:
    """Run plants and rail fed by constant production into the scenario's stockpiles.

    The site model is replaced by one :func:`feeder` per entry of ``production``; stockpiles
    are :class:`~saltsim.des.plant.MassStore` objects with the scenario's capacities, and are
    snapshotted in the ledger at the start and the end together with the logistics stores. A
    plant feed that is a pond gets an unlimited bittern store of :data:`BITTERN_PROXY`
    composition (feed it through ``production[<pond>]``).

    Parameters
    ----------
    scenario : saltsim.scenario.Scenario
    production : mapping of str to float
        Stockpile product → production rate into it. [kg s⁻¹]
    until : float
        Simulated time. [s]
    seed : int
        Seed of the run; ``SeedSequence(seed)`` gives the logistics Generator. [-]

    Returns
    -------
    LogisticsHandles
        After the run (``finish`` already called); ``handles.ledger`` holds the balance.
    """
    env = simpy.Environment()
    ledger = ledger if ledger is not None else Ledger()
    piles = {}
    for pile in scenario.stockpiles:
        composition = nominal_composition(pile.product)
        if composition is None:
            raise ScenarioError(f"stockpiles: found the product {pile.product!r}, whose composition is "
                                f"unknown; expected one of: bittern, {', '.join(sorted(_NAMED))}")
        piles[pile.product] = MassStore(env, capacity=pile.capacity, composition=composition,
                                        init=pile.initial, name=f"stockpile:{pile.product}")
    for plant_record in scenario.plants:
        if plant_record.feed not in piles:  # a pond (bittern) feed: bittern storage of the proxy brine
            piles[plant_record.feed] = MassStore(env, composition=BITTERN_PROXY,
                                                 name=f"stockpile:{plant_record.feed}")
    for product in production:
        if product not in piles:
            raise ScenarioError(f"production: found {product!r}, which names no stockpile; "
                                f"expected one of: {', '.join(sorted(piles))}")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    handles = start_logistics(env, scenario, piles, ledger, rng)
    for name, pile in piles.items():
        ledger.stock(0.0, pile.name, pile.masses)
    for product, rate in production.items():
        env.process(feeder(env, piles[product], product, rate, piles[product].composition, ledger))
    env.run(until=until)
    handles.finish()
    for name, pile in piles.items():
        ledger.stock(env.now, pile.name, pile.masses)
    handles.stockpiles = piles
    return handles

"""The scenario as frozen, slotted dataclasses of SI floats and NumPy arrays.

The field names, units, defaults, bounds and descriptions live in
``saltsim/data/scenario_fields.csv`` (one row per field) and ``scenario_sections.csv`` (one row
per section); ``tests/scenario/test_schema.py`` checks that these classes and the CSV agree
field by field. Values are SI: lengths [m], areas [m²], volumes [m³], times [s], masses [kg],
temperatures [K], flows [m³ s⁻¹] or [kg s⁻¹], energies [J], densities [kg m⁻³], fractions [-].
Unit comments below give the SI unit of each field.

Only :func:`saltsim.scenario.load_scenario` builds these objects. Arrays are read-only.
Equality compares field by field (arrays element-wise), so ``load(to_raw(s)) == s`` can be tested.
"""
from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping

import numpy as np

__all__ = [
    "Scenario", "Site", "Lake", "Crust", "Brine", "Climate", "ClimateSeries", "Pond", "Pump",
    "Harvest", "Stockpile", "Plant", "Rail", "Terminal", "WagonFleet", "Locomotives",
    "TrainFormation", "LineSection", "Border", "Destination", "Energy", "Grid", "PhotoVoltaic",
    "Diesel", "Water", "WaterSource", "Impacts", "Mitigation", "StrategySpec", "Variant",
    "SECTION_CLASSES",
]

FloatArray = np.ndarray


def _values_equal(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and bool(np.array_equal(a, b)))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_values_equal(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_values_equal(x, y) for x, y in zip(a, b))
    return a == b


class _Record:
    """Base of every scenario record: field-wise equality that understands arrays."""

    __slots__ = ()

    def __eq__(self, other):
        if type(self) is not type(other):
            return NotImplemented
        return all(_values_equal(getattr(self, f.name), getattr(other, f.name))
                   for f in dataclasses.fields(self))

    __hash__ = None  # records hold arrays and mappings

    def to_dict(self) -> dict:
        """The record as a plain nested dict of SI values (arrays stay arrays)."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, _Record):
                value = value.to_dict()
            elif isinstance(value, tuple) and value and isinstance(value[0], _Record):
                value = [v.to_dict() for v in value]
            out[f.name] = value
        return out


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class ClimateSeries(_Record):
    """A daily weather series read from the CSV named by ``climate.series``.

    Every array has one value per day, starting on the first date of the file. Missing columns
    are None (the weather model then uses the monthly normals for that variable, if given).
    """
    dates: tuple[datetime.date, ...]
    pan_evaporation: FloatArray | None  # [m/s]
    rainfall: FloatArray | None  # [m/s]
    temperature: FloatArray | None  # [K]
    wind_speed: FloatArray | None  # [m/s]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Site(_Record):
    """The case: name, start date, horizon, time step and seed (``[site]``)."""
    name: str
    description: str
    start: datetime.date
    horizon: float  # [s]
    time_step: float  # [s]
    seed: int


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Lake(_Record):
    """The lake: area, level-area-volume relation, inflows, pore brine (``[lake]``)."""
    name: str
    area: float  # [m^2]
    levels: FloatArray | None  # [m]
    areas: FloatArray | None  # [m^2]
    volumes: FloatArray | None  # [m^3]
    initial_level: float | None  # [m]
    inflow: FloatArray  # [m^3/s]
    inflow_variability: float  # [-]
    groundwater_inflow: float  # [m^3/s]
    pore_brine_volume: float  # [m^3]
    crust: Crust


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Crust(_Record):
    """The natural salt crust, for crust harvesting and dust (``[lake.crust]``)."""
    thickness: float  # [m]
    bulk_density: float  # [kg/m^3]
    halite_fraction: float  # [-]
    regeneration_rate: float  # [kg/m^2/s]
    harvestable_area: float  # [m^2]
    harvest_depth: float  # [m]
    recovery_time: float  # [s]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Brine(_Record):
    """The lake brine fed to the ponds: composition, temperature, basis, charge balance (``[brine]``)."""
    name: str
    temperature: float  # [K]
    basis: str
    charge_balance: str | None
    density: float | None  # [kg/m^3]
    #: Molality of each solute component in ``saltsim.constants.SOLUTES`` order (Na K Mg Ca Cl SO4
    #: C Br Li; HCO3 and CO3 counted as C), after the charge-balance adjustment. [mol kg⁻¹]
    molality: FloatArray
    #: Carbonate alkalinity m(HCO3) + 2 m(CO3), the charge carried by C. [mol kg⁻¹]
    alkalinity: float
    #: Charge imbalance of the analysis before any adjustment, (Σcations − Σanions)/(Σcations + Σanions)
    #: in equivalents. [-]
    charge_imbalance: float
    #: The composition as given: ion → (value in SI, kind), kind one of "molality" [mol kg⁻¹ of
    #: basis], "mass_fraction" [kg kg⁻¹ of basis], "molarity" [mol m⁻³], "mass_concentration" [kg m⁻³].
    composition: Mapping[str, tuple[float, str]]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Climate(_Record):
    """Weather: monthly normals, or a daily CSV series of any length (``[climate]``)."""
    series: str | None
    series_repeat: bool
    pan_evaporation: FloatArray | None  # [m/s]
    pan_coefficient: float  # [-]
    rainfall: FloatArray | None  # [m/s]
    rain_days: FloatArray | None  # [-]
    temperature_max: FloatArray | None  # [K]
    temperature_min: FloatArray | None  # [K]
    wind_speed: FloatArray | None  # [m/s]
    relative_humidity: FloatArray | None  # [-]
    variability: float  # [-]
    #: The daily series read from ``series`` (None with monthly normals).
    series_data: ClimateSeries | None


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Pond(_Record):
    """Solar evaporation ponds (concentrators, crystallizers, bittern, magnesium, sulphate, storage) (``[ponds]``)."""
    name: str
    role: str
    area: float  # [m^2]
    depth_max: float  # [m]
    depth_min: float  # [m]
    depth_initial: float  # [m]
    seepage: float  # [m/s]
    seepage_aged: float | None  # [m/s]
    seepage_ageing_time: float  # [s]
    entrainment: float  # [-]
    feeds: tuple[str, ...]
    transfer_rule: str
    transfer_density: float | None  # [kg/m^3]
    transfer_level: float | None  # [m]
    transfer_months: tuple[int, ...] | None
    transfer_rate: float | None  # [m^3/s]
    harvest_layer: float | None  # [m]
    harvest_floor: float  # [m]
    product: str | None


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Pump(_Record):
    """Brine pump stations: capacity, power, failures, maintenance, seasons, lake-level caps (``[pumps]``)."""
    name: str
    source: str
    destination: str
    capacity: float  # [m^3/s]
    count: int
    power: float | None  # [W]
    mtbf: float | None  # [s]
    mttr: float | None  # [s]
    failure_distribution: str
    weibull_shape: float  # [-]
    maintenance_interval: float | None  # [s]
    maintenance_duration: float | None  # [s]
    months: tuple[int, ...] | None
    lake_level_min: float | None  # [m]
    annual_volume_cap: float | None  # [m^3]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Harvest(_Record):
    """Harvest fleet: harvesters, loaders, trucks, shifts, season, breakdowns, field washing (``[harvest]``)."""
    harvesters: int
    harvester_rate: float  # [kg/s]
    loaders: int
    loader_rate: float  # [kg/s]
    trucks: int
    truck_payload: float  # [kg]
    truck_speed: float  # [m/s]
    haul_distance: float  # [m]
    truck_turnaround: float  # [s]
    shifts_per_day: int
    shift_length: float  # [s]
    months: tuple[int, ...] | None
    mtbf: float | None  # [s]
    mttr: float | None  # [s]
    drain_time: float  # [s]
    diesel_rate: float  # [m^3/kg]
    wash_capacity: float | None  # [kg/s]
    wash_yield: float  # [-]
    wash_water: float  # [m^3/kg]
    wash_energy: float  # [J/kg]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Stockpile(_Record):
    """Product stockpiles and their capacities (``[stockpiles]``)."""
    product: str
    capacity: float  # [kg]
    initial: float  # [kg]
    area: float | None  # [m^2]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Plant(_Record):
    """Processing plants: salt washing and refining, MgCl2, Mg(OH)2, MgO, Mg metal, KCl, Na2SO4 (``[plants]``)."""
    name: str
    kind: str
    feed: str
    product: str
    capacity: float  # [kg/s]
    recovery: float  # [-]
    availability: float  # [-]
    mtbf: float | None  # [s]
    mttr: float | None  # [s]
    electricity: float | None  # [J/kg]
    heat: float | None  # [J/kg]
    water: float | None  # [m^3/kg]
    reagent: str | None
    reagent_rate: float | None  # [-]
    water_source: str | None
    start_delay: float  # [s]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Rail(_Record):
    """Rail export: terminal, wagons, locomotives, train formation, line sections, border, destinations (``[rail]``)."""
    enabled: bool
    terminal: Terminal
    wagons: WagonFleet
    locomotives: Locomotives
    trains: TrainFormation
    sections: tuple[LineSection, ...]
    border: Border | None
    destinations: tuple[Destination, ...]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Terminal(_Record):
    """Loading terminal (``[rail.terminal]``)."""
    name: str
    loading_rate: float  # [kg/s]
    non_loading_allowance: float  # [-]
    silo_capacity: float | None  # [kg]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class WagonFleet(_Record):
    """Wagon fleet (``[rail.wagons]``)."""
    count: int
    payload: float  # [kg]
    tare: float  # [kg]
    type: str


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Locomotives(_Record):
    """Locomotives (``[rail.locomotives]``)."""
    count: int
    fuel_rate: float | None  # [m^2/kg]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class TrainFormation(_Record):
    """Train formation and departure rules (``[rail.trains]``)."""
    min_wagons: int
    max_wagons: int
    departure: str
    headway: float  # [s]
    max_wait: float  # [s]
    return_empty: bool


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class LineSection(_Record):
    """Line sections with length, speed or transit time, capacity and delays (``[rail.sections]``)."""
    name: str
    origin: str | None
    destination: str | None
    length: float  # [m]
    speed: float  # [m/s]
    transit_time_min: float | None  # [s]
    transit_time_max: float | None  # [s]
    capacity: float | None  # [1/s]
    delay_mean: float  # [s]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Border(_Record):
    """Border station with a gauge break and transloading (``[rail.border]``)."""
    station: str
    gauge_break: bool
    transload_rate: float  # [kg/s]
    dwell: float  # [s]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Destination(_Record):
    """Destinations with their route, products and demand (``[rail.destinations]``)."""
    name: str
    route: tuple[str, ...]
    products: tuple[str, ...]
    demand: float | None  # [kg/s]
    crosses_border: bool


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Energy(_Record):
    """Energy supply: grid, on-site PV, diesel (``[energy]``)."""
    grid: Grid
    pv: PhotoVoltaic | None
    diesel: Diesel


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Grid(_Record):
    """National grid connection (``[energy.grid]``)."""
    available: bool
    capacity: float | None  # [W]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class PhotoVoltaic(_Record):
    """On-site solar PV (``[energy.pv]``)."""
    capacity: float  # [W]
    capacity_factor: FloatArray  # [-]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Diesel(_Record):
    """Diesel fuel and generators (``[energy.diesel]``)."""
    generator_capacity: float  # [W]
    generator_efficiency: float  # [-]
    lower_heating_value: float  # [J/kg]
    density: float  # [kg/m^3]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Water(_Record):
    """Fresh-water supply (``[water]``)."""
    sources: tuple[WaterSource, ...]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class WaterSource(_Record):
    """Water sources: groundwater, treated wastewater, municipal, recycled brine, desalinated (``[water.sources]``)."""
    name: str
    kind: str
    capacity: float | None  # [m^3/s]
    energy: float  # [J/m^3]
    priority: int


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Impacts(_Record):
    """Impact factors (defaults from saltsim/data/impact_factors.csv), land and the no-project counterfactual (``[impacts]``)."""
    grid_co2: float | None  # [kg/J]
    pv_co2: float | None  # [kg/J]
    diesel_co2: float | None  # [kg/m^3]
    heat_co2: float | None  # [kg/J]
    rail_co2: float | None  # [1/m]
    road_co2: float | None  # [1/m]
    counterfactual: bool
    road_area: float  # [m^2]
    plant_area: float  # [m^2]
    factors: Mapping[str, object]
    mitigation: tuple[Mitigation, ...]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Mitigation(_Record):
    """Dust mitigation measures with area, control efficiency and water use (``[impacts.mitigation]``)."""
    measure: str
    area: float  # [m^2]
    control_efficiency: float | None  # [-]
    water_rate: float | None  # [m/s]
    water_source: str | None


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class StrategySpec(_Record):
    """The extraction strategy: a registry name and its parameters (``[strategy]``)."""
    name: str
    parameters: Mapping[str, object]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Variant(_Record):
    """Named variants of the scenario: overrides of any field by path (``[variants]``)."""
    name: str
    description: str
    overrides: Mapping[str, object]


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Scenario(_Record):
    """A whole scenario: every section, in SI, plus where it came from.

    ``path`` is the scenario file (None for a dict), ``base_dir`` the directory relative paths
    (climate series) are resolved against, and ``hash`` the SHA-256 of the canonical JSON of the
    raw TOML after overrides, recorded in ``Results.metadata``. ``variant`` names the variant
    applied, if any.
    """
    site: Site
    lake: Lake
    brine: Brine
    climate: Climate
    ponds: tuple[Pond, ...]
    pumps: tuple[Pump, ...]
    harvest: Harvest
    stockpiles: tuple[Stockpile, ...]
    plants: tuple[Plant, ...]
    rail: Rail | None
    energy: Energy
    water: Water
    impacts: Impacts
    strategy: StrategySpec
    variants: tuple[Variant, ...]
    path: str | None
    base_dir: str
    hash: str
    variant: str | None

    def pond_index(self, name: str) -> int:
        """Position of the pond ``name`` in ``ponds`` (KeyError if absent)."""
        for i, pond in enumerate(self.ponds):
            if pond.name == name:
                return i
        raise KeyError(name)

    @property
    def pond_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.ponds)


#: Section path (as in scenario_sections.csv) → record class.
SECTION_CLASSES: dict[str, type] = {
    "site": Site, "lake": Lake, "lake.crust": Crust, "brine": Brine, "climate": Climate,
    "ponds": Pond, "pumps": Pump, "harvest": Harvest, "stockpiles": Stockpile, "plants": Plant,
    "rail": Rail, "rail.terminal": Terminal, "rail.wagons": WagonFleet,
    "rail.locomotives": Locomotives, "rail.trains": TrainFormation, "rail.sections": LineSection,
    "rail.border": Border, "rail.destinations": Destination, "energy": Energy, "energy.grid": Grid,
    "energy.pv": PhotoVoltaic, "energy.diesel": Diesel, "water": Water,
    "water.sources": WaterSource, "impacts": Impacts, "impacts.mitigation": Mitigation,
    "strategy": StrategySpec, "variants": Variant,
}

"""``Results``: the frozen, documented output of a run — tidy pandas tables plus metadata.

Tables (one file each in a run directory)::

    kpis           kpi, value, unit, description              (display units, e.g. t/yr)
    ponds          time, pond, depth_m, volume_m3, density_kg_per_m3, … (one row per pond per day)
    lake           time, level_m, area_m2, …
    flows          time, source, sink, process, H2O_kg … Li_kg (ledger movements)
    events         time, kind, entity, detail
    stockpiles     time, product, level_kg
    shipments      train, product, destination, departure, arrival, wagons, mass_kg
    wagon_states   time, state, wagons                        (daily count of wagons per state)
    plants         time, plant, product, production_kg, electricity_J, …
    impacts        category, quantity, value, unit, per_tonne_of, source
    mass_balance   element, in_kg, out_kg, stored_start_kg, stored_end_kg, closure_rel

Numeric columns carry a unit suffix (``_kg``, ``_m``, ``_m2``, ``_m3``, ``_s``, ``_K``, ``_J``,
``_W``, ``_kg_per_m3``, ``_mol_per_kg``, ``_frac``, …); ``time`` columns are timestamps (scenario
start + simulation seconds); tables whose rows carry mixed quantities (``kpis``, ``impacts``)
have ``value`` and ``unit`` columns instead. Every column is described in :data:`COLUMNS`;
modules that add columns add their entries here.

``Results.write(dir)`` is atomic: the tables are written into a temporary sibling directory,
flushed to disk, and the directory is renamed into place; an existing directory is refused
unless ``overwrite=True``. ``Results.read(dir)`` reads it back.
"""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

import re

from .constants import COMPONENTS, SOLUTES
from .errors import ResultsError
from .scenario.frozen import FrozenMap

__all__ = ["Results", "Column", "COLUMNS", "COLUMN_PATTERNS", "TABLES", "empty_table", "describe_column",
           "METADATA_FILE"]

METADATA_FILE = "metadata.json"


@dataclasses.dataclass(frozen=True, slots=True)
class Column:
    """A documented result column: pandas dtype (``"float64"``, ``"int64"``, ``"string"``,
    ``"datetime64[ns]"``, ``"bool"``) and a description (with its source key when it is a
    published number)."""
    dtype: str
    description: str


_T = Column("datetime64[ns]", "Timestamp: scenario start plus the simulation time")

_TS = Column("float64", "Simulation time: seconds from the scenario start")
_MOLALITY = {f"{c}_mol_per_kg": Column("float64", f"Molality of {c} in the brine (per kg water)") for c in SOLUTES}

#: table → column → Column. The first columns listed are the ones every run has (the skeleton,
#: see _SKELETON); modules that add columns add their entries here.
COLUMNS: dict[str, dict[str, Column]] = {
    "kpis": {
        "kpi": Column("string", "Name of the key performance indicator"),
        "value": Column("float64", "Value in `unit`"),
        "unit": Column("string", "Display unit of `value` (pint syntax, e.g. t/yr)"),
        "description": Column("string", "What the indicator measures, how it is computed and what it is checked against"),
    },
    "ponds": {
        "time": _T,
        "pond": Column("string", "Pond name (scenario ponds[].name)"),
        "depth_m": Column("float64", "Brine depth"),
        "volume_m3": Column("float64", "Brine volume"),
        "density_kg_per_m3": Column("float64", "Brine density"),
        "time_s": _TS,
        "role": Column("string", "Pond role (scenario ponds[].role)"),
        "baume_degBe": Column("float64", "Brine density in heavy-liquid Baumé degrees (modulus 145) [B1]; 0 for a dry pond"),
        "water_activity_frac": Column("float64", "Water activity of the brine"),
        **_MOLALITY,
        "valid": Column("bool", "The brine lies within the activity model's validity (ionic strength <= 20 mol/kg, "
                                "water activity >= 0.2); true for a pond without brine"),
        "layer_thickness_m": Column("float64", "Thickness of the deposited salt layer"),
    },
    "lake": {
        "time": _T,
        "level_m": Column("float64", "Water level"),
        "area_m2": Column("float64", "Wetted area"),
        "volume_m3": Column("float64", "Water volume"),
        "exposed_area_m2": Column("float64", "Dry (exposed) lakebed area"),
        "time_s": _TS,
        "duration_s": Column("float64", "Length of the period the row covers"),
        "disturbed_area_m2": Column("float64", "Crust area disturbed by harvesting and not yet recovered"),
        "density_kg_per_m3": Column("float64", "Density of the lake brine"),
        "water_kg": Column("float64", "Water in the lake brine"),
        "rain_m": Column("float64", "Rain in the period"),
        "wind_m_per_s": Column("float64", "Mean 10 m wind speed in the period"),
        "fresh_evaporation_m": Column("float64", "Open fresh-water evaporation in the period"),
        "temperature_K": Column("float64", "Mean air temperature in the period"),
        "relative_humidity_frac": Column("float64", "Mean relative humidity in the period"),
        **_MOLALITY,
        "brine_pumped_m3": Column("float64", "Brine pumped from the lake in the period"),
        "pumping_energy_J": Column("float64", "Electricity used by the pumps in the period"),
    },
    "flows": {
        "time": _T,
        "source": Column("string", "Ledger account the mass leaves (ext:… is outside the system)"),
        "sink": Column("string", "Ledger account the mass enters"),
        "process": Column("string", "Process that moved the mass (pumping, evaporation, harvest, …)"),
        **{f"{c}_kg": Column("float64", f"Mass of component {c} moved") for c in COMPONENTS},
        "time_s": _TS,
    },
    "events": {
        "time": _T,
        "kind": Column("string", "Event kind (failure, repair, maintenance, campaign, overflow, departure, …)"),
        "entity": Column("string", "What the event happened to (a pump, pond, machine, train, …)"),
        "detail": Column("string", "Details as JSON"),
        "time_s": _TS,
    },
    "stockpiles": {
        "time": _T,
        "product": Column("string", "Stockpile product (scenario stockpiles[].product)"),
        "level_kg": Column("float64", "Mass in the stockpile"),
        "time_s": _TS,
        "capacity_kg": Column("float64", "Capacity of the stockpile"),
    },
    "shipments": {
        "train": Column("int64", "Train number, in order of departure"),
        "product": Column("string", "Product carried"),
        "destination": Column("string", "Destination (scenario rail.destinations[].name)"),
        "departure": Column("datetime64[ns]", "Departure from the loading terminal"),
        "arrival": Column("datetime64[ns]", "Arrival at the destination"),
        "wagons": Column("int64", "Loaded wagons in the train"),
        "mass_kg": Column("float64", "Payload carried"),
        "formed": Column("datetime64[ns]", "When the train's first wagons were claimed for loading"),
        "border": Column("datetime64[ns]", "End of transloading at the border gauge break (NaT if not crossed)"),
        "return": Column("datetime64[ns]", "Return of the site's empty wagons to the terminal (NaT while out)"),
        "transit_time_s": Column("float64", "Arrival minus departure"),
        "cycle_time_s": Column("float64", "Wagon round trip: return minus formation start"),
        "distance_m": Column("float64", "Route length, terminal to destination"),
        "net_kg_m": Column("float64", "Net transport work, mass × distance (1 t km = 1e6 kg m)"),
        "gross_kg_m": Column("float64", "Gross transport work incl. wagon tare, loaded and empty"),
        "diesel_m3": Column("float64", "Diesel burnt (from rail.locomotives.fuel_rate, else from the CO2 factor)"),
        "co2_kg": Column("float64", "CO2 of the train (fuel × 2.61 kg/L [X1], or 30 g/tkm [R42])"),
    },
    "wagon_states": {
        "time": _T,
        "state": Column("string", "Wagon state (saltsim.des.rail.WAGON_STATES: idle, forming, loaded, …)"),
        "wagons": Column("int64", "Wagons in that state at the daily count"),
    },
    "plants": {
        "time": _T,
        "plant": Column("string", "Plant name (scenario plants[].name)"),
        "product": Column("string", "Product made"),
        "production_kg": Column("float64", "Product made in the period"),
        "electricity_J": Column("float64", "Electricity used in the period"),
        "heat_J": Column("float64", "Process heat used in the period"),
        "water_m3": Column("float64", "Fresh water used in the period"),
        "route": Column("string", "Processing route (saltsim.processing.routes)"),
        "uptime_frac": Column("float64", "Share of the period the plant could run (failures, availability)"),
        "feed_kg": Column("float64", "Feed taken from the feed stockpile"),
        "reagents_kg": Column("float64", "Reagents (lime, dolime) as ledger components (oxygen not counted)"),
        "waste_kg": Column("float64", "Wash brine, end liquor and CaCl2 liquor sent to waste"),
        "vapour_kg": Column("float64", "Water evaporated (evaporation, dehydration, calcination)"),
        "chlorine_kg": Column("float64", "Cl2 co-product of Mg electrolysis (2.917 t per t Mg)"),
        "blocked_by_output": Column("bool", "The product store was full and limited production"),
        "pv_J": Column("float64", "Electricity from on-site PV"),
        "grid_J": Column("float64", "Electricity from the grid (665 g CO2/kWh [R20])"),
        "diesel_generated_J": Column("float64", "Electricity from diesel generators"),
        "electricity_unmet_J": Column("float64", "Electricity demand no carrier could meet"),
        "diesel_m3": Column("float64", "Diesel burnt by the generators"),
        "water_unmet_m3": Column("float64", "Fresh water no source could supply"),
        "co2_kg": Column("float64", "CO2 of the plant's electricity, diesel and heat"),
        **{f"water_{kind}_m3": Column("float64", f"Water from {kind.replace('_', ' ')} sources")
           for kind in ("groundwater", "treated_wastewater", "municipal", "recycled_brine", "desalinated")},
    },
    "impacts": {
        "category": Column("string", "Impact category: climate, energy, water, lake, dust, land, bitterns, seepage"),
        "quantity": Column("string", "What is counted (e.g. co2e_grid_electricity)"),
        "value": Column("float64", "Value in `unit` (SI; per tonne when per_tonne_of is set)"),
        "unit": Column("string", "Unit of `value`"),
        "per_tonne_of": Column("string", "Product the value is an intensity of (empty for totals)"),
        "source": Column("string", "Source keys of the factors used (domain.md), or how the value was obtained"),
    },
    "mass_balance": {
        "element": Column("string", "Component: H2O or a solute element/ion (saltsim.constants.COMPONENTS)"),
        "in_kg": Column("float64", "Mass that entered the system boundary"),
        "out_kg": Column("float64", "Mass that left the system boundary"),
        "stored_start_kg": Column("float64", "Mass stored inside the system at the start"),
        "stored_end_kg": Column("float64", "Mass stored inside the system at the end"),
        "closure_rel": Column("float64", "|in − out − (end − start)| / max(in, start): 0 when the ledger closes"),
    },
}

#: Columns whose names carry a variable part (a mineral, a product): table → [(regex, Column)].
COLUMN_PATTERNS: dict[str, list[tuple[str, Column]]] = {
    "ponds": [(r"layer_[a-z0-9_]+_kg", Column("float64", "Mass of one mineral in the deposited layer (name after layer_)"))],
}

#: Number of leading columns of each table that every run has (the skeleton).
_SKELETON_SIZE = {"kpis": 4, "ponds": 5, "lake": 5, "flows": 4 + len(COMPONENTS), "events": 4,
                  "stockpiles": 3, "shipments": 7, "wagon_states": 3, "plants": 7, "impacts": 6, "mass_balance": 6}

#: Names of the tables, in the order they are written.
TABLES: tuple[str, ...] = tuple(COLUMNS)

_SKELETON = {name: tuple(cols)[:_SKELETON_SIZE[name]] for name, cols in COLUMNS.items()}


def describe_column(table: str, column: str) -> Column | None:
    """The registry entry of a column (exact name, else a pattern), or None if undocumented."""
    if column in COLUMNS[table]:
        return COLUMNS[table][column]
    for pattern, spec in COLUMN_PATTERNS.get(table, ()):
        if re.fullmatch(pattern, column):
            return spec
    return None


def empty_table(name: str) -> pd.DataFrame:
    """An empty table with the skeleton columns of ``name`` and their dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=COLUMNS[name][c].dtype) for c in _SKELETON[name]})


def _canonical(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Skeleton columns first (in registry order), then the others in their order."""
    known = [c for c in COLUMNS[name] if c in frame.columns]
    others = [c for c in frame.columns if c not in COLUMNS[name]]
    return frame[known + others]


@dataclasses.dataclass(frozen=True)
class Results:
    """The results of one run.

    Attributes
    ----------
    kpis, ponds, lake, flows, events, stockpiles, shipments, wagon_states, plants, impacts, mass_balance : DataFrame
        Tidy tables; see :data:`COLUMNS`.
    metadata : Mapping
        ``scenario_hash``, ``scenario_name``, ``variant``, ``seed``, ``saltsim_version``,
        ``start_time`` and ``end_time`` (UTC ISO 8601 wall time), ``citations`` (source keys
        used) and anything the model adds.
    """
    kpis: pd.DataFrame
    ponds: pd.DataFrame
    lake: pd.DataFrame
    flows: pd.DataFrame
    events: pd.DataFrame
    stockpiles: pd.DataFrame
    shipments: pd.DataFrame
    wagon_states: pd.DataFrame
    plants: pd.DataFrame
    impacts: pd.DataFrame
    mass_balance: pd.DataFrame
    metadata: Mapping[str, object]

    @classmethod
    def from_tables(cls, tables: Mapping[str, pd.DataFrame], metadata: Mapping[str, object]) -> "Results":
        """Build from a mapping of table name → DataFrame; missing tables become empty skeletons."""
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise ResultsError(f"unknown result tables {sorted(unknown)}; expected some of {', '.join(TABLES)}")
        frames = {}
        for name in TABLES:
            frame = tables.get(name)
            frames[name] = empty_table(name) if frame is None else _canonical(name, frame.reset_index(drop=True))
        return cls(**frames, metadata=FrozenMap(dict(metadata)))

    def tables(self) -> dict[str, pd.DataFrame]:
        """Table name → DataFrame, in :data:`TABLES` order."""
        return {name: getattr(self, name) for name in TABLES}

    def undocumented_columns(self) -> dict[str, list[str]]:
        """Columns not described in :data:`COLUMNS`, by table (empty when all are documented)."""
        missing = {}
        for name, frame in self.tables().items():
            extra = [c for c in frame.columns if describe_column(name, c) is None]
            if extra:
                missing[name] = extra
        return missing

    def kpi(self, name: str) -> float:
        """The value of one KPI (KeyError if absent)."""
        rows = self.kpis.loc[self.kpis["kpi"] == name, "value"]
        if rows.empty:
            raise KeyError(name)
        return float(rows.iloc[0])

    # -- files --------------------------------------------------------------------------------
    def write(self, directory: str | os.PathLike, overwrite: bool = False,
              parquet: bool = True) -> Path:
        """Write the run directory atomically: ``<table>.csv`` (+ ``.parquet``) and metadata.json.

        Parameters
        ----------
        directory : path
            The run directory to create.
        overwrite : bool
            Replace an existing directory (otherwise ResultsError).
        parquet : bool
            Also write Parquet (typed, compressed; what :meth:`read` prefers).

        Returns
        -------
        Path
            The directory written.
        """
        target = Path(directory)
        if target.exists() and not overwrite:
            raise ResultsError(f"{target}: already exists; expected a new run directory "
                               f"(use --force / overwrite=True to replace it)")
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
        try:
            for name, frame in self.tables().items():
                _write_file(staging / f"{name}.csv", lambda p, f=frame: _write_csv(f, p))
                if parquet:
                    _write_file(staging / f"{name}.parquet", lambda p, f=frame: f.to_parquet(p, index=False))
            text = json.dumps(dict(self.metadata), indent=2, sort_keys=True, default=str)
            _write_file(staging / METADATA_FILE, lambda p: Path(p).write_text(text + "\n", encoding="utf-8"))
            _fsync_dir(staging)
            if target.exists():
                trash = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
                os.replace(target, trash / "old")
                os.replace(staging, target)
                shutil.rmtree(trash, ignore_errors=True)
            else:
                os.replace(staging, target)
            _fsync_dir(target.parent)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return target

    @classmethod
    def read(cls, directory: str | os.PathLike) -> "Results":
        """Read a run directory written by :meth:`write` (Parquet when present, else CSV)."""
        source = Path(directory)
        meta_path = source / METADATA_FILE
        if not meta_path.is_file():
            raise ResultsError(f"{source}: no {METADATA_FILE}; expected a run directory written by saltsim")
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
        tables = {}
        for name in TABLES:
            parquet, csv_path = source / f"{name}.parquet", source / f"{name}.csv"
            if parquet.is_file():
                tables[name] = pd.read_parquet(parquet)
            elif csv_path.is_file():
                tables[name] = _read_csv(name, csv_path)
            else:
                raise ResultsError(f"{source}: {name}.csv is missing; expected one file per table")
        return cls.from_tables(tables, metadata)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """One table as CSV through pyarrow's writer (D42).

    The same values as ``DataFrame.to_csv`` read back (floats in shortest round-trip form, empty
    fields for missing values, ISO 8601 timestamps), ~12× faster on a 30-year flow table. A frame
    Arrow cannot type (mixed Python objects in a column) falls back to pandas.
    """
    import pyarrow as pa
    from pyarrow import csv

    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        frame.to_csv(path, index=False)
        return
    csv.write_csv(table, path, write_options=csv.WriteOptions(quoting_style="needed"))


def _read_csv(name: str, path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    for column in frame.columns:
        spec = describe_column(name, column)
        if spec is None:
            continue
        if spec.dtype.startswith("datetime64"):
            frame[column] = pd.to_datetime(frame[column], format="ISO8601")
        elif spec.dtype == "string":
            frame[column] = frame[column].astype("string")
        else:
            frame[column] = frame[column].astype(spec.dtype)
    return frame


def _write_file(path: Path, writer) -> None:
    writer(path)
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

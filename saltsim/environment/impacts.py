"""Environmental impact accounting: pure functions from a run's activity data to the impacts table.

Two steps:

1. :func:`activity_from_tables` reads what a run did (energy by carrier, fuel, freight, water,
   reagents, products, brine abstracted, lake series, …) out of the results tables (``plants``,
   ``shipments``, ``lake``, ``flows``, ``ponds``, ``kpis``, ``stockpiles``) into an
   :class:`Activity` of SI numbers. Quantities the run did not model are zero and the row says so
   in its source (``"not modelled in this run"``).
2. :func:`compute` turns an :class:`Activity` (and optionally the no-project counterfactual's)
   into the tidy ``impacts`` table, one row per quantity:

   ``category, quantity, value, unit, per_tonne_of, source``

   Categories: ``climate`` (kg CO2e by source), ``energy`` (J by carrier), ``water`` (m³ by
   source), ``lake`` (brine abstracted vs inflow; level and area vs the counterfactual), ``dust``
   (kg PM10 by source, with mitigation and its water), ``land`` (m² disturbed), ``bitterns``
   (kg produced and returned), ``seepage`` (kg to groundwater). Totals come with intensity rows
   per tonne of each product (``per_tonne_of`` = product; the total divided by that product's
   tonnes, no allocation between co-products).

Values are SI (kg, J, m³, m², m); intensities are per tonne (``kg/t``, ``J/t``, ``m^3/t``).
This module is numerics (layer 1): NumPy and pandas only.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import dust
from .factors import Factor, MitigationMeasure, factor_values

__all__ = [
    "IMPACT_COLUMNS",
    "LakeSeries",
    "Activity",
    "MitigationPlan",
    "DIESEL_DENSITY",
    "DIESEL_LHV",
    "climate_rows",
    "energy_rows",
    "water_rows",
    "dust_emissions",
    "compute",
    "lake_series",
    "activity_from_tables",
    "factors_for",
    "mitigation_for",
    "impacts_from_tables",
]

IMPACT_COLUMNS = ("category", "quantity", "value", "unit", "per_tonne_of", "source")

#: Diesel density, EST: EN 590 range 820–845 kg/m³ (not in the domain dossier); the scenario's
#: ``energy.diesel.density`` replaces it. [kg m⁻³]
DIESEL_DENSITY = 835.0
#: Diesel lower heating value, 42.68 MJ/kg [X4]. [J kg⁻¹]
DIESEL_LHV = 42.68e6
NOT_MODELLED = "not modelled in this run"
MEASURED = "simulation ledger"


@dataclass(frozen=True, slots=True)
class LakeSeries:
    """Daily lake state of one run (arrays of equal length n). All SI.

    Attributes
    ----------
    time_s : ndarray
        Start of each period from the scenario start. [s]
    duration_s : ndarray
        Length of each period. [s]
    level_m, area_m2, exposed_area_m2, disturbed_area_m2 : ndarray
        Lake level [m], wetted area [m²], exposed (dry) lakebed [m²], crust disturbed by harvest [m²].
    wind_m_per_s, rain_m : ndarray
        Daily mean wind at 10 m [m s⁻¹] and rain [m].
    """

    time_s: np.ndarray
    duration_s: np.ndarray
    level_m: np.ndarray
    area_m2: np.ndarray
    exposed_area_m2: np.ndarray
    disturbed_area_m2: np.ndarray
    wind_m_per_s: np.ndarray
    rain_m: np.ndarray


@dataclass(frozen=True, slots=True)
class MitigationPlan:
    """A dust-control measure applied to an area of a target surface.

    Attributes
    ----------
    measure : MitigationMeasure
    target : str
        ``"disturbed_crust"``, ``"exposed_lakebed"`` (intact crust) or ``"auto"``: the
        disturbed crust first (it emits most per m²), the rest of the area on the intact crust.
    area_m2 : float
        Controlled area (capped each day at the target area). [m²]
    """

    measure: MitigationMeasure
    target: str
    area_m2: float


@dataclass(frozen=True, slots=True)
class Activity:
    """What a run did, in SI units. Unknown (not modelled) quantities are listed in ``missing``."""

    products_kg: Mapping[str, float] = field(default_factory=dict)
    electricity_J: Mapping[str, float] = field(default_factory=dict)
    heat_J: float = 0.0
    diesel_m3: float = 0.0
    rail_kg_m: float = 0.0
    road_kg_m: float = 0.0
    water_m3: Mapping[str, float] = field(default_factory=dict)
    rail_diesel_m3: float = 0.0
    lime_kg: float = 0.0
    brine_abstracted_kg: float = 0.0
    lake_inflow_kg: float = 0.0
    bitterns_produced_kg: float = 0.0
    bitterns_returned_kg: float = 0.0
    seepage_kg: float = 0.0
    pond_area_m2: float = 0.0
    other_land_m2: float = 0.0
    handled_kg: float = 0.0
    hauled_kg: float = 0.0
    lake: LakeSeries | None = None
    diesel_density: float = DIESEL_DENSITY
    diesel_lhv: float = DIESEL_LHV
    missing: frozenset[str] = frozenset()


def _row(category, quantity, value, unit, source, per_tonne_of=""):
    return {"category": category, "quantity": quantity, "value": float(value), "unit": unit,
            "per_tonne_of": per_tonne_of, "source": source}


def _src(activity: Activity, name: str, factor_source: str) -> str:
    return NOT_MODELLED if name in activity.missing else factor_source


def climate_rows(activity: Activity, factors: Mapping[str, Factor]) -> list[dict]:
    """kg CO2e by source: grid and PV electricity, diesel, process heat, rail, road, lime.

    Notes
    -----
    (6) CO2e = Σ activityᵢ · factorᵢ, e.g. grid: E_grid [J] · 665 g/kWh / 3.6 × 10⁶ J/kWh [R20].

    The magnesium routes' CO2 is that of their electricity and heat (electrolysis of MgCl2
    releases Cl2, calcination of Mg(OH)2 releases water) plus the calcination CO2 of the lime or
    dolime they consume (CaCO3 → CaO + CO2, one CO2 per Ca or Mg; ``co2e_lime_process``). Trains
    are counted by net t·km × the rail factor [R42]; their diesel appears under energy only.
    """
    v = factor_values(factors)
    electricity = activity.electricity_J
    items = [
        ("co2e_grid_electricity", electricity.get("grid", 0.0) * v["grid_co2"], "electricity", "grid_co2"),
        ("co2e_pv_electricity", electricity.get("pv", 0.0) * v["pv_co2"], "electricity", "pv_co2"),
        ("co2e_diesel", activity.diesel_m3 * v["diesel_co2"], "diesel", "diesel_co2"),
        ("co2e_process_heat", activity.heat_J * v["heat_co2"], "heat", "heat_co2"),
        ("co2e_rail", activity.rail_kg_m * v["rail_co2"], "rail", "rail_co2"),
        ("co2e_road_haul", activity.road_kg_m * v["road_co2"], "road", "road_co2"),
        ("co2e_lime_process", activity.lime_kg * v["lime_process_co2"], "lime", "lime_process_co2"),
    ]
    # haul trucks are counted through the fleet's diesel; a road t-km row only when given
    items = [item for item in items if item[0] != "co2e_road_haul" or activity.road_kg_m > 0]
    rows = [_row("climate", name, value, "kg", _src(activity, activity_name, factors[key].source))
            for name, value, activity_name, key in items]
    total_sources = sorted({factors[key].source for *_, key in items})
    rows.append(_row("climate", "co2e_total", sum(r["value"] for r in rows), "kg", " ".join(total_sources)))
    return rows


def energy_rows(activity: Activity) -> list[dict]:
    """J by carrier: electricity per carrier, diesel (volume · ρ · LHV [X4], ρ EST), heat."""
    rows = [_row("energy", f"electricity_{carrier}", value, "J",
                 _src(activity, "electricity", MEASURED))
            for carrier, value in sorted(activity.electricity_J.items())]
    if not rows:
        rows.append(_row("energy", "electricity_grid", 0.0, "J", NOT_MODELLED))
    fuel = activity.diesel_density * activity.diesel_lhv  # J per m³ of diesel
    rows.append(_row("energy", "diesel", activity.diesel_m3 * fuel, "J",
                     _src(activity, "diesel", "[X4] LHV x density (EST 835 kg/m^3)")))
    rows.append(_row("energy", "diesel_volume", activity.diesel_m3, "m^3", _src(activity, "diesel", MEASURED)))
    rows.append(_row("energy", "diesel_rail", activity.rail_diesel_m3 * fuel, "J",
                     _src(activity, "rail", "[X4] LHV x density (EST 835 kg/m^3)")))
    rows.append(_row("energy", "diesel_rail_volume", activity.rail_diesel_m3, "m^3", _src(activity, "rail", MEASURED)))
    rows.append(_row("energy", "process_heat", activity.heat_J, "J", _src(activity, "heat", MEASURED)))
    total = sum(r["value"] for r in rows if r["unit"] == "J")
    rows.append(_row("energy", "energy_total", total, "J", MEASURED))
    return rows


def water_rows(activity: Activity, dust_water: Mapping[str, float]) -> list[dict]:
    """m³ of water by source: process water per supply source, plus dust-control water."""
    rows = [_row("water", f"freshwater_{source}", value, "m^3", _src(activity, "water", MEASURED))
            for source, value in sorted(activity.water_m3.items())]
    if not rows:
        rows.append(_row("water", "freshwater_process", 0.0, "m^3", NOT_MODELLED))
    rows.append(_row("water", "freshwater_dust_control", dust_water.get("freshwater", 0.0), "m^3",
                     "[D3] dust-control water rate"))
    rows.append(_row("water", "brine_dust_control", dust_water.get("brine", 0.0), "m^3",
                     "[D3][D14] dust-control brine rate"))
    total = sum(r["value"] for r in rows if r["quantity"].startswith("freshwater_"))
    rows.append(_row("water", "freshwater_total", total, "m^3", MEASURED))
    return rows


def dust_emissions(lake: LakeSeries | None, handled_kg: float, hauled_kg: float,
                   factors: Mapping[str, Factor], mitigation: Sequence[MitigationPlan] = ()) -> dict:
    """PM10 by source and the water used by dust control.

    Parameters
    ----------
    lake : LakeSeries or None
        Daily lake state (no lakebed dust without it).
    handled_kg : float
        Mass passing through stockpiles. [kg]
    hauled_kg : float
        Mass hauled on unpaved roads. [kg]
    factors : mapping of str to Factor
    mitigation : sequence of MitigationPlan

    Returns
    -------
    dict
        ``lakebed_intact``, ``lakebed_disturbed`` (uncontrolled) [kg], ``lakebed_intact_controlled``,
        ``lakebed_disturbed_controlled`` [kg], ``stockpiles``, ``haul_roads`` [kg],
        and ``water`` (dict: ``freshwater``/``brine`` → m³ used by dust control).
    """
    v = factor_values(factors)
    water = {"freshwater": 0.0, "brine": 0.0}
    if lake is not None and len(lake.time_s):
        intact, disturbed = dust.lakebed_pm10(lake.wind_m_per_s, lake.rain_m, lake.exposed_area_m2,
                                              lake.disturbed_area_m2, lake.duration_s, v)
        disturbed_area = np.minimum(lake.disturbed_area_m2, lake.exposed_area_m2)
        intact_area = np.maximum(lake.exposed_area_m2 - disturbed_area, 0.0)
        intact_c, disturbed_c = intact.copy(), disturbed.copy()
        free_disturbed, free_intact = disturbed_area.copy(), intact_area.copy()
        for plan in mitigation:
            on_disturbed = np.zeros_like(disturbed_area)
            if plan.target in ("disturbed_crust", "auto"):
                on_disturbed = np.minimum(plan.area_m2, free_disturbed)
            on_intact = np.zeros_like(intact_area)
            if plan.target == "exposed_lakebed":
                on_intact = np.minimum(plan.area_m2, free_intact)
            elif plan.target == "auto":
                on_intact = np.minimum(plan.area_m2 - on_disturbed, free_intact)
            measure = plan.measure
            # measures cover disjoint parts of a surface: their reductions add up
            kept_d, used_d = dust.apply_mitigation(disturbed, disturbed_area, on_disturbed,
                                                   measure.control_efficiency, measure.water_rate, lake.duration_s)
            kept_i, used_i = dust.apply_mitigation(intact, intact_area, on_intact, measure.control_efficiency,
                                                   measure.water_rate, lake.duration_s)
            disturbed_c = disturbed_c - (disturbed - kept_d)
            intact_c = intact_c - (intact - kept_i)
            free_disturbed, free_intact = free_disturbed - on_disturbed, free_intact - on_intact
            if measure.water_source in water:
                water[measure.water_source] += float(np.sum(used_d) + np.sum(used_i))
        mean_wind = float(np.average(lake.wind_m_per_s, weights=lake.duration_s))
    else:
        intact = disturbed = intact_c = disturbed_c = np.zeros(0)
        mean_wind = 0.0
    stockpiles = handled_kg * v["stockpile_drops"] * float(
        dust.handling_pm10_per_kg(mean_wind, v["stockpile_moisture"], v["stockpile_pm10_k"]))
    if lake is not None and len(lake.time_s):
        dry_fraction = float(np.average(lake.rain_m < v["rain_suppression"], weights=lake.duration_s))
    else:
        dry_fraction = 1.0
    road = dust.unpaved_road_pm10_per_m(v["road_silt"], v["road_vehicle_weight"]) * float(
        dust.haul_road_distance(hauled_kg, v["road_payload"], v["road_haul_distance"])) * dry_fraction
    return {"lakebed_intact": float(intact.sum()), "lakebed_disturbed": float(disturbed.sum()),
            "lakebed_intact_controlled": float(intact_c.sum()),
            "lakebed_disturbed_controlled": float(disturbed_c.sum()),
            "stockpiles": stockpiles, "haul_roads": road, "water": water}


def _dust_rows(activity: Activity, factors, mitigation, counterfactual: Activity | None) -> tuple[list[dict], dict]:
    emissions = dust_emissions(activity.lake, activity.handled_kg, activity.hauled_kg, factors, mitigation)
    lake_source = ("[D4][D7][D13] wind-erosion model" if activity.lake is not None else NOT_MODELLED)
    controlled = emissions["lakebed_intact_controlled"] + emissions["lakebed_disturbed_controlled"]
    uncontrolled = emissions["lakebed_intact"] + emissions["lakebed_disturbed"]
    measures = " ".join(sorted({p.measure.source for p in mitigation})) or "no measures"
    rows = [
        _row("dust", "pm10_lakebed_intact", emissions["lakebed_intact_controlled"], "kg", lake_source),
        _row("dust", "pm10_lakebed_disturbed", emissions["lakebed_disturbed_controlled"], "kg", lake_source),
        _row("dust", "pm10_stockpiles", emissions["stockpiles"], "kg",
             _src(activity, "handled", "[AP42-13.2.4]") if activity.lake is not None else NOT_MODELLED),
        _row("dust", "pm10_haul_roads", emissions["haul_roads"], "kg", _src(activity, "hauled", "[AP42-13.2.2]")),
        _row("dust", "pm10_mitigated", uncontrolled - controlled, "kg", measures),
        _row("dust", "dust_control_water", sum(emissions["water"].values()), "m^3", measures),
    ]
    total = controlled + emissions["stockpiles"] + emissions["haul_roads"]
    rows.append(_row("dust", "pm10_total", total, "kg", "[D4][AP42-13.2.2][AP42-13.2.4]"))
    if counterfactual is not None:
        cf = dust_emissions(counterfactual.lake, counterfactual.handled_kg, counterfactual.hauled_kg, factors)
        cf_total = (cf["lakebed_intact"] + cf["lakebed_disturbed"] + cf["stockpiles"] + cf["haul_roads"])
        rows.append(_row("dust", "pm10_total_no_project", cf_total, "kg", "no-project counterfactual run"))
        rows.append(_row("dust", "pm10_project_increment", total - cf_total, "kg",
                         "project minus no-project counterfactual"))
    return rows, emissions["water"]


def _lake_rows(activity: Activity, counterfactual: Activity | None) -> list[dict]:
    src = _src(activity, "lake_flows", MEASURED)
    rows = [
        _row("lake", "brine_abstracted", activity.brine_abstracted_kg, "kg", src),
        _row("lake", "lake_inflow", activity.lake_inflow_kg, "kg", _src(activity, "lake_inflow", MEASURED)),
        _row("lake", "abstraction_to_inflow", activity.brine_abstracted_kg / activity.lake_inflow_kg
             if activity.lake_inflow_kg > 0 else np.nan, "kg/kg", src),
    ]
    lake, cf = activity.lake, counterfactual.lake if counterfactual is not None else None
    if lake is not None and cf is not None and len(lake.time_s) and len(cf.time_s):
        n = min(len(lake.time_s), len(cf.time_s))
        if not np.array_equal(lake.time_s[:n], cf.time_s[:n]):
            raise ValueError("project and counterfactual lake series have different time axes")
        weights = lake.duration_s[:n]
        diff_level = lake.level_m[:n] - cf.level_m[:n]
        diff_area = lake.area_m2[:n] - cf.area_m2[:n]
        diff_exposed = lake.exposed_area_m2[:n] - cf.exposed_area_m2[:n]
        source = "project minus no-project counterfactual (same weather, same seed)"
        rows += [
            _row("lake", "level_change_vs_no_project_mean", np.average(diff_level, weights=weights), "m", source),
            _row("lake", "level_change_vs_no_project_end", diff_level[-1], "m", source),
            _row("lake", "level_change_vs_no_project_min", diff_level.min(), "m", source),
            _row("lake", "area_change_vs_no_project_mean", np.average(diff_area, weights=weights), "m^2", source),
            _row("lake", "exposed_lakebed_change_vs_no_project_mean",
                 np.average(diff_exposed, weights=weights), "m^2", source),
        ]
    elif lake is not None and len(lake.time_s):
        rows += [_row("lake", "level_mean", np.average(lake.level_m, weights=lake.duration_s), "m", MEASURED),
                 _row("lake", "exposed_lakebed_mean",
                      np.average(lake.exposed_area_m2, weights=lake.duration_s), "m^2", MEASURED)]
    return rows


def _land_rows(activity: Activity) -> list[dict]:
    disturbed = float(activity.lake.disturbed_area_m2.max()) if activity.lake is not None and len(
        activity.lake.time_s) else 0.0
    return [_row("land", "pond_area", activity.pond_area_m2, "m^2", _src(activity, "ponds", "scenario ponds")),
            _row("land", "roads_and_plants_area", activity.other_land_m2, "m^2",
                 _src(activity, "ponds", "scenario impacts.road_area + plant_area")),
            _row("land", "crust_disturbed_max", disturbed, "m^2", _src(activity, "lake", MEASURED)),
            _row("land", "land_disturbed_total", activity.pond_area_m2 + activity.other_land_m2 + disturbed,
                 "m^2", MEASURED)]


_INTENSITY = {"co2e_total": "kg/t", "energy_total": "J/t", "freshwater_total": "m^3/t",
              "pm10_total": "kg/t", "brine_abstracted": "kg/t"}


def compute(activity: Activity, factors: Mapping[str, Factor],
            mitigation: Sequence[MitigationPlan] = (), counterfactual: Activity | None = None) -> pd.DataFrame:
    """The ``impacts`` table of one run.

    Parameters
    ----------
    activity : Activity
        The run's activity data (SI).
    factors : mapping of str to Factor
        Resolved impact factors (:func:`saltsim.environment.factors.resolve_factors`).
    mitigation : sequence of MitigationPlan
        Dust-control measures in force.
    counterfactual : Activity, optional
        The no-project run of the same scenario, weather and seed: adds lake-level, area and
        dust differences.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`IMPACT_COLUMNS`; totals first, then per-tonne intensities.
    """
    dust_rows, dust_water = _dust_rows(activity, factors, mitigation, counterfactual)
    rows = (climate_rows(activity, factors) + energy_rows(activity) + water_rows(activity, dust_water)
            + _lake_rows(activity, counterfactual) + dust_rows + _land_rows(activity)
            + [_row("bitterns", "bitterns_produced", activity.bitterns_produced_kg, "kg",
                    _src(activity, "bitterns", MEASURED)),
               _row("bitterns", "bitterns_returned", activity.bitterns_returned_kg, "kg",
                    _src(activity, "bitterns", MEASURED)),
               _row("seepage", "seepage_to_groundwater", activity.seepage_kg, "kg",
                    _src(activity, "seepage", MEASURED))])
    totals = [r for r in rows if r["quantity"] in _INTENSITY]
    for product, kg in sorted(activity.products_kg.items()):
        if kg > 0:
            rows += [_row(r["category"], r["quantity"], r["value"] / (kg / 1000.0), _INTENSITY[r["quantity"]],
                          r["source"], per_tonne_of=product) for r in totals]
    return pd.DataFrame(rows, columns=list(IMPACT_COLUMNS))


# ------------------------------------------------------------------------------- from tables
#: Molar masses for the lime-calcination CO2 of reagents (IUPAC 2013). [kg mol⁻¹]
_M_CA, _M_MG, _M_CAO = 40.078e-3, 24.305e-3, 56.077e-3
#: Plant kinds whose process is one of the magnesium routes.
MAGNESIUM_ROUTES = ("mgcl2", "mg_hydroxide", "mgo", "mg_metal")


def _sum(table, column) -> float:
    if table is None or column not in getattr(table, "columns", ()):
        return 0.0
    return float(pd.to_numeric(table[column], errors="coerce").fillna(0.0).sum())


def _mass(frame: pd.DataFrame, water: bool = True) -> np.ndarray:
    columns = [c for c in frame.columns if c.endswith("_kg") and (water or c != "H2O_kg")]
    return frame[columns].to_numpy(dtype=float).sum(axis=1) if columns else np.zeros(len(frame))


def _nonempty(tables, name) -> pd.DataFrame | None:
    table = tables.get(name) if isinstance(tables, Mapping) else getattr(tables, name, None)
    return table if isinstance(table, pd.DataFrame) and not table.empty else None


def lake_series(lake: pd.DataFrame | None) -> LakeSeries | None:
    """The :class:`LakeSeries` of a ``lake`` table (None without one)."""
    if lake is None or lake.empty or "time_s" not in lake.columns:
        return None
    n = len(lake)

    def column(name, default=0.0):
        return lake[name].to_numpy(dtype=float) if name in lake.columns else np.full(n, default)

    return LakeSeries(time_s=column("time_s"), duration_s=column("duration_s", 86400.0),
                      level_m=column("level_m"), area_m2=column("area_m2"),
                      exposed_area_m2=column("exposed_area_m2"), disturbed_area_m2=column("disturbed_area_m2"),
                      wind_m_per_s=column("wind_m_per_s"), rain_m=column("rain_m"))


def activity_from_tables(tables, scenario=None) -> Activity:
    """What a run did, read from its result tables.

    Parameters
    ----------
    tables : mapping of str to DataFrame, or Results
        ``flows``, ``lake``, ``plants``, ``shipments``, ``kpis`` (any may be missing or empty).
    scenario : Scenario, optional
        For pond areas and roles, haul distance and truck payload (duck-typed).

    Returns
    -------
    Activity

    Notes
    -----
    - Products: mass put into each stockpile by harvest (flows into ``stockpile:<product>``
      from outside the stockpiles and plants) and each plant product (``plants.production_kg``).
    - Electricity: plants' ``grid_J``/``pv_J`` plus pumping (``lake.pumping_energy_J``) and field
      washing (KPI ``wash_energy`` × years), both drawn from the grid.
    - Diesel counted for CO2: plant generators (``plants.diesel_m3``) and the harvest fleet (KPI
      ``harvest_diesel`` × years). Trains: CO2 from net t·km (``shipments.net_kg_m``) × the rail
      factor; their diesel (``shipments.diesel_m3``) is shown as energy only, not counted twice.
    - Lime CO2: reagents from ``ext:reagents`` (Ca and Mg of lime/dolime) as CaO-equivalent moles.
    - Lake: brine abstracted = flows ``lake`` → ponds; inflow = ``ext:*`` → ``lake`` except rain;
      bitterns produced = flows into bittern-role ponds; returned = ponds → ``lake``; seepage =
      flows to ``ext:groundwater``.
    """
    flows = _nonempty(tables, "flows")
    plants = _nonempty(tables, "plants")
    shipments = _nonempty(tables, "shipments")
    kpis = _nonempty(tables, "kpis")
    lake = _nonempty(tables, "lake")
    missing = set()
    series = lake_series(lake)
    if series is None:
        missing |= {"lake"}
    years = float(series.duration_s.sum()) / (365.25 * 86400.0) if series is not None else 0.0

    def kpi(name: str) -> float | None:
        if kpis is None:
            return None
        rows = kpis[kpis["kpi"] == name]
        return float(rows["value"].iloc[0]) if len(rows) else None

    products: dict[str, float] = {}
    brine = inflow = bitterns_in = bitterns_back = seepage = handled = hauled = lime = 0.0
    roles = {p.name: p.role for p in getattr(scenario, "ponds", ())} if scenario is not None else {}
    if flows is not None:
        source, sink = flows["source"].astype(str), flows["sink"].astype(str)
        total = _mass(flows)
        into_stock = sink.str.startswith("stockpile:") & ~source.str.startswith("stockpile:")
        # harvested products; plant products are counted from the plants table below
        harvested = into_stock & ~source.str.startswith("plant:")
        for product, mass in pd.Series(total[harvested.to_numpy()], index=sink[harvested].str[10:]).groupby(
                level=0).sum().items():
            products[product] = float(mass)
        handled = float(total[into_stock.to_numpy()].sum())
        harvest = into_stock & (source.str.startswith("layer:") | source.str.startswith("lake:")
                                | source.str.startswith("harvest:"))
        hauled = float(total[harvest.to_numpy()].sum())
        brine = float(total[((source == "lake") & sink.str.startswith("pond:")).to_numpy()].sum())
        inflow = float(total[((sink == "lake") & source.str.startswith("ext:") & (source != "ext:rain")).to_numpy()].sum())
        bittern_ponds = {f"pond:{name}" for name, role in roles.items() if role == "bittern"}
        bitterns_in = float(total[(sink.isin(bittern_ponds) & ~source.isin(bittern_ponds)).to_numpy()].sum())
        bitterns_back = float(total[(source.str.startswith("pond:") & (sink == "lake")).to_numpy()].sum())
        seepage = float(total[(sink == "ext:groundwater").to_numpy()].sum())
        reagents = flows[source == "ext:reagents"]
        moles = _sum(reagents, "Ca_kg") / _M_CA + _sum(reagents, "Mg_kg") / _M_MG
        lime = moles * _M_CAO
    else:
        missing |= {"lake_flows", "lake_inflow", "bitterns", "seepage", "handled", "hauled"}
    if plants is not None:
        for product, mass in plants.groupby("product")["production_kg"].sum().items():
            products[str(product)] = products.get(str(product), 0.0) + float(mass)
    electricity = {"grid": _sum(plants, "grid_J"), "pv": _sum(plants, "pv_J")}
    electricity["grid"] += _sum(lake, "pumping_energy_J") + (kpi("wash_energy") or 0.0) * years
    water: dict[str, float] = {}
    if plants is not None:
        for column in plants.columns:
            if column.startswith("water_") and column.endswith("_m3") and column not in ("water_m3", "water_unmet_m3"):
                if _sum(plants, column) > 0:
                    water[column[6:-3]] = _sum(plants, column)
        if not water:
            water["plants"] = _sum(plants, "water_m3")
    elif scenario is None or not getattr(scenario, "plants", ()):
        missing |= {"water", "heat"}
    fleet_diesel = (kpi("harvest_diesel") or 0.0) * years
    if kpis is None or kpi("harvest_diesel") is None:
        if plants is None:
            missing |= {"diesel"}
    ponds_table = _nonempty(tables, "ponds")
    simulated = set(ponds_table["pond"].astype(str)) if ponds_table is not None and "pond" in ponds_table else set()
    # only the ponds the run built (a crust-harvest or no-project run builds none)
    pond_area = float(sum(p.area for p in getattr(scenario, "ponds", ()) if p.name in simulated))
    if scenario is None:
        missing |= {"ponds"}
    rail = getattr(scenario, "rail", None)
    if shipments is None and (scenario is None or rail is None or not getattr(rail, "enabled", True)):
        missing |= {"rail"}
    diesel = getattr(getattr(scenario, "energy", None), "diesel", None)
    return Activity(diesel_density=float(getattr(diesel, "density", DIESEL_DENSITY) or DIESEL_DENSITY),
                    diesel_lhv=float(getattr(diesel, "lower_heating_value", DIESEL_LHV) or DIESEL_LHV),
                    products_kg=products, electricity_J=electricity, heat_J=_sum(plants, "heat_J"),
                    diesel_m3=_sum(plants, "diesel_m3") + fleet_diesel, rail_diesel_m3=_sum(shipments, "diesel_m3"),
                    rail_kg_m=_sum(shipments, "net_kg_m"), water_m3=water, lime_kg=lime,
                    brine_abstracted_kg=brine, lake_inflow_kg=inflow, bitterns_produced_kg=bitterns_in,
                    bitterns_returned_kg=bitterns_back, seepage_kg=seepage, pond_area_m2=pond_area,
                    other_land_m2=_other_land(scenario), handled_kg=handled, hauled_kg=hauled, lake=series,
                    missing=frozenset(missing))


def _other_land(scenario) -> float:
    impacts = getattr(scenario, "impacts", None)
    return float((getattr(impacts, "road_area", 0.0) or 0.0) + (getattr(impacts, "plant_area", 0.0) or 0.0))


def factors_for(scenario) -> dict[str, Factor]:
    """Resolved factors of a scenario: defaults, its ``[impacts]`` named factors and ``factors``
    table, and its haul distance and truck payload for the road-dust model."""
    from .factors import resolve_factors

    impacts = getattr(scenario, "impacts", None)
    overrides: dict[str, float] = {}
    for key in ("grid_co2", "pv_co2", "diesel_co2", "heat_co2", "rail_co2", "road_co2"):
        value = getattr(impacts, key, None)
        if value is not None:
            overrides[key] = float(value)
    for key, value in dict(getattr(impacts, "factors", None) or {}).items():
        overrides[key] = float(value)
    harvest = getattr(scenario, "harvest", None)
    for key, attribute in (("road_haul_distance", "haul_distance"), ("road_payload", "truck_payload")):
        value = getattr(harvest, attribute, None)
        if value is not None and key not in overrides:
            overrides[key] = float(value)
    sources = {key: "scenario harvest" for key in ("road_haul_distance", "road_payload") if key in overrides}
    return resolve_factors(overrides, sources)


def mitigation_for(scenario) -> list[MitigationPlan]:
    """The scenario's ``[[impacts.mitigation]]`` as plans on the most emissive surface first."""
    from .factors import resolve_mitigation

    plans = []
    for i, spec in enumerate(getattr(getattr(scenario, "impacts", None), "mitigation", ()) or ()):
        measure = resolve_mitigation(spec.measure, spec.control_efficiency, spec.water_rate,
                                     where=f"impacts.mitigation[{i}]")
        source = getattr(spec, "water_source", None)
        if source is not None:
            kind = "brine" if source == "brine" else "freshwater"
            from dataclasses import replace

            measure = replace(measure, water_source=kind if measure.water_rate > 0 else "none")
        plans.append(MitigationPlan(measure=measure, target="auto", area_m2=float(spec.area)))
    return plans


def impacts_from_tables(tables, scenario=None, counterfactual=None) -> pd.DataFrame:
    """The ``impacts`` table of a run from its result tables (and the no-project run's).

    Parameters
    ----------
    tables : mapping of str to DataFrame, or Results
        The run's tables.
    scenario : Scenario, optional
        The run's scenario (factors, mitigation, ponds, land).
    counterfactual : mapping of str to DataFrame, or Results, optional
        Tables of the same scenario run with ``strategy="no_project"`` and the same seed.

    Returns
    -------
    DataFrame
        See :func:`compute`.
    """
    factors = factors_for(scenario) if scenario is not None else __import__(
        "saltsim.environment.factors", fromlist=["default_factors"]).default_factors()
    activity = activity_from_tables(tables, scenario)
    baseline = activity_from_tables(counterfactual, scenario) if counterfactual is not None else None
    mitigation = mitigation_for(scenario) if scenario is not None else []
    return compute(activity, factors, mitigation, baseline)

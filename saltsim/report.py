"""Static HTML reports of a run (or of a sweep), and display units for tables and figures.

``saltsim report RUN_DIR [--out report.html]`` reads a run directory written by ``saltsim run``
and writes one self-contained HTML file: production over time, lake, pond levels and densities,
stockpiles, shipments, impacts, the mass balance, and a mass-flow (Sankey) diagram from lake
brine to products, wastes and losses drawn from the ledger's flows. Figures are matplotlib PNGs,
embedded as base64 ``data:`` URIs and also written as PNG files next to the HTML. Nothing is
fetched from a network and no server is needed.

For a sweep directory (replications), the report shows every KPI per strategy with its mean and
90 % confidence interval of the mean, and bar charts with interval whiskers.

Display units: results are SI; :func:`display_unit` picks a readable unit (t, kt, Mt, MWh, GWh,
ha, km², Mm³, …) for an SI unit and a magnitude, converting with the pint registry. This module
is orchestration (layer 3).
"""
from __future__ import annotations

import base64
import datetime
import html
import io
import json
import math
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ResultsError

__all__ = [
    "display_unit",
    "Figure",
    "sankey_links",
    "draw_sankey",
    "run_figures",
    "render_html",
    "build_report",
    "write_run_report",
    "FIGURE_DPI",
]

#: Resolution of the PNG figures. [dots per inch]
FIGURE_DPI = 100

# SI unit → candidate display units, smallest first; the largest whose value is ≥ 1 is used.
_DISPLAY = {
    "kg": ("kg", "t", "kt", "Mt"),
    "J": ("kWh", "MWh", "GWh", "TWh"),
    "m^3": ("m^3", "hm^3", "km^3"),
    "m^2": ("m^2", "ha", "km^2"),
    "kg/t": ("kg/t", "t/t"),
    "J/t": ("kWh/t", "MWh/t"),
    "m^3/t": ("m^3/t",),
    "m": ("m",),
    "kg/kg": ("kg/kg",),
}


def display_unit(si_unit: str, magnitude: float) -> tuple[str, float]:
    """A readable unit for a value and the factor converting SI to it.

    Parameters
    ----------
    si_unit : str
        Unit of the SI value (``"kg"``, ``"J"``, ``"m^3"``, …); others are returned unchanged.
    magnitude : float
        Typical absolute value, in ``si_unit``.

    Returns
    -------
    unit : str
    factor : float
        ``display_value = si_value * factor``.
    """
    candidates = _DISPLAY.get(str(si_unit))
    if not candidates:
        return str(si_unit), 1.0
    from .units import ureg

    chosen, factor = candidates[0], float(ureg.Quantity(1.0, si_unit).to(candidates[0]).magnitude)
    magnitude = abs(float(magnitude)) if magnitude is not None and math.isfinite(magnitude) else 0.0
    for unit in candidates:
        f = float(ureg.Quantity(1.0, si_unit).to(unit).magnitude)
        if magnitude * f >= 1.0:
            chosen, factor = unit, f
    return chosen, factor


# ------------------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class Figure:
    """One figure of the report: a name (file stem), a section, a caption and the PNG bytes."""

    name: str
    section: str
    title: str
    caption: str
    png: bytes


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
    _plt().close(fig)
    return buffer.getvalue()


def _table(results, name: str) -> pd.DataFrame | None:
    table = getattr(results, name, None)
    if table is None or not isinstance(table, pd.DataFrame) or table.empty:
        return None
    return table


def _time_column(table: pd.DataFrame) -> str | None:
    for column in ("time", "date", "departure", "period_start", "start"):
        if column in table.columns:
            return column
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            return column
    return None


def _times(table: pd.DataFrame, column: str):
    values = table[column]
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=float) / 86400.0, "days from start"
    return pd.to_datetime(values), ""


def _first(table: pd.DataFrame, candidates: Sequence[str]) -> str | None:
    for column in candidates:
        if column in table.columns:
            return column
    return None


def _first_suffix(table: pd.DataFrame, suffixes: Sequence[str], exclude: Sequence[str] = ()) -> str | None:
    for suffix in suffixes:
        for column in table.columns:
            if column.endswith(suffix) and column not in exclude:
                return column
    return None


def _component_columns(table: pd.DataFrame) -> list[str]:
    from .constants import COMPONENTS

    return [f"{c}_kg" for c in COMPONENTS if f"{c}_kg" in table.columns]


def _flow_mass(flows: pd.DataFrame, which: str) -> np.ndarray:
    """Mass per flow row: ``"solutes"`` (all components but water), ``"water"`` or ``"total"``. [kg]"""
    components = _component_columns(flows)
    if components:
        solutes = [c for c in components if c != "H2O_kg"]
        if which == "water":
            return flows["H2O_kg"].to_numpy(dtype=float) if "H2O_kg" in components else np.zeros(len(flows))
        if which == "solutes":
            return flows[solutes].to_numpy(dtype=float).sum(axis=1)
        return flows[components].to_numpy(dtype=float).sum(axis=1)
    column = _first(flows, ("mass_kg", "total_kg"))
    if column is None:
        return np.zeros(len(flows))
    return flows[column].to_numpy(dtype=float)


# ------------------------------------------------------------------------------- Sankey
def _group(account: str, pond_groups: Mapping[str, str]) -> str:
    name = str(account)
    if name == "lake" or name.startswith("lake:"):
        return "lake brine"
    if name.startswith("pond:"):
        return pond_groups.get(name[5:], "ponds")
    if name.startswith("layer:"):
        return "pond salt layers"
    if name.startswith("stockpile:"):
        return f"stockpile {name[10:]}"
    if name.startswith("plant:"):
        return f"plant {name[6:]}"
    if name.startswith("harvest:"):
        return "harvest (in the field)"
    if name.startswith("rail") or name.startswith("train") or name.startswith("wagon"):
        return "rail"
    if name.startswith("ext:customer"):
        return "customers"
    return {"ext:atmosphere": "evaporation", "ext:rain": "rain", "ext:river": "river inflow",
            "ext:groundwater": "seepage", "ext:waste": "wastes", "ext:reagents": "reagents",
            "ext:water_supply": "fresh water"}.get(name, name.removeprefix("ext:"))


def sankey_links(flows: pd.DataFrame, which: str = "solutes", pond_groups: Mapping[str, str] | None = None,
                 min_share: float = 1e-3) -> pd.DataFrame:
    """Aggregated links between account groups, for the mass-flow diagram.

    Parameters
    ----------
    flows : DataFrame
        The ledger flows (``source``, ``sink``, component ``*_kg`` columns or ``mass_kg``).
    which : str
        ``"solutes"``, ``"water"`` or ``"total"``.
    pond_groups : mapping, optional
        Pond name → group label (e.g. its role); default: every pond under ``"ponds"``.
    min_share : float
        Links smaller than this share of the largest are dropped. [-]

    Returns
    -------
    DataFrame
        ``source``, ``sink``, ``mass_kg`` (summed), largest first; flows within a group removed.
    """
    pond_groups = dict(pond_groups or {})
    mass = _flow_mass(flows, which)
    frame = pd.DataFrame({"source": [_group(s, pond_groups) for s in flows["source"].astype(str)],
                          "sink": [_group(s, pond_groups) for s in flows["sink"].astype(str)],
                          "mass_kg": mass})
    frame = frame[frame["source"] != frame["sink"]]
    links = frame.groupby(["source", "sink"], as_index=False)["mass_kg"].sum()
    links = links[links["mass_kg"] > 0]
    if links.empty:
        return links.reset_index(drop=True)
    links = links[links["mass_kg"] >= min_share * links["mass_kg"].max()]
    return links.sort_values("mass_kg", ascending=False).reset_index(drop=True)


def _layers(links: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Column of every node (longest path from the sources); back edges go to a copy of their
    sink placed after every other column (e.g. bitterns returned to the lake)."""
    nodes = list(dict.fromkeys(list(links["source"]) + list(links["sink"])))
    out: dict[str, list[str]] = {n: [] for n in nodes}
    for s, t in zip(links["source"], links["sink"]):
        out[s].append(t)
    incoming = {n: 0 for n in nodes}
    for t in links["sink"]:
        incoming[t] += 1
    roots = [n for n in nodes if incoming[n] == 0] or [nodes[0]]
    if "lake brine" in nodes and "lake brine" not in roots:
        roots.insert(0, "lake brine")
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()

    def visit(node):
        state[node] = 1
        for nxt in out[node]:
            if state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                visit(nxt)
        state[node] = 2

    for root in roots + nodes:
        if root not in state:
            visit(root)
    links = links.copy()
    is_back = [(s, t) in back for s, t in zip(links["source"], links["sink"])]
    links.loc[is_back, "sink"] = links.loc[is_back, "sink"] + " (returned)"
    nodes = list(dict.fromkeys(list(links["source"]) + list(links["sink"])))
    depth = {n: 0 for n in nodes}
    for _ in range(len(nodes)):
        changed = False
        for s, t in zip(links["source"], links["sink"]):
            if depth[t] < depth[s] + 1:
                depth[t] = depth[s] + 1
                changed = True
        if not changed:
            break
    last = max(depth.values())
    for node in nodes:  # pure sinks go to the last column, so losses and products line up
        if node not in set(links["source"]):
            depth[node] = last
    return links, depth


def draw_sankey(links: pd.DataFrame, title: str, unit: str = "t", factor: float = 1e-3, ax=None):
    """Draw a layered Sankey diagram: nodes as bars, links as bands of width ∝ mass.

    Parameters
    ----------
    links : DataFrame
        From :func:`sankey_links`.
    title : str
    unit, factor : str, float
        Label unit and SI → label factor (default tonnes).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Figure
    """
    plt = _plt()
    from matplotlib.path import Path as MplPath
    from matplotlib.patches import PathPatch, Rectangle

    if ax is None:
        fig, ax = plt.subplots(figsize=(11, 5.5))
    else:
        fig = ax.figure
    ax.set_axis_off()
    ax.set_title(title, fontsize=11)
    if links.empty:
        ax.text(0.5, 0.5, "no flows recorded", ha="center", va="center")
        return fig
    links, depth = _layers(links)
    nodes = list(depth)
    throughput = {n: max(links.loc[links["sink"] == n, "mass_kg"].sum(),
                         links.loc[links["source"] == n, "mass_kg"].sum()) for n in nodes}
    columns = sorted(set(depth.values()))
    total = max(sum(throughput[n] for n in nodes if depth[n] == c) for c in columns)
    gap = 0.04 * total
    height = max(sum(throughput[n] for n in nodes if depth[n] == c) + gap * (sum(depth[n] == c for n in nodes) - 1)
                 for c in columns)
    width = 0.018
    position: dict[str, tuple[float, float]] = {}
    for c in columns:
        stack = sorted([n for n in nodes if depth[n] == c], key=lambda n: -throughput[n])
        used = sum(throughput[n] for n in stack) + gap * (len(stack) - 1)
        y = (height - used) / 2.0
        for n in stack:
            position[n] = (c, y)
            y += throughput[n] + gap
    cmap = plt.get_cmap("tab20")
    colour = {n: cmap(i % 20) for i, n in enumerate(nodes)}
    out_offset = {n: 0.0 for n in nodes}
    in_offset = {n: 0.0 for n in nodes}
    span = max(len(columns) - 1, 1)
    for s, t, m in sorted(zip(links["source"], links["sink"], links["mass_kg"]),
                          key=lambda r: (position[r[1]][1], position[r[0]][1])):
        x0 = position[s][0] / span + width
        x1 = position[t][0] / span
        y0 = position[s][1] + out_offset[s]
        y1 = position[t][1] + in_offset[t]
        out_offset[s] += m
        in_offset[t] += m
        xm = (x0 + x1) / 2.0
        vertices = [(x0, y0), (xm, y0), (xm, y1), (x1, y1), (x1, y1 + m), (xm, y1 + m), (xm, y0 + m),
                    (x0, y0 + m), (x0, y0)]
        codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.LINETO,
                 MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
        ax.add_patch(PathPatch(MplPath(vertices, codes), facecolor=colour[s], alpha=0.45, lw=0))
    for n, (c, y) in position.items():
        x = c / span
        ax.add_patch(Rectangle((x, y), width, throughput[n], facecolor=colour[n], edgecolor="black", lw=0.5))
        value = throughput[n] * factor
        label = f"{n}\n{value:,.0f} {unit}" if value >= 1000 else f"{n}\n{value:.3g} {unit}"
        ax.text(x + width + 0.006, y + throughput[n] / 2.0, label, ha="left", va="center", fontsize=7.5)
    ax.set_xlim(-0.02, 1.0 + width + 0.16)
    ax.set_ylim(-gap, height + gap)
    ax.invert_yaxis()
    return fig


# ------------------------------------------------------------------------------- figures
def _line_figure(table, time_column, group_column, value_column, title, ylabel, factor=1.0, ax=None):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 3.4)) if ax is None else (ax.figure, ax)
    groups = table.groupby(group_column, sort=False) if group_column else [("", table)]
    for name, group in groups:
        x, xlabel = _times(group, time_column)
        ax.plot(x, group[value_column].to_numpy(dtype=float) * factor, label=str(name), linewidth=1.1)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel)
    if xlabel:
        ax.set_xlabel(xlabel)
    else:
        import matplotlib.dates as mdates

        locator = mdates.AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if group_column:
        ax.legend(fontsize=7, ncol=4, loc="best")
    ax.grid(alpha=0.3)
    return fig


def _run_start(results, times: pd.Series):
    """Start of the run: the first time of the lake or pond table, else of ``times``."""
    for name in ("lake", "ponds"):
        table = _table(results, name)
        if table is not None:
            column = _time_column(table)
            if column is not None:
                return table[column].min()
    return times.min()


def _fig_production(results) -> Figure | None:
    flows = _table(results, "flows")
    if flows is None or not {"sink", "source"} <= set(flows.columns):
        return None
    time_column = _time_column(flows)
    into = flows[flows["sink"].astype(str).str.startswith("stockpile:")
                 & ~flows["source"].astype(str).str.startswith("stockpile:")]
    if into.empty or time_column is None:
        return None
    frame = pd.DataFrame({"time": into[time_column].to_numpy(), "product": into["sink"].str[10:].to_numpy(),
                          "mass": _flow_mass(into, "total")})
    start = _run_start(results, flows[time_column])
    zero = pd.DataFrame({"time": start, "product": frame["product"].unique(), "mass": 0.0})
    frame = pd.concat([zero, frame], ignore_index=True).sort_values("time", kind="stable")
    frame["cumulative"] = frame.groupby("product")["mass"].cumsum()
    unit, factor = display_unit("kg", frame["cumulative"].max())
    fig = _line_figure(frame, "time", "product", "cumulative", "Cumulative production into stockpiles",
                       unit, factor)
    return Figure("production", "Production", "Production over time", "Cumulative mass harvested or "
                  "produced into each stockpile (ledger flows into stockpile accounts).", _png(fig))


def _fig_lake(results) -> Figure | None:
    lake = _table(results, "lake")
    if lake is None:
        return None
    time_column = _time_column(lake)
    level = _first(lake, ("level_m", "water_level_m", "lake_level_m")) or _first_suffix(lake, ("level_m",))
    exposed = _first(lake, ("exposed_area_m2", "exposed_lakebed_m2")) or _first_suffix(lake, ("exposed_area_m2",))
    if time_column is None or (level is None and exposed is None):
        return None
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
    if level is not None:
        _line_figure(lake, time_column, None, level, "Lake level", "m", ax=axes[0])
    if exposed is not None:
        unit, factor = display_unit("m^2", lake[exposed].max())
        _line_figure(lake, time_column, None, exposed, "Exposed lakebed", unit, factor, ax=axes[1])
    fig.tight_layout()
    return Figure("lake", "Lake", "Lake level and exposed lakebed",
                  "Daily lake level and dry (exposed) lakebed area, the source area of lakebed dust.", _png(fig))


def _fig_ponds(results) -> Figure | None:
    ponds = _table(results, "ponds")
    if ponds is None:
        return None
    time_column = _time_column(ponds)
    level = _first(ponds, ("depth_m", "level_m", "brine_depth_m")) or _first_suffix(ponds, ("depth_m", "level_m"))
    density = _first(ponds, ("density_kg_per_m3", "brine_density_kg_per_m3")) or _first_suffix(
        ponds, ("density_kg_per_m3",))
    group = _first(ponds, ("pond", "name"))
    if time_column is None or group is None or (level is None and density is None):
        return None
    plt = _plt()
    fig, axes = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    if density is not None:  # a dry pond has no brine density: leave a gap, not a line at 1000
        wet = ponds[level] > 0 if level is not None else (ponds[_first(ponds, ("volume_m3",))] > 0
                                                           if "volume_m3" in ponds else True)
        ponds = ponds.assign(**{density: ponds[density].where(wet)})
    if level is not None:
        _line_figure(ponds, time_column, group, level, "Brine depth", "m", ax=axes[0])
    if density is not None:
        _line_figure(ponds, time_column, group, density, "Brine density", "kg/m³", ax=axes[1])
        from .units import baume_to_density

        for baume in (26.0, 29.5):
            axes[1].axhline(baume_to_density(baume), color="grey", linestyle=":", linewidth=0.8)
            axes[1].annotate(f"{baume:g} °Bé", (0.995, baume_to_density(baume)), xycoords=("axes fraction", "data"),
                             ha="right", va="bottom", fontsize=7, color="grey")
    fig.tight_layout()
    return Figure("ponds", "Ponds", "Pond levels and densities",
                  "Daily brine depth and density of every pond (no density while a pond is dry); dotted "
                  "lines mark the crystallizer feed (26 °Bé) and drain-off (29.5 °Bé) densities [S1].", _png(fig))


def _fig_stockpiles(results) -> Figure | None:
    stock = _table(results, "stockpiles")
    if stock is None:
        return None
    time_column = _time_column(stock)
    group = _first(stock, ("product", "stockpile", "name"))
    mass = _first(stock, ("mass_kg", "stock_kg", "level_kg", "content_kg")) or _first_suffix(
        stock, ("_kg",), exclude=("capacity_kg",))
    if time_column is None or mass is None:
        return None
    unit, factor = display_unit("kg", stock[mass].max())
    fig = _line_figure(stock, time_column, group, mass, "Stockpiles", unit, factor)
    return Figure("stockpiles", "Stockpiles", "Stockpile contents",
                  "Mass held in each stockpile over time.", _png(fig))


def _fig_shipments(results) -> Figure | None:
    shipments = _table(results, "shipments")
    if shipments is None:
        return None
    time_column = _first(shipments, ("departure", "arrival")) or _time_column(shipments)
    mass = _first(shipments, ("mass_kg", "payload_kg", "net_kg", "cargo_kg")) or _first_suffix(shipments, ("_kg",))
    group = _first(shipments, ("destination", "product"))
    if time_column is None or mass is None:
        return None
    frame = shipments.sort_values(time_column).copy()
    frame["cumulative"] = frame.groupby(group)[mass].cumsum() if group else frame[mass].cumsum()
    unit, factor = display_unit("kg", frame["cumulative"].max())
    fig = _line_figure(frame, time_column, group, "cumulative", "Cumulative tonnage shipped by rail", unit, factor)
    return Figure("shipments", "Shipments", "Shipments", "Cumulative mass shipped per destination, by "
                  f"departure from the loading terminal ({len(shipments)} trains).", _png(fig))


def _fig_impacts(results) -> Figure | None:
    impacts = _table(results, "impacts")
    if impacts is None:
        return None
    totals = impacts[impacts["per_tonne_of"].fillna("").astype(str) == ""]
    panels = [("climate", "co2e_", "kg", "Climate: CO2e by source"),
              ("energy", "", "J", "Energy by carrier"),
              ("water", "", "m^3", "Water by source"),
              ("dust", "pm10_", "kg", "PM10 by source")]
    plt = _plt()
    fig, axes = plt.subplots(2, 2, figsize=(11, 6.5))
    drawn = 0
    for ax, (category, prefix, si_unit, title) in zip(axes.flat, panels):
        rows = totals[(totals["category"] == category) & (totals["unit"] == si_unit)
                      & ~totals["quantity"].str.endswith("_total")
                      & ~totals["quantity"].isin(["pm10_mitigated", "pm10_total_no_project",
                                                  "pm10_project_increment"])]
        if rows.empty:
            ax.set_axis_off()
            continue
        unit, factor = display_unit(si_unit, rows["value"].abs().max())
        labels = [q.removeprefix(prefix).replace("_", " ") for q in rows["quantity"]]
        ax.barh(labels, rows["value"].to_numpy(dtype=float) * factor, color="#4C72B0")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(unit)
        ax.tick_params(axis="y", labelsize=7.5)
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
        drawn += 1
    fig.tight_layout()
    if not drawn:
        _plt().close(fig)
        return None
    return Figure("impacts", "Impacts", "Environmental impacts",
                  "Totals over the run by source; sources and factors in the impacts table below.", _png(fig))


def _fig_mass_balance(results) -> Figure | None:
    balance = _table(results, "mass_balance")
    if balance is None or "closure_rel" not in balance.columns:
        return None
    name = _first(balance, ("component", "element"))
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 3))
    closure = np.maximum(balance["closure_rel"].to_numpy(dtype=float), 1e-18)
    ax.bar(balance[name].astype(str), closure, color="#55A868")
    ax.set_yscale("log")
    ax.axhline(1e-9, color="red", linestyle="--", linewidth=0.8, label="1e-9 target")
    ax.set_ylabel("|in − out − Δstored| / in")
    ax.set_title("Mass-balance closure per component", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return Figure("mass_balance", "Mass balance", "Mass balance",
                  "Relative closure of the whole-system balance per component (values below 1e-18 "
                  "drawn at 1e-18).", _png(fig))


def _pond_groups(results) -> dict[str, str]:
    ponds = _table(results, "ponds")
    if ponds is None:
        return {}
    name, role = _first(ponds, ("pond", "name")), _first(ponds, ("role",))
    if name is None:
        return {}
    names = list(dict.fromkeys(ponds[name].astype(str)))
    if role is not None:
        roles = ponds.drop_duplicates(name).set_index(name)[role].astype(str)
        return {n: f"{roles[n]} ponds" for n in names}
    return {n: f"pond {n}" for n in names} if len(names) <= 6 else {}


def _fig_sankey(results, which: str) -> Figure | None:
    flows = _table(results, "flows")
    if flows is None or not {"source", "sink"} <= set(flows.columns):
        return None
    links = sankey_links(flows, which, _pond_groups(results))
    if links.empty:
        return None
    unit, factor = display_unit("kg", links["mass_kg"].max())
    what = {"solutes": "dissolved and precipitated salts (all components except water)",
            "water": "water"}[which]
    fig = draw_sankey(links, f"Mass flows of {what}", unit, factor)
    return Figure(f"sankey_{which}", "Mass flows", f"Mass flows: {which}",
                  f"Flows of {what} over the whole run between the lake, ponds, salt layers, stockpiles, "
                  "plants, customers, wastes and losses (ledger flows, summed; bands ∝ mass; flows "
                  "below 0.1 % of the largest omitted).", _png(fig))


def run_figures(results) -> list[Figure]:
    """Every figure that the run's tables support, in report order."""
    makers = [_fig_production, _fig_lake, _fig_ponds, _fig_stockpiles, _fig_shipments, _fig_impacts,
              _fig_mass_balance, lambda r: _fig_sankey(r, "solutes"), lambda r: _fig_sankey(r, "water")]
    return [figure for figure in (make(results) for make in makers) if figure is not None]


# ------------------------------------------------------------------------------- HTML
def _html_table(frame: pd.DataFrame, numeric: Sequence[str] = ()) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, record):
            if column in numeric and isinstance(value, (int, float, np.floating, np.integer)):
                text = "–" if not np.isfinite(value) else (f"{value:,.4g}" if abs(value) < 1e6 else f"{value:.4e}")
                cells.append(f'<td class="num">{text}</td>')
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _display_values(frame: pd.DataFrame, unit_column: str = "unit", value_columns=("value",)) -> pd.DataFrame:
    out = frame.copy()
    for i, row in frame.iterrows():
        magnitude = max((abs(float(row[c])) for c in value_columns if np.isfinite(float(row[c]))), default=0.0)
        unit, factor = display_unit(str(row[unit_column]), magnitude)
        out.at[i, unit_column] = unit
        for column in value_columns:
            out.at[i, column] = float(row[column]) * factor
    return out


def _display_kpis(kpis: pd.DataFrame) -> pd.DataFrame:
    """KPIs in the units ``saltsim run`` prints them in (kt/yr, MWh/yr, d, t*km …)."""
    from .commands.run import display_quantity

    if "unit" not in kpis.columns:
        return kpis
    shown = [display_quantity(float(v), str(u)) for v, u in zip(kpis["value"], kpis["unit"])]
    return kpis.assign(value=[v for v, _ in shown], unit=[u for _, u in shown])


def _figure_html(figure: Figure) -> str:
    data = base64.b64encode(figure.png).decode("ascii")
    return (f'<figure id="fig-{figure.name}"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(figure.title)}" data-figure="{figure.name}">'
            f"<figcaption>{html.escape(figure.caption)} (also <code>{figure.name}.png</code>)</figcaption></figure>")


def render_html(title: str, subtitle: str, sections: Sequence[tuple[str, str, str]], source: str) -> str:
    """Fill the packaged template.

    Parameters
    ----------
    title, subtitle : str
    sections : sequence of (anchor, heading, inner HTML)
    source : str
        Where the results came from (shown in the footer).
    """
    from . import __version__

    template = string.Template(resources.files("saltsim").joinpath("data", "report_template.html").read_text(
        encoding="utf-8"))
    body = "\n".join(f'<section id="{anchor}">\n<h2>{html.escape(heading)}</h2>\n{inner}\n</section>'
                     for anchor, heading, inner in sections)
    navigation = " ".join(f'<a href="#{anchor}">{html.escape(heading)}</a>' for anchor, heading, _ in sections)
    return template.substitute(title=html.escape(title), subtitle=html.escape(subtitle), body=body,
                               navigation=navigation, source=html.escape(source), version=__version__)


def _run_sections(results, figures: Sequence[Figure]) -> list[tuple[str, str, str]]:
    by_section: dict[str, list[Figure]] = {}
    for figure in figures:
        by_section.setdefault(figure.section, []).append(figure)
    sections = []
    kpis = _table(results, "kpis")
    if kpis is not None:
        columns = [c for c in ("kpi", "value", "unit", "description") if c in kpis.columns]
        sections.append(("kpis", "Key figures", _html_table(_display_kpis(kpis[columns]), numeric=("value",))))
    for name in ("Production", "Lake", "Ponds", "Stockpiles", "Shipments"):
        if name in by_section:
            sections.append((name.lower(), name, "\n".join(_figure_html(f) for f in by_section[name])))
    impacts = _table(results, "impacts")
    if impacts is not None or "Impacts" in by_section:
        inner = "\n".join(_figure_html(f) for f in by_section.get("Impacts", []))
        if impacts is not None:
            totals = impacts[impacts["per_tonne_of"].fillna("").astype(str) == ""]
            inner += "<h3>Totals</h3>" + _html_table(_display_values(totals), numeric=("value",))
            intensity = impacts[impacts["per_tonne_of"].fillna("").astype(str) != ""]
            if not intensity.empty:
                inner += ("<h3>Per tonne of each product</h3><p class=\"note\">Each total divided by the "
                          "tonnes of one product (no allocation between co-products).</p>"
                          + _html_table(_display_values(intensity), numeric=("value",)))
        sections.append(("impacts", "Environmental impacts", inner))
    balance = _table(results, "mass_balance")
    if balance is not None or "Mass balance" in by_section:
        inner = "\n".join(_figure_html(f) for f in by_section.get("Mass balance", []))
        if balance is not None:
            inner += _html_table(balance, numeric=[c for c in balance.columns if c not in ("component", "element")])
        sections.append(("mass-balance", "Mass balance", inner))
    if "Mass flows" in by_section:
        sections.append(("mass-flows", "Mass flows (Sankey)",
                         "\n".join(_figure_html(f) for f in by_section["Mass flows"])))
    missing = [name for name in ("Production", "Lake", "Ponds", "Stockpiles", "Shipments", "Impacts",
                                 "Mass balance", "Mass flows") if name not in by_section]
    if missing:
        sections.append(("not-shown", "Not shown",
                         f'<p class="missing">This run has no data for: {html.escape(", ".join(missing))} '
                         "(the corresponding tables are empty or absent).</p>"))
    return sections


def _sweep_sections(entries, figures_dir: Path) -> tuple[list[tuple[str, str, str]], list[Figure]]:
    from .compare import CONFIDENCE, display_table, summarise, write_figures

    raw = summarise(entries)
    summary = display_table(raw)
    table = summary.rename(columns={"label": "strategy", "low": f"low {int(CONFIDENCE * 100)} %",
                                    "high": f"high {int(CONFIDENCE * 100)} %"})
    numeric = [c for c in table.columns if c not in ("strategy", "metric", "unit")]
    paths = write_figures(raw, figures_dir)
    figures = [Figure(p.stem, "Strategies", p.stem.replace("_", " "),
                      f"Mean over replications with the {int(CONFIDENCE * 100)} % confidence interval of the mean.",
                      p.read_bytes()) for p in paths]
    sections = [("strategies", "Strategies: mean and 90 % interval",
                 _html_table(table, numeric=numeric) + "\n".join(_figure_html(f) for f in figures))]
    return sections, figures


def write_run_report(results, out: str | Path, figures_dir: str | Path | None = None,
                     source: str = "") -> Path:
    """Write the HTML report of one run's results and its PNG figures.

    Parameters
    ----------
    results : Results
        Any object with the results tables as attributes (``kpis``, ``ponds``, ``lake``,
        ``flows``, ``stockpiles``, ``shipments``, ``impacts``, ``mass_balance``) and ``metadata``.
    out : str or Path
        HTML file.
    figures_dir : str or Path, optional
        Where the PNG files go (default: ``<out stem>_figures`` beside the HTML).
    source : str
        Where the results came from, for the footer.

    Returns
    -------
    Path
        The HTML file.
    """
    out = Path(out)
    figures = run_figures(results)
    sections = _run_sections(results, figures)
    metadata = dict(getattr(results, "metadata", {}) or {})
    name = metadata.get("scenario_name") or metadata.get("scenario") or Path(source or out.stem).name
    generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    subtitle = (f"seed {metadata.get('seed', '?')} · scenario hash {str(metadata.get('scenario_hash', '?'))[:12]}"
                f" · saltsim {metadata.get('saltsim_version', metadata.get('version', '?'))} · report {generated}")
    return _write(out, figures_dir, f"saltsim run report: {name}", subtitle, sections, figures, source)


def _write(out: Path, figures_dir, title, subtitle, sections, figures, source) -> Path:
    figures_dir = Path(figures_dir) if figures_dir is not None else out.with_name(out.stem + "_figures")
    figures_dir.mkdir(parents=True, exist_ok=True)
    for figure in figures:
        (figures_dir / f"{figure.name}.png").write_bytes(figure.png)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(title, subtitle, sections, str(source)), encoding="utf-8")
    manifest = {"html": out.name, "figures": [f"{f.name}.png" for f in figures]}
    (figures_dir / "figures.json").write_text(json.dumps(manifest, indent=1))
    return out


def _with_impacts(results):
    """The results, with the impacts table computed from the other tables when the run left it
    empty and its scenario file is still at hand (no counterfactual: that needs a second run)."""
    import dataclasses

    impacts = getattr(results, "impacts", None)
    path = (getattr(results, "metadata", {}) or {}).get("scenario_path")
    if impacts is None or not impacts.empty or not path or not Path(path).is_file():
        return results
    from .environment.impacts import impacts_from_tables
    from .scenario import load_scenario

    metadata = dict(results.metadata)
    variant = metadata.get("variant")
    scenario = load_scenario(path, variant=variant if variant and variant != "base" else None)
    if metadata.get("scenario_hash") not in (None, scenario.hash):
        return results  # the run had overrides the file does not hold: do not guess
    table = impacts_from_tables(results.tables(), scenario)
    table["source"] = table["source"] + " (computed at report time)"
    return dataclasses.replace(results, impacts=table)


def build_report(run_dir: str | Path, out: str | Path | None = None, figures_dir: str | Path | None = None) -> Path:
    """Write the HTML report of a run directory (or a sweep directory) and its PNG figures.

    Parameters
    ----------
    run_dir : str or Path
        Written by ``saltsim run --out`` (or ``saltsim sweep --out``).
    out : str or Path, optional
        HTML file (default ``RUN_DIR/report.html``).
    figures_dir : str or Path, optional
        Where the PNG files go (default: ``<out stem>_figures`` beside the HTML).

    Returns
    -------
    Path
        The HTML file.

    Raises
    ------
    ResultsError
        When ``run_dir`` holds neither a run nor a sweep.
    """
    run_dir = Path(run_dir)
    out = Path(out) if out is not None else run_dir / "report.html"
    if (run_dir / "metadata.json").exists():
        from .results import Results

        return write_run_report(_with_impacts(Results.read(run_dir)), out, figures_dir, source=str(run_dir))
    from .compare import _entries_from_sweep, _sweep_table

    table = _sweep_table(run_dir)
    if table is None:
        raise ResultsError(f"{run_dir}: found neither metadata.json (a run) nor a sweep store; "
                           f"expected a directory written by 'saltsim run --out' or 'saltsim sweep --out'")
    figures_dir = Path(figures_dir) if figures_dir is not None else out.with_name(out.stem + "_figures")
    entries = _entries_from_sweep(run_dir, table)
    sections, figures = _sweep_sections(entries, figures_dir)
    generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    subtitle = f"{table['run_id'].nunique() if 'run_id' in table else '?'} runs · report {generated}"
    return _write(out, figures_dir, f"saltsim sweep report: {run_dir.name}", subtitle, sections, figures,
                  str(run_dir))

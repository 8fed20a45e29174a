"""A short human-readable summary of a scenario, in display units (for ``saltsim run``)."""
from __future__ import annotations

import numpy as np

from ..constants import SOLUTES
from ..units import YEAR, density_to_baume
from .schema import Scenario

__all__ = ["summary_lines"]

HECTARE = 1.0e4  # [m²]


def summary_lines(scenario: Scenario) -> list[str]:
    """Lines describing the scenario (site, lake, brine, ponds, pumps, plants, rail, strategy)."""
    s = scenario
    lines = [f"scenario  {s.site.name}" + (f"  (variant {s.variant})" if s.variant else "")]
    lines.append(f"  start {s.site.start.isoformat()}, horizon {s.site.horizon / YEAR:g} yr, "
                 f"step {s.site.time_step / 86400:g} d, seed {s.site.seed}")
    lines.append(f"  lake   {s.lake.name}: {s.lake.area / 1e6:,.0f} km², "
                 f"inflow {float(np.mean(s.lake.inflow)) * YEAR / 1e6:,.1f} hm³/yr")
    major = sorted(zip(s.brine.molality, SOLUTES), reverse=True)[:4]
    lines.append(f"  brine  {s.brine.name} at {s.brine.temperature - 273.15:g} °C: "
                 + ", ".join(f"{name} {m:.3g}" for m, name in major) + " mol/kg"
                 + f" (charge imbalance {s.brine.charge_imbalance:+.1%}"
                 + (f", balanced on {s.brine.charge_balance})" if s.brine.charge_balance else ")"))
    if s.ponds:
        total = sum(p.area for p in s.ponds)
        roles = {}
        for pond in s.ponds:
            roles[pond.role] = roles.get(pond.role, 0.0) + pond.area
        lines.append(f"  ponds  {len(s.ponds)}, {total / HECTARE:,.0f} ha: "
                     + ", ".join(f"{role} {area / HECTARE:,.0f} ha" for role, area in roles.items()))
        feeds = [p for p in s.ponds if p.transfer_density is not None]
        if feeds:
            lines.append("         transfer at " + ", ".join(
                f"{p.name} {density_to_baume(p.transfer_density):.1f} °Bé" for p in feeds))
    for pump in s.pumps:
        lines.append(f"  pump   {pump.name}: {pump.count} × {pump.capacity * 3600:,.0f} m³/h, "
                     f"{pump.source} → {pump.destination}")
    for plant in s.plants:
        lines.append(f"  plant  {plant.name} ({plant.kind}): {plant.feed} → {plant.product}, "
                     f"{plant.capacity * YEAR / 1e6:,.3g} kt/yr")
    if s.rail is not None and s.rail.enabled:
        lines.append(f"  rail   {s.rail.wagons.count} wagons × {s.rail.wagons.payload / 1e3:g} t; "
                     + "; ".join(f"{d.name} ({sum(sec.length for sec in s.rail.sections if sec.name in d.route) / 1e3:,.0f} km)"
                                 for d in s.rail.destinations))
    lines.append(f"  strategy {s.strategy.name}"
                 + (f"; variants: {', '.join(v.name for v in s.variants)}" if s.variants else ""))
    return lines

"""How many wagons does the rail chain need? A fleet-size sweep of the logistics model.

The bundled ``qom_small`` scenario gets a salt washing plant and a magnesia plant, fed at constant
rates (300 kt/yr of raw halite, 150 kt/yr of bittern) in place of the pond simulation, and a rail
export: washed salt to Tehran (170 km [R7], 31.3 km/h [R15]) and magnesia to China over a
gauge-break border (10–20 d beyond it [R24][R25][R10]) in trains of at most 50 wagons × 68 t
[R15]. For each fleet size the script runs one year and reports what was delivered and on how
many days a full stockpile stopped production. The knee of the curve is the smallest fleet that
ships everything (no blocked day, and deliveries within 2 % of the largest fleet's).

Run: ``python examples/fleet_size_sweep.py [--out fleet_size_sweep.png]`` (about 20 s).
"""
from __future__ import annotations

import argparse
import tomllib
from importlib import resources
from pathlib import Path

from saltsim.des.logistics import run_standalone
from saltsim.scenario import load_scenario
from saltsim.units import YEAR

FLEET_SIZES = (5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60)
#: A fleet ships everything when nothing is blocked and it delivers within this share of the
#: largest fleet's deliveries (the rest is product still in stores at the end of the year).
KNEE_SHARE = 0.98
PRODUCTION = {"halite": 300e6 / YEAR, "bittern": 150e6 / YEAR}  # [kg s⁻¹]
SEED = 20260321


def scenario_with_rail(wagons: int):
    """qom_small plus stockpiles, two plants and the rail export, with ``wagons`` wagons."""
    with resources.files("saltsim").joinpath("scenarios/qom_small.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    raw["stockpiles"] = [{"product": "halite", "capacity": "30 kt"},   # EST
                         {"product": "bittern", "capacity": "50 kt"}]  # EST
    raw["plants"] = [
        {"name": "wash", "kind": "salt_washing", "feed": "halite", "product": "industrial_salt",
         "capacity": "400 kt/yr", "availability": 0.9},                 # EST
        {"name": "mgo", "kind": "mgo", "feed": "bittern", "product": "magnesia",
         "capacity": "50 kt/yr", "mtbf": "1000 h", "mttr": "48 h"},     # 50 kt/yr MgO tender [Q25]
    ]
    raw["rail"] = {
        "terminal": {"loading_rate": "1000 t/h", "non_loading_allowance": 0.2,  # [R37] [R40]
                     "silo_capacity": "20 kt"},
        "wagons": {"count": wagons, "payload": "68 t", "tare": "24.5 t"},      # [R15] [R21]
        "locomotives": {"count": 4},
        "trains": {"min_wagons": 5, "max_wagons": 50, "max_wait": "3 d"},     # 50 wagons [R15]
        "sections": [
            {"name": "qom-tehran", "origin": "Qom", "destination": "Tehran", "length": "170 km",
             "speed": "31.3 km/h", "capacity": "4 1/d", "delay_mean": "6 h"},
            {"name": "qom-incheh_borun", "origin": "Qom", "destination": "Incheh-Borun",
             "length": "1000 km", "speed": "31.3 km/h", "delay_mean": "12 h"},   # EST distance
            {"name": "incheh_borun-china", "origin": "Incheh-Borun", "destination": "China",
             "length": "9300 km", "transit_time_min": "10 d", "transit_time_max": "20 d"},
        ],
        "border": {"station": "Incheh-Borun", "gauge_break": True, "transload_rate": "500 t/h",
                   "dwell": "24 h"},
        "destinations": [
            {"name": "tehran", "route": ["qom-tehran"], "products": ["wash"]},
            {"name": "china", "route": ["qom-incheh_borun", "incheh_borun-china"],
             "products": ["mgo"], "crosses_border": True},
        ],
    }
    return load_scenario(raw)


def sweep(fleet_sizes=FLEET_SIZES, seed=SEED):
    """One year per fleet size; rows of (wagons, delivered kt, blocked days, utilisation, trains)."""
    rows = []
    for wagons in fleet_sizes:
        handles = run_standalone(scenario_with_rail(wagons), PRODUCTION, until=YEAR, seed=seed)
        kpis = {r["kpi"]: r["value"] for r in handles.kpis()}
        delivered = sum(v for k, v in kpis.items() if k.startswith("delivered_kg:"))
        rows.append((wagons, delivered / 1e6, int(kpis["production_blocked_d"]),
                     kpis["wagon_utilisation_frac"], int(kpis["trains_run"])))
    return rows


def knee(rows):
    """Smallest fleet with no blocked production day that delivers within :data:`KNEE_SHARE`
    of the largest fleet's deliveries (None if there is none)."""
    best = max(r[1] for r in rows)
    return next((wagons for wagons, delivered, blocked, _, _ in rows
                 if blocked == 0 and delivered >= KNEE_SHARE * best), None)


def plot(rows, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wagons = [r[0] for r in rows]
    fig, left = plt.subplots(figsize=(7, 4.2))
    left.plot(wagons, [r[1] for r in rows], "o-", color="tab:blue", label="delivered")
    left.set_xlabel("wagons in the fleet")
    left.set_ylabel("delivered in one year [kt]", color="tab:blue")
    right = left.twinx()
    right.plot(wagons, [r[2] for r in rows], "s--", color="tab:red", label="production blocked")
    right.set_ylabel("days production was blocked [d]", color="tab:red")
    needed = knee(rows)
    if needed is not None:
        left.axvline(needed, color="grey", lw=1)
        left.annotate(f"knee: {needed} wagons", (needed, min(r[1] for r in rows)),
                      xytext=(5, 5), textcoords="offset points")
    left.set_title("Fleet-size sweep: Qom salt to Tehran, magnesia to China (1 year)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).with_suffix(".png"),
                        help="figure to write (PNG)")
    args = parser.parse_args(argv)
    rows = sweep()
    print(f"{'wagons':>6} {'delivered_kt':>12} {'blocked_d':>9} {'utilisation':>11} {'trains':>6}")
    for wagons, delivered, blocked, utilisation, trains in rows:
        print(f"{wagons:>6d} {delivered:>12.1f} {blocked:>9d} {utilisation:>11.3f} {trains:>6d}")
    print(f"wagons needed to ship everything: {knee(rows)}")
    plot(rows, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

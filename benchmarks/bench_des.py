"""DES benchmark: events per second of the logistics model and of the full site model, and the
wall time of the bundled Qom baseline with plants and rail on vs off.

    python benchmarks/bench_des.py [--years 30] [--repeats 3] [--skip-site] [--skip-logistics]

1. *Logistics alone*: the plants and rail of ``examples/fleet_size_sweep.py`` (50 wagons) fed at
   constant rates, ``--years`` simulated; the environment is stepped by hand to count events.
2. *Site model*: the bundled ``qom_baseline`` over ``--years``, stepped by hand (events/s), and
   ``SiteModel.run`` timed with plants and rail on and off (``rail.enabled = false``, no plants).

Medians of ``--repeats`` runs, as wall time and as CPU time of this process (``time.process_time``,
much less sensitive to other jobs on a shared machine). Not collected by ``pytest tests``; numbers go to
``benchmarks/RESULTS.md`` ("DES / logistics").
"""
from __future__ import annotations

import argparse
import importlib.util
import platform
import statistics
import subprocess
import time
import tomllib
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import simpy

from saltsim.des.ledger import Ledger
from saltsim.des.logistics import feeder, nominal_composition, start_logistics
from saltsim.des.plant import MassStore
from saltsim.scenario import load_scenario
from saltsim.units import YEAR

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    lines = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines()
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    return (f"{fields.get('Model name', '?').strip()}, {fields.get('CPU(s)', '?').strip()} CPUs, "
            f"Python {platform.python_version()}, NumPy {np.__version__}, SimPy {simpy.__version__}")


def _example():
    spec = importlib.util.spec_from_file_location("fleet_size_sweep", ROOT / "examples" / "fleet_size_sweep.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def step_until(env: simpy.Environment, until: float) -> int:
    """Process every event up to ``until``; the number of events processed."""
    events = 0
    while env.peek() <= until:
        env.step()
        events += 1
    return events


def logistics_alone(years: float) -> tuple[int, float, float]:
    example = _example()
    scenario = example.scenario_with_rail(50)
    env, ledger = simpy.Environment(), Ledger()
    piles = {p.product: MassStore(env, capacity=p.capacity, composition=nominal_composition(p.product),
                                  name=f"stockpile:{p.product}") for p in scenario.stockpiles}
    start_logistics(env, scenario, piles, ledger, np.random.default_rng(1))
    for product, rate in example.PRODUCTION.items():
        env.process(feeder(env, piles[product], product, rate, piles[product].composition, ledger))
    started, cpu = time.perf_counter(), time.process_time()
    events = step_until(env, years * YEAR)
    return events, time.perf_counter() - started, time.process_time() - cpu


def _baseline_raw(years: float, logistics: bool) -> dict:
    with resources.files("saltsim").joinpath("scenarios/qom_baseline.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    raw["site"]["horizon"] = f"{years} yr"
    if not logistics:
        raw["plants"] = []
        raw.setdefault("rail", {})["enabled"] = False
    return raw


def site_model(years: float, logistics: bool, count_events: bool) -> tuple[int, float, float]:
    from saltsim.des.model import SiteModel

    scenario = load_scenario(_baseline_raw(years, logistics))
    started, cpu = time.perf_counter(), time.process_time()
    model = SiteModel(scenario, seed=1)
    if count_events:
        model.progress = None  # as SiteModel.run sets it, without a progress bar
        events = step_until(model.env, model.n_days * 86400.0 + 1e-6)
    else:
        model.run(False)
        events = 0
    return events, time.perf_counter() - started, time.process_time() - cpu


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, default=30.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-site", action="store_true", help="only the logistics-alone case")
    parser.add_argument("--skip-logistics", action="store_true", help="only the site-model cases")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"machine: {machine()}")
    def report(label, runs):
        events = runs[0][0]
        wall = statistics.median(r[1] for r in runs)
        cpu = statistics.median(r[2] for r in runs)
        rate = f", {events:,} events, {events / cpu:,.0f} events per CPU-second" if events else ""
        print(f"{label}: wall {wall:.2f} s, CPU {cpu:.2f} s{rate}")
        return cpu

    if not args.skip_logistics:
        report(f"logistics alone, {args.years:g} yr", [logistics_alone(args.years) for _ in range(args.repeats)])
    if args.skip_site:
        return 0
    report(f"site model with logistics, {args.years:g} yr, stepped",
           [site_model(args.years, True, True) for _ in range(args.repeats)])
    on = report(f"qom_baseline {args.years:g} yr, SiteModel.run, plants+rail on",
                [site_model(args.years, True, False) for _ in range(args.repeats)])
    off = report(f"qom_baseline {args.years:g} yr, SiteModel.run, plants+rail off",
                 [site_model(args.years, False, False) for _ in range(args.repeats)])
    print(f"CPU-time ratio on/off: {on / off:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

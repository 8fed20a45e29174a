"""Wall time of the bundled 30-year Qom baseline (plain script; not collected by pytest).

    python benchmarks/bench_run.py [--horizon "30 yr"] [--repeat 1] [--scenario FILE] [--skip-full]
                                   [--counterfactual]

Reports, separately: building the evaporation path (chemistry engine), the site model alone
(plants and rail switched off; stockpiles never full), and the full model with plants and rail (``saltsim.runner.run``
path: ``saltsim.des.model.simulate``); with ``--counterfactual`` also the no-project run that
``saltsim run`` adds for the impacts (strategy ``no_project``, same seed). Medians over
``--repeat`` runs of CPU time (``time.process_time``) and wall time, one core.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import tomllib
import warnings
from importlib import resources

from saltsim.des.model import SiteModel, build_path
from saltsim.scenario import load_scenario


#: Stockpile capacity of the site-only case (the schema's upper bound, 1e11 kg): never full.
SITE_ONLY_STOCKPILE = "1e8 t"


def _raw(horizon, path=None):
    text = (open(path, encoding="utf-8").read() if path
            else resources.files("saltsim").joinpath("scenarios/qom_baseline.toml").read_text())
    raw = tomllib.loads(text)
    raw["site"]["horizon"] = horizon
    return raw


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--horizon", default="30 yr")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--scenario", default=None,
                        help="a copy of the baseline TOML (default: the bundled qom_baseline), to compare "
                             "code versions on one fixed scenario")
    parser.add_argument("--skip-full", action="store_true", help="only the site model (plants and rail off)")
    parser.add_argument("--counterfactual", action="store_true",
                        help="also the no-project counterfactual run of the full scenario")
    args = parser.parse_args(argv)
    full = load_scenario(_raw(args.horizon, args.scenario))
    raw = _raw(args.horizon, args.scenario)
    raw.pop("plants", None)
    raw["rail"]["enabled"] = False
    # Without the plants nothing empties the stockpiles: the 400 kt halite stockpile fills in the
    # second year, campaigns then wait for room and the site stalls (pumping falls to zero from
    # the sixth year). Stockpiles without a practical limit keep the site working as it does in
    # the full run (the same harvest, 1.46 Mm^3/yr pumped), so this case times a working site.
    for stockpile in raw.get("stockpiles", []):
        stockpile["capacity"] = SITE_ONLY_STOCKPILE
    site_only = load_scenario(raw)
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    table = build_path(full)
    path_s = time.perf_counter() - started
    results = {}
    cases = (("site only", site_only, None),) + (() if args.skip_full else (("site + plants + rail", full, None),))
    if args.counterfactual:
        cases += (("no-project counterfactual", full, "no_project"),)
    for label, scenario, strategy in cases:
        times, cpu_times = [], []
        for _ in range(args.repeat):
            started, cpu = time.perf_counter(), time.process_time()
            model = SiteModel(scenario, path_table=table, strategy=strategy).run(progress=False)
            tables = model.tables()
            times.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - cpu)
        results[label] = (statistics.median(times), statistics.median(cpu_times), model.n_days, tables)
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.2f} (1 min) at the end")
    print(f"evaporation path ({len(table.water)} rows, {len(table.mineral_names)} minerals): {path_s:.2f} s")
    for label, (seconds, cpu, days, tables) in results.items():
        closure = tables["mass_balance"]["closure_rel"].max()
        print(f"{label}: {days} days in {seconds:.1f} s wall, {cpu:.1f} s CPU "
              f"({cpu / days * 1e3:.2f} ms CPU/day), max closure_rel {closure:.1e}")
    kpis = results[cases[1 if len(cases) > 1 else 0][0]][3]["kpis"].set_index("kpi")
    print(kpis[["value", "unit"]].to_string())


if __name__ == "__main__":
    main()

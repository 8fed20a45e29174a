"""``saltsim evaporate FILE``: the evaporation path of a brine, its salt sequence, a CSV and a plot.

FILE holds a ``[brine]`` table as in scenario files (a whole scenario file works too). The path
is computed by saltsim's own chemistry engine (:func:`saltsim.chemistry.evaporation.evaporation_path`);
``--compare phreeqc`` runs USGS PHREEQC (pitzer.dat, through the optional ``phreeqpython``
package: ``pip install saltsim[phreeqc]``) on the same brine, steps and minerals and prints both.
"""
from __future__ import annotations

HELP = "evaporation path of a brine: salt sequence with onset density and Baumé, CSV, plot"
EXAMPLES = """examples:
  saltsim evaporate scenarios/qom_small.toml
  saltsim evaporate brine.toml --temperature 35degC --mode fractional --out path.csv
  saltsim evaporate brine.toml --steps 100 --plot path.png --compare phreeqc

FILE holds a [brine] table, e.g.
  [brine]
  name = "seawater"
  temperature = "25 degC"
  basis = "water"
  [brine.composition]
  Na = "0.486 mol/kg"
  Cl = "0.569 mol/kg"
  ...
The CSV has one row per step (onsets add bisection rows); amounts per kg of initial water.
"""

MODES = ("equilibrium", "fractional")
#: Minerals of the PHREEQC comparison: every salt of the Na-K-Mg-Ca-Cl-SO4-H2O system of pitzer.dat.
PHREEQC_ELEMENTS = {"Na": "Na", "K": "K", "Mg": "Mg", "Ca": "Ca", "Cl": "Cl", "SO4": "S(6)",
                    "Br": "Br", "Li": "Li"}


def add_arguments(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="TOML file with a [brine] table (or a scenario)")
    parser.add_argument("--temperature", default=None,
                        help="temperature of the path, e.g. 25degC (default: the brine's temperature)")
    parser.add_argument("--mode", choices=MODES, default="equilibrium",
                        help="solids stay in contact (equilibrium) or are removed at each step (fractional)")
    parser.add_argument("--to-water-fraction", type=float, default=0.005, metavar="F",
                        help="water left at the end, as a fraction of the initial water (default 0.005)")
    parser.add_argument("--steps", type=int, default=200, metavar="N",
                        help="requested steps, geometric in the water left (default 200)")
    parser.add_argument("--minerals", default=None, metavar="LIST",
                        help="comma-separated minerals allowed to form (PHREEQC names; default all)")
    parser.add_argument("--out", default=None, metavar="PATH.csv", help="write the path as CSV")
    parser.add_argument("--plot", default=None, metavar="PATH.png", help="draw molalities and salts vs CF")
    parser.add_argument("--compare", choices=("phreeqc",), default=None,
                        help="also run PHREEQC (pitzer.dat; needs saltsim[phreeqc]) and compare")


def run(args) -> int:
    import numpy as np

    from ..chemistry.evaporation import evaporation_path, path_columns
    from ..errors import ScenarioError

    problems = []
    if not 0.0 < args.to_water_fraction < 1.0:
        problems.append(f"--to-water-fraction: found {args.to_water_fraction!r}; expected a number in (0, 1)")
    if args.steps < 2:
        problems.append(f"--steps: found {args.steps!r}; expected an integer ≥ 2")
    brine, temperature, name = _load_brine(args.file, args.temperature, problems)
    minerals = _parse_minerals(args.minerals, problems)
    if problems:
        raise ScenarioError(problems=problems)

    import warnings

    from ..chemistry.equilibrium import ValidityWarning
    from ..chemistry.evaporation import PathTruncatedWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PathTruncatedWarning)
        warnings.simplefilter("ignore", ValidityWarning)   # reported below from the valid column
        path = evaporation_path(brine, temperature, mode=args.mode, to_water_fraction=args.to_water_fraction,
                                steps=args.steps, minerals=minerals)
    notes = list(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, PathTruncatedWarning)))
    columns = path_columns(path)
    print(f"{name}: {args.mode} evaporation at {temperature - 273.15:.2f} °C, {len(path.water_kg)} rows "
          f"(CF 1 → {path.concentration_factor[-1]:.1f})")
    _print_sequence(path)
    for note in notes:
        print(f"note: {note}")
    invalid = np.nonzero(~path.valid)[0]
    if len(invalid):
        print(f"note: rows from CF {path.concentration_factor[invalid[0]]:.1f} lie outside the Pitzer "
              f"model's validity (I > 20 mol/kg or aw < 0.2); valid = 0 there")
    if args.out:
        _write_csv(args.out, columns)
        print(f"wrote {args.out}")
    reference = None
    if args.compare:
        from ..errors import SaltsimError

        try:
            if args.mode == "equilibrium":
                reference = phreeqc_path(brine, temperature, 1.0 - path.water_removed[~path.refined],
                                         path.mineral_names)
            else:
                reference = phreeqc_fractional_path(brine, temperature, path.water_removed,
                                                    path.mineral_names)
        except SaltsimError as exc:
            if "phreeqpython" in str(exc):
                raise
            print(f"note: no comparison: {exc}")
            reference = None
        if reference is not None:
            _print_comparison(path, reference)
    if args.plot:
        _plot(args.plot, path, name, reference)
        print(f"wrote {args.plot}")
    return 0


def _load_brine(file, temperature_text, problems):
    """Molalities (SOLUTES order), temperature and name from FILE's [brine] table."""
    from .. import units
    from ..errors import ScenarioError
    from ..scenario import load_brine

    try:
        brine = load_brine(file)
    except ScenarioError as exc:
        raise ScenarioError(problems=problems + exc.problems) from None
    temperature = brine.temperature
    if temperature_text is not None:
        try:
            temperature = units.to_si(temperature_text, "K", where="--temperature", example='"25 degC"')
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if not 273.15 <= temperature <= 323.15:
        problems.append(f"--temperature: found {temperature - 273.15:.2f} °C; expected 0–50 °C, the "
                        f"range of the Pitzer parameters")
    return brine.molality, temperature, brine.name


def _parse_minerals(text, problems):
    if text is None:
        return None
    from ..chemistry.equilibrium import chemical_system

    known = {n.lower(): n for n in chemical_system().mineral_names}
    names = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [n for n in names if n.lower() not in known]
    if unknown or not names:
        problems.append(f"--minerals: found {', '.join(unknown) or 'nothing'}; expected PHREEQC mineral "
                        f"names from {', '.join(known.values())}")
        return None
    return [known[n.lower()] for n in names]


def _print_sequence(path) -> None:
    onsets = path.onsets()
    if not onsets:
        print("no mineral forms along this path")
        return
    print(f"{'mineral':<14}{'onset CF':>10}{'density kg/m3':>15}{'Baumé':>8}{'final mol/kg':>14}")
    for onset in onsets:
        j = path.mineral_names.index(onset["name"])
        print(f"{onset['name']:<14}{onset['concentration_factor']:>10.3f}{onset['density_kg_per_m3']:>15.1f}"
              f"{onset['baume']:>8.2f}{path.minerals[-1, j]:>14.5g}")


def _write_csv(target, columns) -> None:
    import csv

    from ..errors import ResultsError

    names = list(columns)
    length = len(columns[names[0]])
    try:
        with open(target, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(names)
            for i in range(length):
                writer.writerow([int(columns[n][i]) if n in ("step", "valid") else f"{float(columns[n][i]):.10g}"
                                 for n in names])
    except OSError as exc:
        raise ResultsError(f"{target}: cannot write the CSV ({exc.strerror})") from None


def _phreeqc_solution(molality, temperature):
    """A PHREEQC engine with pitzer.dat and the input lines of the brine's SOLUTION block.

    Raises SaltsimError when the optional phreeqpython package is not installed.
    """
    from ..constants import SOLUTES
    from ..errors import SaltsimError

    try:
        import phreeqpython
    except ImportError:
        raise SaltsimError("--compare phreeqc needs the optional phreeqpython package: "
                           "pip install 'saltsim[phreeqc]'") from None
    engine = phreeqpython.PhreeqPython(database="pitzer.dat")
    lines = ["SOLUTION 1", " units mol/kgw", f" temp {temperature - 273.15:.6f}", " pH 7"]
    for component, element in PHREEQC_ELEMENTS.items():
        value = float(molality[SOLUTES.index(component)])
        if value > 0:
            lines.append(f" {element} {value:.12g}")
    return engine, lines


def _selected_output(minerals):
    """PHREEQC input lines that print saltsim's path columns (water, I, totals, phases, a_w, ρ)."""
    totals = " ".join(PHREEQC_ELEMENTS[c] for c in PHREEQC_ELEMENTS)
    return ["SELECTED_OUTPUT", " -reset false", " -water true", " -ionic_strength true",
            f" -totals {totals}", " -equilibrium_phases " + " ".join(minerals),
            "USER_PUNCH", " -headings aw rho", ' 10 PUNCH ACT("H2O"), RHO', "END"]


def phreeqc_path(molality, temperature, water_left, minerals):
    """The same equilibrium evaporation path computed by PHREEQC (pitzer.dat) via phreeqpython.

    Parameters
    ----------
    molality : ndarray, shape (9,)
        Brine molalities in ``SOLUTES`` order (C is not passed: saltsim keeps it conservative). [mol kg⁻¹]
    temperature : float
        [K]
    water_left : ndarray, shape (K,)
        Water of the system (initial minus evaporated) at each step, first 1. [kg]
    minerals : sequence of str
        PHREEQC phase names allowed to precipitate and redissolve.

    Returns
    -------
    dict of str to ndarray
        ``concentration_factor``, ``water_kg``, ``water_activity``, ``density_kg_per_m3``,
        ``ionic_strength_mol_per_kg``, ``m_<El>`` and ``min_<Mineral>`` per step.

    Raises
    ------
    SaltsimError
        When phreeqpython is not installed or PHREEQC reports an error.
    """
    import numpy as np

    from ..constants import MOLAR_MASS

    engine, lines = _phreeqc_solution(molality, temperature)
    lines.append("EQUILIBRIUM_PHASES 1")
    lines += [f" {m} 0 0" for m in minerals]
    # Step 0 removes nothing (it equilibrates the starting brine with the minerals).
    removed = (1.0 - np.asarray(water_left, dtype=float)) / MOLAR_MASS["H2O"]
    lines += ["INCREMENTAL_REACTIONS false", "REACTION 1", " H2O -1",
              " " + " ".join(f"{r:.12g}" for r in removed)]
    lines += _selected_output(minerals)
    _run_phreeqc(engine, lines)
    return _path_columns(engine, minerals, cumulative=False)


def phreeqc_fractional_path(molality, temperature, water_removed, minerals):
    """A fractional evaporation path computed by PHREEQC with saltsim's evaporation steps.

    Each step takes the last step's solution, removes the water saltsim removed in that step,
    equilibrates it with fresh (zero) amounts of the minerals and keeps only the solution
    (``SAVE solution``): the solids are removed. Amounts are summed over the steps.

    Parameters
    ----------
    molality : ndarray, shape (9,)
        Brine molalities in ``SOLUTES`` order. [mol kg⁻¹]
    temperature : float
        [K]
    water_removed : ndarray, shape (K,)
        Cumulative water evaporated at each row of saltsim's path (first 0). [kg]
    minerals : sequence of str
        PHREEQC phase names.

    Returns
    -------
    dict of str to ndarray
        As :func:`phreeqc_path`; ``min_<Mineral>`` cumulative amounts removed.
    """
    import numpy as np

    from ..constants import MOLAR_MASS

    engine, lines = _phreeqc_solution(molality, temperature)
    lines += _selected_output(minerals)
    steps = np.diff(np.concatenate([[0.0], np.asarray(water_removed, dtype=float)]))
    for k, removed in enumerate(steps, start=1):
        lines += [f"USE solution {k}", f"EQUILIBRIUM_PHASES {k}"] + [f" {m} 0 0" for m in minerals]
        lines += [f"REACTION {k}", " H2O -1", f" {removed / MOLAR_MASS['H2O']:.12g}",
                  f"SAVE solution {k + 1}", "END"]
    _run_phreeqc(engine, lines)
    # each simulation's phase amounts are what precipitated in its step: sum them up
    return _path_columns(engine, minerals, cumulative=True)


def _path_columns(engine, minerals, cumulative):
    """The path in saltsim's CSV columns from PHREEQC's selected output (one row per step)."""
    import numpy as np

    table = engine.ip.get_selected_output_array()
    header = table[0]
    # Row 1 is the starting solution before any reaction; then one row per reaction step.
    data = np.array([[float(v) for v in row] for row in table[2:]])
    column = {h: data[:, k] for k, h in enumerate(header)}
    water = column["mass_H2O"]
    out = {"concentration_factor": 1.0 / water, "water_kg": water, "water_activity": column["aw"],
           "density_kg_per_m3": column["rho"] * 1000.0, "ionic_strength_mol_per_kg": column["mu"]}
    for component, element in PHREEQC_ELEMENTS.items():
        out[f"m_{component}"] = column[f"{element}(mol/kgw)"]
    for m in minerals:
        out[f"min_{m}"] = np.cumsum(column[m]) if cumulative else column[m]
    return out


def _run_phreeqc(engine, lines) -> None:
    """Run a PHREEQC input; its errors (phreeqpython raises a bare Exception) become a SaltsimError."""
    from ..errors import SaltsimError

    try:
        status = engine.ip.run_string("\n".join(lines))
    except Exception as exc:  # phreeqpython signals PHREEQC input/convergence errors this way
        messages = [line.strip() for line in str(exc).splitlines() if line.strip()]
        raise SaltsimError(f"PHREEQC failed: {messages[-1] if messages else type(exc).__name__}") from None
    if status:
        raise SaltsimError(f"PHREEQC failed: {engine.ip.get_error_string().strip().splitlines()[-1]}")


def _onsets_of(concentration_factor, amounts):
    """Onset CF estimated alike for both codes: the amount extrapolated to zero (linear in ln CF)
    from the first two rows with the mineral, kept inside the bracketing rows (compare_path.py)."""
    import numpy as np

    rows = np.nonzero(amounts > 1e-9)[0]
    if len(rows) == 0:
        return None
    i = int(rows[0])
    if i == 0:
        return float(concentration_factor[0])
    x = np.log(concentration_factor)
    onset = x[i]
    if i + 1 < len(amounts) and amounts[i + 1] > amounts[i] and x[i + 1] > x[i]:
        onset = x[i] - amounts[i] * (x[i + 1] - x[i]) / (amounts[i + 1] - amounts[i])
    return float(np.exp(min(max(onset, x[i - 1]), x[i])))


def _print_comparison(path, reference) -> None:
    import numpy as np

    print("comparison with PHREEQC (pitzer.dat), same steps and minerals:")
    print(f"{'mineral':<14}{'saltsim CF':>12}{'PHREEQC CF':>12}{'rel diff':>10}")
    for j, name in enumerate(path.mineral_names):
        ours = _onsets_of(path.concentration_factor, path.minerals[:, j])
        theirs = _onsets_of(reference["concentration_factor"], reference[f"min_{name}"])
        if ours is None and theirs is None:
            continue
        diff = f"{ours / theirs - 1:+.2%}" if ours and theirs else ""
        print(f"{name:<14}{ours or float('nan'):>12.3f}{theirs or float('nan'):>12.3f}{diff:>10}")
    x = np.log(path.concentration_factor)
    order = np.argsort(x)
    errors = []
    for component in ("Na", "K", "Mg", "Ca", "Cl", "SO4"):
        ref = reference[f"m_{component}"]
        mask = ref > 1e-6
        ours = np.interp(np.log(reference["concentration_factor"][mask]), x[order],
                         path.molality[order, ["Na", "K", "Mg", "Ca", "Cl", "SO4"].index(component)])
        errors.append((ours - ref[mask]) / ref[mask])
    pooled = np.sqrt(np.mean(np.concatenate(errors) ** 2))
    aw = np.interp(np.log(reference["concentration_factor"]), x[order], path.water_activity[order])
    print(f"molality RMS relative difference (pooled, major ions): {pooled:.2%}; water activity RMS: "
          f"{np.sqrt(np.mean((aw / reference['water_activity'] - 1) ** 2)):.2%}")


def _plot(target, path, name, reference) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..constants import SOLUTES
    from ..errors import ResultsError

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(8, 8), sharex=True)
    for component in ("Na", "K", "Mg", "Ca", "Cl", "SO4"):
        k = SOLUTES.index(component)
        line, = top.loglog(path.concentration_factor, path.molality[:, k], label=component)
        if reference is not None:
            top.loglog(reference["concentration_factor"], reference[f"m_{component}"], ":",
                       color=line.get_color())
    top.set_ylabel("molality [mol/kg water]")
    top.legend(ncol=3, fontsize="small", title="solid: saltsim; dotted: PHREEQC" if reference else None)
    for j, mineral in enumerate(path.mineral_names):
        if path.minerals[:, j].max() > 0:
            bottom.loglog(path.concentration_factor, path.minerals[:, j], label=mineral)
    bottom.set_ylim(bottom=1e-5)
    bottom.set_xlabel("concentration factor [-]")
    bottom.set_ylabel("salt [mol per kg initial water]")
    bottom.legend(ncol=3, fontsize="small")
    top.set_title(f"{name}: {path.mode} evaporation")
    figure.tight_layout()
    try:
        figure.savefig(target, dpi=120)
    except OSError as exc:
        raise ResultsError(f"{target}: cannot write the plot ({exc.strerror})") from None
    finally:
        plt.close(figure)


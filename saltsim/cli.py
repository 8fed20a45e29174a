"""The ``saltsim`` command.

Each subcommand lives in ``saltsim/commands/<name>.py`` and defines ``HELP`` (one line),
``EXAMPLES`` (text shown under ``--help``), ``add_arguments(parser)`` and ``run(args) -> int``.
Command modules import only the standard library at module level, so that ``saltsim --help``
answers fast; heavy imports (numpy, pandas, scipy, pint) happen inside ``run``.

Exit codes: 0 success, 1 runtime failure, 2 invalid input (scenario, arguments), 130 interrupted.
"""
from __future__ import annotations

import argparse
import importlib
import sys

__all__ = ["main", "COMMANDS"]

#: Subcommand name → module under saltsim.commands.
COMMANDS: dict[str, str] = {
    "run": "run",
    "validate": "validate",
    "schema": "schema",
    "evaporate": "evaporate",
    "compare": "compare",
    "report": "report",
    "sweep": "sweep",
    "bench-strategies": "bench_strategies",
}

EXIT_OK, EXIT_FAILURE, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130


def _load_commands() -> dict[str, object]:
    modules = {}
    for name, module_name in COMMANDS.items():
        try:
            modules[name] = importlib.import_module(f"saltsim.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"saltsim.commands.{module_name}":
                raise
    return modules


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="saltsim",
        description="Simulate a salt-lake mining operation from a scenario file: brine chemistry, "
                    "solar ponds, harvest, processing, rail export and environmental impacts.",
        epilog="Run 'saltsim COMMAND --help' for the options and an example of each command.",
    )
    parser.add_argument("--version", action="version", version=f"saltsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in _load_commands().items():
        # HELP is plain text; argparse %-formats ``help`` strings, so escape '%' here, once.
        command = sub.add_parser(name, help=module.HELP.replace("%", "%%"), description=module.HELP,
                                 epilog=getattr(module, "EXAMPLES", None),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``saltsim`` console script; returns the exit code."""
    from .errors import SaltsimError, ScenarioError

    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "_run", None) is None:
        parser.print_help()
        return EXIT_INVALID
    try:
        return int(args._run(args) or 0)
    except ScenarioError as exc:
        problems = exc.problems or [str(exc)]
        for line in problems:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_INVALID
    except SaltsimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

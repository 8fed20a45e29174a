"""``saltsim validate FILE...``: check scenario files (and all their variants) without running them."""
from __future__ import annotations

import sys

HELP = "check scenario files: every problem, one line each, with the field path (exit 0 valid, 2 invalid)"
EXAMPLES = """example:
  saltsim validate scenarios/qom_baseline.toml scenarios/qom_small.toml
  saltsim validate --strict my_site.toml      # plausibility warnings become errors
"""


def add_arguments(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="scenario TOML files")
    parser.add_argument("--strict", action="store_true",
                        help="treat plausibility warnings (e.g. crystallizer share) as errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="print problems only")


def run(args) -> int:
    import warnings

    from ..errors import ScenarioError
    from ..scenario import load_scenario

    failed = 0
    for name in args.files:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                scenario = load_scenario(name, strict=args.strict)
            except ScenarioError as exc:
                failed += 1
                problems = exc.problems or [str(exc)]
                print(f"{name}: invalid ({len(problems)} problem{'s' if len(problems) != 1 else ''})",
                      file=sys.stderr)
                for line in problems:
                    print(f"  error: {line}", file=sys.stderr)
                continue
        for warning in caught:
            print(f"{name}: warning: {warning.message}", file=sys.stderr)
        if not args.quiet:
            print(f"{name}: ok ({scenario.site.name}; {len(scenario.ponds)} ponds, "
                  f"{len(scenario.plants)} plants, {len(scenario.variants)} variants)")
    return 2 if failed else 0

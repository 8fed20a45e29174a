"""``saltsim schema``: the scenario format as JSON Schema, or as the Markdown field reference."""
from __future__ import annotations

HELP = "print the JSON Schema of scenario files (or the field reference with --reference)"
EXAMPLES = """example:
  saltsim schema > scenario.schema.json       # for editors with TOML + JSON Schema support
  saltsim schema --reference > scenarios/README.md
"""


def add_arguments(parser) -> None:
    parser.add_argument("--reference", action="store_true",
                        help="print the field reference in Markdown instead of the JSON Schema")
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")


def run(args) -> int:
    import json

    from ..scenario.export import json_schema, reference_markdown

    text = reference_markdown() if args.reference else json.dumps(json_schema(), indent=2) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        print(text, end="")
    return 0

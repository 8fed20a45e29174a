"""Import contracts: the numerics layer never imports simpy, pint or pandas (STYLE.md, convention 1)."""
import json
import subprocess
import sys

import pytest

FORBIDDEN = {"simpy", "pint", "pandas"}
NUMERICS = ["saltsim.chemistry", "saltsim.kernels"]


@pytest.mark.parametrize("package", NUMERICS)
def test_numerics_do_not_import_higher_layers(package):
    code = (
        "import importlib, pkgutil, sys, json\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported = set(json.loads(out.stdout))
    assert not imported & FORBIDDEN, f"{package} imports {sorted(imported & FORBIDDEN)}"


def test_help_does_not_import_heavy_modules():
    code = (
        "import sys, json\n"
        "from saltsim import cli\n"
        "cli.build_parser()\n"
        "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported = set(json.loads(out.stdout))
    assert not imported & {"numpy", "pandas", "scipy", "pint", "simpy", "matplotlib"}

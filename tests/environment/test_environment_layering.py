"""The environment layer is numerics: NumPy, SciPy and pandas only; never simpy or pint."""
import json
import subprocess
import sys


def test_environment_imports_no_simpy_or_pint():
    code = (
        "import importlib, pkgutil, sys, json\n"
        "pkg = importlib.import_module('saltsim.environment')\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported = set(json.loads(out.stdout))
    assert not imported & {"simpy", "pint"}, sorted(imported & {"simpy", "pint"})

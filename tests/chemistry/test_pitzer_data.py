"""The reviewed chemistry CSVs reproduce PHREEQC's pitzer.dat row by row (transcription check)."""
import math
from pathlib import Path

import numpy as np
import pytest

from saltsim.chemistry.minerals import load_minerals
from saltsim.chemistry.pitzer import load_pitzer_model
from saltsim.chemistry.species import read_data_csv

#: Values are transcribed digit for digit; float parsing is the only difference.
RTOL_TRANSCRIPTION = 1e-12

MODEL = load_pitzer_model(carbonate=True)  # the largest species set: every CSV row is used
SP = MODEL.species


@pytest.fixture(scope="module")
def pitzer_dat_lines():
    phreeqpython = pytest.importorskip("phreeqpython", reason="phreeqpython (pitzer.dat) is not installed")
    path = Path(phreeqpython.__file__).parent / "database" / "pitzer.dat"
    if not path.exists():
        pytest.skip(f"{path} not found")
    return path.read_text(encoding="latin-1").splitlines()


def _pitzer_block(lines):
    """{(kind, frozenset(species)): [a0..a5]} for rows whose species are all in saltsim's set."""
    start = lines.index("PITZER")
    kinds = {"-B0": "beta0", "-B1": "beta1", "-B2": "beta2", "-C0": "c_phi", "-THETA": "theta",
             "-PSI": "psi", "-LAMDA": "lam", "-ZETA": "psi"}
    out, kind, triplet = {}, None, False
    for line in lines[start + 1:]:
        if line and not line[0].isspace() and not line.startswith(("-", "#")):
            break  # next keyword block
        text = line.split("#")[0].strip()
        if not text:
            continue
        first = text.split()[0]
        if first in kinds:
            kind = kinds[first]
            triplet = first in ("-PSI", "-ZETA")
            continue
        if kind is None:
            continue
        n_sp = 3 if triplet else 2
        tokens = text.split()
        species, coefs = tokens[:n_sp], [float(v) for v in tokens[n_sp:]]
        if all(s in SP.ids for s in species):
            out[(kind, frozenset(species))] = coefs + [0.0] * (6 - len(coefs))
    return out


def test_pitzer_parameters_match_pitzer_dat(pitzer_dat_lines):
    ref = _pitzer_block(pitzer_dat_lines)
    seen = set()
    for (kind, species), coefs in ref.items():
        idx = [SP.index(s) for s in species]
        if kind == "psi":
            i, j, k = idx
            got = MODEL.psi[:, i, j, k]
        else:
            i, j = idx if len(idx) == 2 else (idx[0], idx[0])
            got = getattr(MODEL, kind)[:, i, j]
        np.testing.assert_allclose(got, coefs, rtol=RTOL_TRANSCRIPTION, err_msg=f"{kind} {sorted(species)}")
        seen.add((kind, species))
    # and nothing in the CSVs that pitzer.dat does not have
    n_csv = sum(len(read_data_csv(f"pitzer_{name}.csv")) for name in ("binary", "theta", "psi", "lambda", "zeta"))
    assert n_csv == len(seen)


def _phases(lines):
    start, end = lines.index("PHASES"), lines.index("PITZER")
    phases, name = {}, None
    for line in lines[start + 1:end]:
        if line and not line[0].isspace() and not line.startswith("#"):
            name = line.split()[0]
            phases[name] = []
        elif name:
            phases[name].append(line.split("#")[0])
    return phases


def test_mineral_log_k_data_match_pitzer_dat(pitzer_dat_lines):
    phases = _phases(pitzer_dat_lines)
    table = load_minerals("carbonate")
    for k, name in enumerate(table.phreeqc_names):
        body = phases[name]
        analytic, log_k = None, None
        for line in body[1:]:
            for piece in line.split(";"):
                tok = piece.split()
                if not tok:
                    continue
                key = tok[0].lstrip("-").lower()
                if key.startswith("analytic"):
                    analytic = [float(v) for v in tok[1:]] + [0.0] * (7 - len(tok))
                elif key == "log_k":
                    log_k = float(tok[1])
        if analytic is not None:
            assert table.has_analytic[k], name
            np.testing.assert_allclose(table.analytic[k], analytic[:6], rtol=RTOL_TRANSCRIPTION, err_msg=name)
        else:
            assert not table.has_analytic[k], name
            assert math.isclose(table.log_k_25[k], log_k, rel_tol=RTOL_TRANSCRIPTION), name
        # the dissolution reaction's species and coefficients
        lhs, rhs = body[0].split("=")
        assert table.formulas[k] == lhs.strip(), name

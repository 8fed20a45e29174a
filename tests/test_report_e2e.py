"""saltsim report on a real run directory (qom_small) and on a sweep store."""
import base64
import html.parser
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from report_fixtures import cached_path_tables  # noqa: E402

from saltsim import cli  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def _one_path_per_brine():
    patch = cached_path_tables()
    yield
    patch.undo()


class _Images(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.figures, self.sections = {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.figures[attrs["data-figure"]] = attrs["src"]
        elif tag == "section":
            self.sections.append(attrs.get("id"))


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    from saltsim.examples import example_path
    from saltsim.runner import run

    out = tmp_path_factory.mktemp("run") / "small"
    run(example_path("qom_small"), progress=False).write(out)
    return out


def test_report_of_a_real_run(small_run, tmp_path, capsys):
    html_file = tmp_path / "small.html"
    assert cli.main(["report", str(small_run), "--out", str(html_file)]) == 0
    assert str(html_file) in capsys.readouterr().out
    parser = _Images()
    text = html_file.read_text(encoding="utf-8")
    parser.feed(text)
    # qom_small has ponds, a lake, flows and a mass balance; impacts are computed from its tables
    assert {"lake", "ponds", "impacts", "mass_balance", "sankey_solutes", "sankey_water"} <= set(parser.figures)
    for name, src in parser.figures.items():
        png = base64.b64decode(src.split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n", name
        assert (tmp_path / "small_figures" / f"{name}.png").read_bytes() == png
    assert {"kpis", "impacts", "mass-balance", "mass-flows"} <= set(parser.sections)
    assert "co2e_grid_electricity" in text and "[R20]" in text
    # what the run does not have is said, not drawn
    for name in ("Shipments",):
        if name.lower() not in parser.figures:
            assert name in text


def test_report_of_a_sweep_store(tmp_path):
    rows = [{"run_id": f"p0-{s}-r{r}", "point": 0, "strategy": s, "replication": r, "seed": r,
             "kpi": "nacl_harvested", "value": base + r, "unit": "t/yr", "error": ""}
            for s, base in (("ponds_salt", 100.0), ("crust_harvest", 50.0)) for r in range(4)]
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    pd.DataFrame(rows).to_csv(sweep / "results.csv", index=False)
    assert cli.main(["report", str(sweep)]) == 0
    text = (sweep / "report.html").read_text(encoding="utf-8")
    parser = _Images()
    parser.feed(text)
    assert "strategies" in parser.sections and "nacl_harvested" in parser.figures
    assert "low 90 %" in text and "sweep:ponds_salt" in text


def test_report_of_nothing_is_an_error(tmp_path, capsys):
    assert cli.main(["report", str(tmp_path)]) == 1
    assert "neither metadata.json" in capsys.readouterr().err
    assert cli.main(["report", str(tmp_path / "absent")]) == 1


def test_report_computes_impacts_a_run_left_empty(small_run, tmp_path):
    import dataclasses

    from saltsim.results import Results, empty_table

    results = Results.read(small_run)
    bare = dataclasses.replace(results, impacts=empty_table("impacts"))
    bare.write(tmp_path / "bare")
    out = tmp_path / "bare.html"
    assert cli.main(["report", str(tmp_path / "bare"), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "(computed at report time)" in text and "pm10_lakebed_intact" in text

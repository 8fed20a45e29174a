"""The HTML report: structure (always) and rendering in a real headless browser (when present)."""
import base64
import html.parser
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from report_fixtures import synthetic_results  # noqa: E402

from saltsim import report  # noqa: E402

EXPECTED_FIGURES = {"production", "lake", "ponds", "stockpiles", "shipments", "impacts", "mass_balance",
                    "sankey_solutes", "sankey_water"}
# A decoded figure must not be blank: at least this share of pixels differ from the background.
MIN_INK_FRACTION = 0.01
# Seconds allowed for one headless Chromium run on this 2-core machine.
BROWSER_TIMEOUT_S = 120
# Sums of 60 flows.
RTOL_SUM = 1e-12


class _Parser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.figures, self.sections, self.tables = [], [], [], 0
        self.body_attrs = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        elif tag == "figure":
            self.figures.append(attrs.get("id"))
        elif tag == "section":
            self.sections.append(attrs.get("id"))
        elif tag == "table":
            self.tables += 1
        elif tag == "body":
            self.body_attrs = attrs


@pytest.fixture(scope="module")
def written_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    report.write_run_report(synthetic_results(), out, source="synthetic")
    return out


def _ink_fraction(png: bytes) -> float:
    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]
    background = pixels[0, 0]
    return float(np.mean(np.any(np.abs(pixels - background) > 0.05, axis=-1)))


def test_every_figure_is_embedded_decodes_and_is_not_blank(written_report):
    parser = _Parser()
    parser.feed(written_report.read_text(encoding="utf-8"))
    names = {img["data-figure"] for img in parser.images}
    assert names == EXPECTED_FIGURES
    for img in parser.images:
        prefix = "data:image/png;base64,"
        assert img["src"].startswith(prefix), img["data-figure"]
        png = base64.b64decode(img["src"][len(prefix):], validate=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert _ink_fraction(png) > MIN_INK_FRACTION, img["data-figure"]
        assert img["alt"]
    assert {"kpis", "impacts", "mass-balance", "mass-flows", "ponds", "lake"} <= set(parser.sections)
    assert parser.tables >= 3  # KPIs, impacts totals and intensities, mass balance


def test_png_files_written_beside_the_html_match_the_embedded_images(written_report):
    figures_dir = written_report.with_name("report_figures")
    text = written_report.read_text(encoding="utf-8")
    for name in EXPECTED_FIGURES:
        png = (figures_dir / f"{name}.png").read_bytes()
        assert base64.b64encode(png).decode() in text


def test_report_is_self_contained(written_report):
    text = written_report.read_text(encoding="utf-8")
    for marker in ("http://", "https://", "<link", "src=\"/", "@import"):
        assert marker not in text


def test_impacts_table_in_display_units_with_sources(written_report):
    text = written_report.read_text(encoding="utf-8")
    assert "co2e_grid_electricity" in text and "[R20]" in text and "pm10_lakebed_disturbed" in text


def test_display_units_by_hand():
    assert report.display_unit("kg", 3.5e7) == ("kt", pytest.approx(1e-6))
    assert report.display_unit("kg", 500.0) == ("kg", pytest.approx(1.0))
    assert report.display_unit("J", 3.6e12) == ("GWh", pytest.approx(1 / 3.6e12))
    assert report.display_unit("m^2", 2e6) == ("km^2", pytest.approx(1e-6))
    assert report.display_unit("m^2", 5e4) == ("ha", pytest.approx(1e-4))
    assert report.display_unit("t/yr", 5.0) == ("t/yr", 1.0)


def test_sankey_links_aggregate_groups_and_conserve_mass():
    flows = synthetic_results().flows
    links = report.sankey_links(flows, "solutes", {"E1": "concentrator ponds", "C1": "crystallizer ponds",
                                                    "B1": "bittern ponds"}, min_share=0.0)
    solutes = [c for c in flows.columns if c.endswith("_kg") and c != "H2O_kg"]
    pumped = flows.loc[flows["process"] == "pumping", solutes].to_numpy().sum()
    link = links[(links.source == "lake brine") & (links.sink == "concentrator ponds")]
    assert link["mass_kg"].iloc[0] == pytest.approx(pumped, rel=RTOL_SUM)
    # the bittern return to the lake is a back edge: drawn to a separate "(returned)" node
    laid, depth = report._layers(links)
    assert "lake brine (returned)" in set(laid["sink"])
    assert depth["lake brine"] == 0 and depth["lake brine (returned)"] == max(depth.values())
    water = report.sankey_links(flows, "water", min_share=0.0)
    assert water.loc[water.sink == "evaporation", "mass_kg"].iloc[0] == pytest.approx(60 * 5e6)


def test_missing_tables_are_listed_not_faked(tmp_path):
    full = synthetic_results()
    results = type(full)(kpis=full.kpis, mass_balance=full.mass_balance, impacts=full.impacts,
                         shipments=pd.DataFrame(), lake=None, metadata={})
    out = report.write_run_report(results, tmp_path / "r.html")
    text = out.read_text(encoding="utf-8")
    parser = _Parser()
    parser.feed(text)
    assert {img["data-figure"] for img in parser.images} == {"impacts", "mass_balance"}
    assert "no data for: Production, Lake, Ponds, Stockpiles, Shipments, Mass flows" in text


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed (apt-get install -y chromium); "
                                                "the structural checks above still run")
def test_report_renders_in_headless_chromium(written_report, tmp_path):
    browser = _chromium()
    profile = tempfile.mkdtemp(prefix="saltsim-chromium-")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", f"--user-data-dir={profile}", "--hide-scrollbars"]
    url = written_report.resolve().as_uri()
    env = dict(os.environ, HOME=profile)
    try:
        dom = subprocess.run([browser, *flags, "--virtual-time-budget=5000", "--dump-dom", url],
                             capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S, env=env)
        shot = tmp_path / "screenshot.png"
        subprocess.run([browser, *flags, f"--screenshot={shot}", "--window-size=1280,2400", url],
                       capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S, env=env)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert dom.returncode == 0, dom.stderr[-2000:]
    parser = _Parser()
    parser.feed(dom.stdout)
    # the page's load handler marks each decoded image; every figure must have been rendered
    assert parser.body_attrs.get("data-images-rendered") == f"{len(EXPECTED_FIGURES)}/{len(EXPECTED_FIGURES)}"
    assert all(img.get("data-rendered") == "yes" for img in parser.images)
    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (2400, 1280)
    assert _ink_fraction(shot.read_bytes()) > MIN_INK_FRACTION
    # the page header is #22313F; the figures' first line colour is matplotlib's C0 (#1F77B4), which
    # nothing but a rendered figure puts on screen
    header = np.all(np.abs(pixels - np.array([0x22, 0x31, 0x3F]) / 255) < 0.02, axis=-1)
    assert header.mean() > 0.005
    figure_ink = np.all(np.abs(pixels - np.array([0x1F, 0x77, 0xB4]) / 255) < 0.06, axis=-1)
    assert figure_ink.sum() > 500

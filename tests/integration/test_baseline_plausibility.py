"""The bundled Qom baseline runs steadily for 30 years with a pond train fitted to its brine.

One 30-year run (the session fixture ``baseline`` of ``conftest.py``) checked year by year: no stall
of the harvest or of the intake, no pond filled with salt, per-crystallizer yield against Port
Hedland, crystallizer feed and drain Baumé, bittern Mg enrichment and the mass balance. Each check
names its reference in ../shared/domain.md.
"""
import numpy as np
import pytest

from saltsim.constants import MOLAR_MASS
from saltsim.units import DAY, YEAR

pytestmark = pytest.mark.slow

#: Acceptance bound of issue 4 on the closure of every element.
CLOSURE_RTOL = 1e-9
#: The first two years fill the ponds and seal the unlined floors (seepage ageing 2 yr [W1]); a
#: stall is a later year whose harvest or intake falls below this fraction of the 30-year median.
STALL_FRACTION = 0.5
FIRST_STEADY_YEAR = 2
#: Port Hedland: ≈ 2,840 t NaCl per crystallizer ha per year (domain.md §3.3 [S5][S6]). The
#: 150–400 t/ha/yr gross range of §3.3 is for seawater works whose concentrators are 87 % of the
#: area [S5]; the Qom brine is 8 % of its evaporation short of halite saturation, so its train is
#: mostly crystallizer and the gross figure is not comparable. Per crystallizer ha the works are
#: alike (same sun, same halite stage), within a factor 2 for Qom's lower a_w (0.70–0.74 [U1] vs
#: ~0.75 for seawater at saturation) and its cold, humid winters (Tehran proxy [C9]).
PORT_HEDLAND_T_PER_CRYSTALLIZER_HA_YR = 2840.0
CRYSTALLIZER_YIELD_FACTOR = 2.0
#: Optimal crystallizer feed 26 °Bé [S1], read to ±1 °Bé: the transfers happen on the day a pond
#: crosses its threshold and the densities are daily means.
FEED_BAUME = (25.0, 27.0)
#: Drain-off at 29–30 °Bé [S1], read to ±0.5 °Bé for the same reason (density-rule transfers; the
#: drains that open a harvest campaign happen at whatever density the season left).
DRAIN_BAUME = (28.5, 30.5)
#: Bittern Mg enrichment between the Lake Urmia pilot pond (Mg 56 → 104 g/L, ×1.9 [U7]) and the
#: GSL ponds (MgCl2 2.5 % → 30 %, ×12 [M4][M5]).
MG_ENRICHMENT = (1.9, 12.0)
#: Production scale for the Qom works: between a tenth of Iran's solar/brine salt (0.63 Mt/yr
#: [Q33]) and the Urmia PEA, 360 kt/yr NaCl [U3] (Khor: 300 kt/yr [Q35]).
NACL_KT_PER_YR = (60.0, 360.0)


@pytest.fixture(scope="module")
def scenario(baseline_scenario):
    return baseline_scenario


def _kpi(results, name):
    return float(results.kpis.set_index("kpi").loc[name, "value"])


def _year(time_s):
    return (np.asarray(time_s, dtype=float) // YEAR).astype(int)


def _yearly_nacl_t(results):
    flows = results.flows
    into = flows[flows["sink"].isin(["stockpile:halite", "stockpile:salt"]) & (flows["process"] == "to_stockpile")]
    nacl_t = (np.minimum(into["Na_kg"] / MOLAR_MASS["Na"], into["Cl_kg"] / MOLAR_MASS["Cl"])
              * (MOLAR_MASS["Na"] + MOLAR_MASS["Cl"]) / 1000.0)
    yearly = np.bincount(_year(into["time_s"]), weights=nacl_t.to_numpy(), minlength=30)
    return yearly[:30]


def _crystallizers(results):
    ponds = results.ponds
    return sorted(set(ponds.loc[ponds["role"] == "crystallizer", "pond"]))


def test_no_year_after_the_first_two_stalls(baseline):
    nacl = _yearly_nacl_t(baseline)
    steady = nacl[FIRST_STEADY_YEAR:]
    assert steady.min() >= STALL_FRACTION * np.median(nacl), nacl.round(0)
    lake = baseline.lake
    pumped = np.bincount(_year(lake["time_s"]), weights=lake["brine_pumped_m3"].to_numpy())[:30]
    assert pumped[FIRST_STEADY_YEAR:].min() >= STALL_FRACTION * np.median(pumped), pumped.round(0)


def test_production_scale_is_that_of_comparable_iranian_projects(baseline):
    nacl_kt = _yearly_nacl_t(baseline).mean() / 1000.0
    assert NACL_KT_PER_YR[0] <= nacl_kt <= NACL_KT_PER_YR[1]


def test_no_pond_fills_with_salt(baseline, scenario):
    """A pond whose salt reaches its wall height takes no more brine (the stall of the seawater
    ratio); every pond keeps room, year after year."""
    ponds = baseline.ponds
    depth_max = {p.name: p.depth_max for p in scenario.ponds}
    worst = ponds.groupby("pond")["layer_thickness_m"].max()
    for name, thickness in worst.items():
        assert thickness < depth_max[name], (name, thickness)
    # the crystallizers hold brine on most days of every steady year
    crystal = ponds[ponds["pond"].isin(_crystallizers(baseline))]
    wet = (crystal["depth_m"] > 0.02).groupby(_year(crystal["time_s"])).mean().to_numpy()[:30]
    assert wet[FIRST_STEADY_YEAR:].min() > STALL_FRACTION, wet.round(2)


def test_crystallizer_yield_is_of_the_order_of_port_hedland(baseline):
    value = _kpi(baseline, "crystallizer_yield")
    ref = PORT_HEDLAND_T_PER_CRYSTALLIZER_HA_YR
    assert ref / CRYSTALLIZER_YIELD_FACTOR <= value <= ref * CRYSTALLIZER_YIELD_FACTOR


def test_crystallizers_are_fed_near_saturation_and_drained_at_29_to_30_baume(baseline):
    assert FEED_BAUME[0] <= _kpi(baseline, "crystallizer_feed_baume") <= FEED_BAUME[1]
    flows, ponds = baseline.flows, baseline.ponds
    crystal = [f"pond:{n}" for n in _crystallizers(baseline)]
    moves = flows[(flows["process"] == "transfer") & flows["source"].isin(crystal)]
    assert len(moves) > 0
    baume = ponds.set_index(["time_s", "pond"])["baume_degBe"]
    day_before = (np.floor(moves["time_s"].to_numpy() / DAY) - 1.0) * DAY
    before = baume.reindex(list(zip(day_before, moves["source"].str[5:]))).to_numpy()
    weights = moves[[c for c in moves.columns if c.endswith("_kg")]].sum(axis=1).to_numpy()
    ok = np.isfinite(before)
    drain = np.average(before[ok], weights=weights[ok])
    assert DRAIN_BAUME[0] <= drain <= DRAIN_BAUME[1]


def test_bittern_is_enriched_in_magnesium_like_urmia_and_gsl(baseline):
    assert MG_ENRICHMENT[0] <= _kpi(baseline, "bittern_mg_enrichment") <= MG_ENRICHMENT[1]


def test_mass_balance_closes_over_thirty_years(baseline):
    assert len(baseline.lake) >= 30 * 365
    assert (baseline.mass_balance["closure_rel"] <= CLOSURE_RTOL).all()

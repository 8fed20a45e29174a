"""Impact factors and dust-mitigation measures: SI values agree with their published display values."""
import math

import pytest

from saltsim.environment import factors as F
from saltsim.errors import ScenarioError
from saltsim.units import YEAR, ureg

# Display values in the CSV are rounded as published (3-4 significant figures).
RTOL_DISPLAY = 5e-3
# Owens Lake numbers [D3] are themselves rounded ("approximately 60,000 acre-feet").
RTOL_OWENS = 1e-2
ACRE_FOOT_M3 = 1233.48184  # exact definition: 43,560 ft^2 x 1 ft
SQUARE_MILE_M2 = 2.589988110336e6
# One division of floats.
RTOL_ARITHMETIC = 1e-12
# The stored ratio is rounded to 4 significant figures (0.7848).
RTOL_MOLAR_MASS = 1e-4


def _to_si(display_value, display_unit, si_unit):
    if display_unit in ("-", "%"):
        return display_value
    if si_unit == "":
        return ureg.Quantity(display_value, display_unit).to("dimensionless").magnitude
    return ureg.Quantity(display_value, display_unit).to(si_unit).magnitude


@pytest.mark.parametrize("factor", list(F.default_factors().values()), ids=lambda f: f.key)
def test_si_value_matches_published_display_value(factor):
    expected = _to_si(factor.display_value, factor.display_unit, factor.si_unit)
    assert factor.value == pytest.approx(expected, rel=RTOL_DISPLAY, abs=1e-300)


@pytest.mark.parametrize("factor", list(F.default_factors().values()), ids=lambda f: f.key)
def test_every_factor_has_a_source_and_estimates_say_so(factor):
    assert factor.source.strip()
    assert factor.status in {"sourced", "derived", "estimate"}
    if factor.status == "estimate":
        assert "EST" in factor.source
    for key in [k for k in factor.source.replace("]", "] ").split() if k.startswith("[")]:
        assert key in F.REFERENCES or key[1] in "CDGMQRSXUEWB", key
    assert factor.low <= factor.display_value <= factor.high


def test_grid_factor_is_ember_iran_665_g_per_kwh():
    # [R20]: 665 g CO2/kWh = 0.665 kg / 3.6e6 J
    assert F.default_factors()["grid_co2"].value == pytest.approx(0.665 / 3.6e6, rel=RTOL_ARITHMETIC)


def test_lime_process_co2_is_stoichiometric():
    # CaCO3 -> CaO + CO2: M(CO2)/M(CaO) with IUPAC masses
    m_co2 = 12.011 + 2 * 15.999
    m_cao = 40.078 + 15.999
    assert F.default_factors()["lime_process_co2"].value == pytest.approx(m_co2 / m_cao, rel=RTOL_MOLAR_MASS)


def test_owens_wetting_water_rate_derived_from_d3():
    # [D3]: ~60,000 acre-ft/yr on 48.6 mi^2 of BACM
    rate_m_per_yr = 60000 * ACRE_FOOT_M3 / (48.6 * SQUARE_MILE_M2)
    measure = F.default_mitigation()["wetting_water"]
    assert measure.water_rate * YEAR == pytest.approx(rate_m_per_yr, rel=RTOL_OWENS)
    assert measure.control_efficiency == 0.994


def test_every_measure_is_complete():
    measures = F.default_mitigation()
    assert set(measures) == {"wetting_water", "wetting_brine", "gravel_cover", "vegetation"}
    for m in measures.values():
        assert 0 < m.control_efficiency <= 1
        assert m.water_rate >= 0 and math.isfinite(m.water_rate)
        assert m.water_source in {"freshwater", "brine", "none"}
        assert (m.water_rate == 0) == (m.water_source == "none")
        assert m.source


def test_override_changes_value_and_source():
    resolved = F.resolve_factors({"grid_co2": 0.5 / 3.6e6}, {"grid_co2": "[R20] China 2022"})
    assert resolved["grid_co2"].value == pytest.approx(0.5 / 3.6e6)
    assert resolved["grid_co2"].source == "[R20] China 2022"
    assert F.default_factors()["grid_co2"].value == pytest.approx(0.665 / 3.6e6)


def test_unknown_factor_key_suggests_the_close_one():
    with pytest.raises(ScenarioError, match=r"impacts\.gird_co2: found the unknown impact factor 'gird_co2'; did you mean 'grid_co2'"):
        F.resolve_factors({"gird_co2": 1.0})


def test_negative_factor_refused():
    with pytest.raises(ScenarioError, match=r"impacts\.rail_co2: found -1.0; expected a finite value >= 0"):
        F.resolve_factors({"rail_co2": -1.0})


def test_mitigation_override_and_errors():
    m = F.resolve_mitigation("gravel_cover", control_efficiency=0.95)
    assert m.control_efficiency == 0.95 and m.water_rate == 0
    with pytest.raises(ScenarioError, match=r"did you mean 'wetting_water'"):
        F.resolve_mitigation("wetting_watr")
    with pytest.raises(ScenarioError, match=r"control_efficiency: found 1.5"):
        F.resolve_mitigation("vegetation", control_efficiency=1.5)

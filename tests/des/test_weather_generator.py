"""Daily weather from monthly normals (WGEN-type) and from series of any length."""
import datetime

import numpy as np
import pytest

from saltsim.des.clock import Calendar
from saltsim.kernels import weather
from saltsim.units import DAY

YEARS = 200
#: Relative sampling error of a mean of gamma amounts over N wet days, sqrt((1 + 1/k)/N), is
#: allowed 4σ; plus 5 % for the wet spells that carry over a month boundary with the chain's
#: persistence (a wet end of February raises the start of March above its own normal).
SIGMAS = 4.0
MONTH_BOUNDARY = 0.05
#: Lognormal factor with CV 0.2 and lag-one correlation 0.6: the 200-year mean is within ~1 %.
RTOL_EVAP_MEAN = 0.02
#: Wet-day fraction of a 200-year Markov chain: sampling (~1 % at 3σ) plus the month-boundary
#: carry-over of persistence (~2 %).
ATOL_WET_FRACTION = 0.03

PAN = np.array([1.8, 2.5, 3.9, 6.7, 10.0, 14.8, 15.9, 15.7, 12.7, 8.0, 4.0, 2.2]) * 1e-3 / DAY
RAIN = np.array([0.72, 0.84, 0.95, 0.59, 0.31, 0.05, 0.05, 0.04, 0.04, 0.19, 0.48, 0.75]) * 1e-3 / DAY
RAIN_DAYS = np.array([8, 8, 9, 7, 5, 1, 1, 1, 1, 3, 6, 8], dtype=float)


def _generate(seed, rain_days=RAIN_DAYS, years=YEARS):
    calendar = Calendar(datetime.date(2001, 1, 1), int(365.25 * years))
    n = calendar.n_days
    daily = weather.generate_daily(np.random.default_rng(seed), calendar.month[:n],
                                   calendar.days_in_month[:n], PAN, RAIN, rain_days, None, None,
                                   np.full(12, 3.0), None, 0.2, DAY)
    return calendar, daily


@pytest.fixture(scope="module")
def generated():
    return _generate(11)


def test_monthly_means_reproduce_the_normals(generated):
    calendar, daily = generated
    month = calendar.month[:calendar.n_days]
    for m in range(12):
        days = month == m
        wet_days = RAIN_DAYS[m] * YEARS
        rtol = SIGMAS * np.sqrt((1 + 1 / weather.RAIN_GAMMA_SHAPE) / wet_days) + MONTH_BOUNDARY
        assert daily.rain[days].mean() == pytest.approx(RAIN[m] * DAY, rel=rtol)
        assert daily.pan_evaporation[days].mean() == pytest.approx(PAN[m] * DAY, rel=RTOL_EVAP_MEAN)


def test_rain_falls_on_the_normal_number_of_days(generated):
    calendar, daily = generated
    month = calendar.month[:calendar.n_days]
    for m in range(12):
        days = month == m
        wet = (daily.rain[days] > 0).mean()
        assert wet == pytest.approx(RAIN_DAYS[m] / calendar.days_in_month[:calendar.n_days][days][0],
                                    abs=ATOL_WET_FRACTION)


def test_wet_days_cluster_as_the_markov_chain_says(generated):
    _, daily = generated
    wet = daily.rain > 0
    p_wet_after_wet = wet[1:][wet[:-1]].mean()
    p_wet_after_dry = wet[1:][~wet[:-1]].mean()
    assert p_wet_after_wet > p_wet_after_dry          # persistence r = 0.3 > 0


def test_same_seed_same_weather_and_no_rain_days_means_drizzle():
    _, a = _generate(5, years=2)
    _, b = _generate(5, years=2)
    np.testing.assert_array_equal(a.rain, b.rain)
    calendar, c = _generate(5, rain_days=None, years=2)
    np.testing.assert_allclose(c.rain, RAIN[calendar.month[:calendar.n_days]] * DAY, rtol=1e-15)


def test_a_short_series_repeats_over_a_longer_run():
    series = np.arange(10.0) * 1e-3 / DAY
    daily = weather.from_series(3, 25, True, series, series, np.full(10, 290.0), np.ones(10), np.full(25, 0.4), DAY)
    expected = (np.arange(3, 28) % 10) * 1e-3
    np.testing.assert_allclose(daily.pan_evaporation, expected, rtol=1e-15)
    np.testing.assert_allclose(daily.rain, expected, rtol=1e-15)


def test_a_scenario_series_drives_the_run_and_wraps_around(tmp_path):
    from importlib import resources

    from saltsim.des.clock import Calendar as _Calendar
    from saltsim.des.weather import daily_weather
    from saltsim.scenario import load_scenario

    csv = resources.files("saltsim").joinpath("scenarios/qom_climate_example.csv")
    rows = [line.split(",") for line in csv.read_text().splitlines() if line and line[0].isdigit()]
    pan = np.array([float(r[1]) for r in rows]) * 1e-3            # [m d⁻¹]
    # keep the date, pan evaporation and rainfall columns only: temperature and wind from the normals
    short = tmp_path / "short.csv"
    short.write_text("date,pan_evaporation [mm/d],rainfall [mm/d]\n"
                     + "\n".join(",".join(r[:3]) for r in rows) + "\n")
    scenario = load_scenario(resources.files("saltsim").joinpath("scenarios/qom_small.toml"),
                             overrides={"climate.series": str(short), "site.horizon": "3 yr"})
    calendar = _Calendar(scenario.site.start, 3 * 365 + 1)
    forcing = daily_weather(scenario.climate, calendar, np.random.default_rng(0))
    index = np.arange(calendar.n_days) % len(rows)
    np.testing.assert_allclose(forcing.pan_evaporation, pan[index], rtol=1e-12)
    assert forcing.wind_speed.std() > 0.0                       # drawn around the monthly normals
    np.testing.assert_allclose(forcing.fresh_evaporation, pan[index] * scenario.climate.pan_coefficient,
                               rtol=1e-12)

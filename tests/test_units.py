"""The project's unit definitions, pinned (saltsim.units, units.txt)."""
import math

import pytest

from saltsim import units
from saltsim.errors import ScenarioError

# Conversions are exact multiplications by decimal factors: only float round-off remains.
RTOL_EXACT = 1e-12


@pytest.mark.parametrize(
    "text, si_unit, expected",
    [
        ("1 t", "kg", 1000.0),
        ("1 kt", "kg", 1.0e6),  # kilotonne, not pint's knot
        ("2 Mt", "kg", 2.0e9),
        ("365.25 t/yr", "kg/s", 365.25e3 / (365.25 * 86400.0)),
        ("25 degC", "K", 298.15),
        ("-5 degC", "K", 268.15),
        ("3.6 m^3/h", "m^3/s", 1.0e-3),
        ("8.64 mm/d", "m/s", 1.0e-7),
        ("2 km^2", "m^2", 2.0e6),
        ("3 ha", "m^2", 3.0e4),
        ("60 cm", "m", 0.6),
    ],
)
def test_to_si_pinned_conversions(text, si_unit, expected):
    assert math.isclose(units.to_si(text, si_unit, where="x"), expected, rel_tol=RTOL_EXACT)


def test_kt_is_a_mass_not_a_speed():
    assert units.ureg.Quantity("1 kt").dimensionality == units.ureg.Quantity("1 kg").dimensionality


def test_baume_round_trip_and_published_points():
    # Baseggio's SG 1.2185 at halite saturation is 26.0 °Bé on the modulus-145 scale [S2][B1].
    assert math.isclose(units.density_to_baume(1.2185 * 999.01), 145 - 145 / 1.2185, rel_tol=RTOL_EXACT)
    assert math.isclose(units.to_si("26 degBe", "kg/m^3", where="x"), units.baume_to_density(26.0))
    assert math.isclose(units.density_to_baume(units.baume_to_density(29.5)), 29.5, rel_tol=RTOL_EXACT)


@pytest.mark.parametrize(
    "value, si_unit, message",
    [
        (2.5, "m^2", r"ponds\[0\]\.area: found the bare number 2.5; expected a quantity of dimension"),
        ("2.5 kg", "m^2", r"ponds\[0\]\.area: found '2.5 kg' of dimension \[mass\]"),
        ("two metres", "m^2", r"ponds\[0\]\.area: found 'two metres', which is not a quantity"),
        ("nan m^2", "m^2", r"not finite"),
        (True, "m^2", r"boolean"),
    ],
)
def test_to_si_errors_name_the_field(value, si_unit, message):
    with pytest.raises(ScenarioError, match=message):
        units.to_si(value, si_unit, where="ponds[0].area")


def test_dimensionless_accepts_bare_numbers_and_percent():
    assert units.to_si(0.5, "", where="x") == 0.5
    assert math.isclose(units.to_si("50 %", "", where="x"), 0.5)

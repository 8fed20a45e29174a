"""Lake hypsometry and water balance against hand calculations."""
import numpy as np
import pytest

from saltsim.kernels.lake import crust_regeneration, hypsometry

#: Trapezoid volumes of a linear area–level relation are exact; only rounding remains.
RTOL_EXACT = 1e-12


def test_trapezoid_volumes_and_inverse_of_a_linear_cone():
    # area grows linearly from 0 at 789 m to 2000 km² at 790 m: V(h) = 1000 km² × (h − 789)² / 1 m
    hyps = hypsometry(np.array([789.0, 789.5, 790.0]), np.array([0.0, 1000e6, 2000e6]), None, playa_area=2000e6)
    assert hyps.volumes[-1] == pytest.approx(1000e6, rel=RTOL_EXACT)
    assert hyps.volumes[1] == pytest.approx(250e6, rel=RTOL_EXACT)
    level = 789.25
    volume = float(hyps.volume(level))
    assert float(hyps.level(volume)) == pytest.approx(level, rel=RTOL_EXACT)
    assert float(hyps.area(250e6)) == pytest.approx(1000e6, rel=RTOL_EXACT)
    # above the table the area is held: one more metre of water over 2000 km²
    assert float(hyps.level(1000e6 + 2000e6)) == pytest.approx(791.0, rel=RTOL_EXACT)


def test_flat_playa_without_a_table():
    hyps = hypsometry(None, None, None, playa_area=5e6)
    assert float(hyps.level(5e6 * 0.3)) == pytest.approx(0.3, rel=RTOL_EXACT)
    assert float(hyps.area(1.0)) == 5e6


def test_disturbed_crust_recovers_exponentially():
    assert crust_regeneration(100.0, 10.0, 10.0) == pytest.approx(100.0 / np.e, rel=RTOL_EXACT)
    assert crust_regeneration(100.0, 0.0, 1.0) == 0.0

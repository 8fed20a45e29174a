"""Transfers along the pond network on one day (``PondField.transfer``).

A pond that sends brine on today frees room for its own feeders today: a full crystallizer that
drains to the bittern pond takes the concentrator's brine the same day. Checked by hand on the
small Qom scenario's chain E1 → C1 → B1 (volumes read off the field before the transfer).
"""
import importlib.util
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from saltsim.des.model import SiteModel
from saltsim.scenario import load_scenario

_spec = importlib.util.spec_from_file_location("nacl_path", Path(__file__).parents[1] / "kernels" / "nacl_path.py")
nacl_path = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nacl_path)

SMALL = resources.files("saltsim").joinpath("scenarios/qom_small.toml")
#: Volumes are sums and differences of ~1e5 m³ amounts: round-off only.
VOLUME_RTOL = 1e-9
#: Every pond passes on all brine above its minimum depth each day ("continuous" rule).
CHAIN = {"ponds[0].transfer_rule": "continuous", "ponds[1].transfer_rule": "continuous",
         "ponds[1].depth_min": "5 cm", "ponds[0].depth_min": "10 cm", "ponds[2].depth_max": "3 m",
         "site.horizon": "10 d"}


@pytest.fixture()
def field():
    model = SiteModel(load_scenario(SMALL, overrides=CHAIN), path_table=nacl_path.nacl_path())
    return model.field


def _volumes(field):
    return field.properties().volume.copy()


def test_a_full_pond_that_drains_today_receives_today(field):
    e1, c1, b1 = (field.names.index(n) for n in ("E1", "C1", "B1"))
    # C1 at its fill level (no room before its own outflow), B1 empty enough for all of C1's spare
    before = _volumes(field)
    fill_c1 = field._fill_volume[c1] - field.solid_volume()[c1]
    assert field.room()[c1] == pytest.approx(max(fill_c1 - before[c1], 0.0))
    if before[c1] < fill_c1:       # top C1 up from E1's brine so that it starts full
        field.pond_to_pond(0.0, e1, c1, fill_c1 - before[c1], "transfer")
    before = _volumes(field)
    assert field.room()[c1] == pytest.approx(0.0, abs=1e-6)
    spare = before - field._min_volume
    field.transfer(0.0, month=6, duration=86400.0)
    after = _volumes(field)
    # C1 sends its spare to B1 and, in the same day, takes E1's spare up to the room it freed
    c1_sent = spare[c1]
    e1_sent = min(spare[e1], c1_sent)
    assert after[b1] == pytest.approx(before[b1] + c1_sent, rel=VOLUME_RTOL)
    assert after[e1] == pytest.approx(before[e1] - e1_sent, rel=VOLUME_RTOL)
    assert after[c1] == pytest.approx(before[c1] - c1_sent + e1_sent, rel=VOLUME_RTOL)
    assert e1_sent > 0.0


def test_transfers_conserve_brine_volume_and_mass(field):
    before_total = _volumes(field).sum()
    masses_before = field.state.component_masses(field.lookup)[0].sum(axis=0)
    field.transfer(0.0, month=6, duration=86400.0)
    # internal moves only (B1 has no outlet): mass is conserved exactly, volume up to mixing
    masses_after = field.state.component_masses(field.lookup)[0].sum(axis=0)
    np.testing.assert_allclose(masses_after, masses_before, rtol=VOLUME_RTOL)
    assert _volumes(field).sum() == pytest.approx(before_total, rel=1e-3)

"""The mass ledger: flows, snapshots and the closure of the balance (hand-computed cases)."""
import numpy as np
import pytest

from saltsim.constants import COMPONENTS
from saltsim.des.ledger import Ledger

# Sums of a handful of exactly representable numbers: closure is exact.
CLOSURE_EXACT = 0.0


def _vec(**masses):
    return np.array([masses.get(c, 0.0) for c in COMPONENTS])


def test_balance_closes_when_every_movement_is_recorded():
    ledger = Ledger()
    ledger.stock(0.0, "pond:P1", _vec(H2O=1000.0, Na=40.0, Cl=60.0))
    ledger.flow(0.0, "ext:lake_intake", "pond:P1", _vec(H2O=500.0, Na=20.0, Cl=30.0), "pumping")
    ledger.flow(86400.0, "pond:P1", "ext:atmosphere", _vec(H2O=700.0), "evaporation")
    ledger.flow(86400.0, "pond:P1", "stockpile:halite", _vec(Na=50.0, Cl=77.0), "harvest")
    ledger.stock(86400.0, "pond:P1", _vec(H2O=800.0, Na=10.0, Cl=13.0))
    ledger.stock(0.0, "stockpile:halite", _vec())
    ledger.stock(86400.0, "stockpile:halite", _vec(Na=50.0, Cl=77.0))
    balance = ledger.mass_balance()
    assert np.all(balance["closure_rel"] == CLOSURE_EXACT)
    assert balance["in_kg"][COMPONENTS.index("H2O")] == 500.0
    assert balance["out_kg"][COMPONENTS.index("H2O")] == 700.0
    assert all(np.all(r == 0) for r in ledger.account_residuals().values())


def test_balance_exposes_a_movement_that_bypassed_the_ledger():
    ledger = Ledger()
    ledger.stock(0.0, "pond:P1", _vec(H2O=1000.0))
    ledger.flow(10.0, "pond:P1", "ext:atmosphere", _vec(H2O=100.0), "evaporation")
    ledger.stock(20.0, "pond:P1", _vec(H2O=850.0))  # 50 kg vanished without a flow
    balance = ledger.mass_balance()
    water = COMPONENTS.index("H2O")
    assert balance["closure_rel"][water] == 50.0 / 1000.0
    assert ledger.account_residuals()["pond:P1"][water] == -50.0


def test_vectorised_flows_drop_zero_rows():
    ledger = Ledger()
    ids = ledger.accounts(["pond:A", "pond:B", "pond:C"])
    masses = np.zeros((3, len(COMPONENTS)))
    masses[1, 0] = 5.0
    ledger.flows(0.0, ids, ledger.account("ext:atmosphere"), masses, "evaporation")
    time, source, sink, process, m = ledger.flow_arrays()
    assert time.shape == (1,) and source[0] == ids[1] and m[0, 0] == 5.0


def test_deferred_rows_keep_the_order_of_the_calls_and_are_checked_when_read():
    ledger = Ledger(components=("H2O", "Na"))
    a, b = ledger.account("a"), ledger.account("b")
    p = ledger.process_id("book")
    ledger.defer([(1.0, a, b, np.array([[1.0, 0.0]]), p),
                  (1.0, np.array([a, b]), np.array([b, a]), np.array([[2.0, 0.0], [0.0, 0.0]]), np.array([p, p]))])
    ledger.flow(1.0, "b", "a", [3.0, 0.0], "direct")
    ledger.defer([(2.0, a, b, np.array([[4.0, 1.0]]), p)])
    time, source, sink, process, masses = ledger.flow_arrays()
    # the zero row is dropped; the direct flow sits between the two deferred blocks
    np.testing.assert_array_equal(masses[:, 0], [1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(source, [a, a, b, a])
    np.testing.assert_array_equal(time, [1.0, 1.0, 1.0, 2.0])
    assert [ledger.processes[i] for i in process] == ["book", "book", "direct", "book"]
    ledger.defer([(3.0, a, b, np.array([[np.nan, 0.0]]), p)])
    with pytest.raises(ValueError, match="non-finite mass in flow 'book' at t=3.0"):
        ledger.flow_arrays()


def test_deferred_rows_of_every_id_form_equal_the_same_direct_flows():
    # ids of a deferred row: an int, a NumPy integer, a one-element array repeated over k rows, or
    # one id per row; the materialised columns must equal those of the same flows recorded directly
    forms = [
        (0.5, 0, 1, np.array([[1.0, 2.0], [3.0, 4.0]]), 0),
        (1.0, np.array([2]), np.array([0, 1, 2]), np.array([[1.0, 0.0], [0.0, 5.0], [6.0, 7.0]]), np.int64(1)),
        (1.0, np.array([1, 2]), np.int64(0), np.array([[8.0, 0.0], [9.0, 1.0]]), np.array([1, 0])),
        (2.0, np.array([0], dtype=np.int32), 2, np.array([[0.5, 0.25]]), np.array([0])),
        (2.0, 1, 2, np.empty((0, 2)), 0),
    ]
    deferred, direct = Ledger(components=("H2O", "Na")), Ledger(components=("H2O", "Na"))
    for ledger in (deferred, direct):
        ledger.accounts(["a", "b", "c"])
        ledger.process_id("p0"), ledger.process_id("p1")
    deferred.defer(forms[:2])
    deferred.defer(forms[2:])
    for time_s, source, sink, masses, process in forms:
        direct.flows_batch(time_s, Ledger._id_rows(source, len(masses)), Ledger._id_rows(sink, len(masses)),
                           masses, Ledger._id_rows(process, len(masses)))
    for got, expected in zip(deferred.flow_arrays(), direct.flow_arrays()):
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
    assert deferred.flow_arrays()[0].size == 8

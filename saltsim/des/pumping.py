"""Brine pump stations: failures, repairs and scheduled maintenance as SimPy processes.

A station has ``count`` identical pumps. Failure processes (one per pump) and a maintenance
process change the number of pumps available; the station integrates that number over time,
so the daily tick knows exactly how many pump-seconds were available in the day, whatever the
timing of failures within it. The daily tick applies the operating rules (season, lake-level
cap, annual cap, room in the destination) and moves the brine (:meth:`PumpStation.pump_day`).
"""
from __future__ import annotations

import math

__all__ = ["PumpStation", "pump_failures", "pump_maintenance"]


class PumpStation:
    """Availability bookkeeping and daily pumping of one station.

    Parameters
    ----------
    spec : saltsim.scenario.schema.Pump
    """

    def __init__(self, spec):
        self.spec = spec
        self.failed = 0
        self.in_maintenance = False
        self._pump_seconds = 0.0          # ∫ available pumps dt up to _since
        self._since = 0.0
        self._last_read = 0.0
        self.year = None
        self.pumped_this_year = 0.0
        self.energy = 0.0

    def available(self) -> int:
        return 0 if self.in_maintenance else max(self.spec.count - self.failed, 0)

    def _advance(self, time_s: float) -> None:
        self._pump_seconds += self.available() * (time_s - self._since)
        self._since = time_s

    def set_failed(self, time_s: float, delta: int) -> None:
        self._advance(time_s)
        self.failed += delta

    def set_maintenance(self, time_s: float, flag: bool) -> None:
        self._advance(time_s)
        self.in_maintenance = flag

    def pump_seconds_since_last(self, time_s: float) -> float:
        """Available pump-seconds since the previous call. [s]"""
        # _advance, inlined (called every day for every station)
        available = 0 if self.in_maintenance else max(self.spec.count - self.failed, 0)
        self._pump_seconds += available * (time_s - self._since)
        self._since = time_s
        total = self._pump_seconds - self._last_read
        self._last_read = self._pump_seconds
        return total

    def allowed_volume(self, time_s, pump_seconds, month, year, lake_level) -> float:
        """Volume the rules allow this step before the destination's room is considered. [m³]

        ``lake_level`` [m] may be a callable returning it, called only when a level rule applies.
        """
        spec = self.spec
        if year != self.year:
            self.year, self.pumped_this_year = year, 0.0
        if spec.months is not None and month not in spec.months:
            return 0.0
        if spec.lake_level_min is not None and spec.source == "lake":
            if (lake_level() if callable(lake_level) else lake_level) < spec.lake_level_min:
                return 0.0
        volume = spec.capacity * pump_seconds
        if spec.annual_volume_cap is not None:
            volume = min(volume, max(spec.annual_volume_cap - self.pumped_this_year, 0.0))
        return volume

    def account(self, volume: float) -> float:
        """Book a pumped volume; returns the energy used. [J]"""
        self.pumped_this_year += volume
        energy = (self.spec.power or 0.0) * volume / self.spec.capacity
        self.energy += energy
        return energy


def _draw_time_to_failure(rng, spec):
    if spec.failure_distribution == "weibull":
        k = spec.weibull_shape
        return float(spec.mtbf / math.gamma(1.0 + 1.0 / k) * rng.weibull(k))
    return float(rng.exponential(spec.mtbf))


def pump_failures(env, station: PumpStation, pump: int, rng, ledger):
    """Failures and repairs of one pump: time to failure from ``mtbf`` (exponential or Weibull
    with mean ``mtbf``), repair time exponential with mean ``mttr``."""
    spec = station.spec
    while True:
        yield env.timeout(_draw_time_to_failure(rng, spec))
        station.set_failed(env.now, +1)
        ledger.event(env.now, "pump_failure", spec.name, pump=pump)
        yield env.timeout(float(rng.exponential(spec.mttr)))
        station.set_failed(env.now, -1)
        ledger.event(env.now, "pump_repair", spec.name, pump=pump)


def pump_maintenance(env, station: PumpStation, ledger):
    """Scheduled maintenance: the whole station stops every ``maintenance_interval``."""
    spec = station.spec
    while True:
        yield env.timeout(spec.maintenance_interval)
        station.set_maintenance(env.now, True)
        ledger.event(env.now, "maintenance_start", spec.name)
        yield env.timeout(spec.maintenance_duration or 0.0)
        station.set_maintenance(env.now, False)
        ledger.event(env.now, "maintenance_end", spec.name)

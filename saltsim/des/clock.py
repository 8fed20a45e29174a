"""The calendar of a run: simulation seconds ↔ days, months and dates (D1: clock in seconds).

Months and years come from the scenario's start date plus the clock, never from a pint "month".
"""
from __future__ import annotations

import datetime

import numpy as np

from ..units import DAY

__all__ = ["Calendar"]


class Calendar:
    """Day-by-day calendar of a run.

    Parameters
    ----------
    start : datetime.date
        Calendar date at simulation time 0.
    n_days : int
        Days simulated.
    """

    def __init__(self, start: datetime.date, n_days: int):
        self.start = start
        self.n_days = int(n_days)
        dates = np.datetime64(start, "D") + np.arange(self.n_days + 1)
        months = dates.astype("datetime64[M]")
        #: Calendar month of each day, 0 = January. [-]
        self.month = (months.astype(int) % 12).astype(np.int64)
        #: Calendar year of each day. [-]
        self.year = (dates.astype("datetime64[Y]").astype(int) + 1970).astype(np.int64)
        next_month = (months + 1).astype("datetime64[D]")
        #: Length of the month of each day. [d]
        self.days_in_month = (next_month - months.astype("datetime64[D]")).astype(float)
        self.dates = dates

    def day(self, time_s: float) -> int:
        """Index of the day containing ``time_s``. [-]"""
        return min(int(time_s // DAY), self.n_days)

    def month_of(self, time_s: float) -> int:
        """Calendar month (1 = January) at ``time_s``."""
        return int(self.month[self.day(time_s)]) + 1

    def in_months(self, time_s: float, months) -> bool:
        """True when ``months`` (1-based, None = all) contains the month at ``time_s``."""
        return months is None or self.month_of(time_s) in months

    def timestamps(self, time_s):
        """numpy datetime64[s] of simulation times. [s]"""
        base = np.datetime64(self.start, "s")
        return base + np.round(np.asarray(time_s, dtype=float)).astype("timedelta64[s]")

"""Cadence periods: which month, quarter, half-year or year a meeting belongs to, and which are due.

A group meets once per period of its cadence: each month (agents), each quarter
(usagers), each half-year (référents), each year (intergroupes). The slot of a
period falls in one month of it (`months`, else its first month not skipped), on
the `week`-th `weekday` of that month (-1: the last). Moving a slot off a holiday
is the calendar's job; this module only knows the nominal dates.
"""

from __future__ import annotations

import calendar as _calendar
import datetime
from dataclasses import dataclass

from .diagnostics import Loc
from .models import Cadence
from .vocabulary import MONTHS_FR

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Months in one period of each frequency.
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}


@dataclass(frozen=True, order=True)
class Period:
    """One period of a cadence: `index` is the month, quarter or half-year (1 for a year)."""

    year: int
    index: int
    frequency: str

    @property
    def months(self) -> range:
        size = PERIOD_MONTHS[self.frequency]
        first = (self.index - 1) * size + 1
        return range(first, first + size)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.months[0], 1)

    @property
    def end(self) -> datetime.date:
        last = self.months[-1]
        return datetime.date(self.year, last, _calendar.monthrange(self.year, last)[1])

    @property
    def key(self) -> str:
        """A short stable name: `2001-03`, `2001-T1`, `2001-S2`, `2001`."""
        if self.frequency == "monthly":
            return f"{self.year}-{self.index:02d}"
        if self.frequency == "quarterly":
            return f"{self.year}-T{self.index}"
        if self.frequency == "semiannual":
            return f"{self.year}-S{self.index}"
        return str(self.year)

    @property
    def label(self) -> str:
        """In French: « mars 2001 », « 1er trimestre 2001 », « 2e semestre 2001 », « 2001 »."""
        rank = "1er" if self.index == 1 else f"{self.index}e"
        if self.frequency == "monthly":
            return f"{MONTHS_FR[self.index - 1]} {self.year}"
        if self.frequency == "quarterly":
            return f"{rank} trimestre {self.year}"
        if self.frequency == "semiannual":
            return f"{rank} semestre {self.year}"
        return f"année {self.year}"

    def next(self) -> Period:
        count = 12 // PERIOD_MONTHS[self.frequency]
        if self.index < count:
            return Period(self.year, self.index + 1, self.frequency)
        return Period(self.year + 1, 1, self.frequency)


def period_of(frequency: str, day: datetime.date) -> Period:
    size = PERIOD_MONTHS[frequency]
    return Period(day.year, (day.month - 1) // size + 1, frequency)


def periods_between(frequency: str, start: datetime.date, end: datetime.date) -> list[Period]:
    """Every period that overlaps [start, end]."""
    periods: list[Period] = []
    period = period_of(frequency, start)
    while period.start <= end:
        periods.append(period)
        period = period.next()
    return periods


def slot_month(cadence: Cadence, period: Period) -> int | None:
    """The month of the period's slot, or None when the cadence skips this period."""
    candidates = [m for m in period.months if m not in cadence.skip_months]
    if cadence.months is not None and cadence.frequency != "monthly":
        candidates = [m for m in candidates if m in cadence.months]
    return candidates[0] if candidates else None


def nth_weekday(year: int, month: int, weekday: str, week: int) -> datetime.date:
    """The `week`-th `weekday` of the month; week -1 is the last one."""
    wanted = WEEKDAYS.index(weekday)
    days = [
        datetime.date(year, month, day)
        for day in range(1, _calendar.monthrange(year, month)[1] + 1)
        if datetime.date(year, month, day).weekday() == wanted
    ]
    return days[-1] if week == -1 else days[week - 1]


def nominal_slot(cadence: Cadence, period: Period) -> datetime.date | None:
    """The date the cadence gives for the period, before any holiday move."""
    month = slot_month(cadence, period)
    if month is None:
        return None
    return nth_weekday(period.year, month, cadence.weekday, cadence.week)


def due_periods(cadence: Cadence, start: datetime.date, end: datetime.date) -> list[Period]:
    """Periods that have a slot and overlap [start, end]."""
    return [p for p in periods_between(cadence.frequency, start, end) if slot_month(cadence, p) is not None]


def cadence_problems(cadence: Cadence) -> list[tuple[Loc, str]]:
    """Why a cadence cannot work, as (path inside the cadence, French message) pairs."""
    problems: list[tuple[Loc, str]] = []
    frequency = cadence.frequency
    if cadence.months is not None and frequency != "monthly":
        seen: dict[Period, int] = {}
        for index, month in enumerate(cadence.months):
            period = period_of(frequency, datetime.date(2000, month, 1))
            if period in seen:
                problems.append(
                    (
                        ("months", index),
                        (
                            f"mois {month} et {seen[period]} dans la même période ({_period_word(frequency)}) :"
                            " un seul mois par période"
                        ),
                    )
                )
            seen[period] = month
            if month in cadence.skip_months:
                problems.append((("months", index), f"mois {month} à la fois dans months et skip_months"))
    year_periods = periods_between(frequency, datetime.date(2001, 1, 1), datetime.date(2001, 12, 31))
    if all(slot_month(cadence, p) is None for p in year_periods):
        problems.append(
            (
                ("skip_months",) if cadence.skip_months else ("months",),
                "cette cadence ne donne aucune réunion : tous ses mois sont exclus",
            )
        )
    return problems


def _period_word(frequency: str) -> str:
    return {"monthly": "mois", "quarterly": "trimestre", "semiannual": "semestre", "annual": "année"}[frequency]

"""The meeting calendar: recorded meetings, and a slot for every cadence period without one.

Pure computation: records, a date range and the holidays to avoid in, rows out.
A slot that falls on an avoided day moves to the same weekday of the following
week, again until it is free; the row keeps where it came from and why.
The holidays come from the `holidays` package (imported only here): mainland
France's public holidays and the school holidays of the workspace's zone, both
asked for in French whatever the machine's locale.
"""

from __future__ import annotations

import datetime
import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .cadence import Period, due_periods, nominal_slot, period_of
from .loader import Records

# How far a slot may be pushed: past this, the period is really full of holidays.
MAX_MOVES = 10


@dataclass(slots=True)
class Row:
    """One meeting of the calendar, recorded or planned by the cadence."""

    date: datetime.date
    time: str
    group: str
    place: str | None
    origin: str  # recorded | planned
    status: str  # held | planned | cancelled
    period: Period
    duration: int
    meeting: str | None = None
    moved_from: datetime.date | None = None
    reason: str | None = None
    topic: str | None = None

    def as_json(self) -> dict[str, str | None]:
        """The keys of DESIGN.md, in its order."""
        return {
            "date": self.date.isoformat(),
            "time": self.time,
            "group": self.group,
            "place": self.place,
            "origin": self.origin,
            "status": self.status,
            "moved_from": self.moved_from.isoformat() if self.moved_from else None,
            "reason": self.reason,
        }


class Holidays:
    """Days to avoid, by kind, with their French names: given, or looked up (`look_up`) the first
    time one is asked for (a calendar of groups that avoid no holiday never imports the package)."""

    def __init__(
        self,
        public: dict[datetime.date, str] | None = None,
        school: dict[datetime.date, str] | None = None,
        school_unknown_years: list[int] | None = None,
        look_up: Callable[[], Holidays] | None = None,
    ):
        self._days = (public or {}, school or {}, school_unknown_years or [])
        self._look_up = look_up

    def _found(self) -> tuple[dict[datetime.date, str], dict[datetime.date, str], list[int]]:
        if self._look_up is not None:
            self._days, self._look_up = self._look_up()._found(), None
        return self._days

    @property
    def public(self) -> dict[datetime.date, str]:
        return self._found()[0]

    @property
    def school(self) -> dict[datetime.date, str]:
        return self._found()[1]

    @property
    def school_unknown_years(self) -> list[int]:
        """Years asked for but that the package has no school holidays for."""
        return self._found()[2]

    def reason(self, day: datetime.date, avoid: Sequence[str]) -> str | None:
        if "public-holidays" in avoid and day in self.public:
            return self.public[day]
        if "school-holidays" in avoid and day in self.school:
            return self.school[day]
        return None


@functools.lru_cache(maxsize=32)
def french_holidays(years: range, school_zone: str) -> Holidays:
    """Public holidays of mainland France and school holidays of a zone, in French, looked up when
    first asked for (kept for the next call: a render asks for the same years hundreds of times;
    never modified)."""
    return Holidays(look_up=functools.partial(_french_holidays, years, school_zone))


def _french_holidays(years: range, school_zone: str) -> Holidays:
    france = _france()
    public = france(years=years, language="fr")
    school = france(years=years, subdiv=f"Zone {school_zone}", categories=("school",), language="fr")
    known_school_years = {day.year for day in school}
    return Holidays(
        public=dict(public.items()),
        school=dict(school.items()),
        school_unknown_years=[year for year in years if year not in known_school_years],
    )


def _france() -> Any:
    """The holidays package's calendar of France. `holidays.country_holidays("FR")` imports the
    package's `countries`, which imports all of its 200 countries (half of the package's import
    time, 50 ms, at every render that looks for the next référents meeting): its France module
    is loaded alone, from its file (tests/test_calendar.py checks that both give the same days);
    through the package when that file is not where it was."""
    import importlib.util
    import sys

    import holidays as holiday_data

    name = "holidays.countries.france"
    loaded = sys.modules.get(name)
    if loaded is None:
        path = os.path.join(os.path.dirname(holiday_data.__file__), "countries", "france.py")
        spec = importlib.util.spec_from_file_location(name, path) if os.path.isfile(path) else None
        if spec is None or spec.loader is None:
            return functools.partial(holiday_data.country_holidays, "FR")
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
        sys.modules[name] = loaded  # what `import holidays.countries` would find later: the same module
    return loaded.France


def group_start(records: Records, group_id: str) -> datetime.date | None:
    """When a group begins to meet: its first member's arrival, else the Gasp's creation."""
    group = records.groups[group_id]
    dates = [m.since for m in group.members]
    if dates:
        return min(dates)
    return records.gasp.created if records.gasp is not None else None


def place_slot(
    day: datetime.date, avoid: Sequence[str], holidays: Holidays
) -> tuple[datetime.date, datetime.date | None, str | None]:
    """(date, moved_from, reason): a week later each time the day is avoided."""
    reasons: list[str] = []
    moved = day
    for _ in range(MAX_MOVES):
        reason = holidays.reason(moved, avoid)
        if reason is None:
            break
        if reason not in reasons:
            reasons.append(reason)
        moved += datetime.timedelta(weeks=1)
    if moved == day:
        return day, None, None
    return moved, day, ", ".join(reasons)


def calendar_rows(
    records: Records,
    start: datetime.date,
    end: datetime.date,
    holidays: Holidays,
    group_ids: list[str] | None = None,
) -> list[Row]:
    """Every meeting between `start` and `end` (inclusive), sorted by date and time."""
    rows: list[Row] = []
    for gid in group_ids or sorted(records.groups):
        group = records.groups[gid]
        cadence = group.cadence
        recorded = {mid: m for mid, m in records.meetings.items() if m.group == gid}
        covered = {period_of(cadence.frequency, m.date) for m in recorded.values()}
        for mid, meeting in recorded.items():
            if start <= meeting.date <= end:
                rows.append(
                    Row(
                        meeting.date,
                        meeting.time or cadence.time,
                        gid,
                        meeting.place or cadence.place,
                        "recorded",
                        meeting.status,
                        period_of(cadence.frequency, meeting.date),
                        cadence.duration,
                        meeting=mid,
                        topic=meeting.topic,
                    )
                )
        first = group_start(records, gid)
        # A slot moved by holidays may leave its period: look one period around the range.
        for period in due_periods(cadence, start - datetime.timedelta(days=93), end):
            if period in covered:
                continue
            nominal = nominal_slot(cadence, period)
            if nominal is None or (first is not None and nominal < first):
                continue
            day, moved_from, reason = place_slot(nominal, cadence.avoid, holidays)
            if start <= day <= end:
                rows.append(
                    Row(
                        day,
                        cadence.time,
                        gid,
                        cadence.place,
                        "planned",
                        "planned",
                        period,
                        cadence.duration,
                        moved_from=moved_from,
                        reason=reason,
                    )
                )
    return sorted(rows, key=lambda row: (row.date, row.time, row.group))


def holidays_for(records: Records, start: datetime.date, end: datetime.date) -> Holidays:
    zone = records.gasp.school_zone if records.gasp is not None else "B"
    return french_holidays(range(start.year, end.year + 2), zone)

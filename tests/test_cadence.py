"""Cadence periods and their nominal slots."""

from __future__ import annotations

import datetime

from gasp_cli.cadence import Period, due_periods, nominal_slot, nth_weekday, period_of, periods_between
from gasp_cli.models import Cadence

D = datetime.date


def cadence(**fields) -> Cadence:
    base = {"frequency": "monthly", "weekday": "tuesday", "week": 2, "time": "14:00", "duration": 120, "place": "salle"}
    return Cadence.model_validate({**base, **fields})


def test_periods_of_each_frequency():
    day = D(2001, 8, 15)
    assert period_of("monthly", day).key == "2001-08"
    assert period_of("quarterly", day).key == "2001-T3"
    assert period_of("semiannual", day).key == "2001-S2"
    assert period_of("annual", day).key == "2001"
    assert period_of("quarterly", day).label == "3e trimestre 2001"
    assert period_of("semiannual", D(2001, 1, 1)).label == "1er semestre 2001"
    assert Period(2001, 4, "quarterly").end == D(2001, 12, 31)
    assert Period(2001, 4, "quarterly").next() == Period(2002, 1, "quarterly")


def test_nth_and_last_weekday():
    assert nth_weekday(2000, 9, "tuesday", 2) == D(2000, 9, 12)
    assert nth_weekday(2001, 6, "thursday", -1) == D(2001, 6, 28)
    assert nth_weekday(2002, 6, "thursday", -1) == D(2002, 6, 27)
    assert nth_weekday(2001, 12, "friday", 3) == D(2001, 12, 21)


def test_skipped_months_are_not_due():
    monthly = cadence(skip_months=[7, 8])
    keys = [p.key for p in due_periods(monthly, D(2001, 1, 1), D(2001, 12, 31))]
    assert keys == [f"2001-{m:02d}" for m in (1, 2, 3, 4, 5, 6, 9, 10, 11, 12)]


def test_months_pick_the_slot_of_each_period():
    quarterly = cadence(frequency="quarterly", weekday="thursday", months=[3, 6, 9, 12])
    slots = [nominal_slot(quarterly, p) for p in periods_between("quarterly", D(2001, 1, 1), D(2001, 12, 31))]
    assert slots == [D(2001, 3, 8), D(2001, 6, 14), D(2001, 9, 13), D(2001, 12, 13)]
    semiannual = cadence(frequency="semiannual", weekday="friday", week=3, months=[6])
    assert [p.key for p in due_periods(semiannual, D(2001, 1, 1), D(2001, 12, 31))] == ["2001-S1"]


def test_without_months_the_first_month_of_the_period():
    annual = cadence(frequency="annual", skip_months=[1])
    assert nominal_slot(annual, Period(2001, 1, "annual")) == D(2001, 2, 13)

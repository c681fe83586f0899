"""The Gasp's commitments (`commitments` in gasp.yaml): how late an answer or a compte rendu is.

One place says what « late » means, for `gasp validate` (its warnings) and the dossier of
the référents (the proposals it puts first). A proposal is late when it still awaits a
decision (raised, discussed, deferred or under study) more than `decision_within_days`
after it was raised; a held meeting's minutes are late when no `minutes_sent` is recorded
more than `minutes_within_days` after the meeting. Minutes that went out late, but went
out, are history: the report's median delay shows them, no warning repeats them forever.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from .vocabulary import awaiting_decision

if TYPE_CHECKING:
    from .lifecycle import History
    from .loader import Records
    from .models import Meeting


def decision_within_days(records: Records) -> int | None:
    """The référents' commitment, in days, or None when gasp.yaml promises none."""
    commitments = records.gasp.commitments if records.gasp is not None else None
    return commitments.decision_within_days if commitments is not None else None


def minutes_within_days(records: Records) -> int | None:
    """The secretary's commitment for the comptes rendus, in days, or None."""
    commitments = records.gasp.commitments if records.gasp is not None else None
    return commitments.minutes_within_days if commitments is not None else None


def decision_late_by(history: History, day: datetime.date, within_days: int | None) -> int | None:
    """Days past the commitment of a proposal still awaiting a decision on `day`; None when it
    is not late, awaits nothing, or no commitment is made. Raised on day 0, a proposal is
    on time up to day N included."""
    raised = history.raised
    if within_days is None or raised is None or not awaiting_decision(history, day):
        return None
    late = (day - raised.date).days - within_days
    return late if late > 0 else None


def minutes_late_by(meeting: Meeting, day: datetime.date, within_days: int | None) -> int | None:
    """Days past the commitment of a held meeting whose compte rendu is not sent on `day`."""
    if within_days is None or meeting.status != "held" or meeting.minutes_sent is not None:
        return None
    late = (day - meeting.date).days - within_days
    return late if late > 0 else None

"""Which record files each document is built from, hashed into the document's input key.

A document is kept without being built when its input key is the one the last render
wrote beside it (render/documents.py, `_Producer.document`). The key of a document is a
hash of the bytes of every record file its build may read, of its parameters and of the
day when it depends on the day; so an edit rebuilds only the documents that read the
edited file. What a build reads is over-approximated, never under: a document that reads
a record file left out of its key would stay old, and an incremental render would differ
from a full one (tests/test_incremental.py compares them byte for byte).

A meeting's `discussion` is shown by its own compte rendu only: every other key reads the
meeting's file without it (yamlsource `outline`), so that the edit a secretary makes most
often, a discussion written after the meeting, rebuilds that compte rendu and nothing else.

The sets, by document (the records every document reads — gasp.yaml, groups, people,
services, themes — are in every key: they are few, and an edit of them is rare):
- a compte rendu: its meeting, whole (on the site, without its discussion for a group whose
  comptes rendus are not public: the public filter drops it); every meeting since its group last met, that day's included
  (what the others said, and what bounds it); its group's next meetings up to the first not
  cancelled (« prochaine réunion »; all of them when none is); the proposals these meetings
  name (titles, themes);
  on the site, whether each of those proposals has a page there;
- a proposal's page: the proposal, the one it replaces and those that replace it, and what
  the histories take from the meetings that name any of them (`_lifecycle_digest`), the day;
  on the site, which of the related proposals have a page there;
- a report: the meetings up to the end of the next year (its history, its next year's
  calendar), every proposal (milestones), the first meeting's date, its cutoff day;
- a dossier: what the histories take from the meetings up to its meeting's date, every
  proposal, its day and meeting;
- anything else (the guides, the suivi, the site's home page, list of comptes rendus,
  calendars, out/index.html): every record file, and its day.

Each set is hashed from digests computed once per render: no query over the whole
workspace is made per document. The index is built once per render, in linear time.
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar, cast

if TYPE_CHECKING:
    from ..loader import Records
    from ..models import Meeting
    from ..yamlsource import SourceFile

T = TypeVar("T")

# The record kinds every document may read: the group, its groups, people, services and themes.
COMMON_KINDS = ("gasp", "groups", "people", "services", "themes")


class Dependencies:
    """The record files of a render by kind and id, indexed once, and each document's input key."""

    def __init__(self, records: Records, setting: str):
        """`setting`: what every document depends on besides the records (code, templates, zone)."""
        from ..lifecycle import replaced_by

        self._records = records
        self._digests = {key: _read_by_others(key[0], source) for key, source in records.sources.items()}
        common = hashlib.sha256(f"{setting}\0".encode())
        for key in sorted(key for key in self._digests if key[0] in COMMON_KINDS):
            common.update(self._digests[key] + b"\0")
        self._common = common.hexdigest()
        everything = hashlib.sha256(f"{self._common}\0{records.file_count}\0".encode())
        for key in sorted(self._digests):
            everything.update(self._digests[key] + b"\0")
        self._everything = everything.hexdigest()
        proposals = hashlib.sha256()
        for key in sorted(key for key in self._digests if key[0] == "proposals"):
            proposals.update(self._digests[key] + b"\0")
        self._proposals = proposals.hexdigest()

        # Meetings in date order, and the hash of every prefix of that order: of their files, and of
        # what the proposals' histories take from them (lifecycle.histories: a discussion's text is not there).
        self._by_date = sorted((meeting.date, mid) for mid, meeting in records.meetings.items())
        self._dates = [date for date, _ in self._by_date]
        self._lifecycle = {mid: _lifecycle_digest(mid, meeting) for mid, meeting in records.meetings.items()}
        self._prefixes: list[str] = []
        self._lifecycle_prefixes: list[str] = []
        running, lifecycle = hashlib.sha256(), hashlib.sha256()
        for _, mid in self._by_date:
            running.update(self._meeting(mid) + b"\0")
            self._prefixes.append(running.hexdigest())
            lifecycle.update(self._lifecycle[mid] + b"\0")
            self._lifecycle_prefixes.append(lifecycle.hexdigest())
        self._of_group: dict[str, list[tuple[datetime.date, str]]] = {}
        for date, mid in self._by_date:
            self._of_group.setdefault(records.meetings[mid].group, []).append((date, mid))
        # Each group's held meetings' dates, in order (where « since the group last met » starts).
        self._held: dict[str, list[datetime.date]] = {}
        for date, mid in self._by_date:
            if records.meetings[mid].status == "held":
                self._held.setdefault(records.meetings[mid].group, []).append(date)
        # Meeting → the proposals it names (an event or a decision); proposal → the meetings naming it.
        self._names: dict[str, tuple[str, ...]] = {}
        self._naming: dict[str, list[str]] = {}
        for _, mid in self._by_date:
            meeting = records.meetings[mid]
            self._names[mid] = tuple(
                sorted({*(e.proposal for e in meeting.proposals), *(d.proposal for d in meeting.decisions)})
            )
            for named in self._names[mid]:
                self._naming.setdefault(named, []).append(mid)
        self._memo: dict[object, object] = {}
        self._replaced_by = replaced_by(records)

    def _meeting(self, meeting_id: str) -> bytes:
        """A meeting's file but its discussion."""
        return self._digests.get(("meetings", meeting_id), b"?" + meeting_id.encode())

    def _own(self, meeting_id: str) -> bytes:
        """A meeting's whole file, its discussion with it."""
        source = self._records.sources.get(("meetings", meeting_id))
        return source.rel.encode() + b"\0" + source.digest if source is not None else b"?" + meeting_id.encode()

    def _proposal(self, proposal_id: str) -> bytes:
        return self._digests.get(("proposals", proposal_id), b"?" + proposal_id.encode())

    def _key(self, kind: str, *parts: bytes | str) -> str:
        digest = hashlib.sha256(f"{kind}\0{self._common}\0".encode())
        for part in parts:
            digest.update((part if isinstance(part, bytes) else part.encode()) + b"\1")
        return digest.hexdigest()

    def everything_common(self) -> str:
        """The key of what every document reads: gasp.yaml, groups, people, services, themes."""
        return self._common

    def _up_to(self, day: datetime.date, lifecycle: bool = False) -> str:
        """The hash of every meeting dated `day` or before (`lifecycle`: of what the histories take from them)."""
        count = bisect.bisect_right(self._dates, day)
        return (self._lifecycle_prefixes if lifecycle else self._prefixes)[count - 1] if count else ""

    def replaced_by(self) -> dict[str, list[str]]:
        """Proposal id → the proposals that replace it (lifecycle.replaced_by, computed once)."""
        return self._replaced_by

    def once(self, key: object, build: Callable[[], T]) -> T:
        """A document's data built once in this render though two files show it (the suivi and the
        guides: their HTML and, later, their PDF). The key names the records it was built from: the
        site's (public) records are not the members'."""
        if key not in self._memo:
            self._memo[key] = build()
        return cast(T, self._memo[key])

    def everything(self, *parameters: str) -> str:
        """The key of a document that may read any record file."""
        return self._key("everything", self._everything, *parameters)

    def compte_rendu(self, meeting_id: str, published: frozenset[str] | None = None) -> str:
        """A compte rendu's key; `published`: on the site, the proposals that have a page there."""
        from ..public import shown_whole

        records = self._records
        meeting = records.meetings[meeting_id]
        own = self._of_group.get(meeting.group, [])
        position = bisect.bisect_left(own, (meeting.date, meeting_id))
        held = self._held.get(meeting.group, [])
        before = bisect.bisect_left(held, meeting.date)
        since = held[before - 1] if before else datetime.date.min
        # Its group's next meeting that is not cancelled, and the cancelled ones before it (without
        # one, the cadence gives the next date, around the group's recorded meetings after this one).
        following: list[str] = []
        for _, mid in own[position + 1 :]:
            following.append(mid)
            if records.meetings[mid].status != "cancelled":
                break
        start = bisect.bisect_left(self._dates, since)  # the meetings of that day too: the group's last one
        end = bisect.bisect_right(self._dates, meeting.date)
        window = [mid for _, mid in self._by_date[start:end]] + following
        named = sorted({pid for mid in [meeting_id, *window] for pid in self._names[mid]})
        # Its own discussion, unless the site shows it without (a group whose comptes rendus are not public).
        without = published is not None and not shown_whole(records, meeting)
        parts: list[bytes | str] = [
            meeting_id,
            self._meeting(meeting_id) if without else self._own(meeting_id),
            *(self._meeting(mid) for mid in window),
            *(self._proposal(pid) for pid in named),
        ]
        if published is not None:
            parts.append("site:" + ",".join(pid for pid in named if pid in published))
        return self._key("compte-rendu", *parts)

    def proposition(self, proposal_id: str, day: datetime.date, published: frozenset[str] | None = None) -> str:
        """A proposal page's key, as it stands on `day`; `published`: as on the site."""
        proposal = self._records.proposals[proposal_id]
        related = sorted(
            {proposal_id, *self._replaced_by.get(proposal_id, []), *([proposal.replaces] if proposal.replaces else [])}
        )
        meetings = sorted({mid for pid in related for mid in self._naming.get(pid, [])})
        parts: list[bytes | str] = [
            proposal_id,
            day.isoformat(),
            *(self._proposal(pid) for pid in related),
            *(self._lifecycle[mid] for mid in meetings),
        ]
        if published is not None:
            parts.append("site:" + ",".join(pid for pid in related if pid in published))
        return self._key("proposition", *parts)

    def rapport(self, year: int, today: datetime.date) -> str:
        """A report's key: its year's history, as of its cutoff, and the next year's meetings."""
        cutoff = min(datetime.date(year, 12, 31), today)
        first = self._dates[0].isoformat() if self._dates else ""
        return self._key(
            "rapport",
            str(year),
            cutoff.isoformat(),
            first,
            self._up_to(datetime.date(year + 1, 12, 31)),
            self._proposals,
        )

    def dossier(self, day: datetime.date, meeting_date: datetime.date, *parameters: str) -> str:
        """A dossier's key: the proposals and the meetings up to its meeting, as of `day`."""
        return self._key(
            "dossier",
            day.isoformat(),
            *parameters,
            self._up_to(max(day, meeting_date), lifecycle=True),
            self._proposals,
        )


def _read_by_others(kind: str, source: SourceFile) -> bytes:
    """What a document reads of a record file: the file, but a meeting's discussion, which only its
    own compte rendu shows (yamlsource `outline`; the whole file for that compte rendu: `_own`)."""
    return source.rel.encode() + b"\0" + ((source.outline or source.digest) if kind == "meetings" else source.digest)


def _lifecycle_digest(meeting_id: str, meeting: Meeting) -> bytes:
    """What lifecycle.histories reads of a meeting: its date, status, group and time, its proposals'
    events and its decisions, with their notes."""
    seen = (
        meeting_id,
        meeting.date.isoformat(),
        meeting.status,
        meeting.group,
        meeting.time,
        [(item.proposal, item.event, item.note) for item in meeting.proposals],
        [(item.proposal, item.outcome, item.note) for item in meeting.decisions],
    )
    return hashlib.sha256(repr(seen).encode("utf-8")).digest()


def keys_of(values: Iterable[object]) -> str:
    """Parameters of a document, as one string for its key."""
    return "\0".join(repr(value) for value in values)

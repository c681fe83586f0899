"""The one public filter: the records as every public output may see them.

The residents' site (`out/public/`: its pages, their PDFs, the public iCalendar files, the
search index, the public reports) is built from `public_records(records)`, never from the
records themselves, so that a template, new or overridden, cannot show what was filtered out:

- of a group whose comptes rendus are not public (`public_minutes`), a meeting keeps its
  date, time, place, status, `minutes_sent`, the proposals raised or discussed (without
  their notes) and its decisions (outcome and note: the answer residents wait for); its
  topic, tour de table, discussion, actions and cancellation reason are dropped, and its
  attendees, excused and guests become anonymous stand-ins, so that counts (attendance,
  attendance by person kind) stay right and no id nor name is left;
- a person who did not consent to be named loses their name and role; nobody keeps an `email`;
- services lose their `agents` block, and the sociologist's observations are gone.

`stand_in` ids are not slugs (they hold a colon): they can never be a record's id.

The free texts that reach a public output once filtered are listed here too
(`public_free_texts`): `gasp validate` looks in them for the recorded name of a person who
did not consent to be named (`unconsented_names`, warning `unconsented-name`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from . import models
from .diagnostics import Loc
from .loader import Records

# What a guest of a non-public group's meeting becomes: counted, never named.
GUEST = "invité"


def stand_in(kind: str, number: int) -> str:
    """The id of an anonymous person of `kind` in the public records (« agent:1 »): never a slug."""
    return f"{kind}:{number}"


def _anonymous(kind: models.PersonKind) -> models.Person:
    return models.Person.model_construct(name=None, email=None, kind=kind, role=None, service=None, publish_name=False)


def _person(person: models.Person) -> models.Person:
    """A person as the public may see them: never an e-mail address (only `gasp mail` reads it)."""
    private = {"email": None} if person.may_be_named else {"email": None, "name": None, "role": None}
    return person.model_copy(update=private)


def _private_meeting(records: Records, meeting: models.Meeting, people: dict[str, models.Person]) -> models.Meeting:
    """A meeting of a non-public group as the public may see it: dates, counts and decisions."""
    numbers: dict[str, int] = {}

    def anonymous(person_ids: list[str]) -> list[str]:
        result = []
        for person_id in person_ids:
            person = records.people.get(person_id)
            kind: models.PersonKind = person.kind if person is not None else "agent"
            numbers[kind] = numbers.get(kind, 0) + 1
            token = stand_in(kind, numbers[kind])
            if token not in people:  # one stand-in for every meeting's first agent, second agent…
                people[token] = _anonymous(kind)
            result.append(token)
        return result

    return meeting.model_copy(
        update={
            "attendees": anonymous(meeting.attendees),
            "excused": anonymous(meeting.excused),
            "guests": [GUEST for _ in meeting.guests],
            "problems_raised": [],
            "topic": None,
            "discussion": None,
            "cancel_reason": None,
            "proposals": [event.model_copy(update={"note": None}) for event in meeting.proposals],
            "actions": [],
        }
    )


def shown_whole(records: Records, meeting: models.Meeting) -> bool:
    """Whether the public records hold a meeting as it is (its group's comptes rendus are public),
    its discussion with it; else only what `_private_meeting` keeps. The one place that says it."""
    group = records.groups.get(meeting.group)
    return group is not None and group.minutes_are_public


def public_records(records: Records) -> Records:
    """The records filtered for the residents' site: see the module's docstring."""
    people = {pid: _person(person) for pid, person in records.people.items()}
    meetings = {}
    for mid, meeting in records.meetings.items():
        meetings[mid] = meeting if shown_whole(records, meeting) else _private_meeting(records, meeting, people)
    services = {
        sid: service.model_copy(update={"agents": None}) if service.agents is not None else service
        for sid, service in records.services.items()
    }
    return dataclasses.replace(records, people=people, meetings=meetings, services=services, observations={})


# --- names in free text -----------------------------------------------------------------

# The civilities a French compte rendu puts before a surname.
_CIVILITY = r"(?:(?:M|Mr|Mme|Mlle)(?:\.\s*|\s+)|(?:Madame|Monsieur|Mademoiselle)\s+)"


def _meeting_texts(records: Records, meeting: models.Meeting) -> Iterator[tuple[Loc, str]]:
    """(loc, text) of a meeting's free texts that go out: all of a public group's, else its decisions' notes."""
    if shown_whole(records, meeting):
        if meeting.discussion:
            yield ("discussion",), meeting.discussion
        if meeting.cancel_reason:
            yield ("cancel_reason",), meeting.cancel_reason
        for index, guest in enumerate(meeting.guests):
            yield ("guests", index), guest
        for index, problem in enumerate(meeting.problems_raised):
            yield ("problems_raised", index, "note"), problem.note
        for index, event in enumerate(meeting.proposals):
            if event.note:
                yield ("proposals", index, "note"), event.note
        for index, action in enumerate(meeting.actions):
            yield ("actions", index, "what"), action.what
    for index, decision in enumerate(meeting.decisions):
        if decision.note:
            yield ("decisions", index, "note"), decision.note


def public_free_texts(records: Records) -> Iterator[tuple[str, str, Loc, str]]:
    """(kind, id, loc, text) of every free text that reaches a public output after the filter."""
    for mid, meeting in records.meetings.items():
        for loc, text in _meeting_texts(records, meeting):
            yield "meetings", mid, loc, text
    for pid, proposal in records.proposals.items():
        yield "proposals", pid, ("title",), proposal.title
        if proposal.summary:
            yield "proposals", pid, ("summary",), proposal.summary
        for index, milestone in enumerate(proposal.milestones):
            if milestone.note:
                yield "proposals", pid, ("milestones", index, "note"), milestone.note
    for tid, theme in records.themes.items():
        yield "themes", tid, ("title",), theme.title
        if theme.description:
            yield "themes", tid, ("description",), theme.description
    for sid, service in records.services.items():
        for key, value in service.public.model_dump(exclude_none=True).items():
            if isinstance(value, str):
                yield "services", sid, ("public", key), value
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, str):
                        yield "services", sid, ("public", key, index), item


def _words(text: str) -> str:
    """A name as compared: lower case, one space between words, one apostrophe."""
    return " ".join(text.lower().replace("’", "'").split())


def _spelled(words: list[str]) -> str:
    """A pattern for these words, any spacing between them, either apostrophe."""
    return r"\s+".join(re.escape(word).replace("'", "['’]").replace("’", "['’]") for word in words)


def unconsented_names(records: Records) -> Iterator[tuple[str, str, Loc, str, str]]:
    """(kind, id, loc, words found, person id) for each recorded name of a person who did not
    consent to be named, found in a free text that reaches a public output: the whole name
    (« Lucien Petit »), or a civility and the surname (« M. Petit », « Madame Petit »), the
    surname being all but the first word. One pattern for everyone: a text is read once."""
    full: dict[str, str] = {}
    surnames: dict[str, str] = {}
    for pid, person in sorted(records.people.items()):
        words = (person.name or "").split()
        if not words or person.may_be_named:
            continue
        full.setdefault(_words(person.name or ""), pid)
        if len(words) > 1:
            surnames.setdefault(_words(" ".join(words[1:])), pid)
    if not full:
        return
    by_length = sorted(full, key=len, reverse=True)
    spelled = "|".join(_spelled(name.split()) for name in by_length)
    civil = "|".join(_spelled(name.split()) for name in sorted(surnames, key=len, reverse=True))
    alternatives = [f"(?P<full>{spelled})"] + ([rf"{_CIVILITY}(?P<surname>{civil})"] if civil else [])
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
    for kind, record_id, loc, text in public_free_texts(records):
        named: set[str] = set()
        for match in pattern.finditer(text):
            whole = match.group("full")
            pid = full[_words(whole)] if whole else surnames[_words(match.group("surname"))]
            if pid not in named:
                named.add(pid)
                yield kind, record_id, loc, match.group(0), pid

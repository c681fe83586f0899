"""`gasp export --format qdpx`: the comptes rendus as a REFI-QDA 1.5 project (DESIGN.md).

`gasp.qdpx` is a zip of `project.qde` (XML of the REFI-QDA Project schema, namespace
`urn:QDA-XML:project:1.0`) and `sources/`, which NVivo, ATLAS.ti, MAXQDA and QualCoder
import. It holds:

- one plain-text source per compte rendu (held or cancelled meeting): the members'
  compte rendu as its Markdown reads, without the markup, built from the same view
  (`compte_rendu.build`), so a resident without consent is counted, never named;
- cases: each group and each meeting, with variables (group kind, year, date, status,
  attendees by kind);
- codes: the themes (with their descriptions) and, under « Propositions », one code per
  proposal;
- codings: the exact character range of each tour-de-table note (its theme), of each
  proposal or decision note (its proposal) and of the discussion (the meeting's topic).
  Positions count Unicode characters from 0, end excluded, in the source file's text.

The sociologist's observations are sources only when asked (`include_observations`): they
are private notes. Same records, same bytes: every GUID is a uuid5 of what it names, the
zip entries carry a fixed time (SOURCE_DATE_EPOCH, or 1980-01-01, the first zip time).
Record text reaches the XML through ElementTree, which escapes it. The text of a source is
built here in Python rather than by a template: each note's character range is known as the
text is written, where a template could only be searched afterwards.
"""

from __future__ import annotations

import datetime
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from .. import __version__
from ..indicators import PERSON_KIND_ORDER
from ..loader import Records
from ..models import Meeting
from ..names import Attendance
from . import compte_rendu
from .base import Item
from .compte_rendu import CompteRendu
from .donnees import PERSON_KIND_WORDS, attendees_by_kind

FILE = "gasp.qdpx"
NAMESPACE = "urn:QDA-XML:project:1.0"
GROUP_KIND_WORDS = {"agents": "agents", "usagers": "usagers", "referents": "référents", "intergroupes": "intergroupes"}
_ZIP_START = (1980, 1, 1, 0, 0, 0)


def _sub(parent: ElementTree.Element, tag: str, text: str | None = None, /, **attributes: str) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


class Guids:
    """Deterministic GUIDs: a uuid5 of what is named, under a namespace of this Gasp."""

    def __init__(self, records: Records):
        name = records.gasp.name if records.gasp is not None else "Gasp"
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, "urn:gasp:" + name)

    def __call__(self, *key: str) -> str:
        return str(uuid.uuid5(self.namespace, "\x1f".join(key))).upper()


@dataclass
class Span:
    start: int
    end: int
    code: tuple[str, str]  # ("theme", id) or ("proposal", id)


@dataclass
class PlainText:
    """Text built piece by piece, keeping the character range of the pieces to code."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    spans: list[Span] = field(default_factory=list)

    def add(self, text: str, code: tuple[str, str] | None = None) -> None:
        if code is not None and text:
            self.spans.append(Span(self.length, self.length + len(text), code))
        self.parts.append(text)
        self.length += len(text)

    def line(self, text: str = "") -> None:
        self.add(text + "\n")

    def heading(self, text: str) -> None:
        self.add("\n" + text + "\n\n")

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _people(out: PlainText, people: Attendance) -> None:
    if people.empty:
        out.line("Personne.")
    for person in people.named:
        out.line(f"- {person.name}" + (f" — {person.detail}" if person.detail else ""))
    if people.counted:
        out.line(f"- {people.counted}")


def _item(out: PlainText, item: Item, code: tuple[str, str] | None) -> None:
    out.add(f"- {item.title}" + (f" — {item.what}" if item.what else ""))
    if item.note:
        out.add(" : ")
        out.add(item.note, code)
    out.add("\n")


def compte_rendu_text(records: Records, meeting_id: str) -> PlainText:
    """The compte rendu of a held or cancelled meeting as plain text, with its spans to code."""
    meeting: Meeting = records.meetings[meeting_id]
    view = compte_rendu.build(records, meeting_id)
    out = PlainText()
    out.line(f"{'Réunion annulée' if view.cancelled else 'Compte rendu'} — {view.group_name}")
    out.line()
    out.line(view.gasp_name)
    out.line()
    out.line(f"{view.weekday_date} à {view.time}, {view.place}" + (f", {view.address}" if view.address else ""))
    topic = ("theme", meeting.topic) if meeting.topic in records.themes else None
    if view.cancelled:
        _cancelled(out, view, topic)
        return out
    _attendance(out, view)
    if view.open_format:
        _tour_de_table(out, view, meeting, records)
    if view.discussion:
        out.heading("Discussion")
        out.add(view.discussion, topic)
        out.add("\n")
    _proposals_and_decisions(out, view, meeting, records)
    _actions(out, view)
    out.heading("Prochaine réunion")
    out.line(view.next_meeting or "Pas encore fixée.")
    _others(out, view)
    out.line()
    out.line("---")
    out.line()
    out.line((f"Compte rendu établi par {view.authors}. " if view.authors else "") + f"Réunion {meeting_id}.")
    return out


def _cancelled(out: PlainText, view: CompteRendu, topic: tuple[str, str] | None) -> None:
    out.line()
    out.line(
        f"La réunion du {view.group_name} prévue le {view.weekday_date} n’a pas eu lieu."
        + (f" Motif : {view.cancel_reason}" if view.cancel_reason else "")
    )
    if view.discussion:
        out.line()
        out.add(view.discussion, topic)
        out.line()
    if view.next_meeting:
        out.heading("Prochaine réunion")
        out.line(view.next_meeting)


def _attendance(out: PlainText, view: CompteRendu) -> None:
    out.heading("Présents")
    _people(out, view.present)
    out.heading("Excusés")
    _people(out, view.excused)
    if view.guests:
        out.heading("Invités")
        for guest in view.guests:
            out.line(f"- {guest}")


def _tour_de_table(out: PlainText, view: CompteRendu, meeting: Meeting, records: Records) -> None:
    out.heading("Tour de table")
    for item, problem in zip(view.problems, meeting.problems_raised, strict=True):
        code = ("theme", problem.theme) if problem.theme in records.themes else None
        out.add("- " + (f"{item.title} : " if item.title else ""))
        out.add(item.note, code)
        out.add("\n")
    if not view.problems:
        out.line("Pas de tour de table consigné.")
    out.heading("Sujet retenu")
    out.line(view.topic or "Pas de sujet retenu.")


def _proposals_and_decisions(out: PlainText, view: CompteRendu, meeting: Meeting, records: Records) -> None:
    out.heading("Propositions")
    events = [e for e in meeting.proposals if e.proposal in records.proposals]
    for item, event in zip(view.proposals, events, strict=True):
        _item(out, item, ("proposal", event.proposal))
    if not view.proposals:
        out.line("Aucune proposition.")
    if view.decisions:
        out.heading("Décisions")
        decisions = [d for d in meeting.decisions if d.proposal in records.proposals]
        for item, decision in zip(view.decisions, decisions, strict=True):
            _item(out, item, ("proposal", decision.proposal))


def _actions(out: PlainText, view: CompteRendu) -> None:
    out.heading("Actions")
    for action in view.actions:
        details = [f"échéance : {action.due}"] if action.due else []
        details.append(f"fait : {action.done}")
        out.line(f"- {action.who + ' : ' if action.who else ''}{action.what} ({' ; '.join(details)})")
    if not view.actions:
        out.line("Aucune action.")


def _others(out: PlainText, view: CompteRendu) -> None:
    out.heading("Ce qu’en ont dit les autres groupes")
    if not view.others:
        out.line("Les autres groupes n’ont pas abordé ces thèmes depuis la dernière réunion.")
        return
    since = f"depuis la réunion du {view.since}" if view.since else "avant cette première réunion"
    out.line(f"Sur les mêmes thèmes, {since}.")
    for other in view.others:
        out.heading(f"{other.group}, {other.date}")
        for item in other.items:
            _item(out, item, None)  # coded in its own compte rendu, not twice


def _observation_text(records: Records, observation_id: str) -> PlainText:
    observation = records.observations[observation_id]
    out = PlainText()
    themes = [("theme", t) for t in observation.themes if t in records.themes]
    out.line(f"Observation — {observation.date.isoformat()}")
    if observation.meeting:
        out.line(f"Réunion {observation.meeting}")
    out.line()
    # The whole note is coded with each of its themes.
    start = out.length
    out.add(observation.text)
    out.spans += [Span(start, out.length, code) for code in themes]
    out.add("\n")
    return out


@dataclass
class Source:
    key: str
    name: str
    description: str
    text: PlainText


def _sources(records: Records, include_observations: bool) -> list[Source]:
    found = []
    for mid, meeting in sorted(records.meetings.items(), key=lambda pair: (pair[1].date, pair[0])):
        if meeting.status == "planned":
            continue  # no compte rendu yet
        group = records.groups.get(meeting.group)
        name = f"{group.name if group else meeting.group} — {meeting.date.isoformat()}"
        found.append(
            Source(f"meeting:{mid}", name, f"Compte rendu de la réunion {mid}.", compte_rendu_text(records, mid))
        )
    if include_observations:
        for oid, observation in sorted(records.observations.items(), key=lambda pair: (pair[1].date, pair[0])):
            found.append(
                Source(
                    f"observation:{oid}",
                    f"Observation — {observation.date.isoformat()} — {oid}",
                    "Note de terrain de la personne sociologue (notes privées).",
                    _observation_text(records, oid),
                )
            )
    return found


def _variables(project: ElementTree.Element, guid: Guids) -> dict[str, tuple[str, str]]:
    """Declares the cases' variables; returns name → (guid, REFI-QDA type)."""
    declared = [
        ("Sorte de groupe", "Text", "agents, usagers, référents ou intergroupes."),
        ("Année", "Integer", "Année de la réunion."),
        ("Date", "Date", "Date de la réunion."),
        ("Statut", "Text", "Statut de la réunion : tenue, annulée ou prévue."),
        ("Présents", "Integer", "Nombre de présents."),
        *(
            (f"Présents : {PERSON_KIND_WORDS[kind]}", "Integer", f"Nombre de présents de la sorte « {kind} ».")
            for kind in PERSON_KIND_ORDER
        ),
    ]
    found = {}
    variables = _sub(project, "Variables")
    for name, kind, description in declared:
        found[name] = (guid("variable", name), kind)
        variable = _sub(variables, "Variable", guid=found[name][0], name=name, typeOfVariable=kind)
        _sub(variable, "Description", description)
    return found


def _value(case: ElementTree.Element, variables: dict[str, tuple[str, str]], name: str, value: object) -> None:
    target, kind = variables[name]
    element = _sub(case, "VariableValue")
    _sub(element, "VariableRef", targetGUID=target)
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    _sub(element, f"{kind}Value", text)


MEETING_STATUS_WORDS = {"held": "tenue", "cancelled": "annulée", "planned": "prévue"}


def _cases(project: ElementTree.Element, records: Records, guid: Guids, variables: dict[str, tuple[str, str]]) -> None:
    cases = _sub(project, "Cases")
    for gid, each in sorted(records.groups.items()):
        case = _sub(cases, "Case", guid=guid("case", "group", gid), name=each.name)
        _sub(case, "Description", f"Le groupe « {each.name} » ({gid}).")
        _value(case, variables, "Sorte de groupe", GROUP_KIND_WORDS[each.kind])
        for mid, meeting in sorted(records.meetings.items(), key=lambda pair: (pair[1].date, pair[0])):
            if meeting.group == gid and meeting.status != "planned":
                _sub(case, "SourceRef", targetGUID=guid("source", f"meeting:{mid}"))
    for mid, meeting in sorted(records.meetings.items(), key=lambda pair: (pair[1].date, pair[0])):
        group = records.groups.get(meeting.group)
        name = f"{group.name if group else meeting.group} — {meeting.date.isoformat()}"
        case = _sub(cases, "Case", guid=guid("case", "meeting", mid), name=name)
        _sub(case, "Description", f"La réunion {mid}.")
        if group is not None:
            _value(case, variables, "Sorte de groupe", GROUP_KIND_WORDS[group.kind])
        _value(case, variables, "Année", meeting.date.year)
        _value(case, variables, "Date", meeting.date)
        _value(case, variables, "Statut", MEETING_STATUS_WORDS[meeting.status])
        if meeting.status == "held":
            _value(case, variables, "Présents", len(meeting.attendees))
            for kind, count in attendees_by_kind(records, meeting).items():
                _value(case, variables, f"Présents : {PERSON_KIND_WORDS[kind]}", count)
        if meeting.status != "planned":
            _sub(case, "SourceRef", targetGUID=guid("source", f"meeting:{mid}"))


def _codebook(project: ElementTree.Element, records: Records, guid: Guids) -> None:
    codes = _sub(_sub(project, "CodeBook"), "Codes")
    for tid, theme in sorted(records.themes.items()):
        code = _sub(codes, "Code", guid=guid("code", "theme", tid), name=theme.title, isCodable="true")
        _sub(code, "Description", theme.description or f"Le thème « {theme.title} » ({tid}).")
    if records.proposals:
        parent = _sub(codes, "Code", guid=guid("code", "propositions"), name="Propositions", isCodable="false")
        _sub(parent, "Description", "Une proposition par code : ce qu’en disent les comptes rendus.")
        for pid, proposal in sorted(records.proposals.items()):
            code = _sub(parent, "Code", guid=guid("code", "proposal", pid), name=proposal.title, isCodable="true")
            _sub(code, "Description", proposal.summary or f"La proposition « {proposal.title} » ({pid}).")


def project_xml(records: Records, sources: list[Source], epoch: datetime.datetime | None) -> bytes:
    guid = Guids(records)
    name = records.gasp.name if records.gasp is not None else "Gasp"
    attributes = {"name": name, "origin": f"gasp {__version__}", "creatingUserGUID": guid("user", "gasp")}
    if epoch is not None:
        attributes["creationDateTime"] = epoch.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # The namespace as a plain `xmlns` on the root: every element is in it, no prefix anywhere.
    project = ElementTree.Element("Project", {"xmlns": NAMESPACE, **attributes})
    _sub(_sub(project, "Users"), "User", guid=guid("user", "gasp"), name="gasp")
    _codebook(project, records, guid)
    variables = _variables(project, guid)
    _cases(project, records, guid, variables)
    if sources:
        container = _sub(project, "Sources")
        for source in sources:
            source_guid = guid("source", source.key)
            element = _sub(
                container,
                "TextSource",
                guid=source_guid,
                name=source.name,
                plainTextPath=f"internal://{source_guid}.txt",
            )
            _sub(element, "Description", source.description)
            for index, span in enumerate(source.text.spans):
                selection = _sub(
                    element,
                    "PlainTextSelection",
                    guid=guid("selection", source.key, str(index)),
                    name=source.text.text[span.start : span.end][:60],
                    startPosition=str(span.start),
                    endPosition=str(span.end),
                )
                coding = _sub(selection, "Coding", guid=guid("coding", source.key, str(index)))
                _sub(coding, "CodeRef", targetGUID=guid("code", *span.code))
    _sub(
        project,
        "Description",
        f"Les comptes rendus du {name}, exportés par gasp : chaque thème et chaque proposition est un code, "
        "chaque groupe et chaque réunion un cas. Les habitants sans accord ne sont jamais nommés.",
    )
    ElementTree.indent(project, space=" ")
    xml: bytes = ElementTree.tostring(project, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"


def build(
    records: Records, day: datetime.date, include_observations: bool = False, epoch: datetime.datetime | None = None
) -> dict[str, bytes]:
    """`gasp.qdpx`: the same records (and SOURCE_DATE_EPOCH) give the same bytes."""
    del day  # what was written, never a status « as of » a day
    sources = _sources(records, include_observations)
    guid = Guids(records)
    stamp = _ZIP_START
    if epoch is not None:
        utc = epoch.astimezone(datetime.UTC)
        stamp = max(_ZIP_START, (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second))
    entries = [("project.qde", project_xml(records, sources, epoch))]
    entries += [(f"sources/{guid('source', s.key)}.txt", s.text.text.encode("utf-8")) for s in sources]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, payload in entries:
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, payload)
    return {FILE: buffer.getvalue()}

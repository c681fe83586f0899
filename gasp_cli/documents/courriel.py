"""`gasp mail`: the e-mail draft of a meeting, ready to send from the secretary's mail program.

A planned meeting's draft carries its convocation, a held (or cancelled) one's its compte rendu:
a plain-text part (French prose, not Markdown), the same document as an HTML part, its PDF
attached — byte for byte the PDF `gasp render` writes the same day — and, for a convocation,
the meeting as a one-event iCalendar file (the calendar's own VEVENT and UID).

Built with the standard library's `email` (RFC 5322 and MIME, UTF-8, `email.policy.SMTP`: CRLF
line ends, non-ASCII headers encoded), with `X-Unsent: 1`, which Thunderbird and Outlook read as
« a draft to send ». Recipients are the group's current members who have an `email`; a person
who may not be named (a resident who did not consent) is only ever in `Bcc`, without a name, so
that no other recipient sees the address. The addresses are checked by the model (one address,
no space, no line break): a record cannot add a header. `email` is private: it appears here and
nowhere else.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from ..loader import Records
from ..names import gasp_name, published_name
from ..vocabulary import french_time, plural, weekday_date
from . import compte_rendu, convocation
from .base import TextRenderer
from .emargement import current_members

FOLDER = "courriels"


class MailError(Exception):
    """A draft that cannot be made; the message is French."""


@dataclass
class Draft:
    name: str  # <meeting-id>.eml
    payload: bytes
    kind: str  # « convocation », « compte rendu », « avis d’annulation »
    to: int
    bcc: int
    without_address: list[str]  # members with no email: ids of those who may be named, « 1 habitant » for the others


def _sender(records: Records) -> Address:
    secretary = records.gasp.secretary if records.gasp is not None else None
    person = records.people.get(secretary) if secretary else None
    if secretary is None or person is None or not person.email:
        where = f"records/people/{secretary}.yaml" if secretary else "records/gasp.yaml (secretary)"
        raise MailError(
            "l’expéditeur est le ou la secrétaire du Gasp, qui n’a pas d’adresse de courriel : "
            f"ajoutez « email: … » dans {where}"
        )
    return Address(display_name=published_name(records, secretary) or "", addr_spec=person.email)


def recipients(records: Records, meeting_id: str) -> tuple[list[Address], list[Address], list[str]]:
    """(To, Bcc, members without an address): To the members who may be named, with their name;
    Bcc the others, address only."""
    meeting = records.meetings[meeting_id]
    to: list[Address] = []
    bcc: list[Address] = []
    named_without: list[str] = []
    unnamed_without = 0
    for person_id in current_members(records, meeting.group, meeting.date):
        person = records.people[person_id]
        name = published_name(records, person_id)
        if not person.email:
            if name is None:
                unnamed_without += 1
            else:
                named_without.append(person_id)
            continue
        if name is None:
            bcc.append(Address(addr_spec=person.email))
        else:
            to.append(Address(display_name=name, addr_spec=person.email))
    without = named_without + ([plural(unnamed_without, "autre membre")] if unnamed_without else [])
    return to, bcc, without


def draft(records: Records, meeting_id: str, today: datetime.date, renderer: TextRenderer) -> Draft:
    """The draft of one meeting: its convocation when planned, its compte rendu otherwise; `renderer`
    (render.documents.Renderer) runs the templates, and its timestamp dates the attachments."""
    timestamp = renderer.timestamp
    meeting = records.meetings[meeting_id]
    group = records.groups[meeting.group]
    sender = _sender(records)
    to, bcc, without = recipients(records, meeting_id)
    when = f"{weekday_date(meeting.date)} à {french_time(meeting.time or group.cadence.time)}"
    attachments: list[tuple[bytes, str, str, str]] = []
    if meeting.status == "planned":
        kind = "convocation"
        view: object = convocation.build(records, meeting_id, today)
        subject = f"Convocation — {group.name}, {when}"
        text = renderer.text(convocation.TEXT, "txt", view)
        page = renderer.text(convocation.FORMATS["html"], "html", view)
        attachments.append(
            (renderer.pdf(convocation.FORMATS["pdf"], view), "application", "pdf", f"convocation-{meeting_id}.pdf")
        )
        attachments.append((convocation.ics(records, meeting_id, timestamp), "text", "calendar", f"{meeting_id}.ics"))
    else:
        cancelled = meeting.status == "cancelled"
        kind = "avis d’annulation" if cancelled else "compte rendu"
        view = compte_rendu.build(records, meeting_id)
        subject = f"{'Réunion annulée' if cancelled else 'Compte rendu'} — {group.name}, {when}"
        text = renderer.text(compte_rendu.TEXT, "txt", view)
        page = renderer.text(compte_rendu.FORMATS["html"], "html", view)
        name = f"{'annulation' if cancelled else 'compte-rendu'}-{meeting_id}.pdf"
        attachments.append((renderer.pdf(compte_rendu.FORMATS["pdf"], view), "application", "pdf", name))
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    # Nobody to name (every recipient in Bcc): the secretary writes to herself, as is usual.
    message["To"] = to or [sender]
    if bcc:
        message["Bcc"] = bcc
    message["Subject"] = f"{subject} — {gasp_name(records)}"
    message["Date"] = format_datetime(timestamp)
    digest = hashlib.sha256(f"{meeting_id}\0{kind}\0{timestamp.isoformat()}".encode()).hexdigest()[:20]
    message["Message-ID"] = f"<{meeting_id}.{digest}@{sender.domain}>"
    message["X-Unsent"] = "1"
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(page, subtype="html", charset="utf-8")
    for payload, maintype, subtype, filename in attachments:
        message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return Draft(f"{meeting_id}.eml", message.as_bytes(policy=SMTP), kind, len(to), len(bcc), without)

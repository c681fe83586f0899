"""`gasp mail MEETING_ID [--out DIR]`: e-mail drafts (.eml) of a meeting, read back as a mail program would.

Each draft is parsed with Python's strict parser and, when it is installed, with a Debian mail
tool (munpack, package mpack): every attachment comes out byte for byte as `gasp render` wrote it.
"""

from __future__ import annotations

import email.policy
import shutil
import subprocess
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from conftest import gasp, write
from test_documents_convocation import fresh_workspace

ENV = {"SOURCE_DATE_EPOCH": "1764028800", "GASP_TODAY": "2026-12-09"}
SECRETARY = "marie.dupont@exemple.fr"
RESIDENT = "josiane.discrete@exemple.fr"


def _with_sender(root: Path) -> Path:
    write(
        root,
        "records/people/secretaire.yaml",
        f"name: Marie Dupont\nkind: facilitator\nrole: Secrétaire\nemail: {SECRETARY}\n",
    )
    return root


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _with_sender(fresh_workspace(tmp_path_factory.mktemp("mail") / "gasp"))
    result = gasp("render", workspace=root, env=ENV)
    assert result.exit_code == 0, result.output
    return root


def parse(path: Path) -> EmailMessage:
    message = BytesParser(policy=email.policy.strict).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def attachments(message: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes) and part.get_filename()
        found[str(part.get_filename())] = payload
    return found


def test_a_planned_meeting_gets_its_convocation_draft(workspace: Path) -> None:
    result = gasp("mail", "2026-12-10-usagers", workspace=workspace, env=ENV)
    assert result.exit_code == 0, result.output
    assert "convocation : out/courriels/2026-12-10-usagers.eml" in result.stdout or "2026-12-10-usagers.eml" in (
        result.stdout
    )
    path = workspace / "out/courriels/2026-12-10-usagers.eml"
    raw = path.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF, as RFC 5322 says
    message = parse(path)
    assert message["X-Unsent"] == "1"
    assert message["From"].addresses[0].addr_spec == SECRETARY
    assert message["Subject"] == "Convocation — Groupe des usagers, jeudi 10 décembre 2026 à 18 h — Gasp d'Escautpont"
    assert message["Date"] and message["Message-ID"]
    to = [address.addr_spec for address in message["To"].addresses]
    assert to == [SECRETARY]  # the only member who may be named and has an address
    # The resident who did not consent: only in Bcc, without a name, and nowhere else.
    bcc = message["Bcc"].addresses
    assert [(a.display_name, a.addr_spec) for a in bcc] == [("", RESIDENT)]
    assert raw.count(RESIDENT.encode()) == 1
    assert "Josiane" not in raw.decode("ascii", "replace")
    assert message.get_content_type() == "multipart/mixed"
    text = message.get_body(("plain",))
    page = message.get_body(("html",))
    assert text is not None and page is not None
    prose = text.get_content().replace("\r\n", "\n")
    assert prose.startswith("Bonjour,\n\nVous êtes invité(e) à la prochaine réunion du Groupe des usagers")
    assert "Logement (sujet retenu le 8 décembre 2026" in prose
    assert "**" not in prose and "\\\n" not in prose and "#" not in prose  # prose, not Markdown
    assert "<h1>Convocation</h1>" in page.get_content()
    files = attachments(message)
    assert set(files) == {"convocation-2026-12-10-usagers.pdf", "2026-12-10-usagers.ics"}
    assert (
        files["convocation-2026-12-10-usagers.pdf"]
        == (workspace / "out/convocations/2026-12-10-usagers.pdf").read_bytes()
    )


def test_the_ics_is_the_calendars_own_event(workspace: Path) -> None:
    import icalendar

    gasp("mail", "2026-12-10-usagers", workspace=workspace, env=ENV)
    ics = attachments(parse(workspace / "out/courriels/2026-12-10-usagers.eml"))["2026-12-10-usagers.ics"]
    events = list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))
    assert len(events) == 1
    calendar = icalendar.Calendar.from_ical((workspace / "out/calendrier/calendrier-2026.ics").read_bytes())
    same = [c for c in calendar.walk("VEVENT") if c["UID"] == events[0]["UID"]]
    assert len(same) == 1 and same[0]["DTSTART"].dt == events[0]["DTSTART"].dt
    assert str(events[0]["SUMMARY"]) == "Groupe des usagers"


def test_a_held_meeting_gets_its_compte_rendu_draft(workspace: Path) -> None:
    result = gasp("mail", "2026-12-08-agents", "--out", str(workspace / "brouillons"), workspace=workspace, env=ENV)
    assert result.exit_code == 0, result.output
    message = parse(workspace / "brouillons/2026-12-08-agents.eml")
    assert message["Subject"].startswith("Compte rendu — Groupe des agents, mardi 8 décembre 2026 à 14 h")
    to = sorted(address.addr_spec for address in message["To"].addresses)
    assert to == [SECRETARY]  # the agent has an address but is no member of the group
    assert message["Bcc"] is None
    prose = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert "Voici le compte rendu de la réunion du Groupe des agents" in prose
    assert "- Logement : Des halls d'immeuble mal éclairés." in prose
    assert "**" not in prose and "\\\n" not in prose
    files = attachments(message)
    assert files == {
        "compte-rendu-2026-12-08-agents.pdf": (workspace / "out/comptes-rendus/2026-12-08-agents.pdf").read_bytes()
    }


def test_a_debian_mail_tool_unpacks_the_attachments_intact(workspace: Path, tmp_path: Path) -> None:
    munpack = shutil.which("munpack")
    if munpack is None:
        pytest.skip("munpack (paquet Debian mpack) n’est pas installé : apt-get install -y mpack")
    gasp("mail", "2026-12-10-usagers", workspace=workspace, env=ENV)
    draft = workspace / "out/courriels/2026-12-10-usagers.eml"
    done = subprocess.run([munpack, "-q", "-C", str(tmp_path), str(draft)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    expected = attachments(parse(draft))
    pdf = tmp_path / "convocation-2026-12-10-usagers.pdf"
    assert pdf.read_bytes() == (workspace / "out/convocations/2026-12-10-usagers.pdf").read_bytes()
    # munpack writes a text/* part with the system's line ends (LF): the iCalendar file's CRLF become LF.
    ics = (tmp_path / "2026-12-10-usagers.ics").read_bytes()
    assert ics == expected["2026-12-10-usagers.ics"].replace(b"\r\n", b"\n")


def test_an_unknown_meeting_is_refused_with_a_suggestion(workspace: Path) -> None:
    result = gasp("mail", "2026-12-10-usager", workspace=workspace, env=ENV)
    assert result.exit_code == 1
    assert "réunion « 2026-12-10-usager » inconnue ; vouliez-vous dire « 2026-12-10-usagers » ?" in result.stderr


def test_without_the_secretarys_address_nothing_is_written(tmp_path: Path) -> None:
    root = fresh_workspace(tmp_path / "gasp")
    result = gasp("mail", "2026-12-10-usagers", workspace=root, env=ENV)
    assert result.exit_code == 1
    assert "ajoutez « email: … » dans records/people/secretaire.yaml" in result.stderr
    assert "rien n’a été écrit" in result.stderr
    assert not (root / "out/courriels").exists()


def test_a_bad_address_is_a_validation_error(tmp_path: Path) -> None:
    root = _with_sender(fresh_workspace(tmp_path / "gasp"))
    write(root, "records/people/habitant-1.yaml", 'kind: resident\nemail: "a@b.fr\\nBcc: pirate@x.fr"\n')
    result = gasp("validate", workspace=root, env=ENV)
    assert result.exit_code == 1
    assert "« email » : adresse de courriel" in result.stderr and "invalide" in result.stderr
    result = gasp("mail", "2026-12-10-usagers", workspace=root, env=ENV)
    assert result.exit_code == 1 and not (root / "out/courriels").exists()


def test_names_are_data_in_the_headers(tmp_path: Path) -> None:
    """A name with commas, quotes and angle brackets stays one display name: no extra recipient."""
    root = _with_sender(fresh_workspace(tmp_path / "gasp"))
    write(
        root,
        "records/people/secretaire.yaml",
        f"name: 'Dupont, \"Marie\" <pirate@x.fr>'\nkind: facilitator\nemail: {SECRETARY}\n",
    )
    result = gasp("mail", "2026-12-10-usagers", workspace=root, env=ENV)
    assert result.exit_code == 0, result.output
    message = parse(root / "out/courriels/2026-12-10-usagers.eml")
    addresses = message["To"].addresses
    assert [(a.display_name, a.addr_spec) for a in addresses] == [('Dupont, "Marie" <pirate@x.fr>', SECRETARY)]


def test_the_address_is_private_in_every_output(workspace: Path, tmp_path: Path) -> None:
    """`email` is used by gasp mail only: no document, page, export or report carries it."""
    from test_site import file_texts

    result = gasp("export", "--out", str(tmp_path / "donnees"), workspace=workspace, env=ENV)
    assert result.exit_code == 0, result.output
    result = gasp("report", "--format", "json", workspace=workspace, env=ENV)
    assert result.exit_code == 0
    texts = {**file_texts(workspace / "out"), **file_texts(tmp_path / "donnees"), "report": result.stdout}
    texts = {name: text for name, text in texts.items() if not name.startswith("courriels/")}
    assert any(name.endswith(".pdf") for name in texts) and any(name.endswith(".csv") for name in texts)
    for address in (SECRETARY, RESIDENT, "accueil@mairie.exemple.fr"):
        plain = "".join(char for char in address.lower() if char.isalnum())
        assert [name for name, text in texts.items() if plain in text or address in text] == [], address


def test_a_cancelled_meeting_gets_its_notice(tmp_path: Path) -> None:
    root = _with_sender(fresh_workspace(tmp_path / "gasp"))
    write(
        root,
        "records/meetings/2026/2026-12-10-usagers.yaml",
        "group: usagers\ndate: 2026-12-10\nstatus: cancelled\ncancel_reason: La salle est en travaux.\n",
    )
    result = gasp("mail", "2026-12-10-usagers", workspace=root, env=ENV)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("avis d’annulation : ")
    message = parse(root / "out/courriels/2026-12-10-usagers.eml")
    assert message["Subject"].startswith("Réunion annulée — Groupe des usagers, jeudi 10 décembre 2026 à 18 h")
    prose = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "n’a pas eu lieu. Motif : La salle est en travaux." in prose
    assert set(attachments(message)) == {"annulation-2026-12-10-usagers.pdf"}

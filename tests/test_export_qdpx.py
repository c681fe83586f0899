"""`gasp export --format qdpx`: the comptes rendus as a REFI-QDA 1.5 project (DESIGN.md, « The research dataset »)."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree  # test extra: validates project.qde against the REFI-QDA schema

from conftest import REPO, gasp, write
from test_export import hand  # noqa: F401  (the fixture: a resident without consent, an agents-only block)

ENV = {"GASP_TODAY": "2002-06-30", "SOURCE_DATE_EPOCH": "1025395200"}
XSD = REPO / "tests/standards/refi-qda/Project-mrt2019.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}


def export_qdpx(workspace: Path, *args: str, env: dict | None = None) -> tuple[bytes, str]:
    result = gasp("export", "--format", "qdpx", *args, workspace=workspace, env=env)
    assert result.exit_code == 0, result.output
    return (workspace / "out/donnees/gasp.qdpx").read_bytes(), result.stderr


class Project:
    """A .qdpx read back: the XML tree and the sources' texts by GUID."""

    def __init__(self, payload: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(payload))
        assert self.zip.testzip() is None
        self.xml = self.zip.read("project.qde")
        self.root = etree.fromstring(self.xml)
        self.texts = {
            name.removeprefix("sources/").removesuffix(".txt"): self.zip.read(name).decode("utf-8")
            for name in self.zip.namelist()
            if name.startswith("sources/")
        }

    def all(self, path: str) -> list:
        return self.root.findall(path, NS)

    def codes(self) -> dict[str, str]:
        return {c.get("guid"): c.get("name") for c in self.root.iter("{urn:QDA-XML:project:1.0}Code")}

    def selections(self) -> dict[str, list[tuple[str, str]]]:
        """Source name → [(code name, the selected text read back from the source file)]."""
        codes = self.codes()
        found: dict[str, list[tuple[str, str]]] = {}
        for source in self.all("q:Sources/q:TextSource"):
            text = self.texts[source.get("plainTextPath").removeprefix("internal://").removesuffix(".txt")]
            for selection in source.findall("q:PlainTextSelection", NS):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                code = selection.find("q:Coding/q:CodeRef", NS).get("targetGUID")
                found.setdefault(source.get("name"), []).append((codes[code], text[start:end]))
        return found


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[Path, Project]:
    root = tmp_path_factory.mktemp("qdpx")
    shutil.copytree(REPO / "records", root / "records")
    payload, _ = export_qdpx(root, env=ENV)
    return root, Project(payload)


def _schema() -> etree.XMLSchema:
    if not XSD.is_file():
        pytest.skip(f"le schéma REFI-QDA ({XSD.relative_to(REPO)}) est absent de cette copie du projet")
    return etree.XMLSchema(etree.parse(str(XSD)))


def test_project_qde_is_valid_against_the_refi_qda_schema(example):
    _, project = example
    schema = _schema()
    assert schema.validate(project.root), schema.error_log


def test_the_schema_check_can_fail(example):
    _, project = example
    schema = _schema()
    broken = etree.fromstring(project.xml)
    del broken.find("q:CodeBook/q:Codes/q:Code", NS).attrib["isCodable"]
    assert not schema.validate(broken)


def test_every_guid_is_unique_and_every_reference_resolves(example):
    _, project = example
    guids = [e.get("guid") for e in project.root.iter() if e.get("guid") is not None]
    assert len(guids) == len(set(guids)) > 100
    targets = [e.get("targetGUID") for e in project.root.iter() if e.get("targetGUID") is not None]
    assert targets and set(targets) <= set(guids)
    assert project.root.get("creatingUserGUID") in guids
    paths = {s.get("plainTextPath") for s in project.all("q:Sources/q:TextSource")}
    assert {f"internal://{guid}.txt" for guid in project.texts} == paths


def test_one_source_per_compte_rendu_named_by_group_and_date(example):
    root, project = example
    meetings = {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (root / "records/meetings").rglob("*.yaml")
    }
    written = [mid for mid, m in meetings.items() if m["status"] != "planned"]
    names = [s.get("name") for s in project.all("q:Sources/q:TextSource")]
    assert len(names) == len(written) == 35
    assert "Groupe des usagers — 2001-06-14" in names
    source = next(
        s for s in project.all("q:Sources/q:TextSource") if s.get("name") == "Groupe des usagers — 2001-06-14"
    )
    text = project.texts[source.get("guid")]
    assert text.startswith("Compte rendu — Groupe des usagers\n")
    assert "Tour de table\n\n- Logement : Les halls et les espaces verts sont mal entretenus" in text
    assert "**" not in text and "|---" not in text  # no Markdown markup
    assert "4 habitants" in text and "habitant-1" not in text


def test_every_selection_reads_back_the_note_it_codes(example):
    """Expected codings from the YAML itself: tour de table → theme, proposals and decisions → proposal,
    discussion → topic. Each is read back from the source file at its offsets."""
    root, project = example
    records = root / "records"
    themes = {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["title"] for p in (records / "themes").glob("*.yaml")
    }
    proposals = {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["title"] for p in (records / "proposals").glob("*.yaml")
    }
    groups = {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["name"] for p in (records / "groups").glob("*.yaml")
    }
    found = project.selections()
    total = 0
    for path in (records / "meetings").rglob("*.yaml"):
        meeting = yaml.safe_load(path.read_text(encoding="utf-8"))
        if meeting["status"] == "planned":
            continue
        expected = [(themes[p["theme"]], p["note"]) for p in meeting.get("problems_raised", []) if p.get("theme")]
        if meeting.get("discussion") and meeting.get("topic"):
            expected.append((themes[meeting["topic"]], meeting["discussion"]))
        for item in meeting.get("proposals", []) + meeting.get("decisions", []):
            if item.get("note"):
                expected.append((proposals[item["proposal"]], item["note"]))
        name = f"{groups[meeting['group']]} — {meeting['date']}"
        assert sorted(found.get(name, [])) == sorted(expected), name
        total += len(expected)
    assert total == sum(len(v) for v in found.values()) > 60


def test_cases_and_their_variables(example):
    _, project = example
    cases = project.all("q:Cases/q:Case")
    assert len(cases) == 4 + 36
    variables = {v.get("guid"): v.get("name") for v in project.all("q:Variables/q:Variable")}
    case = next(c for c in cases if c.get("name") == "Groupe des usagers — 2001-06-14")
    values = {
        variables[v.find("q:VariableRef", NS).get("targetGUID")]: v[1].text for v in case.findall("q:VariableValue", NS)
    }
    assert values["Sorte de groupe"] == "usagers" and values["Année"] == "2001" and values["Statut"] == "tenue"
    assert values["Présents"] == "7" and values["Présents : habitants"] == "5"
    group = next(c for c in cases if c.get("name") == "Groupe des agents")
    agents = [p for p in (REPO / "records/meetings").rglob("*-agents.yaml") if "status: planned" not in p.read_text()]
    assert len(group.findall("q:SourceRef", NS)) == len(agents) == 22  # its held and cancelled meetings


def test_the_codebook_is_the_themes_and_one_code_per_proposal(example):
    _, project = example
    top = project.all("q:CodeBook/q:Codes/q:Code")
    assert len(top) == 7 + 1 and top[-1].get("name") == "Propositions" and top[-1].get("isCodable") == "false"
    assert all(c.find("q:Description", NS).text for c in top)
    assert len(top[-1].findall("q:Code", NS)) == 7


def test_observations_only_when_asked_with_a_french_warning(tmp_path: Path):
    shutil.copytree(REPO / "records", tmp_path / "records")
    secret = "avoir prise sur les situations"
    payload, stderr = export_qdpx(tmp_path, env=ENV)
    assert secret not in "".join(Project(payload).texts.values()) and "notes privées" not in stderr
    payload, stderr = export_qdpx(tmp_path, "--include-observations", env=ENV)
    project = Project(payload)
    assert "attention" in stderr and "notes privées" in stderr
    observations = [s for s in project.all("q:Sources/q:TextSource") if s.get("name").startswith("Observation")]
    assert len(observations) == 3
    assert any(secret in project.texts[s.get("guid")] for s in observations)
    assert _schema().validate(project.root)
    refused = gasp("export", "--format", "ocel", "--include-observations", workspace=tmp_path, env=ENV)
    assert refused.exit_code == 2


def test_an_observation_is_coded_with_its_themes(hand):  # noqa: F811
    payload, _ = export_qdpx(hand, "--include-observations")
    found = Project(payload).selections()
    note = "Les habitants parlent plus quand l'élu n'est pas là.\nDeuxième ligne."
    assert sorted(found["Observation — 2021-03-11 — silences"]) == [("Thème logement", note), ("Thème transport", note)]


def test_a_resident_without_consent_and_agents_only_values_never_appear(hand):  # noqa: F811
    payload, _ = export_qdpx(hand, "--include-observations")
    project = Project(payload)
    everything = project.xml.decode("utf-8") + "".join(project.texts.values())
    assert "Secretnom" not in everything and "habitant-1" not in everything
    assert "03 27 99 98 97" not in everything and "4521 ZQX" not in everything


def test_record_text_is_escaped_data(hand):  # noqa: F811
    write(hand, "records/themes/transport.yaml", 'title: Bus & <tram> "ligne 2"\ndescription: a < b & c\n')
    payload, _ = export_qdpx(hand)
    project = Project(payload)
    assert 'name="Bus &amp; &lt;tram&gt; &quot;ligne 2&quot;"' in project.xml.decode("utf-8")
    assert "<Description>a &lt; b &amp; c</Description>" in project.xml.decode("utf-8")
    assert 'Bus & <tram> "ligne 2"' in project.codes().values()


def test_same_records_same_bytes(example, tmp_path: Path):
    root, _ = example
    first = (root / "out/donnees/gasp.qdpx").read_bytes()
    again = gasp("export", "--format", "qdpx", "--out", str(tmp_path / "again"), workspace=root, env=ENV)
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again/gasp.qdpx").read_bytes() == first
    stamps = {info.date_time for info in zipfile.ZipFile(io.BytesIO(first)).infolist()}
    assert stamps == {(2002, 6, 30, 0, 0, 0)}  # SOURCE_DATE_EPOCH

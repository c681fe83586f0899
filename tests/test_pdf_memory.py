"""A large render's memory: PDFs in small Typst processes (render/typst_worker.py), and documents
that do not grow with every year of the Gasp (a proposal with nothing new for a year takes one
line in the dossier and the suivi)."""

from __future__ import annotations

import datetime
import io
import json
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, gasp, typeset

TODAY = datetime.date(2002, 6, 30)
LATER = datetime.date(2004, 6, 30)  # two years on, nothing new: everything is quiet
STANDARDS = ["ua-1", "a-2a"]


def _records():
    from gasp_cli.checks import check_workspace
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(EXAMPLE.parent), TODAY)
    return records


def _ask(source: bytes) -> bytes:
    return (
        json.dumps({"length": len(source), "timestamp": 1025395200, "standards": STANDARDS}).encode() + b"\n" + source
    )


def _answers(stream: bytes) -> list[tuple[dict[str, object], bytes]]:
    answers, reader = [], io.BytesIO(stream)
    while header := reader.readline():
        answer = json.loads(header)
        answers.append((answer, reader.read(answer["length"])))
    return answers


SOURCE = b'#set document(title: [Essai], author: "Gasp")\n#set text(lang: "fr")\n= Essai\n\nBonjour.\n'


def test_the_worker_answers_each_request_in_turn_with_a_pdf_or_typst_s_message():
    from gasp_cli.render.typst_worker import serve

    answers = io.BytesIO()
    serve(io.BytesIO(_ask(SOURCE) + _ask(b"#nimporte(") + _ask(SOURCE)), answers)
    (first, pdf), (second, message), (third, again) = _answers(answers.getvalue())
    assert first["ok"] is True and pdf.startswith(b"%PDF") and again == pdf
    assert second["ok"] is False and b"unclosed delimiter" in message
    assert all(isinstance(answer["resident"], int) for answer in (first, second, third))
    if sys.platform == "linux":
        assert 0 < int(first["resident"]) < 1024 * 1024  # kilobytes: a worker is not a gigabyte


def test_the_worker_pool_gives_the_bytes_of_a_thread_and_french_errors(monkeypatch: pytest.MonkeyPatch):
    from gasp_cli.render import documents

    source = SOURCE.decode()
    direct = documents.compile_typst(source, "essai.typ.j2", 1025395200, tuple(STANDARDS))
    monkeypatch.setattr(documents, "WORKER_BUDGET", 0)  # a new process for every PDF
    pool = documents._pdf_pool(2, large=True)
    try:
        jobs = [
            pool.submit(documents.compile_typst, source, "essai.typ.j2", 1025395200, tuple(STANDARDS)) for _ in range(3)
        ]
        assert [job.result() for job in jobs] == [direct] * 3
        broken = pool.submit(documents.compile_typst, "#nimporte(", "essai.typ.j2", 0, tuple(STANDARDS))
        with pytest.raises(
            documents.RenderError, match=r"la mise en page PDF \(Typst\) de « essai\.typ\.j2 » a échoué"
        ):
            broken.result()
    finally:
        pool.shutdown()
    assert not pool._processes  # every process ended


def test_a_worker_that_stops_is_a_french_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from gasp_cli.render import documents

    stops = tmp_path / "arret.py"
    stops.write_text("import sys\nsys.stdin.buffer.readline()\nsys.exit(3)\n", encoding="utf-8")
    pool = documents._WorkerProcesses(1)
    monkeypatch.setattr(documents.subprocess, "Popen", _starting(documents.subprocess.Popen, stops))
    try:
        job = pool.submit(documents.compile_typst, SOURCE.decode(), "essai.typ.j2", 0, tuple(STANDARDS))
        with pytest.raises(documents.RenderError, match="s’est arrêtée en chemin"):
            job.result()
    finally:
        pool.shutdown()


def _starting(popen, script: Path):  # type: ignore[no-untyped-def]
    def start(command, **options):  # type: ignore[no-untyped-def]
        return popen([sys.executable, str(script)], **options)

    return start


def test_a_quiet_proposal_takes_one_line_in_the_dossier():
    from gasp_cli.documents import dossier
    from gasp_cli.facts import to_decide as awaiting_decision
    from gasp_cli.lifecycle import histories

    records = _records()
    derived = histories(records)
    row, _ = dossier.meetings(records, TODAY)[-1]
    now = dossier.build(records, derived, TODAY, row)
    assert now.quiet == [] and now.quiet_count == 0 and now.to_decide == now.awaiting  # all recent: all in full
    later = dossier.build(records, derived, LATER, row)
    waiting = {pid for pid, history in derived.items() if awaiting_decision(history, LATER)}
    assert waiting and {p.id for p in later.awaiting} == waiting  # every one is still listed …
    assert later.themes == [] and later.to_decide == []  # … none in full …
    assert {p.id for theme in later.quiet for p in theme.proposals} == waiting  # … each in one line
    assert later.quiet_count == len(waiting)
    regie = next(p for theme in later.quiet for p in theme.proposals if p.id == "regie-de-quartier")
    assert regie.since == "mise à l’étude depuis le 21 juin 2002"
    assert later.quiet_intro.startswith(f"{len(waiting)} propositions attendent une décision sans rien de nouveau")


def test_the_dossier_s_quiet_lines_in_every_format(tmp_path: Path):
    import shutil

    shutil.copytree(EXAMPLE, tmp_path / "records")
    config = tmp_path / "records/gasp.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("as_of: 2002-06-30", "as_of: 2004-06-30"), encoding="utf-8"
    )
    env = {"SOURCE_DATE_EPOCH": "1088553600", "GASP_TODAY": "2004-06-30"}
    result = gasp("render", "--only", "dossier", workspace=tmp_path, env=env)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out/referents"
    latest = sorted(folder.glob("dossier-*.md"))[-1]
    md = latest.read_text(encoding="utf-8")
    assert "## En attente depuis plus d’un an, sans rien de nouveau" in md
    assert typeset("- [Créer une régie de quartier](../propositions/regie-de-quartier.md) (regie-de-quartier) : ") in md
    assert "Aucune proposition n’attend de décision" not in md and "## Décisions attendues" not in md
    html = latest.with_suffix(".html").read_text(encoding="utf-8")
    assert '<a href="../propositions/regie-de-quartier.html">Créer une régie de quartier</a>' in html
    from test_render import pdf_text

    text = " ".join(pdf_text(latest.with_suffix(".pdf")).split())
    assert "En attente depuis plus d’un an" in text and "Créer une régie de quartier (regie-de-quartier" in text


def test_a_quiet_proposal_takes_a_place_in_a_line_of_the_suivi():
    from gasp_cli.documents import suivi

    records = _records()
    now = suivi.build(records, TODAY)
    assert all(section.quiet == [] for section in now.sections)
    later = suivi.build(records, LATER)
    assert later.count == now.count  # every proposal of the usagers is still there …
    assert all(section.items == [] for section in later.sections)  # … none in full …
    done = next(section for section in later.sections if section.title == "C’est fait")
    labels = {group.label: [item.id for item in group.items] for group in done.quiet}
    assert "guide-des-services-publics" in labels["Réalisées en 2001"]  # … by what became of it, and when
    assert labels["Réalisée en 2002"] == ["reamenagement-des-locaux"]
    assert sum(len(group.items) for section in later.sections for group in section.quiet) == later.count


def test_without_worker_processes_the_pdf_is_made_in_the_thread(monkeypatch: pytest.MonkeyPatch):
    from gasp_cli.render import documents

    def refused(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("pas de processus ici")

    direct = documents.compile_typst(SOURCE.decode(), "essai.typ.j2", 0, tuple(STANDARDS))
    monkeypatch.setattr(documents.subprocess, "Popen", refused)
    pool = documents._WorkerProcesses(1)
    try:
        assert (
            pool.submit(documents.compile_typst, SOURCE.decode(), "essai.typ.j2", 0, tuple(STANDARDS)).result()
            == direct
        )
    finally:
        pool.shutdown()

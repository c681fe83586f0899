"""documents/base.py and the render behind it: a no-op render makes no document again; the same
records give the same bytes, PDFs included; JSON comes from the data."""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE, gasp

EPOCH = {"SOURCE_DATE_EPOCH": "1025395200", "GASP_TODAY": "2002-06-30"}


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every template render and every Typst compilation, by template name."""
    from gasp_cli.render.documents import Renderer

    made: list[str] = []
    text = Renderer.text

    def counting_text(self, template, output_format, doc, **context):  # type: ignore[no-untyped-def]
        made.append(f"pdf:{template}" if output_format == "typ" else template)  # a Typst source is a PDF to compile
        return text(self, template, output_format, doc, **context)

    monkeypatch.setattr(Renderer, "text", counting_text)
    return made


def test_a_no_op_render_makes_no_document_again(tmp_path: Path, counted: list[str]):
    shutil.copytree(EXAMPLE, tmp_path / "records")
    assert gasp("render", workspace=tmp_path, env=EPOCH).exit_code == 0
    assert any(name.startswith("pdf:") for name in counted)
    before = _digest(tmp_path / "out")
    counted.clear()
    result = gasp("render", workspace=tmp_path, env=EPOCH)
    assert result.exit_code == 0, result.output
    assert "est à jour" in result.output
    # Nothing goes through a template again, not even the index: the render's inputs are those of the
    # last one (render/inputs.py; the data keys alone, with only the index made again: tests/test_noop_render.py).
    assert counted == []
    assert _digest(tmp_path / "out") == before


def test_a_changed_record_makes_only_its_documents_again(tmp_path: Path, counted: list[str]):
    shutil.copytree(EXAMPLE, tmp_path / "records")
    assert gasp("render", workspace=tmp_path, env=EPOCH).exit_code == 0
    guide = (tmp_path / "out/guide/guide-usagers.md").read_bytes()
    meeting = sorted((tmp_path / "records/meetings").rglob("*.yaml"))[0]
    meeting.write_text(
        meeting.read_text(encoding="utf-8").replace("\nstatus:", "\n# modifiée\nstatus:", 1), encoding="utf-8"
    )
    counted.clear()
    assert gasp("render", workspace=tmp_path, env=EPOCH).exit_code == 0
    assert counted == []  # a comment changes no data: nothing is made again, not even index.html
    assert (tmp_path / "out/guide/guide-usagers.md").read_bytes() == guide
    (tmp_path / "records/gasp.yaml").write_text(
        (tmp_path / "records/gasp.yaml").read_text(encoding="utf-8").replace("name: ", "name: Nouveau ", 1),
        encoding="utf-8",
    )
    counted.clear()
    assert gasp("render", workspace=tmp_path, env=EPOCH).exit_code == 0
    assert "guide-usagers.md.j2" in counted and "pdf:guide-usagers.typ.j2" in counted
    assert (tmp_path / "out/guide/guide-usagers.md").read_bytes() != guide


def test_the_same_records_give_the_same_bytes_pdfs_included(tmp_path: Path):
    shutil.copytree(EXAMPLE, tmp_path / "records")
    first, second = tmp_path / "premier", tmp_path / "second"
    assert gasp("render", "--out", str(first), workspace=tmp_path, env=EPOCH).exit_code == 0
    assert gasp("render", "--out", str(second), workspace=tmp_path, env=EPOCH).exit_code == 0
    one, two = _digest(first), _digest(second)
    assert any(path.endswith(".pdf") for path in one)
    assert one == two


def test_data_key_follows_the_data_and_its_context():
    from gasp_cli.documents.base import Item, data_key

    assert data_key(Item("a", "b"), "md") == data_key(Item("a", "b"), "md")
    assert data_key(Item("a", "b"), "md") != data_key(Item("a", "c"), "md")
    assert data_key(Item("a", "b"), "md") != data_key(Item("a", "b"), "html")
    assert data_key([datetime.date(2001, 1, 1)]) != data_key([datetime.date(2001, 1, 2)])


def test_json_comes_from_the_data():
    from gasp_cli.documents.base import json_text

    class WithJson:
        def as_json(self) -> dict[str, int]:
            return {"un": 1}

    assert json.loads(json_text([WithJson(), WithJson()])) == [{"un": 1}, {"un": 1}]


def test_a_large_render_compiles_in_worker_processes_to_the_same_bytes(tmp_path: Path, monkeypatch):
    """Past PROCESSES_FROM documents, PDFs compile in small Typst processes, each replaced once
    it has grown past WORKER_BUDGET (here: after every PDF): the bytes are those of the threads."""
    from gasp_cli.render import documents

    shutil.copytree(EXAMPLE, tmp_path / "records")
    threads, processes = tmp_path / "fils", tmp_path / "processus"
    assert gasp("render", "--only", "guides", "--out", str(threads), workspace=tmp_path, env=EPOCH).exit_code == 0
    made = []
    real = documents._pdf_pool

    def recorded(workers, large):  # type: ignore[no-untyped-def]
        pool = real(workers, large)
        made.append(type(pool).__name__)
        return pool

    monkeypatch.setattr(documents, "PROCESSES_FROM", 0)
    monkeypatch.setattr(documents, "WORKER_BUDGET", 0)
    monkeypatch.setattr(documents, "_pdf_pool", recorded)
    assert gasp("render", "--only", "guides", "--out", str(processes), workspace=tmp_path, env=EPOCH).exit_code == 0
    assert made == ["_WorkerProcesses"]
    assert _digest(threads) == _digest(processes)

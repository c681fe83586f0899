"""Templates kept compiled between runs (render/environment.py `_CompiledTemplates`): the same bytes
with a cold, a damaged or a warm cache; a warm one compiles nothing; a folder others may write is not used.
Each render here starts with an empty in-memory cache, as a new process does."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from conftest import gasp, tree

ENV = {"SOURCE_DATE_EPOCH": "1025395200", "GASP_TODAY": "2002-06-30"}


def render(workspace: Path, out: Path, cache: Path) -> dict[str, str]:
    from gasp_cli.render import environment

    environment._COMPILED.clear()  # a new process: nothing compiled in memory
    result = gasp(
        "render",
        "--out",
        str(out),
        "--format",
        "md,html",
        "--only",
        "comptes-rendus,propositions",
        workspace=workspace,
        env={**ENV, "XDG_CACHE_HOME": str(cache)},
    )
    assert result.exit_code == 0, result.output
    return tree(out)


def test_cold_damaged_and_warm_caches_give_the_same_bytes(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    cache = tmp_path / "cache"
    cold = render(example, tmp_path / "froid", cache)
    entries = sorted((cache / "gasp" / "modeles").rglob("*.cache"))
    assert entries, "no template kept compiled"
    for entry in entries:  # cut short or overwritten: compiled again
        entry.write_bytes(
            entry.read_bytes()[: len(entry.read_bytes()) // 2] if entry.stat().st_size % 2 else b"garbage"
        )
    assert render(example, tmp_path / "abime", cache) == cold
    compiled: list[str] = []
    original = jinja2.Environment.compile
    monkeypatch.setattr(
        jinja2.Environment,
        "compile",
        lambda self, *args, **kwargs: compiled.append(str(args[1:2])) or original(self, *args, **kwargs),
    )
    assert render(example, tmp_path / "chaud", cache) == cold
    assert compiled == []


def test_a_folder_others_may_write_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from gasp_cli.render.environment import _cache_folder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _cache_folder("html") is not None
    folder = next((tmp_path / "gasp" / "modeles").iterdir())
    os.chmod(folder, 0o777)
    assert _cache_folder("html") is None
    os.chmod(folder, 0o700)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "un-fichier"))
    (tmp_path / "un-fichier").write_text("", encoding="utf-8")
    assert _cache_folder("html") is None

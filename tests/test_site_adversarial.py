"""The residents' site, out/public/, read as a resident would and attacked as a careless secretary could.

Each test is a problem found by crafting a workspace: what a resident reads must be
French words and names, never an id; what the site promises (the next meetings, the
calendar to subscribe to) must be there; nothing private, whatever the records say.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import EXAMPLE, gasp

ENV = {"SOURCE_DATE_EPOCH": "1000000000"}


def _example(root: Path) -> Path:
    shutil.copytree(EXAMPLE, root / "records")
    return root / "records"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _render(root: Path, *extra: str, today: str | None = None) -> Path:
    env = dict(ENV, **({"GASP_TODAY": today} if today else {}))
    result = gasp("render", "--only", "public", "--format", "html", *extra, workspace=root, env=env)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return root / "out" / "public"


def _text(page: Path) -> str:
    """What a resident reads on a page: its text, without the markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))


def test_a_service_invited_to_a_meeting_is_named_not_shown_by_its_id(tmp_path: Path) -> None:
    """`guests` may name a service by its id (the report counts them): the compte rendu says
    « Bailleurs sociaux », never « bailleurs »."""
    records = _example(tmp_path)
    meeting = records / "meetings" / "2001" / "2001-03-08-usagers.yaml"
    meeting.write_text(meeting.read_text(encoding="utf-8") + "guests:\n- bailleurs\n- Un voisin de passage\n",
                       encoding="utf-8")
    public = _render(tmp_path)
    text = _text(public / "comptes-rendus" / "2001-03-08-usagers.html")
    guests = text.split("Invités", 1)[1].split("Tour de table", 1)[0]
    assert "Bailleurs sociaux" in guests and "Un voisin de passage" in guests
    assert "bailleurs " not in guests

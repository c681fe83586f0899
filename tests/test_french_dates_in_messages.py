"""A date inside a French sentence of a message is written in French, not ISO (issue 12)."""

from __future__ import annotations

from pathlib import Path

from conftest import gasp


def test_an_empty_period_names_its_days_in_french(example: Path):
    result = gasp("calendar", "--from", "2002-05-01", "--to", "2002-01-01", workspace=example)
    assert result.exit_code == 2, result.output
    assert "le 1er mai 2002 est après le 1er janvier 2002" in result.stderr
    assert "2002-05-01" not in result.stderr


def test_a_day_out_of_range_is_named_in_french(example: Path):
    result = gasp("validate", workspace=example, env={"GASP_TODAY": "1899-12-31"})
    assert result.exit_code == 2, result.output
    assert "le 31 décembre 1899 est hors limites" in result.stderr


def test_a_member_who_leaves_before_arriving_is_told_in_french(example: Path):
    group = example / "records/groups/usagers.yaml"
    text = group.read_text(encoding="utf-8")
    head, members = text.split("members:\n", 1)
    group.write_text(
        head + "members:\n  - {person: habitant-1, since: 2001-03-01, until: 2001-02-01}\n" + members, encoding="utf-8"
    )
    result = gasp("validate", workspace=example, env={"GASP_TODAY": "2002-06-30"})
    assert "sortie du groupe (le 1er février 2001) avant l’entrée (le 1er mars 2001)" in result.stderr, result.stderr

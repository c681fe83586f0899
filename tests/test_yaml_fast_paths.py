"""The YAML reader's shortcuts (text values read inline in mappings and lists) read
exactly what the general walk reads, and keep its limits."""

from pathlib import Path

import pytest

from gasp_cli.yamlsource import MAX_DEPTH, read_record_file


def _read(tmp_path: Path, text: str):
    path = tmp_path / "record.yaml"
    path.write_text(text, encoding="utf-8")
    return read_record_file(path, "records/themes/record.yaml")


def _nested_list(depth: int, leaf: str) -> str:
    return "[" * depth + leaf + "]" * depth


def _nested_map(depth: int, leaf: str) -> str:
    text = leaf
    for level in range(depth):
        text = f"{{k{level}: {text}}}"
    return text


@pytest.mark.parametrize("nest", [_nested_list, _nested_map], ids=["list", "mapping"])
def test_a_value_one_level_too_deep_is_refused_inside_lists_and_mappings(tmp_path: Path, nest):
    # `extra:` is level 1: a leaf inside MAX_DEPTH - 1 more levels is at MAX_DEPTH.
    fits = _read(tmp_path, f"extra: {nest(MAX_DEPTH - 1, 'x')}\n")
    assert [d.code for d in fits.diagnostics] == [] and fits.data is not None
    too_deep = _read(tmp_path, f"extra: {nest(MAX_DEPTH, 'x')}\n")
    assert [d.code for d in too_deep.diagnostics] == ["too-deep"] and too_deep.data is None


def test_scalars_in_mappings_and_lists_are_read_by_yaml_1_2_rules(tmp_path: Path):
    source = _read(
        tmp_path,
        (
            "m: {a: texte, b: 'cité', c: 12, d: -3, e: 1.5, f: true, g: No, h: ~, i: , j: \"\", k: 14:30, l: 2020-01-02}\n"
            "l: [texte, 'cité', 12, -3, 1.5, true, No, ~, null, \"\", 14:30, 2020-01-02, personne-1]\n"
        ),
    )
    assert source.diagnostics == []
    assert source.data == {
        "m": {
            "a": "texte",
            "b": "cité",
            "c": 12,
            "d": -3,
            "e": 1.5,
            "f": True,
            "g": "No",
            "h": None,
            "i": None,
            "j": "",
            "k": "14:30",
            "l": "2020-01-02",
        },
        "l": ["texte", "cité", 12, -3, 1.5, True, "No", None, None, "", "14:30", "2020-01-02", "personne-1"],
    }


def test_numbers_that_hide_a_slip_are_still_refused_inside_lists_and_mappings(tmp_path: Path):
    source = _read(tmp_path, "m: {a: 010, b: .inf}\nl: [0x1F, 1e999, !!str x]\n")
    assert [(d.line, d.column, d.code) for d in source.diagnostics] == [
        (1, 8, "bad-number"),
        (1, 16, "bad-number"),
        (2, 5, "bad-number"),
        (2, 11, "bad-number"),
        (2, 18, "yaml-tag"),
    ]

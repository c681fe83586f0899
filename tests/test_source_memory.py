"""A record file keeps its text, not its node tree: positions are found again when a message needs one."""

from __future__ import annotations

from pathlib import Path

from yaml.nodes import Node

from gasp_cli.yamlsource import SourceFile, read_record_file


def test_a_read_file_holds_no_node_tree_but_still_gives_positions(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "title: Un thème\ndescription: |\n  ligne un\n  ligne deux\nlist:\n  - a\n  - b: c\n", encoding="utf-8"
    )
    source = read_record_file(path, "records/themes/t.yaml")
    held = [getattr(source, name) for name in SourceFile.__slots__ if name != "text"]
    assert not any(isinstance(value, Node) for value in held)
    assert source.text is not None and source.data["title"] == "Un thème"
    assert source.position(("description",)) == (2, 14)
    assert source.position(("list", 1, "b")) == (7, 8)
    assert source.position(("list", 1, "b"), key=True) == (7, 5)
    assert source.position(("absent", "deeper")) == (1, 1)


def test_a_file_that_does_not_parse_has_no_text_and_no_positions(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("title: [non fermé\n", encoding="utf-8")
    source = read_record_file(path, "records/themes/t.yaml")
    assert source.text is None and source.node is None and source.position(("title",)) == (1, 1)
    assert source.diagnostics

"""The diagnostic codes: one registry (gasp_cli/codes.py), its page, and `--ignore`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import REPO, gasp, validate_json
from gasp_cli.codes import CODES, markdown

CODE = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
# The functions that take a diagnostic's code, and where: Diagnostic(file, line, column,
# severity, CODE, message); records.diagnostic(kind, id, loc, CODE, message); source.error(line,
# column, CODE, message).
CODE_SLOT = {"Diagnostic": 4, "diagnostic": 3, "error": 2}


def _emitted_codes() -> dict[str, str]:
    """Every literal code in gasp_cli: as a call's code argument, or assigned to a name `code`."""
    found: dict[str, str] = {}
    for path in sorted((REPO / "gasp_cli").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            candidates: list[ast.expr] = []
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                slot = CODE_SLOT.get(name or "")
                if slot is not None and len(node.args) > slot:
                    candidates.append(node.args[slot])
                candidates += [keyword.value for keyword in node.keywords if keyword.arg == "code"]
            elif isinstance(node, ast.Assign):
                for target, value in _pairs(node.targets, node.value):
                    if isinstance(target, ast.Name) and target.id == "code":
                        candidates.append(value)
            for candidate in candidates:
                if (
                    isinstance(candidate, ast.Constant)
                    and isinstance(candidate.value, str)
                    and CODE.match(candidate.value)
                ):
                    found.setdefault(candidate.value, f"{path.relative_to(REPO)}:{candidate.lineno}")
    return found


def _pairs(targets: list[ast.expr], value: ast.expr):
    for target in targets:
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
            yield from zip(target.elts, value.elts, strict=False)
        else:
            yield target, value


def test_every_code_the_source_emits_is_documented():
    emitted = _emitted_codes()
    assert len(emitted) > 30, emitted  # the scan finds the codes: it cannot pass by finding none
    missing = {code: where for code, where in emitted.items() if code not in CODES}
    assert not missing, f"codes sans entrée dans gasp_cli/codes.py : {missing}"


def test_every_documented_code_is_emitted_somewhere():
    unused = set(CODES) - set(_emitted_codes())
    assert not unused, f"codes documentés que rien n'émet : {sorted(unused)}"


def test_every_entry_is_complete_and_in_french():
    for entry in CODES.values():
        for text in (entry.explanation, entry.example, entry.fix):
            assert text.strip() and text == text.strip(), entry
        assert entry.explanation.endswith((".", "…", "?")), entry


def test_the_codes_page_is_generated_from_the_registry():
    page = (REPO / "docs" / "codes.md").read_text(encoding="utf-8")
    assert page == markdown(), "docs/codes.md est périmée : python -m gasp_cli.codes > docs/codes.md"
    for code in CODES:
        assert f"### `{code}`" in page


def _late_minutes(example: Path) -> Path:
    """The example promises its comptes rendus within 15 days: none of its meetings records `minutes_sent`."""
    gasp_yaml = example / "records" / "gasp.yaml"
    gasp_yaml.write_text(
        gasp_yaml.read_text(encoding="utf-8") + "commitments:\n  minutes_within_days: 15\n", encoding="utf-8"
    )
    return example


def _codes(diagnostics: list[dict]) -> set[str]:
    return {d["code"] for d in diagnostics}


def test_ignore_silences_a_warning_for_one_run(example: Path):
    _late_minutes(example)
    _, before = validate_json(example)
    assert "late-minutes" in _codes(before), before
    exit_code, after = validate_json(example, "--ignore", "late-minutes")
    assert "late-minutes" not in _codes(after)
    assert [d for d in before if d["code"] != "late-minutes"] == after
    assert exit_code == 0


def test_ignore_comes_before_strict(example: Path):
    _late_minutes(example)
    _, before = validate_json(example)
    assert _codes(before) == {"late-minutes"}, before
    assert gasp("validate", "--strict", workspace=example).exit_code == 1
    result = gasp("validate", "--strict", "--ignore", "late-minutes", workspace=example)
    assert result.exit_code == 0, result.output


def test_an_error_cannot_be_ignored_on_the_command_line(example: Path):
    result = gasp("validate", "--ignore", "dangling-ref", workspace=example)
    assert result.exit_code == 2
    assert "une erreur ne peut pas être tue" in result.stderr


def test_an_unknown_code_is_a_usage_error_with_a_suggestion(example: Path):
    result = gasp("validate", "--ignore", "late-minute", workspace=example)
    assert result.exit_code == 2
    assert "« late-minutes »" in result.stderr


def test_gasp_yaml_silences_warnings_for_every_command(example: Path):
    _late_minutes(example)
    gasp_yaml = example / "records" / "gasp.yaml"
    gasp_yaml.write_text(
        gasp_yaml.read_text(encoding="utf-8") + "validation:\n  ignore: [late-minutes, missing-meeting]\n",
        encoding="utf-8",
    )
    exit_code, diagnostics = validate_json(example)
    assert "late-minutes" not in _codes(diagnostics), diagnostics
    assert exit_code == 0
    result = gasp("report", "--year", "2001", workspace=example)
    assert result.exit_code == 0, result.output
    assert "late-minutes" not in result.stderr and "compte rendu" not in result.stderr, result.stderr


def test_gasp_yaml_cannot_silence_an_error_or_an_unknown_code(example: Path):
    gasp_yaml = example / "records" / "gasp.yaml"
    gasp_yaml.write_text(
        gasp_yaml.read_text(encoding="utf-8") + "validation:\n  ignore: [dangling-ref, late-minute]\n",
        encoding="utf-8",
    )
    exit_code, diagnostics = validate_json(example)
    assert exit_code == 1
    problems = [d for d in diagnostics if d["file"] == "records/gasp.yaml"]
    assert len(problems) == 2, diagnostics
    assert "une erreur ne peut pas être tue" in problems[0]["message"]
    assert "« late-minutes »" in problems[1]["message"]
    assert problems[0]["column"] < problems[1]["column"]

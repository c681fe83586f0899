"""docs/enregistrements.md documents every field of every record kind: the models are the checklist."""

from __future__ import annotations

import re
import typing

from pydantic import BaseModel

from conftest import REPO
from gasp_cli.models import KINDS, Gasp

REFERENCE = REPO / "docs" / "enregistrements.md"
MARKER = re.compile(r"^<!-- model: (\w+) -->$", re.M)


def _models() -> list[type[BaseModel]]:
    """Every record model and every model nested in one, whatever depth."""
    found: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in found:
            return
        found.append(model)
        for field in model.model_fields.values():
            stack = [field.annotation]
            while stack:
                annotation = stack.pop()
                if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                    visit(annotation)
                stack.extend(typing.get_args(annotation))

    for model in (Gasp, *KINDS.values()):
        visit(model)
    return found


def _sections() -> dict[str, str]:
    text = REFERENCE.read_text(encoding="utf-8")
    marks = list(MARKER.finditer(text))
    return {
        m[1]: text[m.end() : (marks[i + 1].start() if i + 1 < len(marks) else len(text))] for i, m in enumerate(marks)
    }


def test_every_model_field_is_documented_with_type_default_and_example():
    sections = _sections()
    models = _models()
    assert len(models) >= 17
    missing = []
    for model in models:
        section = sections.get(model.__name__)
        if section is None:
            missing.append(model.__name__)
            continue
        rows = {m[1]: m[0] for m in re.finditer(r"^\| `(\w+)` \|.*$", section, re.M)}
        for name in model.model_fields:
            row = rows.get(name)
            if row is None:
                missing.append(f"{model.__name__}.{name}")
                continue
            cells = [c.strip() for c in row.strip("|").split("|")]
            assert len(cells) == 5 and all(cells), (model.__name__, name, row)  # name, type, default, example, meaning
    assert not missing, f"non documentés dans docs/enregistrements.md : {missing}"


def test_the_reference_states_the_input_rules():
    text = " ".join(REFERENCE.read_text(encoding="utf-8").split())
    for rule in (
        "`true` ou `false` seulement",
        "entre 1900 et 2200",
        "`!!str`",
        "Textes longs",
        "élément de liste",
        "pas de retour à la ligne",
        "Une clé inconnue est une erreur",
        "lien symbolique",
    ):
        assert rule in text, rule


def test_nothing_points_outside_the_project():
    for path in (REPO / "README.md", *(REPO / "docs").glob("*.md"), REPO / "records" / "README.md"):
        assert "../shared" not in path.read_text(encoding="utf-8"), path


def test_the_readme_says_how_to_run_gasp_and_where_the_documents_are():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme[readme.index("## Mise en route") : readme.index("## Les commandes")]
    for needed in (
        ".venv/bin/gasp",
        "out/index.html",
        "make install",
        "make uninstall",
        "pipx install",
        "sudo apt install pipx",
        "gasp init",
        "docs/enregistrements.md",
        "docs/guide-secretaire.md",
    ):
        assert needed in start, needed

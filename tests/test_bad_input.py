"""The bad-input corpus: each case of tests/bad_input/ is laid over a copy of the example.

For each: exit 1, the right file, line and column, a helpful French message, and no
traceback.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import gasp, validate_json

CORPUS = Path(__file__).parent / "bad_input"

# case → (file, line, column, code, words the message must contain)
EXPECTED = {
    "yaml-syntax": ("records/themes/syntaxe.yaml", 3, 1, "yaml-syntax", "guillemet"),
    "yaml-indentation": ("records/themes/indentation.yaml", 2, 13, "yaml-syntax", "guillemets"),
    "unknown-key": ("records/people/agent-typo.yaml", 1, 1, "unknown-key", "vouliez-vous dire « name »"),
    "missing-field": ("records/themes/sans-titre.yaml", 1, 1, "missing-field", "« title » manquant"),
    "bad-type": ("records/proposals/cout-texte.yaml", 3, 7, "bad-type", "doit être un nombre"),
    "bad-enum": ("records/groups/jeunes.yaml", 4, 14, "bad-enum", "vouliez-vous dire « monthly »"),
    "bad-weekday": ("records/groups/jeunes.yaml", 5, 12, "bad-enum", "wednesday"),
    "bad-week": ("records/groups/jeunes.yaml", 6, 9, "bad-enum", "-1"),
    "no-slot-cadence": ("records/groups/jeunes.yaml", 8, 16, "bad-cadence", "aucune réunion"),
    "bad-date": ("records/meetings/2001/2001-02-30-agents.yaml", 2, 7, "bad-type", "AAAA-MM-JJ"),
    "bad-time": ("records/meetings/2002/2002-12-10-agents.yaml", 3, 7, "bad-value", "HH:MM"),
    "bad-id-file": ("records/themes/Transports_Urbains.yaml", 1, 1, "bad-id", "« transports-urbains.yaml »"),
    "bad-id-value": ("records/proposals/navette.yaml", 2, 8, "bad-id", "« transports-urbains »"),
    "dangling-ref": (
        "records/meetings/2002/2002-12-10-agents.yaml",
        6,
        5,
        "dangling-ref",
        "vouliez-vous dire « agent-mediatheque »",
    ),
    "dangling-place": (
        "records/groups/jeunes.yaml",
        9,
        10,
        "dangling-ref",
        "vouliez-vous dire « maison-des-services »",
    ),
    "duplicate-id": ("records/themes/archives/logement.yaml", 1, 1, "duplicate-id", "déjà utilisé"),
    "duplicate-key": ("records/themes/transports.yaml", 3, 1, "duplicate-key", "« title » donnée deux fois"),
    "file-name-date": ("records/meetings/2002/2002-12-11-agents.yaml", 2, 7, "file-name", "2002-12-10-agents.yaml"),
    "file-name-group": ("records/meetings/2002/2002-12-10-agents.yaml", 1, 8, "file-name", "2002-12-10-usagers.yaml"),
    "decision-outside": (
        "records/meetings/2002/2002-05-14-agents.yaml",
        5,
        1,
        "decision-outside",
        "seuls les référents",
    ),
    "lifecycle-after-validation": (
        "records/meetings/2002/2002-05-14-agents.yaml",
        6,
        12,
        "lifecycle",
        "est close (« réalisée »)",
    ),
    "lifecycle-raised-twice": ("records/meetings/2002/2002-05-14-agents.yaml", 6, 12, "lifecycle", "déjà soulevée"),
    "lifecycle-raised-by-referents": (
        "records/meetings/2002/2002-06-21-referents.yaml",
        6,
        12,
        "lifecycle",
        "pas chez les référents",
    ),
    "lifecycle-decided-before-raised": (
        "records/meetings/2002/2002-06-21-referents.yaml",
        6,
        14,
        "lifecycle",
        "avant d’avoir été soulevée",
    ),
    "events-out-of-order": (
        "records/proposals/horaires-police.yaml",
        6,
        11,
        "date-order",
        "rangez les étapes par date",
    ),
    "alias": ("records/themes/bombe.yaml", 1, 8, "yaml-alias", "ancre"),
    "several-documents": ("records/themes/deux.yaml", 2, 1, "several-documents", "un enregistrement par fichier"),
    "not-a-mapping": ("records/themes/liste.yaml", 1, 1, "not-a-mapping", "pas une liste"),
    "empty-file": ("records/themes/vide.yaml", 1, 1, "empty-file", "fichier vide"),
    "not-utf8": ("records/themes/latin1.yaml", 1, 11, "not-utf8", "UTF-8"),
    "unknown-folder": ("records/persons/quelqu-un.yaml", 1, 1, "unknown-folder", "vouliez-vous dire « people/ »"),
    "explicit-tag": ("records/themes/etiquette.yaml", 1, 8, "yaml-tag", "refusée"),
    # DESIGN.md « Input rules » (issue 11) and one-run validate (issue 12)
    "explicit-tag-str": ("records/themes/chaine.yaml", 1, 8, "yaml-tag", "« !!str » refusée"),
    "timezone-unknown": ("records/gasp.yaml", 8, 11, "bad-value", "vouliez-vous dire « Europe/Paris »"),
    "yaml-boolean": ("records/people/quelqu-un.yaml", 3, 15, "bad-type", "écrivez true ou false"),
    "leading-zero": ("records/groups/jeunes.yaml", 7, 17, "bad-number", "zéro en tête"),
    "line-break-in-title": ("records/themes/retour.yaml", 1, 8, "bad-value", "une seule ligne"),
    "cost-infinite": ("records/proposals/infini.yaml", 3, 7, "bad-number", "pas un nombre fini"),
    "cost-too-large": ("records/proposals/enorme.yaml", 3, 7, "bad-value", "au plus 1\u202f000\u202f000\u202f000"),
    "date-out-of-range": ("records/observations/lointaine.yaml", 1, 7, "bad-date", "entre 1900 et 2200"),
    "french-enum": ("records/meetings/2002/2002-12-10-agents.yaml", 3, 9, "bad-enum", "écrivez held (tenue)"),
    "several-rounds": (
        "records/meetings/2002/2002-12-10-agents.yaml",
        6,
        3,
        "dangling-ref",
        "vouliez-vous dire « e-sion »",
    ),
}


def test_every_case_has_an_expectation():
    assert sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_bad_input_is_reported_where_it_is(case: str, example: Path):
    shutil.copytree(CORPUS / case / "records", example / "records", dirs_exist_ok=True)
    file, line, column, code, words = EXPECTED[case]

    exit_code, diagnostics = validate_json(example)

    assert exit_code == 1
    found = [d for d in diagnostics if d["file"] == file and d["code"] == code and words in d["message"]]
    assert found, diagnostics
    assert (found[0]["line"], found[0]["column"]) == (line, column), found
    assert found[0]["severity"] == "error"
    assert words in found[0]["message"], found[0]["message"]

    text = gasp("validate", workspace=example)
    assert text.exit_code == 1
    assert f"{file}:{line}:{column}: erreur: " in text.stderr
    assert "Traceback" not in text.output


def test_a_file_over_one_mebibyte_is_refused(example: Path):
    big = example / "records" / "themes" / "gros.yaml"
    big.write_text("title: Gros\ndescription: " + "x" * (1024 * 1024) + "\n", encoding="utf-8")
    exit_code, diagnostics = validate_json(example)
    assert exit_code == 1
    assert [(d["file"], d["line"], d["code"]) for d in diagnostics] == [
        ("records/themes/gros.yaml", 1, "file-too-large")
    ]


def test_the_billion_laughs_is_refused_before_expansion(example: Path):
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    (example / "records" / "themes" / "bombe.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    exit_code, diagnostics = validate_json(example)
    assert exit_code == 1
    assert {d["code"] for d in diagnostics} == {"yaml-alias"}


def test_every_problem_is_reported_at_once(example: Path):
    for case in ("unknown-key", "bad-enum", "alias", "not-utf8", "decision-outside"):
        shutil.copytree(CORPUS / case / "records", example / "records", dirs_exist_ok=True)
    exit_code, diagnostics = validate_json(example)
    assert exit_code == 1
    assert {d["code"] for d in diagnostics} >= {"unknown-key", "bad-enum", "yaml-alias", "not-utf8", "decision-outside"}
    result = gasp("validate", workspace=example)
    assert result.stdout.strip().endswith(
        "dans 114 fichiers"
    )  # the example (110, its three observations included) and the corpus
    assert result.stdout.strip().startswith(f"{sum(d['severity'] == 'error' for d in diagnostics)} erreurs, ")


# --- many problems in one file: linear, readable (issue 22) -----------------------------------------


def _meeting_citing(example: Path, ids: list[str]) -> Path:
    """The meeting of 2002-06-11 with `ids` as attendees (one per line), and its other keys as they were."""
    import yaml

    path = example / "records/meetings/2002/2002-06-11-agents.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["attendees"] = ids
    data["excused"] = []
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_one_parse_of_a_file_serves_every_position_in_it(example: Path, monkeypatch: pytest.MonkeyPatch):
    from gasp_cli import yamlsource

    _meeting_citing(example, [f"inconnu-{i:03d}" for i in range(300)])
    composed: list[str] = []
    real = yamlsource._Loader

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, text: str) -> None:
            if "inconnu-299" in text:
                composed.append(text)
            super().__init__(text)

    monkeypatch.setattr(yamlsource, "_Loader", Counting)
    exit_code, diagnostics = validate_json(example)
    assert exit_code == 1
    unknown = [d for d in diagnostics if d["code"] == "dangling-ref" and "inconnu-" in d["message"]]
    assert len(unknown) == 300
    assert len({d["line"] for d in unknown}) == 300  # each at its own line
    assert len(composed) <= 2, len(composed)  # read once, composed again once for the positions


def test_suggestions_are_computed_once_per_unknown_id_and_only_for_what_is_shown(
    example: Path, monkeypatch: pytest.MonkeyPatch
):
    from gasp_cli import checks
    from gasp_cli.diagnostics import SHOWN_PER_FILE

    asked: list[str] = []
    real = checks.suggestion

    def counting(word, candidates):
        asked.append(word)
        return real(word, candidates)

    monkeypatch.setattr(checks, "suggestion", counting)
    _meeting_citing(example, ["e-sionn"] * 5 + [f"inconnu-{i:03d}" for i in range(200)])
    exit_code, diagnostics = validate_json(example)
    assert exit_code == 1
    mine = [d for d in diagnostics if d["code"] == "dangling-ref" and "e-sionn" in d["message"]]
    assert len(mine) == 5 and all("vouliez-vous dire « e-sion »" in d["message"] for d in mine)
    assert asked.count("e-sionn") == 1
    assert len(asked) <= SHOWN_PER_FILE


def test_text_output_caps_the_problems_of_one_code_in_one_file(example: Path):
    path = _meeting_citing(example, [f"inconnu-{i:03d}" for i in range(65)])
    result = gasp("validate", workspace=example)
    assert result.exit_code == 1
    shown = [line for line in result.stderr.splitlines() if "2002-06-11-agents.yaml" in line]
    assert len(shown) == 21, shown
    assert shown[-1].endswith(
        "erreur: … et 45 autres problèmes de ce type (dangling-ref) dans ce fichier : "
        "« gasp validate --format json » les liste tous"
    )
    assert shown[-1].startswith(f"records/{path.relative_to(example / 'records').as_posix()}:")
    assert result.stdout.strip().startswith("65 erreurs")
    _exit_code, diagnostics = validate_json(example)
    assert len([d for d in diagnostics if d["file"].endswith("2002-06-11-agents.yaml")]) == 65

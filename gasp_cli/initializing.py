"""`gasp init`: a new workspace, ready to validate, or a copy of the embedded example."""

from __future__ import annotations

import contextlib
import datetime
import os
from pathlib import Path

from .creating import CreationError, scalar
from .output import OutputError, write_new
from .schema import schema_texts, vscode_settings


def embedded_example() -> Path:
    """The example's records/: inside the package once installed, else the repository's."""
    packaged = Path(__file__).resolve().parent / "example" / "records"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "records"


GITIGNORE = """# Produit par gasp render : se refait à partir des enregistrements.
out/
.out.*
"""

TEMPLATES_README = """# Modèles de cet espace de travail

gasp produit ses documents avec des modèles Jinja2 : un par document et par format
(`compte-rendu.html.j2`, `compte-rendu.md.j2`, `compte-rendu.typ.j2` pour le PDF,
`guide-usagers.*`, `guide-agents.*`, `dossier-referents.*`, `rapport.*`, `calendrier.html.j2`,
`index.html.j2`, et les mises en page communes `_page.html.j2` et `_base.typ.j2`).

Pour changer un document, copiez ici le modèle de gasp qui porte le même nom et modifiez
la copie : gasp prend celui de ce dossier en priorité. L'usage le plus courant est l'en-tête
(nom et logo de la commune) dans `_page.html.j2` et `_base.typ.j2`.

Les valeurs venues des enregistrements sont échappées d'office ; un nom inconnu dans un
modèle est une erreur claire de `gasp render`.
"""

CADENCES = {
    "agents": (
        "Groupe des agents",
        "Une fois par mois, hors juillet et août.",
        (
            'frequency: monthly\n  weekday: tuesday\n  week: 2\n  skip_months: [7, 8]\n  time: "14:00"\n'
            "  duration: 120\n  place: mairie\n  avoid: [public-holidays]"
        ),
    ),
    "usagers": (
        "Groupe des usagers",
        "Une fois par trimestre, le soir, hors vacances scolaires.",
        (
            'frequency: quarterly\n  weekday: thursday\n  week: 2\n  months: [3, 6, 9, 12]\n  time: "18:00"\n'
            "  duration: 120\n  place: mairie\n  avoid: [public-holidays, school-holidays]"
        ),
    ),
    "referents": (
        "Groupe des référents",
        "Deux fois par an, pour décider des propositions.",
        (
            'frequency: semiannual\n  weekday: friday\n  week: 3\n  months: [6, 12]\n  time: "10:00"\n'
            "  duration: 120\n  place: mairie\n  avoid: [public-holidays]"
        ),
    ),
    "intergroupes": (
        "Réunion intergroupes",
        "Une fois par an, tous les groupes ensemble.",
        (
            'frequency: annual\n  weekday: thursday\n  week: -1\n  months: [6]\n  time: "18:00"\n'
            "  duration: 150\n  place: mairie\n  avoid: [public-holidays]"
        ),
    ),
}


def _files(name: str, communes: list[str], today: datetime.date) -> dict[str, str]:
    files = {
        "records/gasp.yaml": (
            "# yaml-language-server: $schema=../schemas/gasp.schema.json\n"
            "# Le Gasp lui-même. Complétez les communes, les lieux de réunion et l'adresse.\n"
            f"name: {scalar(name)}\n"
            "communes:\n"
            + "".join(f"  - {scalar(commune)}\n" for commune in communes)
            + f"created: {today.isoformat()}\n"
            "timezone: Europe/Paris\n"
            "# Zone des vacances scolaires : A, B (académie de Lille) ou C.\n"
            "school_zone: B\n"
            "# Les lieux de réunion : identifiant → nom et adresse.\n"
            "places:\n  mairie:\n    name: Mairie\n    # address: 1 place de la Mairie\n"
            "secretary: secretaire\n"
            "# sociologist: identifiant-de-la-personne\n"
            "# Engagements de délai, si le Gasp en prend : gasp validate signale alors les retards.\n"
            "# commitments:\n"
            "#   decision_within_days: 90   # les référents répondent à une proposition en 90 jours\n"
            "#   minutes_within_days: 15    # le compte rendu part dans les 15 jours\n"
        ),
        "records/people/secretaire.yaml": (
            "# yaml-language-server: $schema=../../schemas/person.schema.json\n"
            "# Le ou la secrétaire du Gasp : écrivez son nom ci-dessous. Pour changer aussi son\n"
            "# identifiant partout où il figure : gasp rename person secretaire prenom-nom\n"
            "name: Secrétaire du Gasp\nkind: facilitator\nrole: Secrétaire, responsable de la maison des services\n"
        ),
        ".gitignore": GITIGNORE,
        "templates/README.md": TEMPLATES_README,
        ".vscode/settings.json": vscode_settings(),
    }
    for group_id, (title, why, cadence) in CADENCES.items():
        files[f"records/groups/{group_id}.yaml"] = (
            "# yaml-language-server: $schema=../../schemas/group.schema.json\n"
            f"name: {title}\nkind: {group_id}\n# {why}\ncadence:\n  {cadence}\n"
            "# Les membres, avec leur date d'arrivée (et de départ : until). Les réunions dues ne sont\n"
            "# comptées qu'à partir de la première arrivée : si le groupe s'est réuni avant, avancez since.\n"
            f"members:\n  - {{person: secretaire, since: {today.isoformat()}}}\n"
        )
    for folder in ("services", "themes", "proposals", "meetings"):
        files[f"records/{folder}/.gitkeep"] = ""
    for schema_name, text in schema_texts().items():
        files[f"schemas/{schema_name}"] = text
    return files


def init_workspace(folder: Path, example: bool, name: str, communes: list[str], today: datetime.date) -> list[str]:
    """Create the workspace; returns the files written, relative to `folder`.

    Everything is checked before the first write, and every problem is reported at once:
    a refused run writes nothing, so running it again once the problem is fixed works.
    An existing file (a schema, .gitignore, a README) is the user's: it is kept, never
    overwritten. If writing fails half-way (disk full), what was written is taken back.
    """
    files = {relative: text.encode("utf-8") for relative, text in _files(name, communes, today).items()}
    if example:
        source = embedded_example()
        files = {k: v for k, v in files.items() if not k.startswith("records/")}
        for path in sorted(source.rglob("*")):
            if path.is_file() and not path.is_symlink():
                files[f"records/{path.relative_to(source).as_posix()}"] = path.read_bytes()
    problems = _problems(folder, files)
    if problems:
        raise CreationError(
            "\n".join(problems)
            if len(problems) == 1
            else "rien n’a été écrit :\n" + "\n".join(f"  - {p}" for p in problems)
        )
    written: list[str] = []
    created_folders: list[Path] = []
    try:
        for relative, payload in files.items():
            path = folder / relative
            if os.path.lexists(path):
                continue  # the user's own file (.gitignore, a schema…): kept
            created_folders += _make_folders(path.parent)
            try:
                write_new(path, payload)
            except FileExistsError:
                if relative.startswith("records/"):
                    raise
                continue
            written.append(relative)
    except (OSError, OutputError) as error:
        for relative in reversed(written):
            (folder / relative).unlink(missing_ok=True)
        for created in reversed(created_folders):
            with contextlib.suppress(OSError):
                created.rmdir()
        from .output import system_reason

        reason = system_reason(error) if isinstance(error, OSError) else error
        raise CreationError(f"impossible de créer l'espace de travail : {reason} ; rien n’a été gardé") from None
    return written


def _problems(folder: Path, files: dict[str, bytes]) -> list[str]:
    """What would stop the workspace from being written, found before anything is."""
    problems: list[str] = []
    if os.path.lexists(folder) and not folder.is_dir():
        return [f"« {folder} » existe et n’est pas un dossier"]
    records = folder / "records"
    if os.path.lexists(records) and not records.is_dir():
        problems.append(
            f"« {records} » existe et n’est pas un dossier : gasp init ne remplace jamais des enregistrements"
        )
    elif records.is_dir() and any(records.iterdir()):
        problems.append(f"« {records} » n'est pas vide : gasp init ne remplace jamais des enregistrements")
    seen: set[Path] = {records}
    for relative in files:
        path = folder / relative
        for parent in [*reversed(Path(relative).parents)][1:]:
            along = folder / parent
            if along in seen:
                continue
            seen.add(along)
            if os.path.lexists(along) and not along.is_dir():
                problems.append(f"« {along} » existe et n’est pas un dossier : gasp init doit y créer des fichiers")
        if path.is_dir() and not relative.startswith("records/"):
            problems.append(f"« {path} » est un dossier : gasp init doit y écrire un fichier")
    if not problems:
        problems += _unwritable(folder, files)
    return problems


def _unwritable(folder: Path, files: dict[str, bytes]) -> list[str]:
    """Folders that exist but where a file would have to be created and cannot."""
    problems = []
    for parent in sorted({(folder / relative).parent for relative in files}):
        existing = parent
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if existing.is_dir() and not os.access(existing, os.W_OK | os.X_OK):
            message = f"« {existing} » n’est pas accessible en écriture"
            if message not in problems:
                problems.append(message)
    return problems


def _make_folders(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; returns those created, outermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
    return list(reversed(missing))

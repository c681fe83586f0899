"""A whole workspace → `Records` (every kind by id) and diagnostics.

Reads every file under `records/`, checks its place and id, and validates it
against its model. Pydantic's errors are turned into French diagnostics at the
line and column of the offending key or value. Never raises for bad records.
Only regular files are read; a folder or file that cannot be read, and a symbolic
link that leads out of the workspace, are errors, never silently skipped.
"""

from __future__ import annotations

import datetime
import gc
import os
import re
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from . import models
from .diagnostics import Diagnostic, Severity, closest, suggestion
from .models import KINDS, MACHINE_ZONES, SLUG_PATTERN, TIME_PATTERN
from .vocabulary import fold, slugify
from .workspace import Workspace
from .yamlsource import SourceFile, read_record_file, system_reason

_SLUG = re.compile(SLUG_PATTERN)

KIND_LABELS = {
    "gasp": "la démarche",
    "groups": "groupe",
    "people": "personne",
    "services": "service",
    "themes": "thème",
    "proposals": "proposition",
    "meetings": "réunion",
    "observations": "observation",
}


@dataclass
class Records:
    """Every valid record, by kind and id, with the file each came from."""

    gasp: models.Gasp | None = None
    groups: dict[str, models.Group] = field(default_factory=dict)
    people: dict[str, models.Person] = field(default_factory=dict)
    services: dict[str, models.Service] = field(default_factory=dict)
    themes: dict[str, models.Theme] = field(default_factory=dict)
    proposals: dict[str, models.Proposal] = field(default_factory=dict)
    meetings: dict[str, models.Meeting] = field(default_factory=dict)
    observations: dict[str, models.Observation] = field(default_factory=dict)
    sources: dict[tuple[str, str], SourceFile] = field(default_factory=dict)
    # Ids seen in files, valid or not: a reference to a broken record is not dangling.
    known_ids: dict[str, set[str]] = field(default_factory=dict)
    file_count: int = 0

    def of_kind(self, kind: str) -> dict[str, Any]:
        by_id: dict[str, Any] = getattr(self, kind)
        return by_id

    def diagnostic(
        self,
        kind: str,
        record_id: str,
        loc: Sequence[str | int],
        code: str,
        message: str,
        *,
        severity: Severity = "error",
        key: bool = False,
        rank: int = 0,
    ) -> Diagnostic:
        """A diagnostic at the value (or key) `loc` of one record's file."""
        source = self.sources[(kind, record_id)]
        line, column = source.position(loc, key=key)
        return Diagnostic(source.rel, line, column, severity, code, message, rank)


@dataclass
class Loaded:
    records: Records
    diagnostics: list[Diagnostic]


@contextmanager
def garbage_collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the records are built and checked.

    Every record is kept, so the collector would walk an ever larger heap again and
    again: it tripled the time of `gasp validate` on a large workspace. What is built then lives as long as the command; it is frozen out of
    later collections.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def load_workspace(workspace: Workspace) -> Loaded:
    records = Records()
    diagnostics: list[Diagnostic] = []
    root = workspace.records

    gasp_file = root / "gasp.yaml"
    records.file_count += 1
    outside = _leaves_workspace(str(gasp_file), os.path.realpath(workspace.root))
    if outside:
        diagnostics.append(Diagnostic("records/gasp.yaml", 1, 1, "error", "outside-link", outside))
    else:
        source = read_record_file(gasp_file, workspace.rel(gasp_file))
        diagnostics.extend(source.diagnostics)
        if source.text is not None:
            records.sources[("gasp", "gasp")] = source
            records.gasp = _validate(models.Gasp, source, diagnostics)

    for path, rel, kind in _record_files(root, diagnostics, os.path.realpath(workspace.root)):
        records.file_count += 1
        record_id = rel.rsplit("/", 1)[1][: -len(".yaml")]
        if not _SLUG.fullmatch(record_id):
            diagnostics.append(
                Diagnostic(
                    rel,
                    1,
                    1,
                    "error",
                    "bad-id",
                    f"identifiant « {record_id} » invalide (c'est le nom du fichier) : minuscules sans accents, "
                    f"chiffres et tirets ; vouliez-vous dire « {slugify(record_id)}.yaml » ?",
                )
            )
            continue
        known = records.known_ids.setdefault(kind, set())
        if record_id in known:
            first = records.sources.get((kind, record_id))
            where = f" par {first.rel}" if first else ""
            diagnostics.append(
                Diagnostic(
                    rel,
                    1,
                    1,
                    "error",
                    "duplicate-id",
                    f"identifiant « {record_id} » déjà utilisé{where} : deux fichiers de même nom dans {kind}/",
                )
            )
            continue
        known.add(record_id)
        source = read_record_file(path, rel)
        diagnostics.extend(source.diagnostics)
        if source.text is None:
            continue
        records.sources[(kind, record_id)] = source
        record = _validate(KINDS[kind], source, diagnostics)
        if record is not None:
            records.of_kind(kind)[record_id] = record
            # The model holds every value now: the raw data is let go (the checks read a valid
            # record's references from its model), which keeps a large workspace's memory down.
            source.data = None
    return Loaded(records, diagnostics)


def _record_files(root: Path, diagnostics: list[Diagnostic], inside: str) -> list[tuple[str, str, str]]:
    """(path, shown path, kind) of every record file under records/, in a stable order.

    Misplaced files are reported, and so is everything that cannot be read: a folder
    or file without permission, a FIFO or a device named `*.yaml`, a symbolic link
    that leads out of the workspace (`inside`, a real path). A link that stays inside
    is followed, once. Plain strings rather than pathlib: this walks thousands of
    files on every command.
    """
    files: list[tuple[str, str, str]] = []
    seen_folders = {os.path.realpath(root)}

    def walk(folder: str, parts: list[str]) -> None:
        shown = "/".join(["records", *parts])
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as error:
            diagnostics.append(
                Diagnostic(
                    shown,
                    1,
                    1,
                    "error",
                    "unreadable",
                    f"dossier illisible ({system_reason(error)}) : ses enregistrements ne sont pas lus",
                )
            )
            return
        subfolders: list[tuple[str, str]] = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = f"{shown}/{name}"
            try:
                link = entry.is_symlink()
                if link:
                    outside = _leaves_workspace(entry.path, inside)
                    if outside:
                        if entry.is_dir() or name.endswith((".yaml", ".yml")):
                            diagnostics.append(Diagnostic(rel, 1, 1, "error", "outside-link", outside))
                        continue
                is_folder = entry.is_dir()  # follows a link that stays inside
            except OSError as error:
                diagnostics.append(Diagnostic(rel, 1, 1, "error", "unreadable", f"illisible : {system_reason(error)}"))
                continue
            if is_folder:
                subfolders.append((entry.path, name))
            elif name.endswith((".yaml", ".yml")):
                _sort_file(entry.path, rel, parts, name, files, diagnostics)
            elif name.lower().endswith((".yaml", ".yml")):  # `x.YAML`, `x.Yaml`: not read, and said so
                stem = name.rsplit(".", 1)[0]
                diagnostics.append(
                    Diagnostic(
                        rel,
                        1,
                        1,
                        "error",
                        "bad-extension",
                        f"extension « .{name.rsplit('.', 1)[1]} » : le fichier n'est pas lu ; "
                        f"renommez-le en « {stem}.yaml » (en minuscules)",
                    )
                )
        # A folder's files come before its sub-folders' (the first of two same ids is kept).
        for path, name in subfolders:
            real = os.path.realpath(path)
            if real in seen_folders:
                continue  # a link back to a folder already read (or a loop)
            seen_folders.add(real)
            walk(path, [*parts, name])

    walk(str(root), [])
    return files


def _sort_file(
    path: str, rel: str, parts: list[str], name: str, files: list[tuple[str, str, str]], diagnostics: list[Diagnostic]
) -> None:
    """Put one `*.yaml` file in its kind, or say why it is not a record."""
    if name.endswith(".yml"):
        diagnostics.append(
            Diagnostic(
                rel,
                1,
                1,
                "error",
                "bad-extension",
                f"extension « .yml » : renommez le fichier en « {name[:-4]}.yaml »",
            )
        )
    elif not parts:
        if name != "gasp.yaml":
            diagnostics.append(
                Diagnostic(
                    rel,
                    1,
                    1,
                    "error",
                    "misplaced-file",
                    "fichier hors d'un dossier d'enregistrements : rangez-le dans "
                    + ", ".join(f"{kind}/" for kind in KINDS),
                )
            )
    elif parts[0] not in KINDS:
        diagnostics.append(
            Diagnostic(
                rel,
                1,
                1,
                "error",
                "unknown-folder",
                f"dossier « {parts[0]}/ » inconnu{_folder_suggestion(parts[0])} "
                f"(dossiers possibles : {', '.join(KINDS)})",
            )
        )
    else:
        files.append((path, rel, parts[0]))


def _leaves_workspace(path: str, inside: str) -> str | None:
    """Why a path may not be read, when it is a symbolic link leading out of the workspace."""
    if not os.path.islink(path):
        return None
    real = os.path.realpath(path)
    if real == inside or real.startswith(inside.rstrip(os.sep) + os.sep):
        return None
    return (
        "lien symbolique qui mène hors de l'espace de travail : il n'est pas suivi ; "
        "copiez le fichier ou le dossier dans records/"
    )


# What a French or hurried hand may call the record folders.
_FOLDER_NAMES = {
    "groupes": "groups",
    "group": "groups",
    "personnes": "people",
    "persons": "people",
    "person": "people",
    "gens": "people",
    "service": "services",
    "theme": "themes",
    "thèmes": "themes",
    "propositions": "proposals",
    "proposal": "proposals",
    "reunions": "meetings",
    "réunions": "meetings",
    "meeting": "meetings",
}


def _folder_suggestion(folder: str) -> str:
    known = _FOLDER_NAMES.get(folder.lower())
    return f" ; vouliez-vous dire « {known}/ » ?" if known else suggestion(folder, KINDS)


def _validate(model: type[BaseModel], source: SourceFile, diagnostics: list[Diagnostic]) -> Any:
    try:
        return model.model_validate(source.data)
    except ValidationError as error:
        details = error.errors(include_url=False)
        # Where the YAML reader already refused a value (a tag, `.inf`), that is the one problem told there.
        told = {(d.line, d.column) for d in source.diagnostics}
        for detail in details:
            if not _explained_by_typo(detail, details, model):
                diagnostic = _diagnostic_from_pydantic(model, source, detail)
                if (diagnostic.line, diagnostic.column) not in told:
                    diagnostics.append(diagnostic)
        return None


def _explained_by_typo(detail: ErrorDetails, details: list[ErrorDetails], model: type[BaseModel]) -> bool:
    """A missing `title` next to an unknown `titel`: the unknown key's message says it all."""
    if detail["type"] != "missing":
        return False
    parent, name = tuple(detail["loc"][:-1]), detail["loc"][-1]
    container = _type_at(model, parent)
    if not (isinstance(container, type) and issubclass(container, BaseModel)):
        return False
    return any(
        other["type"] == "extra_forbidden"
        and tuple(other["loc"][:-1]) == parent
        and closest(str(other["loc"][-1]), list(container.model_fields)) == name
        for other in details
    )


# --- pydantic errors in French -------------------------------------------------------

_TYPE_MESSAGES = {
    "string_type": "doit être un texte",
    "int_type": "doit être un nombre entier",
    "int_from_float": "doit être un nombre entier",
    "float_type": "doit être un nombre",
    "bool_type": "doit être true (oui) ou false (non)",
    "list_type": "doit être une liste (un élément par ligne, précédé de « - »)",
    "dict_type": "doit être un dictionnaire de clés (« nom: valeur »)",
    "model_type": "doit être un dictionnaire de clés (« nom: valeur »)",
    "model_attributes_type": "doit être un dictionnaire de clés (« nom: valeur »)",
    "date_type": "doit être une date AAAA-MM-JJ, par exemple 2001-03-15",
    "date_parsing": "doit être une date AAAA-MM-JJ, par exemple 2001-03-15",
    "date_from_datetime_inexact": "doit être une date sans heure (AAAA-MM-JJ)",
    "bool_or_date": "doit être true, false ou la date où c'est fait (AAAA-MM-JJ)",
    "string_too_short": "ne doit pas être vide",
    "too_short": "ne doit pas être vide",
}


def _unwrap(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return annotation


def _type_at(model: type[BaseModel], loc: Sequence[str | int]) -> Any:
    """The declared type at `loc` inside `model`, or None when `loc` leaves the model."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        origin = get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field_info = annotation.model_fields.get(part) if isinstance(part, str) else None
            if field_info is None:
                return None
            annotation = field_info.annotation
        elif origin is list:
            annotation = get_args(annotation)[0]
        elif origin is dict:
            annotation = get_args(annotation)[1]
        else:
            return None
    return _unwrap(annotation)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "un dictionnaire"
    if isinstance(value, list):
        return "une liste"
    if value is None:
        return "vide"
    text = str(value)
    return f"« {text[:77] + '…' if len(text) > 80 else text} »"


# What YAML 1.1 (and a French hand) reads as a boolean: YAML 1.2 reads them as text.
_YAML11_BOOLEANS = {
    "yes": "true",
    "y": "true",
    "on": "true",
    "oui": "true",
    "vrai": "true",
    "no": "false",
    "n": "false",
    "off": "false",
    "non": "false",
    "faux": "false",
}


def _french_labels() -> dict[str, str]:
    """Enum token → its French label, as documents show it."""
    from .vocabulary import FREQUENCIES, GROUP_KINDS, MEETING_STATUSES, PERSON_KINDS, PROPOSAL_STATUSES, WEEKDAYS_FR

    weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    return {
        **GROUP_KINDS,
        **FREQUENCIES,
        **MEETING_STATUSES,
        **PROPOSAL_STATUSES,
        **PERSON_KINDS,
        **dict(zip(weekdays, WEEKDAYS_FR, strict=True)),
        "public-holidays": "jours fériés",
        "school-holidays": "vacances scolaires",
    }


def _plain_word(text: str) -> str:
    return " ".join(fold(text).replace("'", " ").split())


def french_word(value: Any, allowed: list[str]) -> str:
    """`tenue` for a meeting's status: « ; écrivez held (tenue) »."""
    if not isinstance(value, str):
        return ""
    labels = {token: label for token, label in _french_labels().items() if token in allowed}
    by_word = {_plain_word(label): token for token, label in labels.items() if _plain_word(label) != token}
    token = by_word.get(_plain_word(value))
    if token is not None:
        return f" ; écrivez {token} ({labels[token]})"
    near = closest(_plain_word(value), list(by_word))
    if near is not None and closest(value, allowed) is None:
        token = by_word[near]
        return f" ; vouliez-vous dire {token} ({labels[token]}) ?"
    return ""


_CHARACTER_NAMES = {
    "\n": "un saut de ligne",
    "\r": "un retour chariot",
    "\t": "une tabulation",
    "\x1b": "un caractère d'échappement (ESC)",
    "\x00": "un caractère nul",
    "\x85": "un saut de ligne (NEL)",
    "\u2028": "un séparateur de ligne",
    "\u2029": "un séparateur de paragraphe",
}


def _forbidden_character(text: str) -> str:
    found = models._FORBIDDEN_IN_ONE_LINE.search(text)
    if found is None:
        return "un caractère interdit"
    char = found[0]
    if char in _CHARACTER_NAMES:
        return _CHARACTER_NAMES[char]
    if "\u202a" <= char <= "\u2069":
        return f"une marque de sens d'écriture (U+{ord(char):04X})"
    return f"un caractère de contrôle (U+{ord(char):04X})"


def _timezones() -> list[str]:
    import zoneinfo

    return sorted(z for z in zoneinfo.available_timezones() if z.split("/", 1)[0] not in MACHINE_ZONES)


def _number(bound: Any) -> str:
    """1000000000.0 → « 1 000 000 000 »."""
    if isinstance(bound, float) and bound.is_integer():
        bound = int(bound)
    if isinstance(bound, int) and abs(bound) >= 10000:
        return f"{bound:,}".replace(",", "\u202f")
    return str(bound)


def _diagnostic_from_pydantic(model: type[BaseModel], source: SourceFile, detail: ErrorDetails) -> Diagnostic:
    loc = tuple(detail["loc"])
    kind = detail["type"]
    if kind == "missing":
        # A missing field is reported at the mapping that should hold it.
        line, column = source.position(loc[:-1])
        message = f"champ obligatoire « {loc[-1]} » manquant"
        return Diagnostic(source.rel, line, column, "error", "missing-field", message)
    if kind == "extra_forbidden":
        message, code, at_key = _unknown_key_message(model, loc), "unknown-key", True
    else:
        (message, code), at_key = _bad_value_message(model, detail), False
    line, column = source.position(loc, key=at_key)
    return Diagnostic(source.rel, line, column, "error", code, message)


def _unknown_key_message(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """A key the model does not know: the nearest known key, or the list of them."""
    container = _type_at(model, loc[:-1])
    allowed = list(container.model_fields) if isinstance(container, type) and issubclass(container, BaseModel) else []
    hint = suggestion(str(loc[-1]), allowed)
    if not hint and allowed:
        hint = f" (clés possibles : {', '.join(allowed)})"
    return f"clé inconnue « {loc[-1]} »{hint}"


def _bad_value_message(model: type[BaseModel], detail: ErrorDetails) -> tuple[str, str]:
    """The message and code for a value the model refuses, by the kind of the refusal."""
    loc = tuple(detail["loc"])
    kind = detail["type"]
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    name = next((part for part in reversed(loc) if isinstance(part, str)), None)
    where = f"« {name} » : " if name else ""

    if kind == "literal_error":
        message, code = _enum_message(model, loc, where, value), "bad-enum"
    elif kind == "one_line":
        message, code = (
            (
                f"{where}une seule ligne, sans caractère de contrôle : {_describe(value)} contient "
                f"{_forbidden_character(str(value))}"
            ),
            "bad-value",
        )
    elif kind == "email":
        message, code = (
            (
                f"{where}adresse de courriel {_describe(value)} invalide : une seule adresse, sans espace ni nom, "
                "par exemple « prenom.nom@exemple.fr »"
            ),
            "bad-value",
        )
    elif kind == "date_range":
        shown = value.isoformat() if isinstance(value, datetime.date) else value
        message, code = f"{where}date {_describe(shown)} hors de la période admise : entre 1900 et 2200", "bad-date"
    elif kind == "timezone":
        message, code = _timezone_message(where, value), "bad-value"
    elif kind == "finite_number":
        message, code = f"{where}{_describe(value)} : doit être un nombre fini", "bad-value"
    elif kind == "bool_type" and isinstance(value, str):
        message, code = _yaml11_boolean_message(where, value), "bad-type"
    elif kind == "string_pattern_mismatch":
        message, code = _pattern_message(where, value, ctx)
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        message, code = _bound_message(where, kind, value, ctx), "bad-value"
    elif kind in _TYPE_MESSAGES:
        message, code = _type_message(where, name, kind, value), "bad-type"
    else:
        message, code = f"{where}valeur {_describe(value)} invalide ({detail.get('msg', kind)})", "bad-value"
    return message, code


def _enum_message(model: type[BaseModel], loc: tuple[int | str, ...], where: str, value: Any) -> str:
    """A value outside a closed list: the French word it may translate, or the nearest value, then the list."""
    allowed = [str(a) for a in get_args(_type_at(model, loc))]
    hint = french_word(value, allowed) or suggestion(str(value), allowed)
    return f"{where}valeur {_describe(value)} invalide{hint} (valeurs possibles : {', '.join(allowed)})"


def _timezone_message(where: str, value: Any) -> str:
    """A time zone that depends on the machine is refused; an unknown one gets the nearest IANA name."""
    if isinstance(value, str) and value.split("/", 1)[0] in MACHINE_ZONES:
        return (
            f"{where}fuseau horaire {_describe(value)} refusé : il dépend de la machine, pas du lieu ; "
            "écrivez un nom de la base IANA, par exemple « Europe/Paris »"
        )
    hint = suggestion(str(value), _timezones()) if isinstance(value, str) and len(value) < 100 else ""
    return (
        f"{where}fuseau horaire {_describe(value)} inconnu{hint} (un nom de la base IANA, par exemple « Europe/Paris »)"
    )


def _yaml11_boolean_message(where: str, value: str) -> str:
    """A text where a boolean is expected: say which boolean YAML 1.1 would have read."""
    guess = _YAML11_BOOLEANS.get(value.lower())
    hint = f" (ici sans doute {guess})" if guess else ""
    return f"{where}écrivez true ou false{hint}, pas {_describe(value)}"


def _pattern_message(where: str, value: Any, ctx: dict[str, Any]) -> tuple[str, str]:
    """A text that does not match its pattern: an hour, or else an identifier (with its slug)."""
    if ctx.get("pattern") == TIME_PATTERN:
        return f"{where}heure {_describe(value)} invalide : écrivez « HH:MM », par exemple « 09:30 »", "bad-value"
    return (
        f"{where}identifiant {_describe(value)} invalide : minuscules sans accents, chiffres et tirets"
        f" ; vouliez-vous dire « {slugify(str(value))} » ?"
    ), "bad-id"


def _bound_message(where: str, kind: str, value: Any, ctx: dict[str, Any]) -> str:
    """A number past its bound, the bound written the French way."""
    bound = _number(next(iter(ctx.values()), ""))
    words = {
        "greater_than": "supérieur à",
        "greater_than_equal": "au moins",
        "less_than": "inférieur à",
        "less_than_equal": "au plus",
    }[kind]
    return f"{where}{_describe(value)} : doit être {words} {bound}"


def _type_message(where: str, name: str | None, kind: str, value: Any) -> str:
    """A value of the wrong type, with what YAML made of the usual slips (a colon, an hour, a number)."""
    message = f"{where}{_TYPE_MESSAGES[kind]}, pas {_describe(value)}"
    if kind == "string_type" and isinstance(value, dict) and len(value) == 1:
        # `- Bailleur : M. Dupont` is a mapping for YAML, not a text with a colon in it.
        ((key, rest),) = value.items()
        message += (
            f" : « : » suivi d’une espace sépare une clé de sa valeur ; mettez ce texte entre guillemets "
            f'(« "{key} : {rest}" »)'
        )
    if name == "time" and kind == "string_type":
        # `14.30` is read as the number 14.3: say how an hour is written.
        message += ' : écrivez l’heure « HH:MM » entre guillemets, par exemple « "14:30" »'
    if kind in ("int_type", "float_type") and isinstance(value, str) and ":" in value:
        message = f"{where}doit être un nombre, pas {_describe(value)}"
    return message

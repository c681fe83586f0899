"""Read one record file with libyaml, keeping where every key and value came from.

The file is composed into a node tree by libyaml (`yaml.CSafeLoader`), then turned
into plain Python values by a small walker of our own. The node tree is kept, so a
check three files away can still point at the exact line of a value, at no cost
while nothing is wrong. Refused here, each with a diagnostic at the file: a file
over 1 MiB, bytes that are not UTF-8, YAML aliases and anchors (the "billion
laughs"), several documents, an empty file, a top level that is not a mapping,
a key given twice, an explicit tag (`!!str` too), a file that is not a regular file.

Plain scalars are read as YAML 1.2 reads them (its core schema, the one editors and
their JSON Schemas use), not as PyYAML's YAML 1.1: `yes`, `no`, `on`, `off` are
text, not booleans (a boolean field then says « écrivez true ou false »), `14:30` is
text, not a base-60 number, and a date is text that the models read as a date.
Refused as well: integers with a leading zero (`010`, octal in YAML 1.1) or written
in octal or hexadecimal, and numbers that are not finite (`.inf`, `.nan`, `1e999`).
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.cyaml import CParser  # type: ignore[attr-defined]  # libyaml's parser; the stubs only list the loaders
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import Diagnostic, Severity
from .output import system_reason as system_reason

MAX_BYTES = 1024 * 1024
# A record is a few levels deep; past this, the file is broken or hostile, and a
# recursive walk would run out of stack.
MAX_DEPTH = 32

# What a node is, as our composer marks it. A node that carries a real YAML tag
# (`tag:yaml.org,2002:…`) was given one explicitly in the file, and is refused.
_PLAIN = "gasp:plain"  # a plain scalar: text, a number, a boolean or null, by YAML 1.2 rules
_QUOTED = "gasp:quoted"  # a quoted or block scalar: always text
_SEQ = "gasp:seq"
_MAP = "gasp:map"

# The YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_NULL = re.compile(r"(?:~|null|Null|NULL|)")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_INT_OTHER_BASE = re.compile(r"0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NOT_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
# Only a plain scalar starting with one of these can be something other than text.
_MAY_NOT_BE_TEXT = frozenset("~nNtTfF0123456789+-.")


class _Loader(CParser):
    """libyaml whose composer only marks what kind of node it built; `_to_python` reads it.

    libyaml's parser alone (what `yaml.CSafeLoader` adds, a constructor and a resolver,
    is not used): nothing in Python is set up for each of thousands of files.
    """

    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _QUOTED
        return _SEQ if kind is SequenceNode else _MAP

    # Called around every node for PyYAML's path resolvers, which gasp never adds.
    def descend_resolver(self, current_node: Node | None, current_index: object) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


# libyaml's messages, as a secretary would want to read them.
_YAML_PROBLEMS = {
    "mapping values are not allowed": (
        "deux-points inattendu : une valeur qui contient « : » doit être entre guillemets"
    ),
    "could not find expected ':'": "« : » attendu après la clé (ou guillemet non fermé)",
    "did not find expected key": "indentation incohérente : une clé était attendue ici",
    "did not find expected '-' indicator": "indentation incohérente : un élément de liste « - » était attendu",
    "found unexpected end of stream": "fin de fichier inattendue : un guillemet ou un crochet n'est pas fermé",
    "found character that cannot start any token": ("caractère inattendu (une tabulation ? indentez avec des espaces)"),
    "found undefined alias": "alias YAML non défini (les alias sont refusés)",
    "did not find expected node content": "valeur attendue ici",
    "did not find expected ',' or ']'": "« , » ou « ] » attendu : crochet non fermé ?",
    "did not find expected ',' or '}'": "« , » ou « } » attendu : accolade non fermée ?",
    "found unknown escape character": "séquence d'échappement inconnue entre guillemets doubles",
    "control characters are not allowed": "caractère de contrôle interdit",
    "found a tab character that violates indentation": "tabulation interdite : indentez avec des espaces",
    "exceeded maximum nesting depth": f"imbrication trop profonde (un enregistrement a au plus {MAX_DEPTH} niveaux)",
    "block sequence entries are not allowed in this context": (
        "élément de liste « - » mal placé : vérifiez l'indentation"
    ),
}


def _french_problem(problem: str | None) -> str:
    problem = (problem or "").strip()
    for english, french in _YAML_PROBLEMS.items():
        if problem.startswith(english):
            return french
    return problem or "erreur de syntaxe"


@dataclass(slots=True)
class SourceFile:
    """One record file: its path as shown to the user, its node tree and its values."""

    rel: str
    data: Any = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    digest: bytes = b""  # SHA-256 of the file's bytes, as read: what `gasp render` keys its work on
    # SHA-256 of the file without the text of its `discussion` (what only a meeting's own compte rendu
    # shows): what the other documents are keyed on (documents/dependencies.py); the digest when it has none.
    outline: bytes = b""
    # The text of a file that parsed. Its node tree is not kept (at 40 years of records the trees
    # of every file took half of gasp's memory): it is composed again from the text when a
    # message needs a position, and the last few trees composed are kept, so that the
    # 20 000 problems of one file cost one parse, not 20 000 (issue 22).
    text: str | None = None

    @property
    def node(self) -> Node | None:
        """The file's node tree, composed again from its text; None when it did not parse."""
        text = self.text
        if text is None:
            return None
        for index, (composed, tree) in enumerate(_RECENT_TREES):
            if composed is text:
                if index:
                    _RECENT_TREES.insert(0, _RECENT_TREES.pop(index))
                return tree
        loader = _Loader(text)
        try:
            node: Node | None = loader.get_single_node()
        except yaml.YAMLError:
            node = None
        finally:
            loader.dispose()
        _RECENT_TREES.insert(0, (text, node))
        del _RECENT_TREES[_KEPT_TREES:]
        return node

    def error(self, line: int, column: int, code: str, message: str, severity: Severity = "error") -> None:
        self.diagnostics.append(Diagnostic(self.rel, line, column, severity, code, message))

    def position(self, loc: Sequence[str | int] = (), *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at `loc`; with `key`, of its key.

        Follows `loc` as far as the file goes: a path into something missing
        points at the nearest enclosing value that exists.
        """
        node = self.node
        if node is None:
            return (1, 1)
        mark = node.start_mark
        for index, part in enumerate(loc):
            found = None
            if isinstance(node, MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == part:
                        found = (key_node, value_node)
                        break
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                found = (node.value[part], node.value[part])
            if found is None:
                break
            last = index == len(loc) - 1
            key_node, node = found
            mark = key_node.start_mark if (key and last) else node.start_mark
        return (mark.line + 1, mark.column + 1)


# The trees composed last for positions, newest first, found by the identity of their text.
_KEPT_TREES = 8
_RECENT_TREES: list[tuple[str, Node | None]] = []


def read_record_file(path: str | os.PathLike[str], rel: str) -> SourceFile:
    """Read, check and convert one YAML record file; never raises for bad content."""
    source = SourceFile(rel)
    raw = _read_regular_file(path, source)
    if raw is None:
        return source
    source.digest = hashlib.sha256(raw).digest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        source.error(
            line,
            column,
            "not-utf8",
            f"le fichier n'est pas en UTF-8 (octet 0x{raw[error.start]:02x}) : enregistrez-le en UTF-8",
        )
        return source
    if text.startswith("\ufeff"):
        text = text[1:]
    if ("&" in text or "*" in text) and _refuse_anchors(text, source):
        return source
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = _within(text, mark.line + 1, mark.column + 1) if mark else (1, 1)
        if error.problem and "another document" in error.problem:
            source.error(
                line,
                column,
                "several-documents",
                "plusieurs documents YAML dans un fichier (« --- ») : un enregistrement par fichier",
            )
        else:
            source.error(line, column, "yaml-syntax", f"syntaxe YAML : {_french_problem(error.problem)}")
        return source
    except yaml.reader.ReaderError as error:
        # A character YAML refuses (NUL, most control characters): at its real line, in French.
        before = text[: max(0, min(error.position, len(text)))]
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        shown = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
        source.error(
            line,
            column,
            "yaml-syntax",
            f"syntaxe YAML : caractère de contrôle interdit ({shown}"
            + (", un octet nul" if error.character in (0, "\x00") else "")
            + ") : retirez-le (souvent collé depuis un autre logiciel)",
        )
        return source
    except yaml.YAMLError as error:
        source.error(1, 1, "yaml-syntax", f"syntaxe YAML : {_french_problem(str(error))}")
        return source
    finally:
        loader.dispose()
    if node is None:
        source.error(1, 1, "empty-file", "fichier vide : un enregistrement est un dictionnaire de clés")
        return source
    if not isinstance(node, MappingNode):
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        source.error(
            line,
            column,
            "not-a-mapping",
            "le fichier doit contenir des clés (« nom: valeur »), pas une liste ni un texte seul",
        )
        return source
    try:
        data = _to_python(node, source)
    except _TooDeep:
        return source
    source.text = text
    source.data = data
    source.outline = _outline(text, node, source.digest)
    return source


def _outline(text: str, node: MappingNode, digest: bytes) -> bytes:
    """The digest of a file's text but its `discussion` value (its position is hashed too, so that no
    other value can move into or out of what is left out); `digest` when it has no single one."""
    spans = [value for key, value in node.value if isinstance(key, ScalarNode) and key.value == "discussion"]
    if len(spans) != 1:
        return digest
    start, end = spans[0].start_mark.index, spans[0].end_mark.index
    outline = hashlib.sha256(f"outline\0{start}\0".encode())
    outline.update(text[:start].encode())
    outline.update(b"\0")
    outline.update(text[end:].encode())
    return outline.digest()


# What a path that is not a regular file is, for the message.
_FILE_TYPES = [
    (stat.S_ISDIR, "un dossier"),
    (stat.S_ISFIFO, "un tube nommé (FIFO)"),
    (stat.S_ISCHR, "un périphérique"),
    (stat.S_ISBLK, "un périphérique"),
    (stat.S_ISSOCK, "une socket"),
]


def not_regular(mode: int) -> str | None:
    """What a file of this mode is, when it is not a regular file; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _FILE_TYPES if test(mode)), "un fichier spécial")


def _read_regular_file(path: str | os.PathLike[str], source: SourceFile) -> bytes | None:
    """The first MAX_BYTES + 1 bytes of a regular file; None (reported) for anything else.

    Looked at before it is opened (opening a device can already do something), then
    opened without blocking and checked again on the open descriptor (the file may
    have changed in between): a FIFO named `x.yaml` would otherwise wait forever for
    a writer, and a device be read.
    """
    try:
        what = not_regular(os.stat(path).st_mode)
    except OSError as error:
        source.error(1, 1, "unreadable", f"fichier illisible : {system_reason(error)}")
        return None
    if what is not None:
        source.error(
            1, 1, "not-a-file", f"ce n'est pas un fichier ordinaire mais {what} : gasp ne lit que des fichiers"
        )
        return None
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        source.error(1, 1, "unreadable", f"fichier illisible : {system_reason(error)}")
        return None
    try:
        status = os.fstat(descriptor)
        what = not_regular(status.st_mode)
        if what is not None:
            source.error(
                1, 1, "not-a-file", f"ce n'est pas un fichier ordinaire mais {what} : gasp ne lit que des fichiers"
            )
            return None
        if status.st_size > MAX_BYTES:
            source.error(
                1,
                1,
                "file-too-large",
                f"fichier trop gros ({status.st_size // 1024} Kio) : un enregistrement fait au plus 1 Mio",
            )
            return None
        chunks = []
        size = 0
        while size <= MAX_BYTES:
            chunk = os.read(descriptor, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        raw = b"".join(chunks)
    except OSError as error:
        source.error(1, 1, "unreadable", f"fichier illisible : {system_reason(error)}")
        return None
    finally:
        os.close(descriptor)
    if len(raw) > MAX_BYTES:
        source.error(
            1,
            1,
            "file-too-large",
            f"fichier trop gros (plus de {MAX_BYTES // 1024} Kio) : un enregistrement fait au plus 1 Mio",
        )
        return None
    return raw


class _TooDeep(Exception):
    """Stops the walk of a file nested deeper than MAX_DEPTH (already reported)."""


def _within(text: str, line: int, column: int) -> tuple[int, int]:
    """libyaml may point just past the end of a file: bring the place back onto its last line."""
    lines = text.split("\n")
    if line <= len(lines):
        return line, column
    return len(lines), len(lines[-1]) + 1


def _refuse_anchors(text: str, source: SourceFile) -> bool:
    """Refuse anchors and aliases; only files with `&` or `*` somewhere get here."""
    refused = False
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            mark = event.start_mark
            line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            if isinstance(event, yaml.AliasEvent):
                source.error(line, column, "yaml-alias", f"alias YAML « *{event.anchor} » refusé : recopiez la valeur")
                refused = True
            elif isinstance(event, yaml.NodeEvent) and event.anchor:
                source.error(
                    line,
                    column,
                    "yaml-alias",
                    f"ancre YAML « &{event.anchor} » refusée : les ancres et alias ne sont pas admis",
                )
                refused = True
    except yaml.YAMLError:
        return refused  # the syntax error itself is reported by the composer
    return refused


def _to_python(node: Node, source: SourceFile, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        mark = node.start_mark
        source.error(
            mark.line + 1,
            mark.column + 1,
            "too-deep",
            f"imbrication trop profonde : un enregistrement a au plus {MAX_DEPTH} niveaux",
        )
        raise _TooDeep
    if type(node) is ScalarNode:
        return _scalar_to_python(node, source)
    if isinstance(node, SequenceNode):
        return _sequence_to_python(node, source, depth)
    return _mapping_to_python(node, source, depth)


def _scalar_to_python(node: ScalarNode, source: SourceFile) -> Any:
    """A scalar: quoted is text, plain is read by the core schema, a tag is refused and then ignored."""
    if node.tag == _QUOTED:
        return node.value
    if node.tag != _PLAIN:
        _bad_tag(node, source)
        # Read on as if untagged, so that the tag is the only error reported here.
        if node.style or node.tag.endswith(":str"):
            return node.value
        return _plain_scalar(node, source)
    value = node.value
    if value[:1] not in _MAY_NOT_BE_TEXT and value:
        return value
    return _plain_scalar(node, source)


def _sequence_to_python(node: SequenceNode, source: SourceFile, depth: int) -> list[Any]:
    if node.tag != _SEQ:
        _bad_tag(node, source)
    items = []
    for item in node.value:
        # A list of ids (attendees): plain text, read here rather than through one more call.
        if type(item) is ScalarNode and item.tag == _PLAIN and depth < MAX_DEPTH:
            value = item.value
            if value and value[0] not in _MAY_NOT_BE_TEXT:
                items.append(value)
                continue
        items.append(_to_python(item, source, depth + 1))
    return items


def _mapping_to_python(node: Node, source: SourceFile, depth: int) -> dict[str, Any]:
    if node.tag != _MAP:
        _bad_tag(node, source)
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not _is_key_accepted(key_node, mapping, source):
            continue
        key = key_node.value
        # Most values are text: read them here rather than through one more call.
        if type(value_node) is ScalarNode and depth < MAX_DEPTH:
            tag = value_node.tag
            if tag == _QUOTED:
                mapping[key] = value_node.value
                continue
            if tag == _PLAIN:
                value = value_node.value
                mapping[key] = (
                    value if value and value[0] not in _MAY_NOT_BE_TEXT else _plain_scalar(value_node, source)
                )
                continue
        mapping[key] = _to_python(value_node, source, depth + 1)
    return mapping


def _is_key_accepted(key_node: Node, mapping: dict[str, Any], source: SourceFile) -> bool:
    """Report a key that is not a scalar (skipped), a tagged key or a key given twice (both kept)."""
    if not isinstance(key_node, ScalarNode):
        mark = key_node.start_mark
        source.error(
            mark.line + 1,
            mark.column + 1,
            "bad-key",
            "une clé doit être un simple mot, pas une liste ni un dictionnaire",
        )
        return False
    if key_node.tag not in (_PLAIN, _QUOTED):
        _bad_tag(key_node, source)
    key = key_node.value
    if key in mapping:
        mark = key_node.start_mark
        source.error(
            mark.line + 1, mark.column + 1, "duplicate-key", f"clé « {key} » donnée deux fois dans le même bloc"
        )
    return True


def _plain_scalar(node: ScalarNode, source: SourceFile) -> Any:
    """A plain scalar by the YAML 1.2 core schema, refusing the numbers that hide a slip."""
    value = node.value
    if _NULL.fullmatch(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    mark = node.start_mark
    if _INT.fullmatch(value):
        if len(value.lstrip("+-")) > 1 and value.lstrip("+-").startswith("0"):
            source.error(
                mark.line + 1,
                mark.column + 1,
                "bad-number",
                f"nombre « {value} » écrit avec un zéro en tête : écrivez "
                f"« {value.lstrip('+-').lstrip('0') or '0'} » (ou mettez-le entre guillemets si c'est un texte)",
            )
        if len(value) > 100:  # Python refuses past 4 300 digits; no record holds a number this long
            source.error(
                mark.line + 1,
                mark.column + 1,
                "bad-number",
                f"nombre de {len(value.lstrip('+-'))} chiffres : écrivez un nombre raisonnable",
            )
            return value
        return int(value)
    if _INT_OTHER_BASE.fullmatch(value):
        source.error(
            mark.line + 1,
            mark.column + 1,
            "bad-number",
            f"nombre « {value} » en octal ou en hexadécimal : écrivez-le en décimal "
            "(ou mettez-le entre guillemets si c'est un texte)",
        )
        return int(value[2:], 8 if value[1] == "o" else 16)
    if _NOT_FINITE.fullmatch(value):
        source.error(
            mark.line + 1, mark.column + 1, "bad-number", f"« {value} » n'est pas un nombre fini : écrivez un nombre"
        )
        return value
    if _FLOAT.fullmatch(value):
        number = float(value)
        if not math.isfinite(number):
            source.error(
                mark.line + 1,
                mark.column + 1,
                "bad-number",
                f"nombre « {value} » trop grand : écrivez un nombre raisonnable",
            )
            return value
        return number
    return value


def _bad_tag(node: Node, source: SourceFile) -> None:
    mark = node.start_mark
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    source.error(
        mark.line + 1,
        mark.column + 1,
        "yaml-tag",
        f"étiquette YAML « {tag} » refusée : écrivez la valeur sans étiquette",
    )

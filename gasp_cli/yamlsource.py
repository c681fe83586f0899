"""Read one record file with libyaml, keeping where every key and value came from.

The file is composed into a node tree by libyaml (`yaml.CSafeLoader`), then turned
into plain Python values by a small walker of our own. The node tree is kept, so a
check three files away can still point at the exact line of a value, at no cost
while nothing is wrong. Refused here, each with a diagnostic at the file: a file
over 1 MiB, bytes that are not UTF-8, YAML aliases and anchors (the "billion
laughs"), several documents, an empty file, a top level that is not a mapping,
a key given twice, an explicit tag.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import Diagnostic

MAX_BYTES = 1024 * 1024
# A record is a few levels deep; past this, the file is broken or hostile, and a
# recursive walk would run out of stack.
MAX_DEPTH = 32

_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"
_INT = _TAG + "int"
_FLOAT = _TAG + "float"
_TIMESTAMP = _TAG + "timestamp"
_MAP = _TAG + "map"
_SEQ = _TAG + "seq"
_KNOWN_SCALARS = {_STR, _INT, _FLOAT, _TIMESTAMP, _TAG + "bool", _TAG + "null"}

_RESOLVERS = yaml.CSafeLoader.yaml_implicit_resolvers
# A plain scalar whose first character may make it something other than a string
# (a number, a date, a boolean, null): its tag is worked out when it is read.
_PLAIN = "gasp:plain"


class _Loader(yaml.CSafeLoader):
    """libyaml whose composer asks for as little as possible.

    The composer calls `resolve` for every untagged node, keys included, whose tag
    we never need. Here it only sorts plain scalars that might not be strings from
    the rest; `_to_python` resolves those, once, when it reads a value.
    """

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            return _PLAIN if implicit[0] and value[:1] in _RESOLVERS else _STR
        return _SEQ if kind is SequenceNode else _MAP


def _resolve_plain(value: str) -> str:
    for tag, regexp in _RESOLVERS.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return _STR


_constructor = yaml.constructor.SafeConstructor()
_scalar_constructors = {tag: _constructor.yaml_constructors[tag] for tag in _KNOWN_SCALARS}

# libyaml's messages, as a secretary would want to read them.
_YAML_PROBLEMS = {
    "mapping values are not allowed": (
        "deux-points inattendu : une valeur qui contient « : » doit être entre guillemets"
    ),
    "could not find expected ':'": "« : » attendu après la clé (ou guillemet non fermé)",
    "did not find expected key": "indentation incohérente : une clé était attendue ici",
    "did not find expected '-' indicator": "indentation incohérente : un élément de liste « - » était attendu",
    "found unexpected end of stream": "fin de fichier inattendue : un guillemet ou un crochet n'est pas fermé",
    "found character that cannot start any token": (
        "caractère inattendu (une tabulation ? indentez avec des espaces)"
    ),
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
    node: Node | None = None
    data: Any = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, line: int, column: int, code: str, message: str, severity: str = "error") -> None:
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


def read_record_file(path: Path, rel: str) -> SourceFile:
    """Read, check and convert one YAML record file; never raises for bad content."""
    source = SourceFile(rel)
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                size = os.fstat(stream.fileno()).st_size
                source.error(1, 1, "file-too-large",
                             f"fichier trop gros ({size // 1024} Kio) : un enregistrement fait au plus 1 Mio")
                return source
    except OSError as error:
        source.error(1, 1, "unreadable", f"fichier illisible : {error.strerror or error}")
        return source
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        source.error(line, column, "not-utf8",
                     f"le fichier n'est pas en UTF-8 (octet 0x{raw[error.start]:02x}) : "
                     "enregistrez-le en UTF-8")
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
            source.error(line, column, "several-documents",
                         "plusieurs documents YAML dans un fichier (« --- ») : un enregistrement par fichier")
        else:
            source.error(line, column, "yaml-syntax", f"syntaxe YAML : {_french_problem(error.problem)}")
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
        source.error(line, column, "not-a-mapping",
                     "le fichier doit contenir des clés (« nom: valeur »), pas une liste ni un texte seul")
        return source
    try:
        data = _to_python(node, source)
    except _TooDeep:
        return source
    source.node = node
    source.data = data
    return source


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
            if isinstance(event, yaml.AliasEvent):
                source.error(mark.line + 1, mark.column + 1, "yaml-alias",
                             f"alias YAML « *{event.anchor} » refusé : recopiez la valeur")
                refused = True
            elif getattr(event, "anchor", None):
                source.error(mark.line + 1, mark.column + 1, "yaml-alias",
                             f"ancre YAML « &{event.anchor} » refusée : les ancres et alias ne sont pas admis")
                refused = True
    except yaml.YAMLError:
        return refused  # the syntax error itself is reported by the composer
    return refused


def _to_python(node: Node, source: SourceFile, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        mark = node.start_mark
        source.error(mark.line + 1, mark.column + 1, "too-deep",
                     f"imbrication trop profonde : un enregistrement a au plus {MAX_DEPTH} niveaux")
        raise _TooDeep
    if type(node) is ScalarNode:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _PLAIN:
            tag = node.tag = _resolve_plain(node.value)
            if tag == _STR:
                return node.value
        if tag not in _KNOWN_SCALARS:
            _bad_tag(node, source)
            return node.value
        if tag in (_INT, _FLOAT) and ":" in node.value:
            # YAML 1.1 reads 18:30 as a base-60 number; here it is a time.
            return node.value
        try:
            return _scalar_constructors[tag](_constructor, node)
        except (ValueError, OverflowError, yaml.constructor.ConstructorError):
            return node.value  # e.g. 2001-02-30: the model reports the bad date
    if isinstance(node, SequenceNode):
        if node.tag != _SEQ:
            _bad_tag(node, source)
        return [_to_python(item, source, depth + 1) for item in node.value]
    if node.tag != _MAP:
        _bad_tag(node, source)
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            mark = key_node.start_mark
            source.error(mark.line + 1, mark.column + 1, "bad-key",
                         "une clé doit être un simple mot, pas une liste ni un dictionnaire")
            continue
        key = key_node.value
        if key in mapping:
            mark = key_node.start_mark
            source.error(mark.line + 1, mark.column + 1, "duplicate-key",
                         f"clé « {key} » donnée deux fois dans le même bloc")
        mapping[key] = _to_python(value_node, source, depth + 1)
    return mapping


def _bad_tag(node: Node, source: SourceFile) -> None:
    mark = node.start_mark
    source.error(mark.line + 1, mark.column + 1, "yaml-tag",
                 f"étiquette YAML « {node.tag} » refusée : écrivez la valeur sans étiquette")


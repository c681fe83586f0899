"""Which field names which record: one table, read off the models' id types.

A field typed `PersonId`, `list[ThemeId]`, `PersonOrServiceId`… (`models.Names`) names records
of those kinds. `gasp validate` checks every such id (`checks.check_references`) and `gasp rename`
follows every one of them (`renaming`), both from this table: a new field that names a record
is declared once, by its type.
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass

from pydantic import BaseModel

from .models import KINDS, Gasp, Names

Path = tuple[str, ...]  # keys from the top of a record; "*" for every item of a list


@dataclass(frozen=True, slots=True)
class Reference:
    source: str  # the folder of the records that hold the id ("gasp" for gasp.yaml)
    path: Path
    targets: tuple[str, ...]  # the kinds it may name ("places": the places of gasp.yaml)
    checked: bool


@functools.cache
def references() -> tuple[Reference, ...]:
    """Every field of every record kind that names a record, in the models' order."""
    found: list[Reference] = []
    models: dict[str, type[BaseModel]] = {"gasp": Gasp, **KINDS}
    for source, model in models.items():
        for path, names in _named(model, ()):
            found.append(Reference(source, path, names.kinds, names.checked))
    return tuple(found)


def checked_by_source() -> dict[str, list[tuple[Path, tuple[str, ...]]]]:
    """For `gasp validate`: record folder → (path, kinds it may name) of every checked id."""
    table: dict[str, list[tuple[Path, tuple[str, ...]]]] = {}
    for reference in references():
        if reference.checked:
            table.setdefault(reference.source, []).append((reference.path, reference.targets))
    return table


def by_target() -> dict[str, dict[str, list[Path]]]:
    """For `gasp rename`: kind of the renamed record → folder → paths where its id is written."""
    table: dict[str, dict[str, list[Path]]] = {}
    for reference in references():
        for target in reference.targets:
            table.setdefault(target, {}).setdefault(reference.source, []).append(reference.path)
    return table


def _named(model: type[BaseModel], path: Path) -> list[tuple[Path, Names]]:
    found: list[tuple[Path, Names]] = []
    for name, field in model.model_fields.items():
        found += _in_type(field.annotation, tuple(field.metadata), (*path, name))
    return found


def _in_type(annotation: object, metadata: tuple[object, ...], path: Path) -> list[tuple[Path, Names]]:
    names = [item for item in metadata if isinstance(item, Names)]
    if names:
        return [(path, names[0])]
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _in_type(arguments[0], tuple(arguments[1:]), path)
    if origin in (typing.Union, types.UnionType):
        found: list[tuple[Path, Names]] = []
        for argument in arguments:
            found += [item for item in _in_type(argument, (), path) if item not in found]
        return found
    if origin is list:
        return _in_type(arguments[0], (), (*path, "*"))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _named(annotation, path)
    return []  # a plain value; `places` is a dict of definitions, not of references

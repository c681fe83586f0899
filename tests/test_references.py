"""One table of references, read off the models: `gasp validate` and `gasp rename` share it."""

from __future__ import annotations

import re

from gasp_cli import checks, renaming
from gasp_cli.models import KINDS, Gasp
from gasp_cli.references import by_target, checked_by_source, references

# A field whose name says it names a record: it must be typed as an id of that kind.
NAMING = re.compile(r"person|group|^themes?$|^service|^proposal$|^places?$|^meeting$")


def _fields(model, path=()):
    from pydantic import BaseModel

    for name, field in model.model_fields.items():
        yield (*path, name), field
        for argument in _nested(field.annotation):
            if isinstance(argument, type) and issubclass(argument, BaseModel):
                yield from _fields(argument, (*path, name, "*"))


def _nested(annotation):
    import typing

    stack = [annotation]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(typing.get_args(current))


def test_every_field_named_like_a_reference_is_in_the_table():
    table = {(r.source, tuple(p for p in r.path if p != "*")) for r in references()}
    missing = []
    for source, model in {"gasp": Gasp, **KINDS}.items():
        for path, _ in _fields(model):
            bare = tuple(p for p in path if p != "*")
            if NAMING.search(path[-1]) and (source, bare) not in table:
                missing.append(f"{source}: {'.'.join(bare)}")
    # The one definition, not reference: the places of gasp.yaml (its keys are the places' ids).
    expected = {"gasp: places"}
    assert set(missing) == expected, sorted(set(missing) - expected)


def test_validate_and_rename_read_the_same_table():
    assert checked_by_source() == checks.REFERENCES
    assert by_target() == renaming.REFERENCES
    checked = {(source, path) for source, entries in checks.REFERENCES.items() for path, _ in entries}
    followed = {
        (source, path)
        for folders in renaming.REFERENCES.values()
        for source, paths in folders.items()
        for path in paths
    }
    # Every id validate checks, rename follows; rename also follows a service named among guests.
    assert checked <= followed
    assert followed - checked == {("meetings", ("guests", "*"))}


def test_the_table_has_every_reference_the_contract_lists():
    table = {(r.source, r.path): r.targets for r in references()}
    assert table[("meetings", ("attendees", "*"))] == ("people",)
    assert table[("meetings", ("actions", "*", "who"))] == ("people", "services")
    assert table[("meetings", ("decisions", "*", "proposal"))] == ("proposals",)
    assert table[("groups", ("cadence", "place"))] == ("places",)
    assert table[("observations", ("meeting",))] == ("meetings",)
    assert table[("proposals", ("services", "*"))] == ("services",)
    assert table[("gasp", ("secretary",))] == ("people",)
    assert len(table) == 21

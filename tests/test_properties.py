"""Random damage to the example never makes gasp validate crash: exit 0 or 1, never a traceback."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, gasp

FILES = sorted(p.relative_to(EXAMPLE).as_posix() for p in EXAMPLE.rglob("*.yaml"))

ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5000),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.sampled_from(["2001-02-30", "25:99", "Bad Id", "", "&a", "*a", "monthly", "habitant-1"]),
)


def _paths(value, prefix=()):
    """Every (path) to a value inside nested dicts and lists."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _mutate(text: str, data, how: str, choice: int, odd) -> str | bytes:
    if how == "cut":
        return text[: choice % (len(text) + 1)]
    if how == "bytes":
        raw = text.encode("utf-8")
        at = choice % (len(raw) + 1)
        return raw[:at] + b"\xff\xfe\x00: [" + raw[at:]
    paths = [p for p in _paths(data) if p]
    if not paths:
        return text
    path = paths[choice % len(paths)]
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if how == "drop":
        del parent[path[-1]]
    elif how == "retype":
        parent[path[-1]] = odd
    elif how == "garble-id" and isinstance(parent[path[-1]], str):
        parent[path[-1]] = parent[path[-1]][::-1] + "x"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mutations=st.lists(
        st.tuples(
            st.sampled_from(FILES),
            st.sampled_from(["drop", "retype", "garble-id", "cut", "bytes", "rename"]),
            st.integers(0, 10_000),
            ODD_VALUES,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_random_damage_never_crashes(mutations):
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder)
        shutil.copytree(EXAMPLE, workspace / "records")
        for relative, how, choice, odd in mutations:
            path = workspace / "records" / relative
            if not path.exists():
                continue
            if how == "rename" and relative != "gasp.yaml":
                path.rename(path.with_name(f"Renommé {choice}.yaml"))
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            data = None
            if how not in ("cut", "bytes"):
                try:
                    data = yaml.safe_load(text)
                except yaml.YAMLError:
                    continue  # already broken by an earlier mutation
            damaged = _mutate(text, data, how, choice, odd)
            if isinstance(damaged, bytes):
                path.write_bytes(damaged)
            else:
                path.write_text(damaged, encoding="utf-8")
        for args in (("validate",), ("validate", "--format", "json")):
            result = gasp(*args, workspace=workspace)
            assert result.exit_code in (0, 1), (mutations, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), (mutations, result.exception)
            assert "Traceback" not in result.output

"""Property: no environment and no option value reaches the last-resort handler (issue 11).

Every command runs with random GASP_TODAY, SOURCE_DATE_EPOCH, NO_COLOR, COLUMNS,
PYTHONIOENCODING and GASP_RECORDS, and random dates, years, ids and formats: it ends
with 0, 1 or 2, never with « erreur interne » nor an exception. The budget keeps the
regular suite quick; `HYPOTHESIS_PROFILE=long` runs ten times more.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, gasp

EXAMPLES = 60 if os.environ.get("HYPOTHESIS_PROFILE") != "long" else 400

DATES = st.one_of(
    st.sampled_from(
        [
            "0001-01-01",
            "1899-12-31",
            "1900-01-01",
            "2001-02-28",
            "2002-06-30",
            "2200-12-31",
            "2201-01-01",
            "9999-12-31",
            "2001-02-30",
            "2001-13-01",
            "",
            " ",
            "demain",
            "2001-1-1",
            "20010101",
            "-2001-01-01",
            "2001-01-01T10:00",
        ]
    ),
    st.dates().map(str),
)
YEARS = st.one_of(
    st.sampled_from(["1899", "1900", "2001", "2200", "2201", "0", "-1", "99999999999999999999", "deux", "", "2001.5"]),
    st.integers(-(10**6), 10**6).map(str),
)
IDS = st.sampled_from(
    [
        "agents",
        "usagers",
        "agent",
        "../x",
        "",
        "-",
        "--help",
        "é",
        "2000-09-12-agents",
        "2001-01-01-agents",
        "a" * 300,
        "x\x1b[31m",
    ]
)
TEXTS = st.one_of(
    st.sampled_from(
        [
            "Accueil",
            "",
            " ",
            "-x",
            "é" * 200,
            "a\nb",
            "a\rb",
            "\x1b[31m",
            "{{ 7*7 }}",
            "[bold]",
            "x: y",
            "'\"",
            "#",
            "../../x",
        ]
    ),
    st.text(max_size=20),
)
FORMATS = st.sampled_from(["text", "table", "json", "md", "html", "ics", "mermaid", "pdf", "xml", "", "md,html"])

ENVIRONMENT = st.fixed_dictionaries(
    {},
    optional={
        "GASP_TODAY": DATES,
        "SOURCE_DATE_EPOCH": st.one_of(
            st.sampled_from(["0", "-1", "1e9", "", "99999999999999", "7258118399", "7258118400", "abc", "١٢٣"]),
            st.integers(0, 10**15).map(str),
        ),
        "NO_COLOR": st.sampled_from(["", "1", "0"]),
        "COLUMNS": st.sampled_from(["0", "1", "20", "-5", "abc", "100000", ""]),
        # Read by Python when a process starts: here it only rides along; a real process with
        # PYTHONIOENCODING=ascii is test_cli_edges.test_an_ascii_only_output_does_not_crash.
        "PYTHONIOENCODING": st.sampled_from(["ascii", "latin-1", "utf-8"]),
        "GASP_RECORDS": st.sampled_from(["~nouser/x", "/nonexistent", "~", "records"]),
    },
)


def _commands(workspace: str) -> st.SearchStrategy[list[str]]:
    records = st.sampled_from([[], ["--records", workspace], ["--records", "~nouser/x"], ["--records", ""]])
    command = st.one_of(
        st.tuples(
            st.just(["calendar"]),
            st.lists(
                st.one_of(
                    st.tuples(st.just("--year"), YEARS),
                    st.tuples(st.sampled_from(["--from", "--to"]), DATES),
                    st.tuples(st.just("--group"), IDS),
                    st.tuples(st.just("--format"), FORMATS),
                ),
                max_size=3,
            ),
        ),
        st.tuples(
            st.just(["report"]),
            st.lists(
                st.one_of(st.tuples(st.just("--year"), YEARS), st.tuples(st.just("--format"), FORMATS)), max_size=2
            ),
        ),
        st.tuples(st.just(["validate"]), st.lists(st.tuples(st.just("--format"), FORMATS), max_size=1)),
        st.tuples(
            st.just(["trace", "proposal"]),
            st.lists(
                st.one_of(
                    st.tuples(st.just("--format"), FORMATS),
                    st.tuples(st.sampled_from(["--group", "--theme", "--status"]), IDS),
                ),
                max_size=2,
            ),
        ),
        st.tuples(
            st.just(["new", "meeting"]),
            st.lists(st.one_of(st.tuples(st.just("--date"), DATES), st.tuples(st.just("--group"), IDS)), max_size=2),
        ),
        st.tuples(
            st.just(["render", "--only", "calendrier"]),
            st.lists(st.one_of(st.tuples(st.just("--format"), FORMATS)), max_size=1),
        ),
        st.tuples(
            st.just(["new", "theme"]),
            st.lists(st.tuples(st.sampled_from(["--title", "--description"]), TEXTS), max_size=2),
        ),
        st.tuples(
            st.just(["new", "proposal"]),
            st.lists(
                st.one_of(
                    st.tuples(st.sampled_from(["--title", "--summary"]), TEXTS), st.tuples(st.just("--theme"), IDS)
                ),
                max_size=3,
            ),
        ),
        st.tuples(
            st.just(["new", "person"]),
            st.lists(
                st.one_of(
                    st.tuples(st.sampled_from(["--name", "--role"]), TEXTS),
                    st.tuples(st.just("--kind"), st.sampled_from(["agent", "resident", "elu", ""])),
                    st.tuples(st.just("--service"), IDS),
                ),
                max_size=3,
            ),
        ),
        st.tuples(
            st.just(["new", "service"]),
            st.lists(st.tuples(st.sampled_from(["--name", "--institution", "--category"]), TEXTS), max_size=3),
        ),
        st.tuples(st.just(["schema", "--out", str(Path(workspace) / "schemas-hors")]), st.just([])),
        st.tuples(
            st.sampled_from([["init", str(Path(workspace) / "nouveau")], ["init"]]),
            st.lists(st.one_of(st.tuples(st.sampled_from(["--name", "--commune"]), TEXTS)), max_size=2),
        ),
    )
    return st.tuples(records, command).map(
        lambda pair: [*pair[0], *pair[1][0], *(part for option in pair[1][1] for part in option)]
    )


# Made at collection (the strategies name it), by every process that collects this module: removed
# when that process ends, not left behind in the temporary folder at each run.
_WORKSPACE = tempfile.mkdtemp(prefix="gasp-env-")
atexit.register(shutil.rmtree, _WORKSPACE, ignore_errors=True)
shutil.copytree(EXAMPLE, Path(_WORKSPACE) / "records")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(environment=ENVIRONMENT, args=_commands(_WORKSPACE))
def test_no_environment_nor_option_reaches_the_last_resort_handler(environment, args):
    if "pdf" in args:  # Typst is slow; the PDF path is covered by test_render
        args = [part if part != "pdf" else "md" for part in args]
    # From inside the copy, so that the current folder and GASP_RECORDS=records find it,
    # never the repository's own records.
    before = os.getcwd()
    os.chdir(_WORKSPACE)
    try:
        result = gasp(*args, env=environment)
    finally:
        os.chdir(before)
    assert result.exit_code in (0, 1, 2), (args, environment, result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        environment,
        repr(result.exception),
    )
    assert "erreur interne" not in result.output and "Traceback" not in result.output, result.output
    if result.exit_code == 2:
        assert "gasp" in result.stderr, (args, environment, result.output)
    # What `new` and `init` wrote is removed, so that each example starts from the same records.
    for path in sorted((Path(_WORKSPACE) / "records").rglob("*"), reverse=True):
        if not (EXAMPLE / path.relative_to(Path(_WORKSPACE) / "records")).exists():
            path.unlink() if path.is_file() else path.rmdir()
    for extra in ("out", "schemas-hors", "nouveau", "schemas", "templates", ".vscode"):
        shutil.rmtree(Path(_WORKSPACE) / extra, ignore_errors=True)

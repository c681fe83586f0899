"""A process that compiles Typst sources into PDF, one after another, for `gasp render`.

It imports Typst and nothing of gasp (about 25 MB instead of 60), so that a large render's
processes stay small. The parent writes a request to its standard input and reads the
answer on its standard output, until it closes the input:

    request:  {"length": N, "timestamp": T, "standards": [...]}\\n, then N bytes of source (UTF-8)
    answer:   {"ok": true|false, "length": N, "resident": KB}\\n, then N bytes: the PDF, or Typst's message

`resident` is the process's memory after the compilation: the parent replaces a process that
grew past its budget (Typst keeps what it laid out for its last ten compilations).
"""

from __future__ import annotations

import json
import sys
from typing import BinaryIO


def resident_kilobytes() -> int:
    """This process's resident memory now, in kilobytes (0 where it cannot be known).

    Not ru_maxrss: on Linux, a process started from a large one inherits its high-water mark.
    """
    try:
        with open("/proc/self/statm", "rb") as statm:
            import os

            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # Windows: no measure, no replacement
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, kilobytes on Linux


_ROOT: list[str] = []


def typst_root() -> str:
    """The only folder Typst may read: an empty one of this process's own, removed at exit.

    Typst reads files relative to its root (`#read`, `#image`, `#include`); by default the
    current folder, where a symlink planted in a workspace could lead anywhere. gasp gives
    Typst every value in the source itself, so Typst needs no file at all: a template
    that reads one gets Typst's « file not found ».
    """
    if not _ROOT:
        import atexit
        import shutil
        import tempfile

        folder = tempfile.mkdtemp(prefix="gasp-typst-")
        atexit.register(shutil.rmtree, folder, True)
        _ROOT.append(folder)
    return _ROOT[0]


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    import typst

    # One compiler for every source: it loads the fonts once (a fifth faster than `typst.compile`
    # for a compte rendu), and gives the same bytes; its caches are those of `typst.compile`.
    compiler = typst.Compiler(ignore_system_fonts=True)
    while header := requests.readline():
        request = json.loads(header)
        source = requests.read(request["length"])
        try:
            output = compiler.compile(
                input=source, pdf_standards=request["standards"], timestamp=request["timestamp"], root=typst_root()
            )
            # One PDF is one bytes object (a list is for pages as images, None for a file written).
            payload, ok = (output, True) if isinstance(output, bytes) else ("Typst n’a rendu aucun PDF".encode(), False)
        except typst.TypstError as error:
            payload, ok = str(error).encode("utf-8"), False
        answers.write(json.dumps({"ok": ok, "length": len(payload), "resident": resident_kilobytes()}).encode() + b"\n")
        answers.write(payload)
        answers.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)

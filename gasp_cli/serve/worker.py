"""`gasp serve`'s render worker: a child process that keeps gasp imported and runs `gasp render`
in itself, once per request, through the console script's own entry point.

A new `gasp render` process for every save cost 0.6 to 1 s on the embedded example, most of it
before the first record was read (the interpreter, gasp's and its libraries' imports, the
fingerprint of gasp's own code); here that is paid once, and a render after a save costs what
the render itself does. It is the same command, its options, its lock, its manifest, its
« written whole or not at all », its bytes; only the process lives on. A separate process, not a
thread of the server: a render that crashes (or is killed) does not take the server with it, it
runs on the other core while the server answers, and Ctrl-C interrupts it as it interrupts
`gasp render` (the writer holds signals, which only a process's main thread can do).

Protocol, one JSON line each way: the server writes the arguments of a `gasp` command line
(`["--records", ROOT, "render", "--format", "md,html"]`); the worker answers with the exit code,
what the command printed on stdout and stderr, when it started and ended (seconds since the
epoch, for the stages `benchmarks/serve.py` reports), the processor time it took and its
resident memory (the server replaces a worker grown past its budget). End of input (the
server stopping, or gone): the worker ends.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import sys
import time
from typing import Any, TextIO


def run(arguments: list[str]) -> dict[str, Any]:
    """One `gasp` command line, in this process, as the console script runs it."""
    from .. import output
    from ..cli import main

    output.WRITTEN.clear()  # what « rien n'a été écrit » / « … a été écrit » speaks of: this command's
    printed, said = io.StringIO(), io.StringIO()
    started, processor = time.time(), time.process_time()
    code: int = 0
    saved = sys.argv
    sys.argv = ["gasp", *arguments]
    gc.disable()  # as the console script: no collection in the middle of a render (one after it)
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(said):
            main()
    except SystemExit as ended:
        code = ended.code if isinstance(ended.code, int) else (0 if ended.code is None else 1)
    finally:
        sys.argv = saved
        gc.enable()
    return {
        "code": code,
        "stdout": printed.getvalue(),
        "stderr": said.getvalue(),
        "started": started,
        "ended": time.time(),
        "processor": time.process_time() - processor,
        "resident": resident(),
    }


def resident() -> int:
    """This process's resident memory, in kilobytes (its peak where the system does not say)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak // 1024 if sys.platform == "darwin" else peak  # bytes there, kilobytes elsewhere


def serve(requests: TextIO, answers: TextIO) -> None:
    """Answer each request line until the end of input."""
    for line in requests:
        if not line.strip():
            continue
        answers.write(json.dumps(run(json.loads(line))) + "\n")
        answers.flush()
        gc.collect()  # after the answer: the page reloads while the last render's leftovers go


def worker() -> None:
    """The process: answers on a copy of its stdout, whose descriptor then goes to /dev/null, so
    that nothing else (a library, a child process that inherits it) can write into the answers."""
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    with open(os.devnull, "wb") as nothing:
        os.dup2(nothing.fileno(), 1)
    # gasp's modules imported before the first request, while the server starts.
    from ..cli import main  # noqa: F401
    from ..render import documents, writer  # noqa: F401

    try:
        serve(sys.stdin, answers)
    except KeyboardInterrupt:  # Ctrl-C between two renders (a render's own is handled by `main`)
        sys.exit(130)
    except BrokenPipeError:  # the server is gone
        sys.exit(0)


if __name__ == "__main__":
    worker()

"""Named points where a test stops gasp on purpose, to check what an interruption leaves.

`GASP_KILL_AT=POINT[:N][:SIGNAL]` makes gasp send itself SIGNAL (SIGKILL by default; SIGINT,
SIGTERM…) the N-th time (1 by default; `*`: every time) it reaches POINT. SIGNAL `PAUSE`
instead writes the process's pid into the file `GASP_KILL_MARK` names and waits there until
killed: the test then signals whichever process it means (a network run's parent while one
of its workers holds a site's copy, say). Unset, `reached` only reads a
variable: the points cost nothing to a user. The tests that kill a process use them, so
that they kill it at the moment they mean to test, never by a timer that a loaded machine
makes miss it.
"""

from __future__ import annotations

import os
import signal

_counts: dict[str, int] = {}


def reached(point: str) -> None:
    spec = os.environ.get("GASP_KILL_AT")
    if not spec:
        return
    name, _, rest = spec.partition(":")
    if name != point:
        return
    count, _, signal_name = rest.partition(":")
    _counts[point] = _counts.get(point, 0) + 1
    if count != "*" and _counts[point] != (int(count) if count.isdigit() else 1):
        return
    if signal_name == "PAUSE":
        import time

        with open(os.environ["GASP_KILL_MARK"], "w", encoding="utf-8") as mark:
            mark.write(str(os.getpid()))
        while True:
            time.sleep(0.05)
    os.kill(os.getpid(), getattr(signal, signal_name or "SIGKILL", signal.SIGKILL))

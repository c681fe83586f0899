"""Named points where a test stops gasp on purpose, to check what an interruption leaves.

`GASP_KILL_AT=POINT[:N][:SIGNAL]` makes gasp send itself SIGNAL (SIGKILL by default; SIGINT,
SIGTERM…) the N-th time (1 by default) it reaches POINT. Unset, `reached` only reads a
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
    if _counts[point] != (int(count) if count.isdigit() else 1):
        return
    os.kill(os.getpid(), getattr(signal, signal_name or "SIGKILL", signal.SIGKILL))

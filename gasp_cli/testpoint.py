"""A test-only hook to stop gasp at a named point: inert unless `GASP_TEST_POINT` is set.

Tests of interrupted runs must deliver their signal at a chosen moment, not at a random
time that may never reach the moment they test. `GASP_TEST_POINT` names a point and
what happens when gasp reaches it:

- `POINT:SIGNAL` (`INT`, `TERM` or `KILL`): the process sends itself that signal there;
- `POINT:pause:FILE`: the process writes its pid into FILE and waits there until it is
  killed (the test then signals whichever process it chooses).

`POINT` may end with `#N`: only the N-th arrival (from 1) counts. Points are plain
`reached("name")` calls in the code; without the variable they cost one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
import time

_ARRIVALS: dict[str, int] = {}


def reached(point: str) -> None:
    setting = os.environ.get("GASP_TEST_POINT")
    if not setting:
        return
    wanted, _, action = setting.partition(":")
    name, _, nth = wanted.partition("#")
    if name != point:
        return
    _ARRIVALS[point] = _ARRIVALS.get(point, 0) + 1
    if nth and str(_ARRIVALS[point]) != nth:
        return
    kind, _, marker = action.partition(":")
    if kind == "pause" and marker:
        with open(marker, "w", encoding="utf-8") as stream:
            stream.write(str(os.getpid()))
        while True:
            time.sleep(0.05)
    if kind in ("INT", "TERM", "KILL"):
        os.kill(os.getpid(), getattr(signal, f"SIG{kind}"))

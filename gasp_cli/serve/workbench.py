"""The state of `gasp serve`: the last check of the records, the last render, and who waits for news.

On every change under records/ or templates/, the workspace is checked (in this process: the
diagnostics are values the pages show) and, when it has no error, rendered into out/ by
`gasp render` itself, run in a long-lived child process that keeps gasp imported
(`serve/worker.py`): the same incremental render, the same files, without a new interpreter
and its imports for every save; and a render that fails, crashes or is killed never takes the
server with it (the next change starts a new worker). Each check or render that changes what a
page shows moves `generation` on; the open pages, told through server-sent events, reload.
`stages` keeps when each step of the last refresh began and ended, for the benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..diagnostics import Diagnostic
    from ..loader import Records
    from ..workspace import Workspace

DEFAULT_EDITOR = "vscode://file/{path}:{line}:{column}"
# A worker whose resident memory passed this (kilobytes) after a render is replaced by a new one,
# started at once: Python rarely gives memory back, and a server may run for days. On the
# example a worker holds 135 MB after rendering everything with the PDFs, and grows by a
# fraction of a megabyte per render.
WORKER_BUDGET = 400 * 1024


@dataclass
class Workbench:
    workspace: Workspace
    formats: str = "md,html,pdf"  # what `gasp render` makes
    editor: str = DEFAULT_EDITOR
    read_only: bool = False
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    generation: int = 0
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    render_problem: str | None = None  # what `gasp render` said when it failed
    last_render: str = ""  # its last line: « 3 fichiers mis à jour… »
    last_seconds: float = 0.0
    # When the steps of the last refresh happened (seconds since the epoch), and the render's
    # processor time: « changed » (the watcher's news), « checked_from/to », « rendered_from/to »,
    # « announced » (the pages told), « render_processor ».
    stages: dict[str, float] = field(default_factory=dict)
    records: Records | None = None
    stopping: bool = False  # set once, on Ctrl-C: the event streams end, no render starts
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _news: asyncio.Condition | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _worker: subprocess.Popen[str] | None = None
    _rendering: bool = False

    @property
    def out(self) -> Path:
        return self.workspace.out

    @property
    def worker_pid(self) -> int | None:
        """The render worker's process, while it runs."""
        worker = self._worker
        return worker.pid if worker is not None and worker.poll() is None else None

    def today(self) -> datetime.date:
        from ..checks import today_for
        from ..cli.common import now

        day = now()
        return today_for(self.records, day) if self.records is not None else day

    def refresh(self, changed: float | None = None) -> None:
        """Check the records, and render them when they have no error. Runs in a worker thread;
        `changed`: when the watcher saw the change (seconds since the epoch)."""
        from ..checks import check_workspace
        from ..cli.common import now

        with self._lock:
            started = time.monotonic()
            stages = {"changed": changed} if changed is not None else {}
            stages["checked_from"] = time.time()
            records, diagnostics = check_workspace(self.workspace, now())
            stages["checked_to"] = time.time()
            self.records = records
            self.errors = [d for d in diagnostics if d.severity == "error"]
            self.warnings = [d for d in diagnostics if d.severity == "warning"]
            if not self.errors and not self.stopping:
                stages.update(self._render())
            self.stages = stages
            self.last_seconds = time.monotonic() - started
            self.generation += 1

    def start_worker(self) -> subprocess.Popen[str]:
        """The render worker, started when there is none (or the last one ended)."""
        worker = self._worker
        if worker is None or worker.poll() is not None:
            worker = subprocess.Popen(
                [sys.executable, "-m", "gasp_cli.serve.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                env={**os.environ, "NO_COLOR": "1"},
                # Its own process group: Ctrl-C in the terminal reaches the server, which passes one
                # SIGINT on (`stop`); a second one, from the terminal, could cut the render's clean-up.
                process_group=0,
            )
            self._worker = worker
        return worker

    def _render(self) -> dict[str, float]:
        """`gasp render --format FORMATS` in the worker; the times it reports."""
        worker = self.start_worker()
        assert worker.stdin is not None and worker.stdout is not None
        arguments = ["--records", str(self.workspace.root), "render", "--format", self.formats]
        self._rendering = True
        try:
            worker.stdin.write(json.dumps(arguments) + "\n")
            worker.stdin.flush()
            line = worker.stdout.readline()
        except (BrokenPipeError, ValueError):  # it had ended (ValueError: its pipe closed by close())
            line = ""
        finally:
            self._rendering = False
        if not line:
            code = worker.wait()
            self.render_problem = f"le rendu s’est arrêté en cours de route (code {code}) : il sera relancé"
            return {}
        answer = json.loads(line)
        lines = [text for text in answer["stdout"].splitlines() if text.strip()]
        self.last_render = lines[-1] if lines else ""
        code = answer["code"]
        self.render_problem = None if code == 0 else (answer["stderr"].strip() or f"code {code}")
        if answer["resident"] > WORKER_BUDGET:
            self._replace_worker(worker)
        return {
            "rendered_from": answer["started"],
            "rendered_to": answer["ended"],
            "render_processor": answer["processor"],
        }

    def _replace_worker(self, worker: subprocess.Popen[str]) -> None:
        """The worker, told that no request will come, ends by itself (reaped by the next
        `subprocess` call); a new one starts importing gasp now, not at the next save."""
        assert worker.stdin is not None
        with contextlib.suppress(OSError):
            worker.stdin.close()
        self._worker = None
        self.start_worker()

    def stop(self) -> None:
        """On Ctrl-C (from the signal handler): the event streams end, and a render under way is
        interrupted as Ctrl-C would interrupt `gasp render` (out/ left old or new, never half)."""
        self.stopping = True
        worker = self._worker
        if worker is not None and self._rendering and worker.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                worker.send_signal(signal.SIGINT)
        loop = self._loop
        if loop is not None and self._news is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(lambda: loop.create_task(self.announce()))

    def close(self, timeout: float = 30) -> None:
        """Tell the worker that no request will come, and wait for it to end (an interrupted render
        having left out/ whole); kill it past `timeout`."""
        worker = self._worker
        if worker is None:
            return
        with contextlib.suppress(OSError, ValueError):
            if worker.stdin is not None:
                worker.stdin.close()
        try:
            worker.wait(timeout)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    # --- news for the open pages --------------------------------------------------------------

    def attach(self) -> None:
        """Called in the server's event loop, once: the condition pages wait on."""
        self._news = asyncio.Condition()
        self._loop = asyncio.get_running_loop()

    async def announce(self) -> None:
        """Wake the open pages' event streams (a new generation, or the server stopping)."""
        if self._news is None:
            return
        async with self._news:
            self.stages["announced"] = time.time()
            self._news.notify_all()

    async def wait_past(self, seen: int, timeout: float) -> int:
        """The generation once it differs from `seen`, or `seen` after `timeout` seconds."""
        if self._news is None or self.generation != seen:
            return self.generation
        async with self._news:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._news.wait_for(lambda: self.generation != seen or self.stopping), timeout)
        return self.generation

    def editor_link(self, diagnostic: Diagnostic) -> str:
        path = (self.workspace.root / diagnostic.file).resolve()
        return self.editor.format(path=path.as_posix(), line=diagnostic.line, column=diagnostic.column)

    def quoted_lines(self, diagnostic: Diagnostic, around: int = 2) -> list[tuple[int, str, bool]]:
        """The lines around a problem: (number, text, is it the problem's line)."""
        path = self.workspace.root / diagnostic.file
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []
        first = max(1, diagnostic.line - around)
        last = min(len(lines), diagnostic.line + around)
        return [(number, lines[number - 1], number == diagnostic.line) for number in range(first, last + 1)]

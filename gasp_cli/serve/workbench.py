"""The state of `gasp serve`: the last check of the records, the last render, and who waits for news.

On every change under records/ or templates/, the workspace is checked (in this process: the
diagnostics are values the pages show) and, when it has no error, rendered into out/ by
`gasp render` itself, in a child process: the same incremental render, the same files, and a
render that fails or is killed never takes the server with it. Each check or render that
changes what a page shows moves `generation` on; the open pages, told through server-sent
events, reload.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
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


@dataclass
class Workbench:
    workspace: Workspace
    formats: str = "md,html"
    editor: str = DEFAULT_EDITOR
    read_only: bool = False
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    generation: int = 0
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    render_problem: str | None = None  # what `gasp render` said when it failed
    last_render: str = ""  # its last line: « 3 fichiers mis à jour… »
    last_seconds: float = 0.0
    records: Records | None = None
    stopping: bool = False  # set once, on Ctrl-C: the event streams end, no render starts
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _news: asyncio.Condition | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _child: subprocess.Popen[str] | None = None

    @property
    def out(self) -> Path:
        return self.workspace.out

    def today(self) -> datetime.date:
        from ..checks import today_for
        from ..cli.common import now

        day = now()
        return today_for(self.records, day) if self.records is not None else day

    def refresh(self) -> None:
        """Check the records, and render them when they have no error. Runs in a worker thread."""
        from ..checks import check_workspace
        from ..cli.common import now

        with self._lock:
            started = time.monotonic()
            records, diagnostics = check_workspace(self.workspace, now())
            self.records = records
            self.errors = [d for d in diagnostics if d.severity == "error"]
            self.warnings = [d for d in diagnostics if d.severity == "warning"]
            if not self.errors and not self.stopping:
                self._render()
            self.last_seconds = time.monotonic() - started
            self.generation += 1

    def _render(self) -> None:
        command = [sys.executable, "-m", "gasp_cli", "--records", str(self.workspace.root)]
        command += ["render", "--format", self.formats]
        child = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        self._child = child
        try:
            stdout, stderr = child.communicate()
        finally:
            self._child = None
        lines = [line for line in stdout.splitlines() if line.strip()]
        self.last_render = lines[-1] if lines else ""
        self.render_problem = None if child.returncode == 0 else (stderr.strip() or f"code {child.returncode}")

    def stop(self) -> None:
        """On Ctrl-C (from the signal handler): the event streams end, and a render under way is
        interrupted as Ctrl-C would interrupt `gasp render` (out/ left old or new, never half)."""
        self.stopping = True
        child = self._child
        if child is not None and child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGINT)
        loop = self._loop
        if loop is not None and self._news is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(lambda: loop.create_task(self.announce()))

    def wait_child(self, timeout: float) -> None:
        """Wait for an interrupted render to have left out/ whole; kill it past `timeout`."""
        child = self._child
        if child is None:
            return
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()

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

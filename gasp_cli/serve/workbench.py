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
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _news: asyncio.Condition | None = None

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
            if not self.errors:
                self._render()
            self.last_seconds = time.monotonic() - started
            self.generation += 1

    def _render(self) -> None:
        command = [sys.executable, "-m", "gasp_cli", "--records", str(self.workspace.root)]
        command += ["render", "--format", self.formats]
        done = subprocess.run(
            command, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, check=False, timeout=1800
        )
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        self.last_render = lines[-1] if lines else ""
        self.render_problem = None if done.returncode == 0 else (done.stderr.strip() or f"code {done.returncode}")

    # --- news for the open pages --------------------------------------------------------------

    def attach(self) -> None:
        """Called in the server's event loop, once: the condition pages wait on."""
        self._news = asyncio.Condition()

    async def announce(self) -> None:
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
                await asyncio.wait_for(self._news.wait_for(lambda: self.generation != seen), timeout)
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

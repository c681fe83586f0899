"""Publish a render into out/, file by file, touching only the files gasp owns.

Ownership. `out/.gasp-manifest.json` lists every file gasp wrote in out/. A render
replaces or removes only those. Anything else in out/ (the user's notes, a symlink, a
hard link to an archive, a folder of `gasp export`) is the user's: never read, replaced,
followed or removed, and out/ is never walked, so a symlink loop in it is harmless. When
a path gasp must write holds something of the user's, the render stops before writing
anything and says which. `--out` refuses a non-empty folder without a manifest.

Removal. An owned file that this render answers for (its kind and format were rendered)
and no longer produces (the compte rendu of a deleted meeting) is removed; index.html
lists only what gasp owns after the render, never names it did not write.

Publication, file by file. The out folder itself is never renamed: it may be a mount
point (rename fails with EBUSY), and swapping whole folders copied the user's files
(symlinks became files, hard links split). Instead:
1. as the render makes them (`Session.add`: no render holds every document in memory),
   every new or changed file is written beside its target (`.<name>.gasp-<pid>-<hex>`,
   with the user's umask), in the target's own folder, so that its rename never crosses a
   file system (not fsynced one by one: that tripled the time during which a killed
   render leaves temporary files, and out/ is rebuilt from the records anyway);
2. then, with SIGINT, SIGTERM and SIGHUP held back, the manifest is replaced by one that
   lists both the old and the new files (so that whatever happens next, the next render
   knows every file that may be gasp's; when the render only replaces files the manifest
   lists and removes none, that manifest says as much already, and its signatures make the
   next render check each replaced file: it stays), each temporary file is renamed over its target
   (`os.replace`: atomic for each file), stale files are removed, and the final manifest
   replaces the first.
A failure or an interruption during 1 removes the temporary files: out/ keeps every old
document as it was. Step 2 is renames only (the whole publication of the example takes 13 ms): only a
SIGKILL or a power cut inside it leaves some documents old and some new, each one whole,
and the next render completes the work. A render killed during 1 leaves hidden temporary
files, which the next render removes. A lock file beside out/ (or, when the parent
cannot be written, on out/ itself) makes two renders take their turns.

The promise, as tests/test_hardening.py checks it at every point of the publication
(`killpoints`): after SIGINT or SIGTERM, out/ is the old render or the new one; after SIGKILL,
every file is whole (its old or its new bytes) and the next render yields exactly the new out/.
Old-or-new at every point under SIGKILL too would need one rename for the whole render: of the
folder (which a mount point refuses) or of a symbolic link in its place (which changes what out/
is for the user). Neither is worth it for a folder that the records make again.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import time
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .. import killpoints
from ..output import OutputError, check_outside_records, system_reason, write_beside

MANIFEST = ".gasp-manifest.json"
_TEMPORARY = re.compile(r"^\..+\.gasp-\d+-[0-9a-f]{8}$")
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


class Publication(NamedTuple):
    written: int  # files created or replaced (index.html and the manifest included)
    removed: list[str]  # gasp's files that the render no longer produces
    updated: list[str] = []  # noqa: RUF012 -- a NamedTuple's default, never changed: the files created or replaced, the manifest left out


# What gasp wrote at a path: its size and the SHA-256 of its bytes (hex). Size CHANGED: the file
# was changed since gasp wrote it, and is made again by the next render that answers for it.
Signature = tuple[int, str]
CHANGED = -1


@dataclass
class Narrowing:
    """What lets the next render remake only the documents of the meetings whose discussion alone
    changed (render/documents.py, `_produce_narrow`), kept in the manifest with the render's key:
    the render's key with every meeting's file read but its discussion (render/inputs.py
    `outline_fingerprint`), the digest of each meeting's whole file that has a discussion, and the
    pages of each section of the site's search index (documents/site.py: a section is indexed again
    from all its pages). Computed from the records and the request alone: the same records, the same bytes."""

    key: str = ""
    discussions: dict[str, str] = field(default_factory=dict)  # meeting id → digest (hex) of its file
    sections: dict[str, list[str]] = field(default_factory=dict)  # section → its pages (paths under public/)

    def as_plain(self) -> dict[str, object]:
        return {
            "key": self.key,
            "discussions": dict(sorted(self.discussions.items())),
            "sections": {section: sorted(pages) for section, pages in sorted(self.sections.items())},
        }


def _narrowing_of(data: object) -> Narrowing | None:
    """A manifest's narrowing; None when it has none, or one that does not read as written."""
    if not isinstance(data, dict):
        return None
    key, discussions, sections = data.get("key"), data.get("discussions"), data.get("sections")
    if not (isinstance(key, str) and isinstance(discussions, dict) and isinstance(sections, dict)):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in discussions.items()):
        return None
    if not all(isinstance(k, str) and isinstance(v, list) and all(map(_safe, v)) for k, v in sections.items()):
        return None
    return Narrowing(key, discussions, sections)


@dataclass
class Manifest:
    """What out/.gasp-manifest.json says: the files gasp owns, and the data key of each document's file
    (a hash of the data it was made from: the same key, the same file, which a render need not make again);
    the signature of each file as gasp wrote it; and the input key of the render that wrote the manifest,
    with how many documents it made (render/inputs.py). Same records, same bytes: no time in it.

    A file whose status changed (ctime) after the manifest was written may have been changed by
    someone else: its size and bytes are compared with its signature before it is kept."""

    files: set[str] = field(default_factory=set)
    data_keys: dict[str, str] = field(default_factory=dict)
    lists_files: bool = True  # False for a manifest of gasp 0.1.0, which did not list its files
    signatures: dict[str, Signature] = field(default_factory=dict)  # none in a manifest before version 4
    render_key: str = ""
    documents: int = 0
    input_keys: dict[str, str] = field(default_factory=dict)  # documents that do not depend on the day
    written_at: int = 0  # the manifest's own ctime (ns) when read: not in its bytes
    narrowing: Narrowing | None = None  # with the render's key (render/documents.py `_produce_narrow`)

    def to_bytes(self) -> bytes:
        data: dict[str, object] = {
            "version": 4,
            "files": sorted(self.files),
            "data_keys": dict(sorted(self.data_keys.items())),
            "signatures": {
                path: f"{size} {digest}"
                for path, (size, digest) in sorted(self.signatures.items())
                if path in self.files
            },
        }
        if self.input_keys:
            data["input_keys"] = {path: key for path, key in sorted(self.input_keys.items()) if path in self.files}
        if self.render_key:
            render: dict[str, object] = {"key": self.render_key, "documents": self.documents}
            if self.narrowing is not None:
                render["narrowing"] = self.narrowing.as_plain()
            data["render"] = render
        # One line: json's C encoder (an indented manifest took a second to write at forty years).
        return (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")


# The manifest read last, with the status of its file then: `up_to_date` reads it, and the render
# that follows reads it again under its own lock; unless the file changed between (any write, any
# rename over it changes its ctime), the second read is the first's (at forty years, 4 MB of JSON).
_last_read: list[tuple[tuple[int, ...], Manifest | None]] = []


def read_manifest(out: Path) -> Manifest | None:
    """The manifest of out/, or None when out/ has none (or an unreadable one: nothing is owned)."""
    try:
        with open(out / MANIFEST, "rb") as stream:
            status = os.fstat(stream.fileno())
            seen = (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
            if _last_read and _last_read[0][0] == seen:
                return _last_read.pop()[1]
            written_at = status.st_ctime_ns
            data = json.loads(stream.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    manifest = _manifest_of(data, written_at)
    _last_read[:] = [(seen, manifest)]
    return manifest


def _manifest_of(data: object, written_at: int) -> Manifest | None:
    if not isinstance(data, dict):
        return None
    files = data.get("files")
    if not isinstance(files, list):
        # gasp 0.1.0 listed its PDFs' source hashes, not its files.
        sources = data.get("pdf_sources")
        legacy = {k for k in sources if _safe(k)} if isinstance(sources, dict) else set()
        return Manifest({*legacy, "index.html"}, {}, lists_files=False)
    owned = {p for p in files if _safe(p)}
    keys = data.get("data_keys")
    keys = {k: v for k, v in keys.items() if k in owned and isinstance(v, str)} if isinstance(keys, dict) else {}
    inputs = data.get("input_keys")
    inputs = {k: v for k, v in inputs.items() if k in owned and isinstance(v, str)} if isinstance(inputs, dict) else {}
    render = data.get("render")
    key, documents = (render.get("key"), render.get("documents")) if isinstance(render, dict) else ("", 0)
    narrowing = _narrowing_of(render.get("narrowing")) if isinstance(render, dict) else None
    return Manifest(
        owned,
        keys,
        signatures=_signatures(data.get("signatures"), owned),
        render_key=key if isinstance(key, str) else "",
        documents=documents if isinstance(documents, int) else 0,
        input_keys=inputs,
        written_at=written_at,
        narrowing=narrowing,
    )


def _signatures(listed: object, owned: set[str]) -> dict[str, Signature]:
    """The signatures a manifest lists for the files it owns; one that does not read as written is left out."""
    signatures: dict[str, Signature] = {}
    for path, text in listed.items() if isinstance(listed, dict) else ():
        size, _, digest = text.partition(" ") if isinstance(text, str) else ("", "", "")
        if path in owned and (size.isdigit() or size == "-1") and len(digest) == 64:
            signatures[path] = (int(size), digest)
    return signatures


def as_written(path: str | Path, status: os.stat_result, signature: Signature | None, since: int) -> bool:
    """Whether a file is as gasp wrote it: its status unchanged since the manifest was written
    (`since`, its ctime) and its size the same, or else the same bytes. Without a signature (a
    manifest before version 4), it is taken as it is, as it was then."""
    if signature is None:
        return True
    size, digest = signature
    if status.st_size != size:
        return False
    return status.st_ctime_ns < since or _digest_of(path) == digest


def _digest_of(path: str | Path) -> str | None:
    try:
        with open(path, "rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None


def up_to_date(out: Path, render_key: str) -> int | None:
    """How many documents the last render into `out` made, when it had this input key
    (render/inputs.py) and every file it lists is still as it left it, with no temporary
    file beside them; else None. Only reads: nothing in out/ changes, not even a time.
    """
    target = out.resolve()
    if not target.is_dir() or _state(target, MANIFEST) != "file":
        return None
    with _locked(target):  # a render writing there now is waited for
        manifest = read_manifest(target)
        if manifest is None or not manifest.render_key or manifest.render_key != render_key:
            return None
        by_folder: dict[str, list[str]] = {}
        for path in manifest.files:
            by_folder.setdefault(path.rpartition("/")[0], []).append(path)
        base = f"{target}{os.sep}"
        try:
            for folder, paths in by_folder.items():
                if folder and _state(target, folder) != "folder":
                    return None
                if any(name.startswith(".") and _TEMPORARY.match(name) for name in os.listdir(target / folder)):
                    return None  # left by a killed render: the next render that writes removes them
                for path in paths:
                    signature = manifest.signatures.get(path)
                    status = os.lstat(base + path)
                    # Any write or touch sets a file's ctime to now: not before the manifest's, written
                    # last (and strictly after every file it lists: see _write_files).
                    if (
                        signature is None
                        or not stat.S_ISREG(status.st_mode)
                        or status.st_size != signature[0]
                        or status.st_ctime_ns >= manifest.written_at
                    ):
                        return None
        except OSError:
            return None
        return manifest.documents


# Parts that are not empty and do not start with a dot (so neither `.` nor `..`), no backslash, no NUL.
_SAFE = re.compile(r"[^/.\\\x00][^/\\\x00]*(?:/[^/.\\\x00][^/\\\x00]*)*")


def _safe(relative: object) -> bool:
    """A path under out/ as gasp writes them: relative, no `..`, no hidden part, no backslash."""
    return isinstance(relative, str) and _SAFE.fullmatch(relative) is not None


def check_target(out: Path, workspace_root: Path, records: Path) -> None:
    """Refuse a folder where gasp could lose something that is not its output."""
    try:
        check_outside_records(out, records)
        target = out.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, for pathlib before 3.13
        raise OutputError(f"« {out} » est une boucle de liens symboliques ou ne peut être lu") from None
    if target == workspace_root.resolve() or target in records.resolve().parents:
        raise OutputError(f"« {out} » contient les enregistrements : choisissez un dossier de sortie à part")
    if target.exists() and not target.is_dir():
        raise OutputError(f"« {out} » existe et n'est pas un dossier")
    if target == (workspace_root / "out").resolve():
        return  # the workspace's own out/: gasp's files are told apart by the manifest
    try:
        foreign = target.is_dir() and any(target.iterdir()) and not os.path.lexists(target / MANIFEST)
    except OSError as error:
        raise OutputError(f"impossible de lire « {out} » : {system_reason(error)}") from None
    if foreign:
        raise OutputError(
            f"« {out} » n'est pas vide et ne vient pas de gasp (pas de {MANIFEST}) : "
            "gasp n’écrit que dans un dossier vide, neuf, ou déjà le sien ; choisissez-en un autre"
        )


def publish(
    out: Path,
    files: dict[str, bytes | None],
    index: Callable[[list[str]], bytes] | None,
    answers_for: Callable[[str], bool] = lambda path: False,
) -> Publication:
    """Write `files` (path under out/ → bytes) and a fresh index.html; remove gasp's stale files.

    `answers_for(path)`: whether this render would produce `path` if it were still a
    document; an owned file it answers for and did not produce is removed. Nothing at all
    is written when nothing changed. `files` may hold the documents' data keys under MANIFEST;
    a path mapped to None is unchanged since the last render: kept as it is, if it is still gasp's file.
    `index` None: no index.html (the folder of `gasp export`, whose own manifest it is).
    """
    files = dict(files)
    data_keys = _data_keys(files.pop(MANIFEST, None))
    with Session(out, answers_for) as session:
        for relative, payload in files.items():
            session.add(relative, payload)
        return session.finish(index, data_keys)


class Session:
    """One publication into out/, fed file by file as the render makes them (`add`), so that a
    render never holds every document in memory: each new or changed file is written at once
    beside its target (step 1 above); `finish` writes the index, then renames (step 2).

    The lock is held from the start: two renders take their turns. On any problem (a path
    that is the user's) staging stops, and `finish` removes what was staged and says why.
    """

    def __init__(self, out: Path, answers_for: Callable[[str], bool] = lambda path: False):
        self.out = out.resolve()
        self._answers_for = answers_for
        self._lock: contextlib.ExitStack | None = None
        self._staged: dict[Path, Path] = {}  # target → its temporary file beside it
        self._created: list[Path] = []  # folders made for new files, removed again on failure
        self._seen_folders: set[Path] = set()
        # New and changed files wait in an anonymous file outside out/ (gone with the process
        # whatever kills it), each at (offset, length): memory holds one document at a time,
        # and out/ sees temporary files only during the short publication at the end.
        self._spool: typing.BinaryIO | None = None
        self._pending: list[tuple[str, int, int]] = []
        self._produced: set[str] = set()
        self._digests: dict[str, str] = {}  # each file produced with its bytes: their SHA-256
        self._sizes: dict[str, int] = {}
        self._problems: list[str] = []
        self._folders: dict[str, int | str] = {}  # folder modes, while the render makes its files
        self.statuses: dict[str, os.stat_result] = {}  # gasp's regular files in out/ when the session began

    @property
    def manifest(self) -> Manifest | None:
        """out/'s manifest as the session found it (read under its lock)."""
        return self._previous

    def __enter__(self) -> Session:
        self._made_out = not os.path.lexists(self.out)  # removed again if the render fails
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(f"impossible de créer « {self.out} » : {system_reason(error)}") from None
        self._lock = contextlib.ExitStack()
        self._lock.enter_context(_locked(self.out))
        _recover_legacy(self.out)
        self._previous = read_manifest(self.out)
        self._owned = self._previous.files if self._previous else set()
        self._signatures = self._previous.signatures if self._previous else {}
        # A manifest of gasp 0.1.0 did not list its files; it replaced the whole folder. A
        # regular file where gasp writes now is taken as 0.1.0's; nothing else is removed.
        self._adopt = self._previous is not None and not self._previous.lists_files
        _remove_temporaries(self.out, self._owned)
        # Thousands of files in a few folders: each folder looked at once.
        by_folder: dict[str, list[str]] = {}
        for path in self._owned:
            by_folder.setdefault(path.rpartition("/")[0], []).append(path)
        self._seen_folders = {self.out} | {self.out / folder for folder in by_folder if folder}
        if _state(self.out, MANIFEST) not in ("absent", "file"):
            self._problems.append(_conflict(self.out, MANIFEST, _state(self.out, MANIFEST)))
        # Each regular file's status, looked at once: the render's checks (render/documents.py Previous)
        # and the final signatures read it (at forty years, 12 000 files were each looked at three times).
        self.statuses = _regular_files(self.out, by_folder, self._folders)
        self._actual = self.statuses.keys()
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self._discard()
        if kind is not None and self._made_out:
            with contextlib.suppress(OSError):
                self.out.rmdir()  # only when still empty
        if self._lock is not None:
            self._lock.close()

    def add(self, relative: str, payload: bytes | None) -> None:
        """One file of the render: written beside its target now if it is new or changed.
        None: unchanged since the last render (same data key), kept as it is."""
        self._produced.add(relative)
        if payload is None:
            # Kept: found a regular file of gasp's when the session began, and checked again by the render
            # (render/documents.py Previous.unchanged); its signature is checked once more at the end.
            if relative not in self._actual:
                self._problems.append(f"« {self.out / relative} » a changé pendant le rendu : relancez « gasp render »")
            return
        state = _state(self.out, relative, self._folders)
        if state == "file" and (relative in self._actual or self._adopt):
            if _same(self.out / relative, payload):
                self._digests[relative] = hashlib.sha256(payload).hexdigest()
                return
        elif state != "absent":
            self._problems.append(_conflict(self.out, relative, state))
            return
        if self._problems:
            return  # nothing more is kept: the render will stop
        self._digests[relative] = hashlib.sha256(payload).hexdigest()
        self._sizes[relative] = len(payload)
        try:
            if self._spool is None:
                import tempfile

                self._spool = tempfile.TemporaryFile()  # noqa: SIM115 -- kept open across calls, closed by _discard (from __exit__)
            offset = self._spool.seek(0, os.SEEK_END)
            self._spool.write(payload)
        except OSError as error:
            raise OutputError(f"impossible d'écrire un fichier temporaire : {system_reason(error)}") from None
        self._pending.append((relative, offset, len(payload)))

    def keep(self, relatives: list[str]) -> None:
        """Files unchanged since the last render, kept as they are: `add(path, None)` for each, at once."""
        self._produced.update(relatives)
        for relative in set(relatives).difference(self._actual):
            self._problems.append(f"« {self.out / relative} » a changé pendant le rendu : relancez « gasp render »")

    def _stage(self) -> None:
        """Step 1: every new or changed file written beside its target, from the spool."""
        try:
            for relative, offset, length in self._pending:
                target = self.out / relative
                if target.parent not in self._seen_folders:
                    self._seen_folders.add(target.parent)
                    _remove_temporaries_in(self.out, target.parent)
                self._created += _make_folders(self.out, target.parent)
                assert self._spool is not None
                self._spool.seek(offset)
                self._staged[target] = write_beside(target, self._spool.read(length), tag="gasp", durable=False)
                killpoints.reached("render-staged")
        except OSError as error:
            self._discard()
            raise OutputError(f"impossible d'écrire dans « {self.out} » : {system_reason(error)}") from None

    def finish(
        self,
        index: Callable[[list[str]], bytes | None] | None,
        data_keys: dict[str, str],
        render_key: str = "",
        documents: int = 0,
        input_keys: dict[str, str] | None = None,
        narrowing: Narrowing | None = None,
    ) -> Publication:
        """The index, then the renames: every staged file over its target, stale files removed.
        `render_key`: the input key of this render (render/inputs.py), kept in the manifest with the
        number of its documents; a later render with the same key has nothing to do. `narrowing`: kept
        with that key, for the next render (render/documents.py `_produce_narrow`)."""
        out = self.out
        removed = sorted(
            path for path in self._actual - self._produced if path != "index.html" and self._answers_for(path)
        )
        kept = self._actual - set(removed)
        listed = sorted(path for path in kept | self._produced if path != "index.html")
        if index is not None:
            self.add("index.html", index(listed))
        if self._problems:
            self._discard()
            problems = self._problems
            shown = problems[:10] + ([f"… et {len(problems) - 10} autres"] if len(problems) > 10 else [])
            if self._previous is None:
                shown.append(
                    f"(sans {MANIFEST}, rien n’y est à gasp ; si ces fichiers viennent d’un rendu dont "
                    "le manifeste a été perdu, supprimez-les : gasp les refera)"
                )
            raise OutputError(f"dans « {out} », gasp ne remplace que ses propres fichiers :\n  " + "\n  ".join(shown))
        self._stage()
        files = kept | self._produced
        signatures, touched, latest = self._final_signatures(files)

        # A file this render did not make (a partial render) keeps its keys: the next full render reuses them.
        def merged(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
            return {
                **{k: v for k, v in old.items() if k in kept and k not in self._produced},
                **{k: v for k, v in new.items() if k in self._produced},
            }

        final = Manifest(
            files,
            merged(self._previous.data_keys if self._previous else {}, data_keys),
            signatures=signatures,
            render_key=render_key,
            documents=documents,
            input_keys=merged(self._previous.input_keys if self._previous else {}, input_keys or {}),
            narrowing=narrowing,
        )
        final_bytes = final.to_bytes()
        if (
            not self._staged
            and not removed
            and not (self._previous is None or touched or final_bytes != _read(out / MANIFEST))
        ):
            return Publication(0, [])  # nothing changed, not even the manifest
        intent = None if self._replacing_only(removed) else self._intent(files, final)
        written = len(self._staged) + 1
        updated = sorted(target.relative_to(out).as_posix() for target in self._staged)
        _write_files(out, self._staged, self._created, removed, intent, final_bytes, latest)
        from ..output import note_written

        note_written(f"{written} fichiers dans {out}")
        self._staged, self._created = {}, []
        return Publication(written, removed, updated)

    def _intent(self, files: set[str], final: Manifest) -> Manifest:
        """The manifest written before the renames: every file that may be gasp's, no input key until
        every file is in place, and each file still to be renamed marked CHANGED: after a render killed
        in between, the next one makes again whatever may still be old."""
        pending = {target.relative_to(self.out).as_posix(): (CHANGED, "0" * 64) for target in self._staged}
        return Manifest(
            self._owned | files,
            final.data_keys,
            input_keys=final.input_keys,
            signatures={**self._signatures, **final.signatures, **pending},
        )

    def _replacing_only(self, removed: list[str]) -> bool:
        """Whether the intent manifest can be left out: the publication removes nothing and only
        replaces regular files that the manifest in out/ (read under the lock, listing its files,
        with their signatures) says are gasp's (an edit's usual publication). That manifest says as
        much already: it lists every file that may be gasp's, and a replaced file no longer has its
        signature, so the next render checks it (at forty years, 4 MB of JSON not written)."""
        previous = self._previous
        if previous is None or not previous.lists_files or removed:
            return False
        replaced = [target.relative_to(self.out).as_posix() for target in self._staged]
        return all(path in self._actual and path in previous.signatures for path in replaced)

    def _final_signatures(self, files: set[str]) -> tuple[dict[str, Signature], bool, int]:
        """Each file's signature once published; whether some file's status changed since the
        manifest was written (the manifest is then written again, so that its ctime is the latest);
        and the latest ctime of the files not staged.
        A file this render did not answer for (a partial render) keeps its old signature, or is
        marked CHANGED when its bytes are no longer those: the next render that answers makes it again."""
        since = self._previous.written_at if self._previous else 0
        signatures: dict[str, Signature] = {}
        touched, latest = False, 0
        staged = {target.relative_to(self.out).as_posix() for target in self._staged}
        for path in files:
            previous = self._signatures.get(path)
            digest = self._digests.get(path)
            if path in staged and digest is not None:
                signatures[path] = (self._sizes[path], digest)
                continue
            # As the session found it (a file changed since has a later ctime than the manifest written
            # now, and the next render checks it); a file it did not find, as it is now.
            seen = self.statuses.get(path)
            try:
                status = seen if seen is not None else os.lstat(f"{self.out}{os.sep}{path}")
            except OSError:
                continue  # gone meanwhile: no signature, and the next render makes it again
            touched |= status.st_ctime_ns >= since
            latest = max(latest, status.st_ctime_ns)
            if digest is not None:  # made again, and the same bytes as on disk
                signatures[path] = (status.st_size, digest)
            elif previous is not None and (
                path in self._produced or as_written(self.out / path, status, previous, since)
            ):
                signatures[path] = previous  # kept: checked by the render (render/documents.py Previous)
            elif previous is not None:
                signatures[path] = (CHANGED, previous[1])
            else:  # a manifest before version 4: the file is adopted as it is
                found = _digest_of(self.out / path)
                if found is not None:
                    signatures[path] = (status.st_size, found)
        return signatures, touched, latest

    def _discard(self) -> None:
        """Remove what was staged, and the folders made for it."""
        for temporary in self._staged.values():
            with contextlib.suppress(OSError):
                temporary.unlink()
        for folder in reversed(self._created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._staged, self._created = {}, []
        if self._spool is not None:
            self._spool.close()
            self._spool = None


def _data_keys(payload: bytes | None) -> dict[str, str]:
    if payload is None:
        return {}
    try:
        keys = json.loads(payload).get("data_keys", {})
    except (ValueError, AttributeError):
        return {}
    return {k: v for k, v in keys.items() if isinstance(v, str)}


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _state(out: Path, relative: str, folders: dict[str, int | str] | None = None) -> str:
    """What is at out/relative, without following any symlink: absent, file, or why not.
    `folders`: what was found at the folders on the way earlier in the same step (a render looks
    at thousands of files in a few folders): a mode, or the state to return. (A found error is
    kept as its state, never raised again: a raised exception keeps every frame it went through.)"""
    current = str(out)
    parts = relative.split("/")
    for index, part in enumerate(parts):
        current = f"{current}{os.sep}{part}"
        last = index == len(parts) - 1
        found = None if folders is None or last else folders.get(current)
        if found is None:
            try:
                found = os.lstat(current).st_mode
            except FileNotFoundError:
                found = "absent"
            except OSError as error:
                found = f"illisible ({system_reason(error)})"
            if folders is not None and not last:
                folders[current] = found
        if isinstance(found, str):
            return found
        mode = found
        if stat.S_ISLNK(mode):
            return "link" if last else f"link-folder:{'/'.join(parts[: index + 1])}"
        if last:
            return "file" if stat.S_ISREG(mode) else ("folder" if stat.S_ISDIR(mode) else "special")
        if not stat.S_ISDIR(mode):
            return f"not-folder:{'/'.join(parts[: index + 1])}"
    return "absent"


def _regular_files(
    out: Path, by_folder: dict[str, list[str]], folders: dict[str, int | str]
) -> dict[str, os.stat_result]:
    """Those of the paths (by folder) that are regular files, in real folders (no symlink on the way),
    with their status: as `_state(out, path) == "file"` for each, each folder looked at once."""
    found: dict[str, os.stat_result] = {}
    base = f"{out}{os.sep}"
    for folder, paths in by_folder.items():
        if folder and _state(out, folder, folders) != "folder":
            continue
        for path in paths:
            try:
                status = os.lstat(base + path)
            except OSError:
                continue
            if stat.S_ISREG(status.st_mode):
                found[path] = status
    return found


def _conflict(out: Path, relative: str, state: str) -> str:
    shown = out / relative
    if state.startswith("link-folder:"):
        return f"« {out / state.split(':', 1)[1]} » est un lien symbolique : gasp n’écrit pas à travers un lien"
    if state.startswith("not-folder:"):
        return f"« {out / state.split(':', 1)[1]} » n’est pas un dossier, et gasp doit y écrire « {relative} »"
    reasons = {
        "link": "est un lien symbolique qui n’est pas de gasp",
        "folder": "est un dossier qui n’est pas de gasp",
        "special": "n’est pas un fichier ordinaire",
        "file": "est un fichier qui n’est pas de gasp (absent de son manifeste)",
    }
    reason = reasons.get(state, f"est {state}")
    return f"« {shown} » {reason} : déplacez-le, ou choisissez un autre dossier avec --out"


def _same(path: Path, payload: bytes) -> bool:
    try:
        return path.stat().st_size == len(payload) and path.read_bytes() == payload
    except OSError:
        return False


def _write_files(
    out: Path,
    staged: dict[Path, Path],
    created: list[Path],
    removed: list[str],
    intent: Manifest | None,
    final: bytes,
    latest: int = 0,
) -> None:
    """Step 2: the intent manifest (None: the one in out/ stands for it), every staged file renamed
    over its target, stale files removed, the final manifest.

    The final manifest's ctime is made later than that of every file it lists (`latest`: those
    not renamed now): a file whose ctime is not earlier than the manifest's may have been changed
    since, and is checked.
    """
    staged = dict(staged)
    try:
        if intent is not None:
            staged[out / MANIFEST] = write_beside(out / MANIFEST, intent.to_bytes(), tag="gasp")
        killpoints.reached("render-intent")  # the intent ready (or the manifest in out/ standing for it)
        with _signals_held():
            if intent is not None:
                os.replace(staged.pop(out / MANIFEST), out / MANIFEST)
            killpoints.reached("render-publishing")
            renamed = []
            for target, temporary in list(staged.items()):
                os.replace(temporary, target)
                del staged[target]
                renamed.append(target)
                killpoints.reached("render-renamed")
            for relative in removed:
                with contextlib.suppress(FileNotFoundError):
                    (out / relative).unlink()
                _remove_empty_folders(out, (out / relative).parent)
                killpoints.reached("render-removed")
            _wait_past(out / MANIFEST, max([latest, *(_ctime(target) for target in renamed)]))
            killpoints.reached("render-final")
            _replace(out / MANIFEST, final)
    except OSError as error:
        raise OutputError(f"impossible d'écrire dans « {out} » : {system_reason(error)}") from None
    finally:
        for temporary in staged.values():
            with contextlib.suppress(OSError):
                temporary.unlink()
        if staged:
            for folder in reversed(created):
                with contextlib.suppress(OSError):
                    folder.rmdir()


def _ctime(path: Path) -> int:
    try:
        return os.lstat(path).st_ctime_ns
    except OSError:
        return 0


def _wait_past(probe: Path, latest: int) -> None:
    """Wait until the file system's clock is past `latest` (a ctime). It moves by ticks (a few
    milliseconds; 1 or 2 s on some file systems), and two files changed in the same tick have the
    same ctime: touching `probe` reads the clock. A clock that does not move (a ctime of 0) or that
    stays behind for more than 2.5 s is not waited for: the next render then checks the files' bytes."""
    deadline = time.monotonic() + 2.5
    while True:
        try:
            os.utime(probe)
            now = os.stat(probe).st_ctime_ns
        except OSError:
            return  # only a shortcut for the next render is lost
        if now > latest or now == 0 or time.monotonic() > deadline:
            return
        time.sleep(0.001)


def _replace(path: Path, payload: bytes) -> None:
    temporary = write_beside(path, payload, tag="gasp")
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _make_folders(out: Path, folder: Path) -> list[Path]:
    missing = []
    while folder != out and not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
    return list(reversed(missing))


def _remove_empty_folders(out: Path, folder: Path) -> None:
    """A folder left empty by a removal goes too (rmdir never removes anything else)."""
    while folder != out and out in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _remove_temporaries(out: Path, paths: set[str]) -> None:
    """Temporary files that a render killed while writing left beside gasp's files."""
    for folder in {""} | {path.rpartition("/")[0] for path in paths}:
        _remove_temporaries_in(out, out / folder if folder else out)


def _remove_temporaries_in(out: Path, folder: Path) -> None:
    if folder != out and _state(out, folder.relative_to(out).as_posix()) != "folder":
        return
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if _TEMPORARY.match(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back Ctrl-C and termination while the renames run: they are delivered after."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    except (AttributeError, ValueError, OSError):  # no pthread_sigmask, or not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """One render at a time in the same out/: a lock file beside it, or on out/ itself."""
    lock = out.parent / f".{out.name}.verrou"
    try:
        # Never through a link planted in its place: it would create or lock its target.
        handle = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o666)
    except OSError as error:
        if error.errno == errno.ELOOP or os.path.islink(lock):
            raise OutputError(
                f"« {lock} » est un lien symbolique : gasp ne suit pas de lien pour son verrou ; retirez-le"
            ) from None
        if error.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise OutputError(f"impossible d'écrire dans « {out.parent} » : {system_reason(error)}") from None
        # The parent cannot be written (out/ is a mount point of a folder one does not own):
        # a lock on the folder itself serves the same purpose.
        handle = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _recover_legacy(out: Path) -> None:
    """What a render of gasp 0.1.0 killed in the middle of its folder swap left beside out/."""
    with contextlib.suppress(OSError):
        leftovers = sorted(out.parent.glob(f".{out.name}.ancien-*"), key=lambda p: p.stat().st_mtime)
        if leftovers and not any(out.iterdir()):
            out.rmdir()
            os.rename(leftovers.pop(), out)
        for folder in [*leftovers, *out.parent.glob(f".{out.name}.nouveau-*")]:
            shutil.rmtree(folder, ignore_errors=True)

"""What a render depends on, hashed into one key: the same key, the same out/.

A render is a function of its inputs: the bytes of every record file read, the
templates (the workspace's and gasp's), the code and the libraries that turn them
into bytes (gasp's own source, every installed distribution, Python), the zone's
rules, the request (formats, kinds, meetings) and the days it is made on (the day
the records are judged on, the edition date, the timestamp). `render_key` hashes all
of them; the manifest keeps the key of the render that wrote it. When the next
render has the same key and every file is as that render left it, it has nothing to
do: it validates, and writes nothing (`writer.up_to_date`). Otherwise each document's
data key decides, as before.

The key names no document: a new kind of document or of output is covered as soon as
it is made from these inputs. Whatever else a new document reads must be added here.
Kept light (no Jinja, no Typst): a render with nothing to do imports no more than this.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..loader import Records
    from .request import RenderRequest

# Changed whenever what goes into the key changes: an old key never matches a new one.
SCHEME = "gasp-render-inputs-2"


def inputs_fingerprint(records: Records, workspace_templates: Path | None) -> str:
    """A hash of every input but the request and the days: the records, the templates, the code and
    the libraries, the zone's rules. A document that does not depend on the day is the same whenever
    this and its own parameters are (render/documents.py, `inputs`)."""
    digest = hashlib.sha256(setting_fingerprint(records, workspace_templates).encode() + b"\0")
    digest.update(f"{records.file_count}\0".encode())
    for source in sorted(records.sources.values(), key=lambda source: source.rel):
        digest.update(source.rel.encode() + b"\0" + source.digest)
    return digest.hexdigest()


def outline_fingerprint(records: Records, workspace_templates: Path | None) -> str:
    """`inputs_fingerprint` with each meeting's file read but its discussion (yamlsource `outline`):
    two renders with the same one differ only by meetings' discussions, which only their own
    documents show (documents/dependencies.py; a render keeps every other file: `discussions`)."""
    digest = hashlib.sha256(b"outline\0" + setting_fingerprint(records, workspace_templates).encode() + b"\0")
    digest.update(f"{records.file_count}\0".encode())
    for (kind, _), source in sorted(records.sources.items(), key=lambda item: item[1].rel):
        digest.update(
            source.rel.encode() + b"\0" + ((source.outline or source.digest) if kind == "meetings" else source.digest)
        )
    return digest.hexdigest()


def discussions(records: Records) -> dict[str, str]:
    """Meeting id → the digest of its whole file (hex), for each meeting whose file has a discussion:
    between two renders of the same `outline_fingerprint`, the meetings whose discussion changed."""
    return {
        record_id: source.digest.hex()
        for (kind, record_id), source in records.sources.items()
        if kind == "meetings" and source.outline and source.outline != source.digest
    }


def setting_fingerprint(records: Records, workspace_templates: Path | None) -> str:
    """A hash of every input but the records, the request and the days: the code and the libraries,
    the templates, the zone's rules. Part of every document's input key (documents/dependencies.py)."""
    digest = hashlib.sha256(SCHEME.encode() + b"\0")
    digest.update(environment_fingerprint().encode() + b"\0")
    digest.update(templates_fingerprint(workspace_templates).encode() + b"\0")
    zone = records.gasp.timezone if records.gasp is not None else "Europe/Paris"
    digest.update(zone.encode() + b"\0" + _zone_rules(zone) + b"\0")
    return digest.hexdigest()


def render_key(fingerprint: str, request: RenderRequest, every_meeting: bool) -> str:
    """A hash of everything the render of `request` depends on (see the module's text):
    `inputs_fingerprint`, and the request with its days."""
    asked = {
        "meetings": request.meeting_ids,
        "every_meeting": every_meeting,
        "formats": list(request.formats),
        "kinds": list(request.kinds),
        "today": request.today.isoformat(),
        "edition_date": request.edition_date.isoformat(),
        "timestamp": request.timestamp.isoformat(),
    }
    return hashlib.sha256(f"{fingerprint}\0{json.dumps(asked, sort_keys=True)}".encode()).hexdigest()


def templates_fingerprint(workspace_templates: Path | None) -> str:
    """What every template says (gasp's and the workspace's, sub-folders included), and the
    versions that turn them into bytes; part of every document's data key too."""
    from .. import __version__
    from .request import PDF_STANDARDS

    # The PDF standards are part of the key: a PDF compiled without them is never kept.
    digest = hashlib.sha256(f"{__version__}\n{distribution_version('typst')}\n{','.join(PDF_STANDARDS)}\n".encode())
    for folder in (default_templates(), workspace_templates):
        if folder is None or not folder.is_dir():
            continue
        for path in _files_under(folder):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        digest.update(b"\1")  # the end of one folder: a file cannot move from one to the other unseen
    return digest.hexdigest()


def default_templates() -> Path:
    """The templates shipped with gasp: inside the package once installed, else the repository's."""
    packaged = Path(__file__).resolve().parent.parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "templates"


@functools.cache
def environment_fingerprint() -> str:
    """Python, gasp's own source and every installed distribution (name and version)."""
    digest = hashlib.sha256(sys.version.encode() + b"\0")
    package = Path(__file__).resolve().parent.parent
    for path in _files_under(package):  # its modules, and whatever data it may ship
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in installed():
        digest.update(name.encode() + b"\0")
    return digest.hexdigest()


def distribution_version(name: str) -> str:
    """An installed distribution's version, from its `*.dist-info` folder's name: neither importing
    it (importing Typst is slow) nor reading its metadata."""
    prefix = f"{name.replace('-', '_')}-"
    for found in installed():
        if found.startswith(prefix):
            return found[len(prefix) :].rsplit(".", 1)[0]
    return ""


@functools.cache
def installed() -> tuple[str, ...]:
    """The `*.dist-info` and `*.egg-info` folders on sys.path (each name holds a version), in order."""
    names: list[str] = []
    for entry in sys.path:
        if not entry or not os.path.isdir(entry):
            continue
        try:
            names.extend(sorted(name for name in os.listdir(entry) if name.endswith((".dist-info", ".egg-info"))))
        except OSError:
            continue
    return tuple(names)


def _files_under(folder: Path) -> list[Path]:
    """Every file under a folder, in a stable order, through links to folders (as Jinja's loader
    goes) but each folder once; hidden files and bytecode caches left out."""
    found: list[Path] = []
    seen: set[str] = set()
    for root, folders, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:
            folders[:] = []
            continue
        seen.add(real)
        folders[:] = sorted(name for name in folders if not name.startswith(".") and name != "__pycache__")
        found.extend(
            Path(root) / name
            for name in sorted(files)
            if not name.startswith(".") and os.path.isfile(os.path.join(root, name))
        )
    return found


def _zone_rules(zone: str) -> bytes:
    """The zone's rules as zoneinfo reads them (the calendar's VTIMEZONE and times come from them);
    from the tzdata distribution when the system has none (its version is in the environment)."""
    import zoneinfo

    for folder in zoneinfo.TZPATH:
        path = os.path.join(folder, zone)
        try:
            with open(path, "rb") as stream:
                return stream.read()
        except OSError:
            continue
    return b""

"""Writing outputs whole or not at all, never under records/, with the user's umask."""

from __future__ import annotations

import os
from pathlib import Path


class OutputError(Exception):
    """An output that cannot be written; the message is French."""


# What this process has written, for a last message that must not say « rien n'a été écrit »
# when the files are in place (stdout on a full disk fails after the work is done).
WRITTEN: list[str] = []


def note_written(what: str | os.PathLike[str]) -> None:
    WRITTEN.append(os.fspath(what))


def written_summary() -> str:
    """« Rien n'a été écrit. » or what was, in a few words."""
    if not WRITTEN:
        return "Rien n'a été écrit."
    shown = ", ".join(f"« {item} »" for item in WRITTEN[:5])
    more = f" et {len(WRITTEN) - 5} autres" if len(WRITTEN) > 5 else ""
    return f"Ont été écrits, et sont en place : {shown}{more}."


def check_outside_records(path: Path, records: Path) -> None:
    target = path.resolve()
    if target == records.resolve() or records.resolve() in target.parents:
        raise OutputError(f"« {path} » est dans records/ : gasp n'écrit jamais parmi les enregistrements")


def write_beside(path: Path, payload: bytes, tag: str = "tmp", durable: bool = True) -> Path:
    """Write `payload` to a new hidden file next to `path` and return its name.

    The file is created with mode 0o666, which the kernel narrows by the umask (and a
    default ACL) exactly as for any file the user makes: 0644 under umask 022. `mkstemp`
    would give 0600 whatever the umask, and the renamed file would keep it. `durable`:
    fsync before returning (a render of a hundred files skips it, see render/writer.py).
    """
    import secrets  # here: `gasp --help` imports this module, and secrets imports hmac

    for _ in range(100):
        temporary = path.parent / f".{path.name}.{tag}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except FileExistsError:
            continue
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
                if durable:
                    stream.flush()
                    os.fsync(stream.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return temporary
    raise FileExistsError(f"no free temporary name beside {path}")


def write_atomically(path: Path, data: bytes | str) -> None:
    """Write beside the target, then rename: a reader sees the old file or the new one, whole.

    The new file follows the umask, also when it replaces an existing one. A symlink
    named as the target stays a symlink: the file it points to is the one replaced.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_symlink():
        path = path.resolve()
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = write_beside(folder / path.name, payload)
        try:
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        note_written(path)
    except OSError as error:
        raise OutputError(f"impossible d'écrire « {path} » : {system_reason(error)}") from None


def write_new(path: Path, data: bytes | str) -> None:
    """Create `path` whole, or raise FileExistsError: never overwrites, even in a race.

    Written beside, then hard-linked to its name (link fails if the name exists), with the
    user's umask. Other OSErrors go to the caller.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    temporary = write_beside(path, payload)
    try:
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    note_written(path)


def system_reason(error: OSError) -> str:
    """The system's reason, in French for the usual ones."""
    import errno

    french: dict[int | None, str] = {
        errno.EACCES: "permission refusée",
        errno.EPERM: "opération non permise",
        errno.ENOENT: "fichier introuvable",
        errno.ELOOP: "trop de liens symboliques",
        errno.EISDIR: "c'est un dossier",
        errno.EIO: "erreur d'entrée-sortie",
        errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
        errno.EBUSY: "ressource occupée",
        errno.ENAMETOOLONG: "nom trop long",
        errno.EMFILE: "trop de fichiers ouverts",
        errno.ENOSPC: "plus de place sur le disque",
        errno.EDQUOT: "quota de disque dépassé",
        errno.EROFS: "système de fichiers en lecture seule",
        errno.EEXIST: "le fichier existe déjà",
        errno.EXDEV: "pas sur le même système de fichiers",
        errno.ENOTEMPTY: "dossier non vide",
        errno.EFBIG: "fichier trop gros",
        errno.EBADF: "descripteur de fichier fermé",
        errno.EPIPE: "tube fermé par le lecteur",
        errno.ETIMEDOUT: "délai dépassé",
        errno.ENOEXEC: "format d'exécutable inconnu",
        errno.ENXIO: "périphérique absent",
        errno.ENODEV: "périphérique absent",
        errno.ETXTBSY: "fichier exécutable occupé",
        errno.EAGAIN: "ressource momentanément indisponible",
        errno.ENOMEM: "mémoire insuffisante",
    }
    if error.errno in french:
        return french[error.errno]
    # Another system error: its text is the system's, in English; say so rather than mix languages.
    return f"erreur système {error.errno} ({error.strerror or error})" if error.errno else str(error)

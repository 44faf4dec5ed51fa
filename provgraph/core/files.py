"""The one output write for the whole house: every command and API that writes a file a
person asked for (exports, views, reports) or a reader may open meanwhile (the file source's
offset) goes through here, so they all behave the same.

What the target is decides how it is written:

* a regular file, or nothing yet: a temporary file beside it (``.<name>.<random>.partial``),
  renamed into place when the writing ends; a reader sees the old file or the new one, never
  half of one, and a failure leaves the old file and no temporary. A new file gets the mode
  the umask gives (as ``open`` would); a replaced one keeps its mode.
* a character device or a FIFO (``/dev/null``, ``/dev/stdout``, a named pipe): written
  through, in place; it is never replaced by a regular file.
* a symbolic link: followed, as the shell's ``>`` does; what it points to is written by the
  rules above (the link stays a link). A link to a missing file creates that file when its
  directory exists.
* a directory, a block device or a socket: refused.

The parent directory must exist: nothing creates it on the way (a typo in ``-o`` must not
leave new directories behind). Every failure to write is an :class:`OutputError`, one line
naming the target and the reason.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "doc.json"
    >>> atomic_write(target, b"{}")
    >>> target.read_bytes()
    b'{}'
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from provgraph.core.errors import OutputError

PathLike = str | os.PathLike[str]


def _fsync_dir(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _failed(target: PathLike, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {os.fspath(target)}: {exc.strerror or exc}")


def resolve_target(target: PathLike) -> tuple[Path, os.stat_result | None]:
    """The path to write for ``target`` (symlinks followed) and what is there now (``None``:
    nothing); an :class:`OutputError` when it cannot be written at all. Commands call it
    before any long work, so a bad ``-o`` fails at once."""
    given = Path(target)
    final = Path(os.path.realpath(given)) if given.is_symlink() else given
    try:
        found: os.stat_result | None = final.stat()
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise _failed(given, exc) from None
    if found is None:
        parent = final.parent
        if not parent.is_dir():
            raise OutputError(f"cannot write {os.fspath(given)}: there is no directory "
                              f"{os.fspath(parent) or '.'} (provgraph creates none)")
        return final, None
    mode = found.st_mode
    if stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {os.fspath(given)}: it is a directory")
    if not (stat.S_ISREG(mode) or stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        kind = "a block device" if stat.S_ISBLK(mode) else "a socket or other special file"
        raise OutputError(f"cannot write {os.fspath(given)}: it is {kind}")
    return final, found


def _is_stream(found: os.stat_result | None) -> bool:
    return found is not None and not stat.S_ISREG(found.st_mode)


@contextlib.contextmanager
def atomic_path(target: PathLike, *, fsync: bool = False) -> Iterator[Path]:
    """Yield a fresh path (nothing there yet) for the caller to write (a file, or a
    directory), published to ``target`` by the module's rules when the block ends; removed
    when it raises. With ``fsync`` the rename is flushed to disk before returning."""
    final, found = resolve_target(target)
    if _is_stream(found):  # written by path elsewhere, then copied through
        scratch = Path(tempfile.mkdtemp(prefix="provgraph-"))
        try:
            temp = scratch / final.name
            yield temp
            try:
                with open(temp, "rb") as source, open(final, "wb") as sink:
                    shutil.copyfileobj(source, sink)
            except OSError as exc:
                raise _failed(target, exc) from None
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return
    temp = final.with_name(f".{final.name}.{uuid.uuid4().hex[:12]}.partial")
    try:
        yield temp
        try:
            if found is not None and temp.is_file():
                os.chmod(temp, stat.S_IMODE(found.st_mode))  # a replaced file keeps its mode
            os.replace(temp, final)
            if fsync:
                _fsync_dir(final.parent)
        except OSError as exc:
            raise _failed(target, exc) from None
    finally:
        if temp.is_dir() and not temp.is_symlink():
            shutil.rmtree(temp, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


@contextlib.contextmanager
def atomic_open(target: PathLike, *, fsync: bool = False) -> Iterator[BinaryIO]:
    """A binary file to write, published to ``target`` by the module's rules when the block
    ends without error. An ``OSError`` while writing (a full disk) is an
    :class:`OutputError` naming ``target``."""
    final, found = resolve_target(target)
    try:
        if _is_stream(found):
            with open(final, "wb") as handle:
                yield handle
            return
        with atomic_path(target, fsync=fsync) as temp, open(temp, "xb") as handle:
            yield handle
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as exc:
        raise _failed(target, exc) from None


def atomic_write(target: PathLike, data: bytes, *, fsync: bool = False) -> None:
    """Write ``data`` to ``target`` (see :func:`atomic_open`)."""
    with atomic_open(target, fsync=fsync) as handle:
        handle.write(data)


__all__ = ["atomic_open", "atomic_path", "atomic_write", "resolve_target"]

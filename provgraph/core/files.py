"""One atomic write for the whole house: a file is whole or absent, never half-written.

Everything that writes a file a reader may open meanwhile (exports, views, reports, the
file source's offset) writes a temporary path beside the target and renames it into place:
a rename within one directory is atomic, so a reader sees the old file or the new one.

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
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

PathLike = str | os.PathLike[str]


def _fsync_dir(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: PathLike, *, fsync: bool = False) -> Iterator[Path]:
    """Yield a fresh path beside ``target`` (nothing there yet) for the caller to write (a
    file, or a directory); renamed onto ``target`` when the block ends, removed when it
    raises. With ``fsync`` the rename is flushed to disk before returning."""
    final = Path(target)
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = final.with_name(f".{final.name}.{uuid.uuid4().hex[:12]}.partial")
    try:
        yield temp
        os.replace(temp, final)
        if fsync:
            _fsync_dir(final.parent)
    finally:
        if temp.is_dir() and not temp.is_symlink():
            shutil.rmtree(temp, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


@contextlib.contextmanager
def atomic_open(target: PathLike, *, fsync: bool = False) -> Iterator[BinaryIO]:
    """A binary file to write, renamed onto ``target`` when the block ends without error."""
    with atomic_path(target, fsync=fsync) as temp, open(temp, "xb") as handle:
        yield handle
        if fsync:
            handle.flush()
            os.fsync(handle.fileno())


def atomic_write(target: PathLike, data: bytes, *, fsync: bool = False) -> None:
    """Write ``data`` to ``target`` atomically (see :func:`atomic_open`)."""
    with atomic_open(target, fsync=fsync) as handle:
        handle.write(data)


__all__ = ["atomic_open", "atomic_path", "atomic_write"]

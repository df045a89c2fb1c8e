"""Project files are private to the user running it: folders 0700, files 0600.

The data folder holds the database, the generated Neo4j password, uploaded documents and the
search index; on a shared machine none of it may be readable by other accounts.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create the folder (and parents) and make it 0700 when this user owns it."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            path.chmod(DIR_MODE)
    except OSError:  # a folder we may use but not change (e.g. a shared mount): leave it
        pass
    return path


def private_file(path: Path) -> Path:
    """Make an existing file 0600."""
    with contextlib.suppress(OSError):
        path.chmod(FILE_MODE)
    return path


def write_private_bytes(path: Path, data: bytes) -> None:
    """Write a file that only this user can read (created 0600, never briefly wider)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    private_file(path)  # an existing file keeps its old mode under O_CREAT

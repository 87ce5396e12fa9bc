"""The store of original files as they arrived: content-addressed, never overwritten.

A file is written aside in the store's own folder, flushed to disk, then
renamed into place, so the store never holds a half-written file under a real
name. The same bytes arriving again are stored once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_for(root: Path, digest: str) -> Path:
    return root / digest[:2] / digest


def store(root: Path, data: bytes) -> tuple[str, Path]:
    """Store `data` under its SHA-256 and return (digest, path). Idempotent."""
    digest = sha256_of(data)
    target = path_for(root, digest)
    if target.exists():
        return digest, target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # os.link fails when the target exists, so a concurrent writer of the
        # same bytes never has its file replaced.
        with contextlib.suppress(FileExistsError):
            os.link(tmp_name, target)
    finally:
        os.unlink(tmp_name)
    return digest, target


def read(root: Path, digest: str) -> bytes:
    data = path_for(root, digest).read_bytes()
    if sha256_of(data) != digest:
        raise OSError(f"original {digest} is damaged: its content no longer matches its hash")
    return data

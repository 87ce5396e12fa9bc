"""A hot folder, for stations whose scanner software writes files.

Each entry directly in the folder is one batch: a file (a multi-page PDF or
TIFF, or a single page), or a sub-folder of page files (software that writes a
page per file). An entry is taken only when it has stopped changing (size and
modification time of everything in it the same for `settle` seconds) and its
name does not mark it as unfinished (a leading dot or ~, .part, .tmp,
.crdownload). It is identified by its content (SHA-256): bytes taken once are
never a second batch. It is moved to `_done/` only after the batch is
committed; an entry none of whose files could be read goes to `_failed/` with
a `.reason.txt` beside it. A crash between commit and move is harmless: the
next pass finds the content already taken and only moves it.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline import loading, process, storage
from pipeline.config import Settings
from pipeline.errors import BadInputError, StorageError

DONE = "_done"
FAILED = "_failed"
UNFINISHED_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".download")

Say = Callable[[str], None]


@dataclass
class WatchState:
    """What the watcher has seen: entry name → (signature, first seen with it)."""

    seen: dict[str, tuple[tuple, float]] = field(default_factory=dict)  # type: ignore[type-arg]


@dataclass(frozen=True)
class Taken:
    name: str
    batch_id: str | None  # None: already taken before, or nothing readable
    pages: int
    outcome: str  # "ingested" | "already" | "failed"


def _unfinished(name: str) -> bool:
    return name.startswith((".", "~")) or name.lower().endswith(UNFINISHED_SUFFIXES)


def _signature(path: Path) -> tuple | None:  # type: ignore[type-arg]
    """Sizes and modification times of everything in an entry; None while
    something in it is unfinished."""
    try:
        if path.is_file():
            stat = path.stat()
            return ((path.name, stat.st_size, stat.st_mtime_ns),)
        parts = []
        for child in sorted(path.rglob("*")):
            if _unfinished(child.name):
                return None
            if child.is_file():
                stat = child.stat()
                parts.append((str(child.relative_to(path)), stat.st_size, stat.st_mtime_ns))
        return tuple(parts) if parts else None
    except FileNotFoundError:
        return None


def _digest(path: Path) -> str:
    """Content hash of a file, or of a folder's (name, content) pairs."""
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    outer = hashlib.sha256()
    for child in sorted(p for p in path.rglob("*") if p.is_file()):
        outer.update(str(child.relative_to(path)).encode() + b"\0")
        outer.update(hashlib.sha256(child.read_bytes()).digest())
    return outer.hexdigest()


def stable_entries(folder: Path, state: WatchState, settle: float, now: float | None = None) -> list[Path]:
    """Entries that have not changed for `settle` seconds, in name order."""
    now = time.monotonic() if now is None else now
    ready = []
    present = set()
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name in (DONE, FAILED) or _unfinished(entry.name):
            continue
        present.add(entry.name)
        signature = _signature(entry)
        if signature is None:
            state.seen.pop(entry.name, None)
            continue
        previous = state.seen.get(entry.name)
        if previous is None or previous[0] != signature:
            state.seen[entry.name] = (signature, now)
            continue
        if now - previous[1] >= settle:
            ready.append(entry)
    for gone in set(state.seen) - present:
        del state.seen[gone]
    return ready


def _move(entry: Path, folder: Path, into: str) -> Path:
    target_dir = folder / into
    target_dir.mkdir(exist_ok=True)
    target = target_dir / entry.name
    counter = 1
    while target.exists():
        target = target_dir / f"{entry.stem}.{counter}{entry.suffix}"
        counter += 1
    os.replace(entry, target)
    return target


def take(
    settings: Settings, folder: Path, entry: Path, received: date, station: str | None, say: Say,
) -> Taken:
    """Ingest one stable entry as a batch, once; move it only after the commit."""
    before = _signature(entry)
    digest = _digest(entry)
    with storage.session_for(settings.database_url) as session:
        earlier = storage.hot_file_batch(session, digest)
    if earlier is None:
        if _signature(entry) != before:
            return Taken(entry.name, None, 0, "changing")  # written to while we read it: next pass
        files = [entry] if entry.is_file() else loading.expand_paths([entry])[0]
        errors: list[BadInputError] = []

        def record(session, batch_id: str) -> None:  # type: ignore[no-untyped-def]
            storage.add_hot_file(session, digest, entry.name, str(folder), batch_id)

        try:
            result = process.ingest(
                settings, files, received, station, on_error=lambda e: (errors.append(e), say(str(e))),
                in_transaction=record,
            )
        except StorageError:
            # Another watcher took the same content a moment before us.
            with storage.session_for(settings.database_url) as session:
                earlier = storage.hot_file_batch(session, digest)
            if earlier is None:
                raise
        else:
            if result.batch_id is None:
                moved = _move(entry, folder, FAILED)
                reason = "\n".join(str(e) for e in errors) or "no page files"
                moved.with_name(moved.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
                say(f"{entry}: not taken, moved to {moved} ({reason.splitlines()[0]})")
                return Taken(entry.name, None, 0, "failed")
            _move(entry, folder, DONE)
            say(f"{entry}: {result.page_count} page(s) stored as batch {result.batch_id}")
            return Taken(entry.name, result.batch_id, result.page_count, "ingested")
    _move(entry, folder, DONE)
    say(f"{entry}: already taken as batch {earlier}, moved to {DONE}/")
    return Taken(entry.name, earlier, 0, "already")


def watch(
    settings: Settings,
    folder: Path,
    station: str | None,
    received: Callable[[], date],
    *,
    settle: float = 5.0,
    interval: float = 1.0,
    process_after: bool = True,
    say: Say = print,
    stop: Callable[[], bool] = lambda: False,
    once: bool = False,
) -> list[Taken]:
    """Poll `folder` until `stop()` (or, with `once`, until nothing is left
    waiting to settle), taking each stable entry as a batch."""
    folder.mkdir(parents=True, exist_ok=True)
    state = WatchState()
    taken: list[Taken] = []
    # One set of worker processes for as long as the folder is watched: a
    # batch of one envelope would otherwise start workers, load Tesseract's
    # models and warm the glyph caches for each stage of each batch.
    with process.shared_workers(settings.workers):
        while not stop():
            for entry in stable_entries(folder, state, settle):
                item = take(settings, folder, entry, received(), station, say)
                state.seen.pop(entry.name, None)
                taken.append(item)
                if process_after and item.outcome == "ingested" and item.batch_id:
                    for batch_id, results in process.process_waiting(settings, item.batch_id).items():
                        say(f"batch {batch_id}: {len(results)} application(s) decided")
            if once and not state.seen:
                break
            time.sleep(interval)
    return taken


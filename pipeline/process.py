"""The pipeline as a script of plain stages:

    ingest:  files → originals store + pages with their scan measurements (a batch)
    process: pages → page analyses → applications → decisions → database

Pages are analysed in parallel worker processes (Tesseract is single-threaded
on purpose); workers receive ids and hashes, never pixels, and read the
originals from the store themselves.
"""

from __future__ import annotations

import multiprocessing
import os
import secrets
import socket
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from matching.glyph_names import METHOD as GLYPH_METHOD
from pipeline import codec, grouping, loading, originals, reading, storage
from pipeline.config import TOKYO, Settings, prepare_home
from pipeline.decide import History, decide, histories
from pipeline.domain import (
    ApplicationResult,
    Document,
    FieldName,
    PageAnalysis,
    PageKind,
    Reason,
    ScanQuality,
    SourcePage,
    Status,
)
from pipeline.errors import BadInputError, GbizReviewError, NotFoundError, StorageError, ToolError


@dataclass(frozen=True)
class IngestResult:
    batch_id: str | None
    page_count: int
    errors: tuple[BadInputError, ...]
    skipped: tuple[Path, ...]


@dataclass(frozen=True)
class _MeasuredFile:
    name: str
    digest: str
    size: int
    pages: tuple[tuple[int, str, ScanQuality], ...]  # (page_in_file, source_name, quality)
    analyses: tuple[PageAnalysis, ...] = ()  # when read while measuring (seq not yet known: 0)


def new_batch_id(now: datetime | None = None) -> str:
    moment = (now or datetime.now(TOKYO)).astimezone(TOKYO)
    return f"B{moment:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def _measure_file(args: tuple[str, str, str, date | None]) -> _MeasuredFile | BadInputError:
    """Worker: decode one stored original and measure its pages; with a
    receipt date, read them too while their pixels are at hand (decoding a
    page costs a fifth of reading it)."""
    name, digest, root, received = args
    pages: list[tuple[int, str, ScanQuality]] = []
    analyses: list[PageAnalysis] = []
    try:
        data = originals.read(Path(root), digest)
        for page in loading.iter_pages(name, data):
            pages.append((page.page_in_file, page.source_name, page.quality))
            if received is not None:
                try:
                    analyses.append(_analyse_decoded(page.rgb, 0, page.quality, received))
                except ToolError:
                    # A broken OCR install must not keep the scans out: they
                    # are stored unread, and processing reports the tool.
                    received, analyses = None, []
    except BadInputError as error:
        return error
    return _MeasuredFile(name=name, digest=digest, size=len(data), pages=tuple(pages), analyses=tuple(analyses))


def _numbered(analysis: PageAnalysis, seq: int) -> PageAnalysis:
    """A page read before its place in the batch was known, given its place:
    the page and each field found on it (the review shows a field's crop
    from the page its `page_seq` names)."""
    return replace(analysis, seq=seq, fields=tuple(replace(item, page_seq=seq) for item in analysis.fields))


def ingest(
    settings: Settings,
    paths: list[Path],
    received: date,
    station: str | None = None,
    on_error: Callable[[BadInputError], None] | None = None,
    in_transaction: Callable[[Any, str], None] | None = None,
    read: bool = False,
) -> IngestResult:
    """Store the files as one batch, in the order given. A bad file is reported
    and left out; the others go on. `in_transaction(session, batch_id)` adds
    the caller's own rows to the batch's transaction (the hot folder's record
    of what it took). `read`: the pages' quick reading is done and stored
    too (for a caller that processes the batch next: each page is decoded once)."""
    prepare_home(settings)
    files, skipped = loading.expand_paths(paths)
    errors: list[BadInputError] = []

    def fail(error: BadInputError) -> None:
        errors.append(error)
        if on_error:
            on_error(error)

    stored: list[tuple[Path, str]] = []

    def store_each() -> Iterator[tuple[str, str, str, date | None]]:
        # A file goes to the workers as soon as it is stored: they measure
        # (and read) while the next one is copied and synced.
        for path in files:
            try:
                data = loading.read_file(path)
                if not data:
                    raise BadInputError(str(path), "empty file (0 bytes)")
            except BadInputError as error:
                fail(error)
                continue
            digest, _ = originals.store(settings.originals_dir, data)
            stored.append((path, digest))
            yield path.name, digest, str(settings.originals_dir), received if read else None

    measured = _map(_measure_file, store_each(), settings.workers)
    pages: list[tuple[SourcePage, ScanQuality]] = []
    analyses: list[PageAnalysis] = []
    kept: dict[str, tuple[int, str]] = {}
    for (path, _digest), result in zip(stored, measured, strict=True):
        if isinstance(result, BadInputError):
            # The worker knew the file by its name; the user knows it by the path given.
            fail(BadInputError(str(path) + result.path[len(path.name):], result.reason))
            continue
        kept.setdefault(result.digest, (result.size, path.name))
        for index, (page_in_file, source_name, quality) in enumerate(result.pages):
            page = SourcePage(len(pages), source_name, result.digest, page_in_file)
            if result.analyses:
                analyses.append(_numbered(result.analyses[index], page.seq))
            pages.append((page, quality))
    if not pages:
        return IngestResult(None, 0, tuple(errors), tuple(skipped))
    batch_id = new_batch_id()
    with storage.session_for(settings.database_url) as session:
        storage.add_batch(session, batch_id, received, station, pages, kept)
        by = worker_label()
        for analysis in analyses:
            storage.add_analysis(session, batch_id, analysis.seq, codec.analysis_to_json(analysis), by)
        if in_transaction is not None:
            in_transaction(session, batch_id)
        session.commit()
    return IngestResult(batch_id, len(pages), tuple(errors), tuple(skipped))


@dataclass(frozen=True)
class _PageJob:
    seq: int
    source_name: str
    digest: str
    page_in_file: int
    quality: ScanQuality
    root: str
    received: date
    thorough: frozenset[FieldName] = frozenset()  # fields a second look reads with every variant


def _analyse_stored_page(job: _PageJob) -> PageAnalysis:
    """Worker: read one page of a stored original and analyse it. A page that
    breaks the reader becomes an UNKNOWN page with the reason, so one bad page
    never stops a batch; a missing tool stops it."""
    try:
        data = originals.read(Path(job.root), job.digest)
        name = job.source_name.split("#")[0]
        page = next(loading.iter_pages(name, data, only=job.page_in_file, measure=False))
    except Exception as exc:  # noqa: BLE001 - one unreadable page must not stop the batch
        return _unreadable(job.seq, job.quality, exc)
    return _analyse_decoded(page.rgb, job.seq, job.quality, job.received, thorough=job.thorough)


def _analyse_decoded(
    rgb: np.ndarray, seq: int, quality: ScanQuality, received: date, thorough: frozenset[FieldName] = frozenset()
) -> PageAnalysis:
    try:
        return reading.analyse_page(rgb, seq, quality, received, thorough=thorough)
    except ToolError:
        raise
    except Exception as exc:  # noqa: BLE001 - one unreadable page must not stop the batch
        return _unreadable(seq, quality, exc)


def _unreadable(seq: int, quality: ScanQuality, exc: Exception) -> PageAnalysis:
    detail = "".join(traceback.format_exception_only(exc)).strip()
    return PageAnalysis(
        seq=seq, kind=PageKind.UNKNOWN, quality=quality, rotated_180=False, skew_deg=0.0,
        findings=(f"could not be analysed: {detail[:200]}",),
    )


def analyse_batch_pages(
    settings: Settings, batch_id: str, thorough_seqs: SecondLook | None = None
) -> list[PageAnalysis]:
    """Every page of the batch, its quick reading taken from the database
    where ingest or a flow stored one (or only the pages `thorough_seqs`
    names, their named fields read with every OCR variant)."""
    jobs = _page_jobs(settings, batch_id, thorough_seqs)
    stored: dict[int, PageAnalysis] = {}
    if thorough_seqs is None:
        with storage.session_for(settings.database_url) as session:
            stored = {seq: codec.analysis_from_json(text) for seq, text in storage.stored_analyses(session, batch_id).items()}
    read = iter(_map(_analyse_stored_page, [job for job in jobs if job.seq not in stored], settings.workers))
    return [stored[job.seq] if job.seq in stored else next(read) for job in jobs]


def _page_jobs(settings: Settings, batch_id: str, thorough_seqs: SecondLook | None) -> list[_PageJob]:
    with storage.session_for(settings.database_url) as session:
        batch = session.get(storage.BatchRow, batch_id)
        if batch is None:
            raise NotFoundError(f"no batch {batch_id}")
        rows = storage.pages_of(session, batch_id)
    return [
        _PageJob(
            row.seq, row.source_name, row.original_sha256, row.page_in_file, storage.quality_of(row),
            str(settings.originals_dir), batch.received,
            thorough=thorough_seqs[row.seq] if thorough_seqs is not None else frozenset(),
        )
        for row in rows
        if thorough_seqs is None or row.seq in thorough_seqs
    ]


# Page seq → the fields a second look reads there with every OCR variant.
SecondLook = dict[int, frozenset[FieldName]]

# The fields read on each document for a comparison that failed.
_READ_FOR = {
    FieldName.NAME: frozenset({FieldName.NAME}),
    FieldName.BIRTH_DATE: frozenset({FieldName.BIRTH_DATE}),
    FieldName.CORPORATE_NUMBER: frozenset({FieldName.CORPORATE_NUMBER, FieldName.COMPANY_NUMBER}),
}


def needs_second_look(results: list[ApplicationResult], analyses: list[PageAnalysis]) -> SecondLook:
    """Form and certificate pages of the applications a thorough reading could
    still approve: held only for a misread or a mismatch of a field that the
    quick reading (two agreeing OCR settings) may have got wrong. Applications
    held for anything else, or whose differing fields are settled (names the
    glyphs showed to differ; numbers and dates each document read one way by
    two agreeing readers), are not read twice. Only the fields in doubt are
    read again with every variant: the others were settled and would read
    the same."""
    kinds = {a.seq: a.kind for a in analyses}
    found: SecondLook = {}
    for result in results:
        fields = _fields_in_doubt(result)
        if fields:
            for seq in result.page_seqs:
                if kinds.get(seq) in (PageKind.FORM, PageKind.CERTIFICATE):
                    found[seq] = found.get(seq, frozenset()) | fields
    return found


# Numbers and dates whose decision already drew each document's value on the
# other's printed line (glyph_fields): settled on both documents and still
# different, they are different. Measured on a generated set of 300
# applications: the second look read 28 such applications again (56 pages, a
# tenth of the run) and changed none; its 3 changes were unsure issue dates.
_CROSS_CHECKED = frozenset({FieldName.CORPORATE_NUMBER, FieldName.BIRTH_DATE})


def _settled_on_both(result: ApplicationResult, name: FieldName) -> bool:
    """Both documents read the field one way, by two readers agreeing
    (confidence 100, no other reading)."""
    found = [item for item in result.fields if item.name is name and item.document in (Document.FORM, Document.CERTIFICATE)]
    return len(found) == 2 and all(item.value and item.confidence >= 100 and not item.alternatives for item in found)


def _fields_in_doubt(result: ApplicationResult) -> frozenset[FieldName]:
    reasons = set(result.decision.reasons)
    if result.decision.status is not Status.NEEDS_REVIEW or not reasons <= {Reason.MISMATCH, Reason.LOW_CONFIDENCE}:
        return frozenset()
    failing = [c for c in result.comparisons if not c.equal]
    shown_different = [
        c for c in failing
        if (c.method.startswith(GLYPH_METHOD) and not c.unsure)
        or (c.field in _CROSS_CHECKED and _settled_on_both(result, c.field))
    ]
    issue_date_doubt = any(detail.startswith("issue_date:") for detail in result.decision.details)
    if len(failing) <= len(shown_different) and not issue_date_doubt:
        return frozenset()
    fields = frozenset({FieldName.ISSUE_DATE}) if issue_date_doubt else frozenset()
    for comparison in failing:
        fields |= _READ_FOR.get(comparison.field, frozenset({comparison.field}))
    return fields


def decide_batch(
    settings: Settings,
    batch_id: str,
    analyses: list[PageAnalysis],
    before: tuple[list[PageAnalysis], list[ApplicationResult]] | None = None,
) -> list[ApplicationResult]:
    """Every application of the batch decided. `before`: the analyses and
    results of an earlier decision of the same batch; an application whose
    pages and history are what they were then keeps its result."""
    with storage.session_for(settings.database_url) as session:
        batch = session.get(storage.BatchRow, batch_id)
        if batch is None:
            raise NotFoundError(f"no batch {batch_id}")
        earlier = storage.known_application_ids(session, exclude_batch=batch_id)
    groups = grouping.split_applications(analyses)
    known: dict[tuple[int, ...], tuple[History, ApplicationResult]] = {}
    if before is not None:
        old_analyses, old_results = before
        old_groups = grouping.split_applications(old_analyses)
        unchanged = {a.seq for a, b in zip(old_analyses, analyses, strict=True) if a is b}
        for group, history, result in zip(old_groups, histories(old_groups, earlier), old_results, strict=True):
            if all(page.seq in unchanged for page in group.pages):
                known[tuple(page.seq for page in group.pages)] = (history, result)
    results: list[ApplicationResult | None] = []
    jobs = []
    for group, history in zip(groups, histories(groups, earlier), strict=True):
        kept = known.get(tuple(page.seq for page in group.pages))
        if kept is not None and kept[0] == history and kept[1].seq == group.seq:
            results.append(kept[1])
        else:
            results.append(None)
            jobs.append((group, batch.received, history, settings.min_confidence))
    # The glyph checks make a decision cost a tenth of a second: in the workers.
    decided = iter(_map(_decide_job, jobs, settings.workers))
    return [result if result is not None else next(decided) for result in results]


def _decide_job(job: tuple[grouping.PageGroup, date, History, float]) -> ApplicationResult:
    return decide(*job)


def analyse_and_decide(settings: Settings, batch_id: str) -> tuple[list[PageAnalysis], list[ApplicationResult]]:
    """A quick reading of every page, then a thorough one of the pages of
    applications the quick one could not settle."""
    analyses = analyse_batch_pages(settings, batch_id)
    results = decide_batch(settings, batch_id, analyses)
    again = needs_second_look(results, analyses)
    if again:
        closer = {a.seq: a for a in analyse_batch_pages(settings, batch_id, thorough_seqs=again)}
        looked_again = [closer.get(a.seq, a) for a in analyses]
        results = decide_batch(settings, batch_id, looked_again, before=(analyses, results))
        analyses = looked_again
    return analyses, results


def process_batch(settings: Settings, batch_id: str) -> list[ApplicationResult]:
    analyses, results = analyse_and_decide(settings, batch_id)
    with storage.session_for(settings.database_url) as session:
        storage.save_results(session, batch_id, analyses, results)
        session.commit()
    return results


def process_waiting(settings: Settings, batch_id: str | None = None) -> dict[str, list[ApplicationResult]]:
    with storage.session_for(settings.database_url) as session:
        if batch_id is not None:
            batch = session.get(storage.BatchRow, batch_id)
            if batch is None:
                raise NotFoundError(f"no batch {batch_id}")
            waiting = [batch_id] if batch.state != "processed" else []
        else:
            waiting = [batch.id for batch in storage.batches_waiting(session)]
    return {batch: process_batch(settings, batch) for batch in waiting}


class _SharedPool:
    """The worker processes shared_workers set up, replaced when one died: a
    watcher runs for days, and one broken pool must not fail every batch after."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers)

    def renew(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = ProcessPoolExecutor(max_workers=self.workers)


_SHARED_POOL: ContextVar[_SharedPool | None] = ContextVar("shared_pool", default=None)


@contextmanager
def shared_workers(workers: int) -> Iterator[None]:
    """One pool of worker processes for every stage run inside (ingest and its
    reading, the decisions, the second look), for a caller that runs them one
    after the other: each worker loads Tesseract's models (0.7 s) and warms
    its glyph caches once, not once a stage. A hot folder keeps one for as
    long as it watches, so a batch of one envelope does not pay for them."""
    if workers <= 1 or _SHARED_POOL.get() is not None:
        yield
        return
    shared = _SharedPool(workers)
    token = _SHARED_POOL.set(shared)
    try:
        yield
    finally:
        _SHARED_POOL.reset(token)
        shared.pool.shutdown(wait=True, cancel_futures=True)


def _map(function, jobs: Iterable, workers: int) -> list:  # type: ignore[no-untyped-def]
    """`function` over `jobs` in worker processes (the shared ones, when a
    caller set them up), results in order. Jobs given as an iterator are
    handed out as it yields them (the pool takes each one at once)."""
    if workers <= 1 or (isinstance(jobs, Sized) and len(jobs) <= 1):
        return [function(job) for job in jobs]
    shared = _SHARED_POOL.get()
    try:
        if shared is not None:
            return list(shared.pool.map(function, jobs, chunksize=1))
        size = min(workers, len(jobs)) if isinstance(jobs, Sized) else workers
        with ProcessPoolExecutor(max_workers=size) as pool:
            return list(pool.map(function, jobs, chunksize=1))
    except BrokenProcessPool as exc:
        if shared is not None:
            shared.renew()  # for the next run; this one is lost either way
        # No batch or decision of this run was saved; running the command again starts over.
        raise GbizReviewError(f"a worker process died ({exc}); this run saved no results, run it again") from exc


# --- steps for the flows (flows/) ---------------------------------------------
# The same stages cut where a crash or a second worker can pick up: reading
# pages stores each page's analysis (pipeline.codec JSON); each application is
# decided and saved in a transaction of its own, once (the application's
# (batch, seq) is unique); the batch is marked processed when all are saved.
# Every step takes ids and reads what it needs from the database and the store.


def worker_label() -> str:
    return os.environ.get("GBIZ_REVIEW_WORKER_NAME") or f"{socket.gethostname()}:{os.getpid()}"


def pages_to_read(settings: Settings, batch_id: str) -> list[int]:
    with storage.session_for(settings.database_url) as session:
        if session.get(storage.BatchRow, batch_id) is None:
            raise NotFoundError(f"no batch {batch_id}")
        done = storage.stored_analyses(session, batch_id)
        return [row.seq for row in storage.pages_of(session, batch_id) if row.seq not in done]


def read_pages(
    settings: Settings, batch_id: str, seqs: list[int], workers: int | None = None, in_process: bool = False,
) -> int:
    """Read these pages of a batch (those not read yet) and store what was found.
    `in_process`: read here, one page after the other (a caller with no other
    thread reading, e.g. a worker's flow run with one core)."""
    workers = workers or settings.workers
    with storage.session_for(settings.database_url) as session:
        batch = session.get(storage.BatchRow, batch_id)
        if batch is None:
            raise NotFoundError(f"no batch {batch_id}")
        done = storage.stored_analyses(session, batch_id)
        rows = [row for row in storage.pages_of(session, batch_id) if row.seq in set(seqs) and row.seq not in done]
    jobs = [
        _PageJob(
            row.seq, row.source_name, row.original_sha256, row.page_in_file, storage.quality_of(row),
            str(settings.originals_dir), batch.received,
        )
        for row in rows
    ]
    # Always in worker processes: Tesseract's in-process API is not thread-safe,
    # and flows call this from threads. One pool per process, reused.
    try:
        if in_process or not jobs:
            analyses = [_analyse_stored_page(job) for job in jobs]
        else:
            analyses = list(_reading_pool(workers).map(_analyse_stored_page, jobs, chunksize=1))
    except BrokenProcessPool as exc:
        with _POOL_LOCK:
            _POOLS.pop(max(1, workers), None)
        raise ToolError(f"batch {batch_id}: a page-reading process died ({exc}); nothing of it was saved") from exc
    by = worker_label()
    for analysis in analyses:
        try:
            with storage.session_for(settings.database_url) as session:
                storage.add_analysis(session, batch_id, analysis.seq, codec.analysis_to_json(analysis), by)
                session.commit()
        except StorageError:
            # Stored a moment ago by another run reading the same page: same content.
            with storage.session_for(settings.database_url) as session:
                if analysis.seq not in storage.stored_analyses(session, batch_id):
                    raise
    return len(analyses)


_POOLS: dict[int, ProcessPoolExecutor] = {}
_POOL_LOCK = threading.Lock()


def _reading_pool(workers: int) -> ProcessPoolExecutor:
    with _POOL_LOCK:
        pool = _POOLS.get(max(1, workers))
        if pool is None:
            # spawn: forking a process that runs threads (Prefect's) can deadlock the child.
            pool = ProcessPoolExecutor(max_workers=max(1, workers), mp_context=multiprocessing.get_context("spawn"))
            _POOLS[max(1, workers)] = pool
        return pool


def _stored_analyses(settings: Settings, batch_id: str) -> tuple[date, list[PageAnalysis]]:
    with storage.session_for(settings.database_url) as session:
        batch = session.get(storage.BatchRow, batch_id)
        if batch is None:
            raise NotFoundError(f"no batch {batch_id}")
        stored = storage.stored_analyses(session, batch_id)
        missing = [row.seq for row in storage.pages_of(session, batch_id) if row.seq not in stored]
    if missing:
        raise GbizReviewError(f"batch {batch_id}: {len(missing)} page(s) not read yet (first: {missing[0] + 1})")
    return batch.received, [codec.analysis_from_json(stored[seq]) for seq in sorted(stored)]


def application_plan(settings: Settings, batch_id: str) -> list[int]:
    """The batch's applications (their seqs), once every page is read."""
    _received, analyses = _stored_analyses(settings, batch_id)
    return [group.seq for group in grouping.split_applications(analyses)]


def decide_application(settings: Settings, batch_id: str, seq: int) -> str:
    """Decide one application and save it with its decision, once; returns its status."""
    with storage.session_for(settings.database_url) as session:
        existing = session.exec(
            storage.select(storage.ApplicationRow)
            .where(storage.ApplicationRow.batch_id == batch_id)
            .where(storage.ApplicationRow.seq == seq)
        ).first()
        if existing is not None:
            return existing.status
        earlier = storage.known_application_ids(session, exclude_batch=batch_id)
    received, analyses = _stored_analyses(settings, batch_id)
    groups = grouping.split_applications(analyses)
    group = next(g for g in groups if g.seq == seq)
    # As decide_all does: an ID seen earlier in this batch makes this one a DUPLICATE.
    history = histories(groups, earlier)[groups.index(group)]
    result = decide(group, received, history, settings.min_confidence)
    again = needs_second_look([result], list(group.pages))
    if again:
        # The same second, thorough look process_batch gives (in the reading
        # pool: flows call this from threads, and Tesseract's API is not thread-safe).
        jobs = _page_jobs(settings, batch_id, again)
        closer = {a.seq: a for a in _reading_pool(settings.workers).map(_analyse_stored_page, jobs, chunksize=1)}
        pages = [closer.get(a.seq, a) for a in analyses]
        group = next(g for g in grouping.split_applications(pages) if g.seq == seq)
        result = decide(group, received, history, settings.min_confidence)
    try:
        with storage.session_for(settings.database_url) as session:
            storage.add_application(session, batch_id, result)
            session.commit()
    except StorageError:
        # Another worker saved it first: the (batch, seq) constraint kept it once.
        with storage.session_for(settings.database_url) as session:
            if seq not in storage.application_seqs(session, batch_id):
                raise
    return result.decision.status.value


def finish_batch(settings: Settings, batch_id: str) -> bool:
    """Mark the batch processed when every application is saved."""
    _received, analyses = _stored_analyses(settings, batch_id)
    planned = {group.seq for group in grouping.split_applications(analyses)}
    with storage.session_for(settings.database_url) as session:
        if not planned <= set(storage.application_seqs(session, batch_id)):
            return False
        storage.finish_batch(session, batch_id, analyses)
        session.commit()
    return True

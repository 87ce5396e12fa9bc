"""The only module that knows SQLModel: tables, sessions, and the queries the
commands need. SQLite in the home by default, any SQLAlchemy URL (PostgreSQL
for a site with several stations) through GBIZ_REVIEW_DATABASE_URL.

Decisions are append-only: an application's current status is a cache of its
latest decision, which is never updated in place.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import UniqueConstraint, event, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Field, Session, SQLModel, create_engine, select

from pipeline.domain import ApplicationResult, PageAnalysis, ScanQuality, SourcePage
from pipeline.errors import StorageError


def utcnow() -> datetime:
    return datetime.now(UTC)


class BatchRow(SQLModel, table=True):
    __tablename__ = "batch"
    id: str = Field(primary_key=True)
    received: date
    station: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    state: str = "received"  # received → processed
    page_count: int = 0
    processed_at: datetime | None = None


class OriginalRow(SQLModel, table=True):
    __tablename__ = "original"
    sha256: str = Field(primary_key=True)
    size: int
    first_name: str
    created_at: datetime = Field(default_factory=utcnow)


class PageRow(SQLModel, table=True):
    __tablename__ = "page"
    __table_args__ = (UniqueConstraint("batch_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    batch_id: str = Field(index=True, foreign_key="batch.id")
    seq: int
    source_name: str
    original_sha256: str = Field(foreign_key="original.sha256")
    page_in_file: int = 1
    width_px: int
    height_px: int
    dpi_x: float | None = None
    dpi_y: float | None = None
    effective_dpi: float
    mode: str
    channels: int
    bits_per_channel: int
    distinct_levels: int
    colour_spread: float
    colourful_share: float = 1.0
    quality_problems: str = "[]"  # JSON list; empty when the page meets the rules
    kind: str | None = None
    rotated_180: bool | None = None
    skew_deg: float | None = None
    findings: str = "[]"  # JSON list


class ApplicationRow(SQLModel, table=True):
    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("batch_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    batch_id: str = Field(index=True, foreign_key="batch.id")
    seq: int
    application_id: str | None = Field(default=None, index=True)
    page_seqs: str = "[]"  # JSON list of page seqs in scan order
    status: str
    reasons: str = ""  # ";"-joined codes of the latest decision
    cert_issue_date: date | None = None
    findings: str = "[]"
    created_at: datetime = Field(default_factory=utcnow)


class FieldRow(SQLModel, table=True):
    __tablename__ = "extracted_field"
    id: int | None = Field(default=None, primary_key=True)
    application_pk: int = Field(index=True, foreign_key="application.id")
    document: str
    name: str
    raw_text: str
    value: str | None = None
    confidence: float
    page_seq: int
    box_x: int | None = None
    box_y: int | None = None
    box_width: int | None = None
    box_height: int | None = None
    alternatives: str = "[]"  # JSON list of other readings of the same zone


class ComparisonRow(SQLModel, table=True):
    __tablename__ = "comparison"
    id: int | None = Field(default=None, primary_key=True)
    application_pk: int = Field(index=True, foreign_key="application.id")
    field: str
    form_value: str | None = None
    cert_value: str | None = None
    method: str
    score: float
    equal: bool


class DecisionRow(SQLModel, table=True):
    __tablename__ = "decision"
    id: int | None = Field(default=None, primary_key=True)
    application_pk: int = Field(index=True, foreign_key="application.id")
    status: str
    reasons: str = ""
    details: str = "[]"
    policy_version: str
    decided_by: str = "auto"
    decided_at: datetime = Field(default_factory=utcnow)  # UTC


class ExportRow(SQLModel, table=True):
    __tablename__ = "export"
    id: str = Field(primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    out_dir: str
    state: str = "written"  # written (files may still be aside) → done (renamed into place)
    approve_rows: int = 0
    deny_rows: int = 0


class ExportItemRow(SQLModel, table=True):
    """One row per exported application; the primary key makes "exported once" a
    database guarantee rather than a hope."""

    __tablename__ = "export_item"
    application_pk: int = Field(primary_key=True, foreign_key="application.id")
    export_id: str = Field(index=True, foreign_key="export.id")
    position: int
    result: str  # OK | NG
    reason_codes: str = ""
    decided_by: str
    decided_at: datetime


_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    engine = _ENGINES.get(url)
    if engine is None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30})

            @event.listens_for(engine, "connect")
            def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA synchronous=FULL")
                cursor.close()
        else:
            engine = create_engine(url, pool_pre_ping=True)
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Stations starting at the same moment on a new database would
                # race to create the same tables: one at a time.
                connection.execute(text("SELECT pg_advisory_xact_lock(7201901)"))
            SQLModel.metadata.create_all(connection)
        _ENGINES[url] = engine
    return engine


@contextmanager
def session_for(url: str) -> Iterator[Session]:
    """A session; database failures become StorageError with a one-line reason."""
    try:
        engine = engine_for(url)
    except ImportError as exc:
        raise StorageError(f"database {_safe(url)}: no driver installed ({exc.name})") from exc
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
        raise StorageError(f"database {_safe(url)}: {reason}") from exc
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
        raise StorageError(f"database {_safe(url)}: {reason}") from exc


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as "the database"
        return "(database URL)"


# --- writes -----------------------------------------------------------------


def add_batch(
    session: Session,
    batch_id: str,
    received: date,
    station: str | None,
    pages: list[tuple[SourcePage, ScanQuality]],
    originals: dict[str, tuple[int, str]],
) -> BatchRow:
    """A batch with its pages and any originals not stored before, in the
    caller's transaction."""
    for digest, (size, first_name) in originals.items():
        if session.get(OriginalRow, digest) is None:
            session.add(OriginalRow(sha256=digest, size=size, first_name=first_name))
    batch = BatchRow(id=batch_id, received=received, station=station, page_count=len(pages))
    session.add(batch)
    session.flush()
    for page, measured in pages:
        session.add(
            PageRow(
                batch_id=batch_id,
                seq=page.seq,
                source_name=page.source_name,
                original_sha256=page.original_sha256,
                page_in_file=page.page_in_file,
                width_px=measured.width_px,
                height_px=measured.height_px,
                dpi_x=measured.dpi_x,
                dpi_y=measured.dpi_y,
                effective_dpi=measured.effective_dpi,
                mode=measured.mode,
                channels=measured.channels,
                bits_per_channel=measured.bits_per_channel,
                distinct_levels=measured.distinct_levels,
                colour_spread=measured.colour_spread,
                colourful_share=measured.colourful_share,
                quality_problems=json.dumps(list(measured.problems), ensure_ascii=False),
            )
        )
    return batch


def save_results(
    session: Session,
    batch_id: str,
    analyses: list[PageAnalysis],
    applications: list[ApplicationResult],
) -> None:
    """Everything one processing run learnt about a batch, in the caller's
    transaction. A batch already processed is left alone (no duplicates when a
    run is repeated)."""
    batch = session.get(BatchRow, batch_id)
    if batch is None or batch.state == "processed":
        return
    saved = set(application_seqs(session, batch_id))  # by a flow run that died before finishing
    for result in applications:
        if result.seq not in saved:
            add_application(session, batch_id, result)
    finish_batch(session, batch_id, analyses)


def add_application(session: Session, batch_id: str, result: ApplicationResult) -> ApplicationRow:
    """One decided application with its fields, comparisons and first decision,
    in the caller's transaction."""
    decision = result.decision
    app = ApplicationRow(
        batch_id=batch_id,
        seq=result.seq,
        application_id=result.application_id,
        page_seqs=json.dumps(list(result.page_seqs)),
        status=decision.status.value,
        reasons=";".join(reason.value for reason in decision.reasons),
        cert_issue_date=result.cert_issue_date,
        findings=json.dumps(list(result.findings), ensure_ascii=False),
    )
    session.add(app)
    session.flush()
    assert app.id is not None
    for item in result.fields:
        session.add(
            FieldRow(
                application_pk=app.id,
                document=item.document.value,
                name=item.name.value,
                raw_text=item.raw_text,
                value=item.value,
                confidence=item.confidence,
                page_seq=item.page_seq,
                box_x=item.box.x if item.box else None,
                box_y=item.box.y if item.box else None,
                box_width=item.box.width if item.box else None,
                box_height=item.box.height if item.box else None,
                alternatives=json.dumps(list(item.alternatives), ensure_ascii=False),
            )
        )
    for comparison in result.comparisons:
        session.add(
            ComparisonRow(
                application_pk=app.id,
                field=comparison.field.value,
                form_value=comparison.form_value,
                cert_value=comparison.cert_value,
                method=comparison.method,
                score=comparison.score,
                equal=comparison.equal,
            )
        )
    session.add(
        DecisionRow(
            application_pk=app.id,
            status=decision.status.value,
            reasons=";".join(reason.value for reason in decision.reasons),
            details=json.dumps(list(decision.details), ensure_ascii=False),
            policy_version=decision.policy_version,
            decided_by=decision.decided_by,
            decided_at=decision.decided_at or utcnow(),
        )
    )
    return app


# --- reads ------------------------------------------------------------------


def batches_waiting(session: Session) -> list[BatchRow]:
    query = select(BatchRow).where(BatchRow.state != "processed").order_by(BatchRow.created_at)
    return list(session.exec(query))


def pages_of(session: Session, batch_id: str) -> list[PageRow]:
    query = select(PageRow).where(PageRow.batch_id == batch_id).order_by(PageRow.seq)
    return list(session.exec(query))


def known_application_ids(session: Session, exclude_batch: str) -> dict[str, str]:
    """申請書ID → its latest status, over every batch but one."""
    query = (
        select(ApplicationRow.application_id, ApplicationRow.status)
        .where(ApplicationRow.application_id.is_not(None))  # type: ignore[union-attr]
        .where(ApplicationRow.batch_id != exclude_batch)
        .order_by(ApplicationRow.created_at)
    )
    seen: dict[str, str] = {}
    for application_id, status in session.exec(query):
        # "denied" wins: a later duplicate must not hide that the ID was denied once.
        if seen.get(application_id) != "denied":
            seen[application_id] = status
    return seen


def add_prior_decisions(session: Session, batch_id: str, received: date, statuses: dict[str, str], by: str) -> None:
    """Applications decided before this database existed (an evaluation's
    assumed history, an import from the old system): one batch with no pages,
    one application and one decision per 申請書ID."""
    session.add(BatchRow(id=batch_id, received=received, state="processed", processed_at=utcnow()))
    session.flush()
    for seq, (application_id, status) in enumerate(sorted(statuses.items())):
        row = ApplicationRow(batch_id=batch_id, seq=seq, application_id=application_id, status=status)
        session.add(row)
        session.flush()
        assert row.id is not None
        session.add(DecisionRow(application_pk=row.id, status=status, policy_version="history", decided_by=by))


def applications_in_order(session: Session) -> list[ApplicationRow]:
    query = (
        select(ApplicationRow)
        .join(BatchRow, BatchRow.id == ApplicationRow.batch_id)  # type: ignore[arg-type]
        .order_by(BatchRow.created_at, ApplicationRow.batch_id, ApplicationRow.seq)
    )
    return list(session.exec(query))


def quality_of(row: PageRow) -> ScanQuality:
    """The scan measurements stored with a page."""
    return ScanQuality(
        width_px=row.width_px, height_px=row.height_px, dpi_x=row.dpi_x, dpi_y=row.dpi_y,
        effective_dpi=row.effective_dpi, mode=row.mode, channels=row.channels,
        bits_per_channel=row.bits_per_channel, distinct_levels=row.distinct_levels,
        colour_spread=row.colour_spread, colourful_share=row.colourful_share,
        problems=tuple(json.loads(row.quality_problems)),
    )


def latest_decision(session: Session, application_pk: int) -> DecisionRow | None:
    query = (
        select(DecisionRow)
        .where(DecisionRow.application_pk == application_pk)
        .order_by(DecisionRow.id.desc())  # type: ignore[union-attr]
        .limit(1)
    )
    return session.exec(query).first()


# --- floor: hot folders, page analyses of flow runs --------------------------


class HotFileRow(SQLModel, table=True):
    """What a hot folder took, by content: the same bytes dropped again are not
    a new batch. Written in the batch's own transaction."""

    __tablename__ = "hot_file"
    sha256: str = Field(primary_key=True)
    name: str
    folder: str
    batch_id: str = Field(foreign_key="batch.id")
    created_at: datetime = Field(default_factory=utcnow)


def hot_file_batch(session: Session, digest: str) -> str | None:
    row = session.get(HotFileRow, digest)
    return row.batch_id if row else None


def add_hot_file(session: Session, digest: str, name: str, folder: str, batch_id: str) -> None:
    session.add(HotFileRow(sha256=digest, name=name, folder=folder, batch_id=batch_id))


class PageAnalysisRow(SQLModel, table=True):
    """What reading one page found (pipeline.codec JSON), kept by the flows
    between their steps so that a re-run reads no page twice."""

    __tablename__ = "page_analysis"
    batch_id: str = Field(primary_key=True, foreign_key="batch.id")
    seq: int = Field(primary_key=True)
    payload: str
    analysed_by: str = ""
    analysed_at: datetime = Field(default_factory=utcnow)


def application_seqs(session: Session, batch_id: str) -> list[int]:
    query = select(ApplicationRow.seq).where(ApplicationRow.batch_id == batch_id).order_by(ApplicationRow.seq)
    return list(session.exec(query))


def stored_analyses(session: Session, batch_id: str) -> dict[int, str]:
    query = select(PageAnalysisRow).where(PageAnalysisRow.batch_id == batch_id)
    return {row.seq: row.payload for row in session.exec(query)}


def analysed_by(session: Session, batch_id: str) -> dict[int, str]:
    query = select(PageAnalysisRow).where(PageAnalysisRow.batch_id == batch_id)
    return {row.seq: row.analysed_by for row in session.exec(query)}


def add_analysis(session: Session, batch_id: str, seq: int, payload: str, by: str) -> None:
    if session.get(PageAnalysisRow, (batch_id, seq)) is None:
        session.add(PageAnalysisRow(batch_id=batch_id, seq=seq, payload=payload, analysed_by=by))


def finish_batch(session: Session, batch_id: str, analyses: list[PageAnalysis]) -> None:
    """Page results onto the page rows and the batch marked processed, once
    every application of the batch is saved (flows)."""
    batch = session.get(BatchRow, batch_id)
    if batch is None or batch.state == "processed":
        return
    pages = {row.seq: row for row in session.exec(select(PageRow).where(PageRow.batch_id == batch_id))}
    for analysis in analyses:
        row = pages[analysis.seq]
        row.kind = analysis.kind.value
        row.rotated_180 = analysis.rotated_180
        row.skew_deg = analysis.skew_deg
        row.findings = json.dumps(list(analysis.findings), ensure_ascii=False)
        session.add(row)
    batch.state = "processed"
    batch.processed_at = utcnow()
    session.add(batch)


def decision_counts(session: Session, batch_id: str) -> list[tuple[int, str | None, int]]:
    """(application seq, 申請書ID, number of decision rows) for each application of a batch."""
    apps = session.exec(select(ApplicationRow).where(ApplicationRow.batch_id == batch_id).order_by(ApplicationRow.seq))
    counts = []
    for app in apps:
        rows = session.exec(select(DecisionRow.id).where(DecisionRow.application_pk == app.id)).all()
        counts.append((app.seq, app.application_id, len(rows)))
    return counts
# The review UI's tables (accounts, sessions, audit, proposals, corrections)
# live in the sibling storage module; importing it registers them.
from pipeline import storage_review as _storage_review  # noqa: E402,F401

"""The report and the export files, exactly as interfaces.md describes them."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from pipeline import storage, storage_review
from pipeline.config import TOKYO
from pipeline.errors import ExportError

REPORT_COLUMNS = (
    "application_id",
    "batch_id",
    "status",
    "reasons",
    "form_corporate_number",
    "cert_corporate_number",
    "form_name",
    "cert_name",
    "form_birth_date",
    "cert_birth_date",
    "cert_issue_date",
    "pages",
)
EXPORT_COLUMNS = ("application_id", "result", "reason_codes", "decided_by", "decided_at")
EXPORTABLE = {"auto_approved": "OK", "approved": "OK", "denied": "NG"}
_REPORT_FIELDS = {
    ("form", "corporate_number"): "form_corporate_number",
    ("certificate", "corporate_number"): "cert_corporate_number",
    ("form", "name"): "form_name",
    ("certificate", "name"): "cert_name",
    ("form", "birth_date"): "form_birth_date",
    ("certificate", "birth_date"): "cert_birth_date",
}


def _csv_bytes(header: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def report_rows(session: Session) -> list[dict[str, str]]:
    applications = storage.applications_in_order(session)
    pks = [app.id for app in applications if app.id is not None]
    fields: dict[int, dict[str, str]] = {pk: {} for pk in pks}
    if pks:
        for row in session.exec(
            select(storage.FieldRow).where(storage.FieldRow.application_pk.in_(pks))  # type: ignore[attr-defined]
        ):
            column = _REPORT_FIELDS.get((row.document, row.name))
            if column and row.value:
                fields[row.application_pk][column] = row.value
    page_names: dict[tuple[str, int], str] = {}
    for batch_id in {app.batch_id for app in applications}:
        for page in storage.pages_of(session, batch_id):
            page_names[(batch_id, page.seq)] = page.source_name
    rows = []
    for app in applications:
        assert app.id is not None
        row = {column: "" for column in REPORT_COLUMNS}
        row.update(fields[app.id])
        row["application_id"] = app.application_id or ""
        row["batch_id"] = app.batch_id
        row["status"] = app.status
        row["reasons"] = app.reasons
        row["cert_issue_date"] = app.cert_issue_date.isoformat() if app.cert_issue_date else ""
        row["pages"] = ";".join(page_names[(app.batch_id, seq)] for seq in json.loads(app.page_seqs))
        rows.append(row)
    return rows


def report_csv(session: Session) -> bytes:
    return _csv_bytes(REPORT_COLUMNS, report_rows(session))


# --- export -----------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    export_id: str
    approve_path: Path
    deny_path: Path
    manifest_path: Path
    approve_rows: int
    deny_rows: int
    recovered: tuple[str, ...]  # earlier exports this run finished


def _iso_tokyo(moment: datetime) -> str:
    if moment.tzinfo is None:  # stored as UTC by a database without time zones
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TOKYO).isoformat(timespec="seconds")


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _names(out_dir: Path, export_id: str) -> dict[str, Path]:
    return {
        "approve": out_dir / f"approve-{export_id}.csv",
        "deny": out_dir / f"deny-{export_id}.csv",
        "manifest": out_dir / f"manifest-{export_id}.json",
    }


def _aside(path: Path) -> Path:
    return path.with_name(f".{path.name}.part")


def _render(export_id: str, created_at: datetime, items: list[storage.ExportItemRow], applications: dict[int, str]) -> dict[str, bytes]:
    """The three files of one export, rendered only from stored rows so that a
    crashed export can be written again byte for byte."""
    ordered = sorted(items, key=lambda item: item.position)
    approve = []
    deny = []
    for item in ordered:
        row = {
            "application_id": applications[item.application_pk],
            "result": item.result,
            "reason_codes": item.reason_codes,
            "decided_by": item.decided_by,
            "decided_at": _iso_tokyo(item.decided_at),
        }
        (approve if item.result == "OK" else deny).append(row)
    files = {"approve": _csv_bytes(EXPORT_COLUMNS, approve), "deny": _csv_bytes(EXPORT_COLUMNS, deny)}
    names = {kind: f"{kind}-{export_id}.csv" for kind in files}
    manifest = {
        "export_id": export_id,
        "created_at": _iso_tokyo(created_at),
        "files": {
            kind: {
                "name": names[kind],
                "rows": len(approve if kind == "approve" else deny),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
            for kind, content in files.items()
        },
    }
    files["manifest"] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


def _write_aside(path: Path, content: bytes) -> None:
    aside = _aside(path)
    with open(aside, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(out_dir: Path, export_id: str, files: dict[str, bytes]) -> None:
    """Rename the files into place, manifest last, writing again any that were lost."""
    paths = _names(out_dir, export_id)
    for kind in ("approve", "deny", "manifest"):
        target = paths[kind]
        if target.exists():
            continue
        aside = _aside(target)
        if not aside.exists() or aside.read_bytes() != files[kind]:
            _write_aside(target, files[kind])
        os.replace(aside, target)
    _fsync_dir(out_dir)


def _application_ids(session: Session, pks: list[int]) -> dict[int, str]:
    if not pks:
        return {}
    query = select(storage.ApplicationRow).where(storage.ApplicationRow.id.in_(pks))  # type: ignore[union-attr]
    return {row.id: row.application_id or "" for row in session.exec(query) if row.id is not None}


def _finish_pending(session: Session) -> list[str]:
    """Exports recorded in the database whose files never reached their place
    (the process died between writing and renaming): publish them now."""
    finished = []
    pending = session.exec(select(storage.ExportRow).where(storage.ExportRow.state == "written"))
    for export in list(pending):
        items = list(
            session.exec(select(storage.ExportItemRow).where(storage.ExportItemRow.export_id == export.id))
        )
        files = _render(export.id, export.created_at, items, _application_ids(session, [i.application_pk for i in items]))
        out_dir = Path(export.out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        _publish(out_dir, export.id, files)
        export.state = "done"
        session.add(export)
        session.commit()
        finished.append(export.id)
    return finished


def export(session: Session, out_dir: Path, decided_before: datetime | None = None) -> ExportResult:
    """Write approve/deny/manifest for everything decided and not yet exported.

    Order of steps, for crash safety: render and write the files aside; record
    the export and its items in one transaction (the items' primary key makes
    each application exported once); rename into place. A crash before the
    commit leaves only aside files, which are not the contract's names; a crash
    after it is finished by the next run from the stored rows.
    `decided_before` (the daily cut-off) leaves later decisions for the next export.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{out_dir}: cannot create the export folder ({exc.strerror})") from exc
    if not os.access(out_dir, os.W_OK):
        raise ExportError(f"{out_dir}: the export folder is not writable")
    recovered = _finish_pending(session)

    exported = select(storage.ExportItemRow.application_pk)
    # Four-eyes: an application whose change waits for a second reviewer is not exported yet.
    waiting = set(storage_review.pending_proposals(session))
    candidates = [
        app
        for app in storage.applications_in_order(session)
        if app.status in EXPORTABLE and app.application_id and app.id not in waiting
    ]
    already = set(session.exec(exported))
    created_at = storage.utcnow()
    export_id = created_at.astimezone(TOKYO).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
    items = []
    for position, app in enumerate(a for a in candidates if a.id not in already):
        assert app.id is not None
        decision = storage.latest_decision(session, app.id)
        if decision is None:
            continue
        if decided_before is not None and _utc(decision.decided_at) > decided_before:
            continue
        items.append(
            storage.ExportItemRow(
                application_pk=app.id,
                export_id=export_id,
                position=position,
                result=EXPORTABLE[app.status],
                reason_codes=decision.reasons if app.status == "denied" else "",
                decided_by=decision.decided_by,
                decided_at=decision.decided_at,
            )
        )
    ids = {app.id: app.application_id or "" for app in candidates if app.id is not None}
    files = _render(export_id, created_at, items, ids)
    paths = _names(out_dir, export_id)
    for kind, content in files.items():
        _write_aside(paths[kind], content)
    approve_rows = sum(1 for item in items if item.result == "OK")
    session.add(
        storage.ExportRow(
            id=export_id,
            created_at=created_at,
            out_dir=str(out_dir.resolve()),
            approve_rows=approve_rows,
            deny_rows=len(items) - approve_rows,
        )
    )
    session.flush()
    for item in items:
        session.add(item)
    try:
        session.commit()
    except Exception:
        session.rollback()
        for path in paths.values():
            _aside(path).unlink(missing_ok=True)
        raise
    _publish(out_dir, export_id, files)
    record = session.get(storage.ExportRow, export_id)
    assert record is not None
    record.state = "done"
    session.add(record)
    session.commit()
    return ExportResult(
        export_id=export_id,
        approve_path=paths["approve"],
        deny_path=paths["deny"],
        manifest_path=paths["manifest"],
        approve_rows=approve_rows,
        deny_rows=len(items) - approve_rows,
        recovered=tuple(recovered),
    )

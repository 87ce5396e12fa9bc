"""`gbiz-review evaluate PATH`: run the whole pipeline on a generated set and
compare what it decided and read with the set's truth.json."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from matching.names import fold_variants
from pipeline import process, report, storage
from pipeline.config import Settings, prepare_home
from pipeline.text import normalise_name

# report column → (truth document, truth key)
FIELD_TRUTH = {
    "application_id": ("form", "application_id"),
    "form_corporate_number": ("form", "corporate_number"),
    "cert_corporate_number": ("certificate", "corporate_number"),
    "form_name": ("form", "name"),
    "cert_name": ("certificate", "name"),
    "form_birth_date": ("form", "birth_date"),
    "cert_birth_date": ("certificate", "birth_date"),
    "cert_issue_date": ("certificate", "issue_date"),
}


@dataclass
class Evaluation:
    applications: int = 0
    seconds: float = 0.0
    valid: int = 0
    valid_approved: int = 0
    defective: int = 0
    defective_held: int = 0
    defective_right_reason: int = 0
    rescan_expected: int = 0
    rescan_detected: int = 0
    false_approvals: list[str] = field(default_factory=list)
    wrong_reasons: list[str] = field(default_factory=list)
    valid_held: list[str] = field(default_factory=list)
    unmatched: int = 0
    field_right: Counter = field(default_factory=Counter)  # type: ignore[type-arg]
    field_total: Counter = field(default_factory=Counter)  # type: ignore[type-arg]
    # The same on valid applications only: a defect (a struck value, a
    # photocopy) is what makes many fields hard to read, and those are held.
    field_right_valid: Counter = field(default_factory=Counter)  # type: ignore[type-arg]
    field_total_valid: Counter = field(default_factory=Counter)  # type: ignore[type-arg]
    field_misses: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)  # type: ignore[type-arg]

    @property
    def per_second(self) -> float:
        return self.applications / self.seconds if self.seconds else 0.0


def _same(column: str, read: str, truth: str) -> bool:
    if column.endswith("_name"):
        # Registered variant kanji (髙, 﨑 …) are folded: Tesseract's model cannot
        # read most of them. OCR look-alikes (了 for 子) are not: a value the
        # report shows must be the name itself.
        def strict(name: str) -> str:
            return fold_variants(normalise_name(name))

        return strict(read) == strict(truth)
    return read == truth


def evaluate_folder(folder: Path, settings: Settings) -> Evaluation:
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    received = date.fromisoformat(truth["received"])
    prepare_home(settings)
    # The set assumes some 申請書IDs were denied before it arrived: that history
    # goes into the database first, as a reviewer's denial would have.
    denied = {
        app["application_id"]: "denied" for app in truth["applications"] if "DENIED_BEFORE" in app["expected_reasons"]
    }
    if denied:
        with storage.session_for(settings.database_url) as session:
            storage.add_prior_decisions(session, "evaluation-history", received, denied, by="evaluation")
            session.commit()
    started = time.perf_counter()
    with process.shared_workers(settings.workers):
        ingested = process.ingest(settings, [folder], received, read=True)
        if ingested.batch_id is None:
            raise SystemExit(f"gbiz-review: {folder}: no pages")
        process.process_waiting(settings, ingested.batch_id)
    result = Evaluation(seconds=time.perf_counter() - started)
    with storage.session_for(settings.database_url) as session:
        rows = [r for r in report.report_rows(session) if r["batch_id"] == ingested.batch_id]
    by_first_page = {row["pages"].split(";")[0]: row for row in rows if row["pages"]}
    for app in truth["applications"]:
        result.applications += 1
        row = by_first_page.get(app["pages"][0])
        expected = app["expected_status"]
        label = f"{app['application_id']} (#{app['index']}, {', '.join(app['expected_reasons']) or 'valid'})"
        if row is None:
            result.unmatched += 1
            continue
        result.statuses[row["status"]] += 1
        found = set(filter(None, row["reasons"].split(";")))
        if expected == "rescan":
            result.rescan_expected += 1
            result.rescan_detected += row["status"] == "rescan"
        elif app["valid"]:
            result.valid += 1
            if row["status"] == "auto_approved":
                result.valid_approved += 1
            else:
                result.valid_held.append(f"{label}: {row['status']} {row['reasons']}")
        else:
            result.defective += 1
            if row["status"] != "auto_approved":
                result.defective_held += 1
                if set(app["expected_reasons"]) <= found:
                    result.defective_right_reason += 1
                else:
                    result.wrong_reasons.append(f"{label}: found {row['reasons'] or 'nothing'}")
        if row["status"] == "auto_approved" and not app["valid"]:
            result.false_approvals.append(label)
        for column, (document, key) in FIELD_TRUTH.items():
            source = app.get(document)
            if not source or not source.get(key) or expected == "rescan":
                continue
            if document == "certificate" and source.get("document") != "seal_certificate":
                continue
            right = _same(column, row[column], str(source[key]))
            result.field_total[column] += 1
            result.field_right[column] += right
            if app["valid"]:
                result.field_total_valid[column] += 1
                result.field_right_valid[column] += right
            if not right:
                result.field_misses.append(f"{column:24} {label}: read {row[column] or 'nothing'!r}, printed {source[key]!r}")
    return result


def format_evaluation(result: Evaluation) -> str:
    def share(part: int, whole: int) -> str:
        return f"{part}/{whole} ({100 * part / whole:.1f} %)" if whole else "0/0"

    lines = [
        f"applications: {result.applications} in {result.seconds:.1f} s = {result.per_second:.2f} applications/s",
        f"statuses: {', '.join(f'{k} {v}' for k, v in sorted(result.statuses.items()))}",
        f"valid approved automatically: {share(result.valid_approved, result.valid)}",
        f"defective held back: {share(result.defective_held, result.defective)}",
        f"defective held with the right reason: {share(result.defective_right_reason, result.defective)}",
        f"rescan detected: {share(result.rescan_detected, result.rescan_expected)}",
        f"false approvals: {len(result.false_approvals)}",
    ]
    lines += [f"  FALSE APPROVAL {label}" for label in result.false_approvals]
    if result.unmatched:
        lines.append(f"applications not found in the report: {result.unmatched}")
    lines.append("field accuracy:                   all applications   valid applications")
    for column in FIELD_TRUTH:
        every = share(result.field_right[column], result.field_total[column])
        valid = share(result.field_right_valid[column], result.field_total_valid[column])
        lines.append(f"  {column:24} {every:>18}   {valid:>18}")
    if result.field_misses:
        lines.append("field misses:")
        lines += [f"  {item}" for item in result.field_misses]
    if result.valid_held:
        lines.append("valid but held:")
        lines += [f"  {item}" for item in result.valid_held]
    if result.wrong_reasons:
        lines.append("held with another reason:")
        lines += [f"  {item}" for item in result.wrong_reasons]
    return "\n".join(lines)


def run(folder: Path, workers: int, keep_home: str | None = None, min_confidence: float = 40.0) -> int:
    if not (folder / "truth.json").is_file():
        print(f"gbiz-review: {folder}: no truth.json (make a set with `gbiz-review samples generate`)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="gbiz-evaluate-") as scratch:
        home = Path(keep_home) if keep_home else Path(scratch)
        settings = Settings(
            home=home.resolve(), database_url=f"sqlite:///{home.resolve() / 'gbiz-review.db'}", workers=workers,
            min_confidence=min_confidence,
        )
        result = evaluate_folder(folder, settings)
    print(format_evaluation(result))
    return 1 if result.false_approvals else 0

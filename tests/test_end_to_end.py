"""The product as a user runs it: generate a batch, ingest it through the
command, read the report and the export files, and compare with the truth."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.report import EXPORT_COLUMNS, REPORT_COLUMNS

pytestmark = pytest.mark.slow


def gbiz(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "GBIZ_REVIEW_WORKERS": "2"}
    env.pop("GBIZ_REVIEW_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--home", str(home), *args],
        capture_output=True, text=True, env=env, timeout=900,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("scans")
    gbiz(
        tmp_path_factory.mktemp("unused-home"), "samples", "generate", str(folder), "--count", "8",
        "--seed", "424242", "--received", "2026-11-20", "--defect-rate", "0.5", "--rescan-rate", "0.15", "--force",
    )
    return folder, json.loads((folder / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ingested(batch, tmp_path_factory):
    folder, truth = batch
    home = tmp_path_factory.mktemp("home")
    result = gbiz(home, "ingest", str(folder), "--received", truth["received"], "--station", "test-1")
    return home, result


def test_ingest_prints_the_batch_id_and_processes(ingested):
    _home, result = ingested
    batch_id = result.stdout.strip()
    assert batch_id.startswith("B") and "\n" not in batch_id
    assert "truth.json: skipped, not a page image" in result.stderr


def test_report_follows_the_contract_and_the_truth(batch, ingested):
    _folder, truth = batch
    home, result = ingested
    report_text = gbiz(home, "report", "--format", "csv").stdout
    assert report_text.splitlines()[0] == ",".join(REPORT_COLUMNS)
    report = rows(report_text)
    assert len(report) == len(truth["applications"])
    batch_id = result.stdout.strip()
    approved_valid = 0
    for app, row in zip(truth["applications"], report, strict=True):
        assert row["batch_id"] == batch_id
        assert row["application_id"] == app["application_id"]
        assert row["pages"] == ";".join(app["pages"])
        assert row["status"] in {"auto_approved", "needs_review", "rescan"}
        if app["expected_status"] == "rescan":
            assert row["status"] == "rescan", (app["application_id"], row)
            continue
        if not app["valid"]:
            # Nothing wrong is ever approved automatically, and the reason is named.
            assert row["status"] == "needs_review", (app["application_id"], row)
            assert row["reasons"], row
            continue
        if row["status"] == "auto_approved":
            approved_valid += 1
            assert row["reasons"] == ""
            assert row["form_corporate_number"] == app["form"]["corporate_number"]
            assert row["cert_corporate_number"] == app["certificate"]["corporate_number"]
            assert row["form_birth_date"] == row["cert_birth_date"] == app["form"]["birth_date"]
            assert row["cert_issue_date"] == app["certificate"]["issue_date"]
            assert row["form_name"] == app["form"]["name"].replace("\u3000", " ")
            assert " " in row["cert_name"] and "\u3000" not in row["cert_name"]
    assert approved_valid >= 1


def test_export_writes_each_application_once(batch, ingested, tmp_path):
    _folder, truth = batch
    home, _ = ingested
    report = rows(gbiz(home, "report").stdout)
    first = gbiz(home, "export", "--out", str(tmp_path)).stdout.split()
    approve, deny, manifest = (Path(p) for p in first)
    assert approve.name.startswith("approve-") and deny.name.startswith("deny-")
    approve_rows = rows(approve.read_text(encoding="utf-8"))
    assert approve.read_text(encoding="utf-8").splitlines()[0] == ",".join(EXPORT_COLUMNS)
    expected_ok = [r["application_id"] for r in report if r["status"] == "auto_approved"]
    assert [r["application_id"] for r in approve_rows] == expected_ok
    for row in approve_rows:
        assert row["result"] == "OK" and row["reason_codes"] == "" and row["decided_by"] == "auto"
        assert row["decided_at"].endswith("+09:00")
    assert rows(deny.read_text(encoding="utf-8")) == []  # nothing is denied without a reviewer
    info = json.loads(manifest.read_text(encoding="utf-8"))
    assert info["files"]["approve"]["rows"] == len(approve_rows)
    import hashlib

    assert info["files"]["approve"]["sha256"] == hashlib.sha256(approve.read_bytes()).hexdigest()
    # Nothing is left aside.
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]

    again = [Path(p) for p in gbiz(home, "export", "--out", str(tmp_path)).stdout.split()]
    assert again[0] != approve
    for path in again[:2]:
        assert path.read_text(encoding="utf-8").splitlines() == [",".join(EXPORT_COLUMNS)]
    assert json.loads(again[2].read_text(encoding="utf-8"))["files"]["approve"]["rows"] == 0


def test_bad_files_are_named_and_the_rest_goes_through(batch, tmp_path):
    folder, truth = batch
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    first = truth["applications"][0]
    for name in first["pages"]:
        (mixed / name).write_bytes((folder / name).read_bytes())
    (mixed / "p0000a-corrupt.png").write_bytes((folder / first["pages"][0]).read_bytes()[:3000])
    (mixed / "p0000b-empty.png").write_bytes(b"")
    (mixed / "p0000c-text.png").write_text("not a scan, a text file renamed\n")
    home = tmp_path / "home"
    result = gbiz(home, "ingest", str(mixed), "--received", truth["received"], check=False)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("gbiz-review: ") and "p0000" in line]
    assert len(errors) == 3, result.stderr
    assert any("p0000a-corrupt.png: " in e for e in errors)
    assert any("p0000b-empty.png: empty file" in e for e in errors)
    assert any("p0000c-text.png: not an image file" in e for e in errors)
    report = rows(gbiz(home, "report").stdout)
    assert [r["application_id"] for r in report] == [first["application_id"]]
    assert report[0]["pages"] == ";".join(first["pages"])


def test_the_originals_are_stored_unchanged(batch, ingested):
    folder, truth = batch
    home, _ = ingested
    import hashlib

    stored = {p.name for p in (home / "originals").rglob("*") if p.is_file()}
    for page in truth["pages"]:
        digest = hashlib.sha256((folder / page["file"]).read_bytes()).hexdigest()
        assert digest in stored


def test_a_duplex_pdf_batch(tmp_path):
    """One PDF for the whole batch, with blank back sides: page names are
    file.pdf#N, blank backs stay with their envelope and never force a rescan."""
    folder = tmp_path / "pdf"
    gbiz(tmp_path / "unused", "samples", "generate", str(folder), "--count", "3", "--seed", "5",
         "--received", "2026-11-20", "--format", "pdf", "--duplex", "--defect-rate", "0")
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    home = tmp_path / "home"
    gbiz(home, "ingest", str(folder / "batch.pdf"), "--received", truth["received"])
    report = rows(gbiz(home, "report").stdout)
    assert [r["application_id"] for r in report] == [a["application_id"] for a in truth["applications"]]
    for app, row in zip(truth["applications"], report, strict=True):
        assert row["pages"] == ";".join(app["pages"])
        assert row["pages"].startswith("batch.pdf#")
        assert row["status"] in {"auto_approved", "needs_review"}, row


def test_bench_prints_its_figures(tmp_path):
    result = gbiz(tmp_path / "home", "bench", "--count", "2", "--sample-pages", "2", "--rounds", "2")
    assert "applications/s" in result.stdout
    assert "baseline, full-page Tesseract" in result.stdout
    # Each round is printed, and the figures over the rounds as a range.
    rounds = [line.split(":")[0].strip() for line in result.stdout.splitlines() if line.startswith("  round ")]
    assert rounds == ["round 1", "round 2"]
    assert "pipeline against the baseline, round by round:" in result.stdout
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["applications_per_second"] > 0
    assert len(figures["rounds"]) == 2
    assert all(r["applications_per_second"] > 0 and r["baseline_applications_per_second"] > 0 for r in figures["rounds"])

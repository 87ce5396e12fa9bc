"""`gbiz-review demo`: a generated day's batch, processed, with a summary of
what happened and where to look."""

from __future__ import annotations

import shutil
import sys
import time
from collections import Counter
from datetime import date

from pipeline import process, report, storage
from pipeline.config import Settings, prepare_home

MARKER = "DEMO-HOME"


def _prepare_demo_home(settings: Settings) -> bool:
    """A demo needs an empty home. One that an earlier demo made is emptied;
    any other home with content is left alone."""
    home = settings.home
    if home.exists() and any(home.iterdir()):
        if not (home / MARKER).exists():
            return False
        for child in home.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    prepare_home(settings)
    (home / MARKER).write_text("made by `gbiz-review demo`; the next demo empties this folder\n")
    return True


def run(settings: Settings, count: int = 30, seed: int = 2026) -> int:
    from samples.generator import BatchSpec, generate_batch

    if settings.database_url.startswith("sqlite") and not _prepare_demo_home(settings):
        print(
            f"gbiz-review: {settings.home}: this home already holds data; the demo needs an empty "
            "one (use --home DIR)",
            file=sys.stderr,
        )
        return 2
    home = settings.home
    scans = home / "demo-scans"
    received = date(2026, 11, 20)
    started = time.perf_counter()
    truth = generate_batch(scans, BatchSpec(count=count, seed=seed, received=received, defect_rate=0.4, rescan_rate=0.07))
    generated = time.perf_counter() - started
    print(f"generated {len(truth['applications'])} applications ({len(truth['pages'])} pages) in {scans} [{generated:.0f} s]")

    started = time.perf_counter()
    with process.shared_workers(settings.workers):
        ingested = process.ingest(settings, [scans], received, station="demo", read=True)
        assert ingested.batch_id is not None
        results = process.process_waiting(settings, ingested.batch_id)[ingested.batch_id]
    took = time.perf_counter() - started

    report_path = home / "report.csv"
    exports = home / "exports"
    with storage.session_for(settings.database_url) as session:
        report_path.write_bytes(report.report_csv(session))
        exported = report.export(session, exports)

    statuses = Counter(r.decision.status.value for r in results)
    held_reasons = Counter(
        reason.value for r in results if r.decision.status.value == "needs_review" for reason in r.decision.reasons
    )
    print(f"processed batch {ingested.batch_id}: {len(results)} applications in {took:.0f} s ({took / max(1, len(results)):.2f} s each)")
    print(f"  approved automatically: {statuses.get('auto_approved', 0)}")
    print(f"  held for review:        {statuses.get('needs_review', 0)}" + (
        "  (" + ", ".join(f"{code} {n}" for code, n in held_reasons.most_common()) + ")" if held_reasons else ""))
    print(f"  to be rescanned:        {statuses.get('rescan', 0)}")
    for result in [r for r in results if r.decision.status.value == "rescan"][:5]:
        print(f"    {result.application_id or '(no id)'}: {result.decision.details[0]}")
    expected = Counter(a["expected_status"] for a in truth["applications"])
    print(f"  (the generator made {expected.get('auto_approved', 0)} valid, {expected.get('needs_review', 0)} defective, {expected.get('rescan', 0)} breaking the scanning rules)")
    print(f"report:  {report_path}")
    print(f"exports: {exported.approve_path} ({exported.approve_rows} rows)")
    print(f"         {exported.deny_path} ({exported.deny_rows} rows)")
    print(f"         {exported.manifest_path}")
    print(f"scans and their truth.json: {scans}")
    command = sys.argv[0] if sys.argv and sys.argv[0].endswith("gbiz-review") else "gbiz-review"
    print(f"look closer: {command} --home {home} report | column -s, -t | less -S")
    print(f"review UI: {command} --home {home} serve   → http://127.0.0.1:8080/  accounts (also in {home / 'demo-accounts.txt'}):")
    for login, role, password in create_demo_accounts(settings):
        print(f"  {login:<11} {role:<11} password {password}")
    return 0


DEMO_ACCOUNTS = (("reviewer", "reviewer"), ("reviewer2", "reviewer"), ("supervisor", "supervisor"), ("admin", "admin"), ("operator", "operator"))


def create_demo_accounts(settings: Settings) -> list[tuple[str, str, str]]:
    """The review UI's demo accounts with fresh random passwords, also written
    to demo-accounts.txt in the demo home (readable by its owner only)."""
    import os
    import secrets

    from pipeline import accounts

    created = []
    with storage.session_for(settings.database_url) as session:
        for login, role in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(9)
            accounts.add_user(session, login, role, password)
            created.append((login, role, password))
        session.commit()
    path = settings.home / "demo-accounts.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(f"{login}\t{role}\t{password}\n" for login, role, password in created)
    return created

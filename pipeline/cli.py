"""The `gbiz-review` command (interfaces.md). Exceptions are turned into
one-line messages and exit codes here and nowhere else."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from pipeline.config import TOKYO, Settings, resolve_settings
from pipeline.errors import BadInputError, GbizReviewError, UsageError


def _error(message: str) -> None:
    print(f"gbiz-review: {message}", file=sys.stderr)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _today() -> date:
    return datetime.now(TOKYO).date()


def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline import process

    with process.shared_workers(settings.workers):
        result = process.ingest(
            settings, [Path(p) for p in args.paths], args.received or _today(), args.station,
            on_error=lambda e: _error(str(e)), read=not args.no_process,
        )
        for path in result.skipped:
            print(f"gbiz-review: {path}: skipped, not a page image", file=sys.stderr)
        if result.batch_id is None:
            _error("no pages to ingest")
            return BadInputError.exit_code
        print(result.batch_id)
        print(f"stored {result.page_count} page(s) in batch {result.batch_id}", file=sys.stderr)
        if not args.no_process:
            _print_results(process.process_waiting(settings, result.batch_id))
    return BadInputError.exit_code if result.errors else 0


def cmd_process(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline import process

    with process.shared_workers(settings.workers):
        done = process.process_waiting(settings, args.batch_id)
    if not done:
        print("nothing waiting to be processed", file=sys.stderr)
    _print_results(done)
    return 0


def _print_results(done: dict) -> None:  # type: ignore[type-arg]
    from collections import Counter

    for batch_id, results in done.items():
        statuses = Counter(r.decision.status.value for r in results)
        reasons = Counter(reason.value for r in results for reason in r.decision.reasons)
        summary = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
        held = ", ".join(f"{code} {count}" for code, count in sorted(reasons.items()))
        print(f"batch {batch_id}: {len(results)} application(s): {summary}" + (f" (reasons: {held})" if held else ""), file=sys.stderr)


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline import report, storage

    with storage.session_for(settings.database_url) as session:
        content = report.report_csv(session)
    if args.out:
        Path(args.out).write_bytes(content)
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline import report, storage

    with storage.session_for(settings.database_url) as session:
        result = report.export(session, Path(args.out))
    for export_id in result.recovered:
        print(f"finished the interrupted export {export_id}", file=sys.stderr)
    print(result.approve_path)
    print(result.deny_path)
    print(result.manifest_path)
    print(f"export {result.export_id}: {result.approve_rows} to approve, {result.deny_rows} to deny", file=sys.stderr)
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline import demo

    return demo.run(settings, count=args.count, seed=args.seed)


def cmd_evaluate(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline import evaluate

    return evaluate.run(
        Path(args.path), workers=settings.workers, keep_home=args.home_for_run, min_confidence=settings.min_confidence
    )


def cmd_bench(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline import bench

    return bench.run(settings, count=args.count, sample_pages=args.sample_pages, rounds=args.rounds)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from review_ui.serve import serve

    return serve(settings, args.host, args.port)


def cmd_users(settings: Settings, args: argparse.Namespace) -> int:
    import getpass

    from pipeline import accounts, storage

    with storage.session_for(settings.database_url) as session:
        if args.users_command == "add":
            if sys.stdin.isatty():
                password = getpass.getpass(f"password for {args.login}: ")
                if getpass.getpass("again: ") != password:
                    raise UsageError("the two passwords differ")
            else:
                password = sys.stdin.readline().rstrip("\r\n")
            accounts.add_user(session, args.login, args.role, password)
            session.commit()
            print(f"account {args.login} ({args.role}) created", file=sys.stderr)
        else:
            ended = accounts.disable_user(session, args.login)
            session.commit()
            print(f"account {args.login} disabled; {ended} session(s) ended", file=sys.stderr)
    return 0


def _option(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"not NAME=VALUE: {text!r}")
    number: object = value
    for kind in (int, float):
        try:
            number = kind(value)
            break
        except ValueError:
            continue
    return key.replace("-", "_"), number


def cmd_scan(settings: Settings, args: argparse.Namespace) -> int:
    import socket

    from pipeline.errors import ScannerError
    from scanners import station
    from scanners.device import ScanSetup
    from scanners.messages import Messages, resolve_language

    msg = Messages(resolve_language(args.lang))
    if args.list:
        for line in station.list_lines(msg, timeout=args.timeout):
            print(line)
        return 0
    if not args.device:
        raise UsageError("scan needs --device NAME (see gbiz-review scan --list)")
    setup = ScanSetup(resolution=args.resolution, adf=not args.flatbed, duplex=args.duplex, options=dict(args.option or []))
    result = station.run(
        settings, args.device, args.station or socket.gethostname(), received=args.received, msg=msg, setup=setup,
        timeout=args.timeout, process_after=not args.no_process,
    )
    if result.batch_id:
        print(result.batch_id)
    return ScannerError.exit_code if result.failure else 0


def cmd_watch(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline import hotfolder

    taken = hotfolder.watch(
        settings, Path(args.folder), args.station, lambda: args.received or _today(), settle=args.settle,
        interval=args.interval, process_after=not args.no_process, say=lambda line: print(line, file=sys.stderr, flush=True),
        once=args.once,
    )
    for item in taken:
        if item.outcome == "ingested":
            print(item.batch_id)
    return BadInputError.exit_code if any(item.outcome == "failed" for item in taken) else 0


def cmd_flows(settings: Settings, args: argparse.Namespace) -> int:
    # Prefect lives in flows/ only; the same flows the deployments run, here
    # run locally without a server (Prefect's ephemeral API in PREFECT_HOME).
    os.environ.setdefault("PREFECT_HOME", str(settings.home / "prefect"))
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)  # Prefect creates only the last level
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # A first local run creates Prefect's database: more than the default 20 s on a busy machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    if args.flow_command == "deploy":
        from flows import deployments

        for line in deployments.deploy_all(args.pool):
            print(line)
        return 0
    if args.flow_command == "serve":
        from flows import deployments

        deployments.serve_coordinator(str(settings.home), cutoff=args.cutoff, out_dir=args.out, every_seconds=args.every)
        return 0
    if args.flow_command == "process":
        from flows.batch import process_batch_flow

        summary = process_batch_flow(
            batch_id=args.batch_id, home=str(settings.home), chunk_pages=args.chunk_pages, distribute=args.distribute,
        )
        for batch_id, statuses in summary.items():
            counts = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
            print(f"batch {batch_id}: {sum(statuses.values())} application(s): {counts}", file=sys.stderr)
        if not summary:
            print("nothing waiting to be processed", file=sys.stderr)
        return 0
    from flows.export import daily_export_flow

    result = daily_export_flow(out_dir=args.out, cutoff=args.cutoff, home=str(settings.home))
    for key in ("approve", "deny", "manifest"):
        print(result[key])
    print(f"export {result['export_id']} (decided up to {result['cutoff']}): {result['approve_rows']} to approve, {result['deny_rows']} to deny", file=sys.stderr)
    return 0


def _add_floor_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    fl = sub.add_parser("flows", help="run the Prefect flows locally, or deploy them to a work pool")
    fl_sub = fl.add_subparsers(dest="flow_command", required=True, metavar="FLOW")
    fp = fl_sub.add_parser("process", help="the batch-processing flow: one batch, or every batch waiting")
    fp.add_argument("batch_id", nargs="?")
    fp.add_argument("--chunk-pages", type=int, default=6, help="pages per reading task (default 6)")
    fp.add_argument("--distribute", metavar="DEPLOYMENT", help="read pages as runs of this deployment on its work pool (read-pages/read-pages)")
    fe = fl_sub.add_parser("export", help="the daily export flow: everything decided up to the last cut-off")
    fe.add_argument("--out", help="folder for the files (default: <home>/exports)")
    fe.add_argument("--cutoff", help="HH:MM Japan time (default $GBIZ_REVIEW_EXPORT_CUTOFF, else 17:30)")
    fd = fl_sub.add_parser("deploy", help="register the read-pages deployment on a work pool of a Prefect server")
    fd.add_argument("--pool", default="gbiz-floor", help="work pool (default gbiz-floor)")
    fs = fl_sub.add_parser("serve", help="the coordinator: process-batch every minute, daily-export at the cut-off")
    fs.add_argument("--cutoff", help="HH:MM Japan time of the daily export (default $GBIZ_REVIEW_EXPORT_CUTOFF, else 17:30)")
    fs.add_argument("--out", help="export folder (default: <home>/exports)")
    fs.add_argument("--every", type=int, default=60, help="seconds between looks for waiting batches (default 60)")
    fl.set_defaults(handler=cmd_flows)

    watch = sub.add_parser("watch", help="a hot folder: take each file or sub-folder as a batch once it stops changing")
    watch.add_argument("folder", metavar="FOLDER")
    watch.add_argument("--station", help="scan station id")
    watch.add_argument("--received", type=_date, help="date the envelopes were received (default: today)")
    watch.add_argument("--settle", type=float, default=5.0, help="seconds an entry must stay unchanged (default 5)")
    watch.add_argument("--interval", type=float, default=1.0, help="seconds between looks (default 1)")
    watch.add_argument("--once", action="store_true", help="stop when nothing is left waiting to settle")
    watch.add_argument("--no-process", action="store_true", help="store only; process later (or by the flows)")
    watch.set_defaults(handler=cmd_watch)

    scan = sub.add_parser("scan", help="a scan station: scan a batch through SANE, store it, process it")
    scan.add_argument("--device", help="SANE device name (see --list)")
    scan.add_argument("--station", help="scan station id (default: this host's name)")
    scan.add_argument("--list", action="store_true", help="list the SANE devices")
    scan.add_argument("--received", type=_date, help="date the envelopes were received (default: today)")
    scan.add_argument("--lang", help="ja (default) or en; also GBIZ_REVIEW_LANG")
    scan.add_argument("--resolution", type=int, default=200, help="dpi (default 200)")
    scan.add_argument("--duplex", action="store_true", help="scan both sides where the feeder can")
    scan.add_argument("--flatbed", action="store_true", help="the glass, one page per Enter, instead of the feeder")
    scan.add_argument("--option", type=_option, action="append", metavar="NAME=VALUE", help="any other device option")
    scan.add_argument("--timeout", type=float, default=60.0, help="seconds a page may take before the scanner counts as hung")
    scan.add_argument("--no-process", action="store_true", help="store only; process later (or by the flows)")
    scan.set_defaults(handler=cmd_scan)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gbiz-review", description="Review gBizID prime paper applications.")
    parser.add_argument("--home", help="state folder (default: $GBIZ_REVIEW_HOME, else ./.gbiz-review)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="SUBCOMMAND")

    demo = sub.add_parser("demo", help="generate sample applications, process them, show where to look")
    demo.add_argument("--count", type=int, default=30)
    demo.add_argument("--seed", type=int, default=2026)
    demo.set_defaults(handler=cmd_demo)

    ingest = sub.add_parser("ingest", help="take page images and PDFs as one batch")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--received", type=_date, help="date the envelopes were received (default: today)")
    ingest.add_argument("--station", help="scan station id")
    ingest.add_argument("--no-process", action="store_true", help="store only; process later")
    ingest.set_defaults(handler=cmd_ingest)

    proc = sub.add_parser("process", help="process what is waiting (or that batch)")
    proc.add_argument("batch_id", nargs="?")
    proc.set_defaults(handler=cmd_process)

    rep = sub.add_parser("report", help="one row per application")
    rep.add_argument("--format", choices=["csv"], default="csv")
    rep.add_argument("--out", help="write to this file instead of standard output")
    rep.set_defaults(handler=cmd_report)

    exp = sub.add_parser("export", help="write the approve and deny files for everything not yet exported")
    exp.add_argument("--out", required=True, metavar="DIR")
    exp.set_defaults(handler=cmd_export)

    ev = sub.add_parser("evaluate", help="run the pipeline on a generated set and compare with its truth.json")
    ev.add_argument("path", metavar="PATH")
    ev.add_argument("--home-for-run", metavar="DIR", help="keep the run's state here (default: a temporary folder)")
    ev.set_defaults(handler=cmd_evaluate)

    be = sub.add_parser("bench", help="time the pipeline on a fixed generated set, against full-page Tesseract")
    be.add_argument("--count", type=int, default=20, help="applications in the set (default 20)")
    be.add_argument("--sample-pages", type=int, default=12, help="pages for the per-stage timings")
    be.add_argument(
        "--rounds", type=int, default=3,
        help="rounds of pipeline then baseline, alternated so that the machine's drift shows as a range (default 3)",
    )
    be.set_defaults(handler=cmd_bench)

    srv = sub.add_parser("serve", help="the review UI (default 127.0.0.1:8080)")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8080)
    srv.set_defaults(handler=cmd_serve)
    users = sub.add_parser("users", help="accounts of the review UI")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    users_add = users_sub.add_parser("add", help="create an account; the password comes from standard input or a prompt")
    users_add.add_argument("login")
    users_add.add_argument("--role", required=True, choices=["operator", "reviewer", "supervisor", "admin"])
    users_add.set_defaults(handler=cmd_users)
    users_disable = users_sub.add_parser("disable", help="end the account's sessions and refuse its logins")
    users_disable.add_argument("login")
    users_disable.set_defaults(handler=cmd_users)
    _add_floor_commands(sub)

    try:
        from samples import cli as samples_cli
    except ImportError:  # pragma: no cover - samples ships with the package
        pass
    else:
        samples_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if hasattr(args, "handler"):
            settings = resolve_settings(args.home)
            return int(args.handler(settings, args))
        return int(args.func(args))
    except UsageError as exc:
        _error(str(exc))
        return exc.exit_code
    except GbizReviewError as exc:
        _error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted; what was stored before stays stored")
        return 130


if __name__ == "__main__":
    sys.exit(main())

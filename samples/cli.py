"""`samples generate OUT_DIR ...`: write a sample batch and its truth.json."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from samples.kinds import COLOURS, DEFAULT_RECEIVED, DEFECT_KINDS, FORMATS, expand_defects


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `samples` command (with its `generate` subcommand) to a CLI."""
    parser = subparsers.add_parser("samples", help="generate sample scan batches with ground truth")
    commands = parser.add_subparsers(dest="samples_command", metavar="COMMAND", required=True)
    gen = commands.add_parser(
        "generate",
        help="write a batch of scanned sample applications and truth.json",
        description="Writes page files in scan order (p0001.png … or batch.pdf) and truth.json.",
    )
    gen.add_argument("out_dir", metavar="OUT_DIR", type=Path)
    gen.add_argument("--count", type=int, default=50, help="applications (default 50)")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument(
        "--received",
        type=date.fromisoformat,
        default=None,
        help=f"receipt date YYYY-MM-DD (default {DEFAULT_RECEIVED.isoformat()})",
    )
    gen.add_argument("--dpi", type=int, default=200)
    gen.add_argument("--format", dest="image_format", choices=FORMATS, default="png")
    gen.add_argument("--colour", choices=COLOURS, default="rgb")
    gen.add_argument("--defect-rate", type=float, default=0.35)
    gen.add_argument(
        "--defects",
        default=None,
        help=f"comma-separated kinds (default all): MISMATCH, {', '.join(DEFECT_KINDS)}",
    )
    gen.add_argument("--no-damage", action="store_true", help="clean pages, no scan damage")
    gen.add_argument("--duplex", action="store_true", help="add blank back sides")
    gen.add_argument("--check-sheet-rate", type=float, default=0.5)
    gen.add_argument(
        "--rescan-rate",
        type=float,
        default=0.0,
        help="share of applications with a page that breaks the scanning rules",
    )
    gen.add_argument("--denied-before", default="", help="comma-separated 申請書IDs denied before")
    gen.add_argument("--force", action="store_true", help="overwrite a batch already in OUT_DIR")
    gen.set_defaults(func=run)
    return parser


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def run(args: argparse.Namespace) -> int:
    out_dir: Path = args.out_dir
    if out_dir.exists() and not out_dir.is_dir():
        print(f"samples: {out_dir}: not a directory", file=sys.stderr)
        return 2
    if (out_dir / "truth.json").exists() and not args.force:
        print(
            f"samples: {out_dir}: already holds a batch (truth.json); use --force to overwrite",
            file=sys.stderr,
        )
        return 2
    try:
        # Imported here: drawing needs numpy, OpenCV and the Japanese fonts, which the
        # rest of the command line does not.
        from samples.generator import BatchSpec, generate_batch
    except RuntimeError as exc:  # e.g. no Japanese font installed
        print(f"samples: {exc}", file=sys.stderr)
        return 2
    options: dict[str, object] = {}
    if args.received is not None:
        options["received"] = args.received
    try:
        if args.defects is not None:
            options["defects"] = expand_defects(_split(args.defects))
        spec = BatchSpec(
            count=args.count,
            seed=args.seed,
            dpi=args.dpi,
            image_format=args.image_format,
            colour=args.colour,
            defect_rate=args.defect_rate,
            damage=not args.no_damage,
            duplex=args.duplex,
            check_sheet_rate=args.check_sheet_rate,
            rescan_rate=args.rescan_rate,
            denied_before_ids=_split(args.denied_before),
            **options,
        )
    except ValueError as exc:
        print(f"samples: {exc}", file=sys.stderr)
        return 2
    if args.force:
        _remove_old_batch(out_dir)
    truth = generate_batch(out_dir, spec)
    print(summary(truth, out_dir))
    return 0


def _remove_old_batch(out_dir: Path) -> None:
    """Drop the files a previous batch wrote, so sorting by name gives only the new one."""
    if not out_dir.is_dir():
        return
    for path in out_dir.iterdir():
        if path.is_file() and (
            path.name == "batch.pdf"
            or path.name == "truth.json"
            or (path.name.startswith("p") and path.stem[1:].isdigit())
        ):
            path.unlink()


def summary(truth: dict, out_dir: Path) -> str:
    apps = truth["applications"]
    valid = sum(1 for a in apps if a["valid"])
    rescan = sum(1 for a in apps if a["expected_status"] == "rescan")
    reasons = Counter(r for a in apps for r in a["expected_reasons"])
    per_reason = ", ".join(f"{code} {n}" for code, n in sorted(reasons.items())) or "none"
    return (
        f"{len(truth['pages'])} pages, {len(apps)} applications: {valid} valid, "
        f"reasons: {per_reason}; rescan {rescan}; truth: {out_dir / 'truth.json'}"
    )

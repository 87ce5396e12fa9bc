"""A scan station: scan a batch through SANE, check every page against the
scanning rules the moment it arrives, keep every page on disk as soon as it is
read, then store the batch (and process it).

Pages are spooled under `<home>/spool/<station>/<scan>/pNNNN.png` (written
aside, flushed, renamed) before anything else happens to them, so a jam, an
open cover, a hung scanner or a killed station never loses a page already
read: the next `scan` on that station stores what an interrupted one left.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from pipeline import process, quality
from pipeline.config import TOKYO, Settings, prepare_home
from pipeline.errors import ScannerError
from scanners.device import Configured, Device, RawPage, ScanSetup
from scanners.messages import Messages

Ask = Callable[[str], str]  # shows a prompt, returns the operator's line ("q" at end of input)
Say = Callable[[str], None]


@dataclass(frozen=True)
class StationResult:
    batch_id: str | None
    pages: int
    bad_pages: tuple[int, ...]  # 1-based pages still breaking the rules when stored
    failure: str | None  # the device failure that ended the batch, if any
    recovered: tuple[str, ...] = ()
    statuses: dict[str, int] = field(default_factory=dict)


def stdin_ask(prompt: str) -> str:
    # At a terminal the answer follows the prompt; from a pipe each prompt is a line.
    print(prompt, end="" if sys.stdin.isatty() else "\n", file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    return line.strip().lower() if line else "q"


def spool_root(settings: Settings, station: str) -> Path:
    return settings.home / "spool" / station


def _write_page(folder: Path, number: int, raw: RawPage) -> tuple[Path, np.ndarray]:
    image = Image.frombytes(raw.mode, (raw.width, raw.height), raw.pixels)
    target = folder / f"p{number:04d}.png"
    aside = folder / f".p{number:04d}.png.part"
    with open(aside, "wb") as handle:
        image.save(handle, "PNG", dpi=(raw.dpi, raw.dpi), compress_level=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(aside, target)
    return target, np.asarray(image.convert("RGB"))


def check_page(rgb: np.ndarray, raw: RawPage, depth: int) -> tuple[str, ...]:
    """The scanning rules, on the pixels as the device gave them."""
    channels = 3 if raw.mode == "RGB" else 1
    measured = quality.measure(rgb, mode=raw.mode, channels=channels, bits_per_channel=depth, dpi=(raw.dpi, raw.dpi))
    return measured.problems


def _store(settings: Settings, folder: Path, received: date, station: str) -> tuple[str | None, int]:
    result = process.ingest(settings, [folder], received, station)
    if result.batch_id is not None:
        shutil.rmtree(folder)  # every page is in the originals store and the database now
    return result.batch_id, result.page_count


def recover(settings: Settings, station: str, received: date, say: Say, msg: Messages) -> list[str]:
    """Store what an interrupted scan on this station left in its spool."""
    batches = []
    root = spool_root(settings, station)
    if not root.is_dir():
        return batches
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if not any(folder.glob("p*.png")):
            shutil.rmtree(folder)
            continue
        batch_id, count = _store(settings, folder, received, station)
        if batch_id:
            say(msg("recovered", count=count, batch=batch_id))
            batches.append(batch_id)
    return batches


def run(
    settings: Settings,
    device_name: str,
    station: str,
    *,
    received: date | None = None,
    msg: Messages | None = None,
    setup: ScanSetup | None = None,
    ask: Ask = stdin_ask,
    say: Say | None = None,
    timeout: float = 60.0,
    process_after: bool = True,
    options_before_read: dict[int, dict[str, Any]] | None = None,
) -> StationResult:
    """One batch at a station. `options_before_read` sets device options before
    the n-th read (1-based, rescans included): a flatbed's pnm file, a fault."""
    msg = msg or Messages()
    say = say or (lambda line: print(line, file=sys.stderr, flush=True))
    setup = setup or ScanSetup()
    received = received or datetime.now(TOKYO).date()
    options_before_read = options_before_read or {}
    prepare_home(settings)
    recovered = recover(settings, station, received, say, msg)

    bad: dict[int, tuple[str, ...]] = {}
    count = 0
    reads = 0
    failure: str | None = None
    folder = spool_root(settings, station) / f"{datetime.now(TOKYO):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    say(msg("opening", device=device_name))
    device = Device(timeout=timeout)
    try:
        try:
            configured = device.open(device_name, setup)
        except ScannerError as error:
            key = {"busy": "err_busy", "no_device": "err_no_device"}.get(error.kind, "err_option")
            raise ScannerError(error.kind, msg(key, device=device_name, detail=error.detail)) from error
        _announce(configured, device_name, say, msg)
        folder.mkdir(parents=True)

        def read(number: int) -> RawPage:
            nonlocal reads
            reads += 1
            if reads in options_before_read:
                device.set(options_before_read[reads])
            return device.page()

        def keep(number: int, raw: RawPage) -> None:
            _path, rgb = _write_page(folder, number, raw)
            problems = check_page(rgb, raw, configured.depth)
            values = {"n": number, "width": raw.width, "height": raw.height, "dpi": f"{raw.dpi:g}"}
            if problems:
                bad[number] = problems
                say(msg("page_bad", problems="; ".join(problems), **values))
            else:
                bad.pop(number, None)
                say(msg("page_ok", **values))

        while True:
            if not configured.adf and ask(msg("flatbed_prompt", n=count + 1)) == "q":
                break
            try:
                raw = read(count + 1)
            except ScannerError as error:
                if error.kind == "no_docs" and configured.adf:
                    if count:
                        say(msg("feeder_done", count=count))
                        break
                    say(msg("err_no_docs_start"))
                elif error.kind == "hung":
                    failure = "hung"
                    say(msg("err_hung", seconds=f"{timeout:g}", n=count + 1))
                    say(msg("kept_pages", count=count))
                    break
                else:
                    say(_failure_line(error, count + 1, msg, device_name))
                    if count:
                        say(msg("kept_pages", count=count))
                with contextlib.suppress(ScannerError):
                    device.end()
                if ask(msg("continue_prompt")) == "q":
                    failure = failure or error.kind
                    break
                continue
            count += 1
            keep(count, raw)

        for number in sorted(bad):
            while number in bad and failure != "hung":
                if ask(msg("rescan_prompt", n=number)) in ("s", "q"):
                    say(msg("rescan_kept", n=number))
                    break
                try:
                    device.end()
                    raw = read(number)
                except ScannerError as error:
                    say(_failure_line(error, number, msg, device_name))
                    if error.kind == "hung":
                        failure = "hung"
                    continue
                keep(number, raw)
                if number not in bad:
                    say(msg("rescan_replaced", n=number))
    finally:
        device.close()

    if not count:
        shutil.rmtree(folder, ignore_errors=True)
        say(msg("nothing_scanned"))
        return StationResult(None, 0, (), failure or "nothing", tuple(recovered))
    batch_id, stored = _store(settings, folder, received, station)
    say(msg("stored", batch=batch_id, count=stored, station=station))
    statuses: dict[str, int] = {}
    if process_after and batch_id:
        say(msg("processing", batch=batch_id))
        # One set of workers for the reading, the decisions and the second look.
        with process.shared_workers(settings.workers):
            decided = process.process_waiting(settings, batch_id).get(batch_id, [])
        for result in decided:
            statuses[result.decision.status.value] = statuses.get(result.decision.status.value, 0) + 1
        say(msg(
            "processed", batch=batch_id, count=sum(statuses.values()), approved=statuses.get("auto_approved", 0),
            review=statuses.get("needs_review", 0), rescan=statuses.get("rescan", 0),
        ))
    return StationResult(batch_id, count, tuple(sorted(bad)), failure, tuple(recovered), statuses)


def _announce(configured: Configured, device_name: str, say: Say, msg: Messages) -> None:
    area = ""
    if configured.width_mm is not None and configured.height_mm is not None:
        area = msg("area", width=f"{configured.width_mm:g}", height=f"{configured.height_mm:g}")
    say(msg(
        "ready", device=device_name, dpi=f"{configured.resolution:g}",
        source=msg("source_adf" if configured.adf else "source_flatbed"),
        duplex=msg("duplex_on") if configured.duplex else "", area=area,
    ))
    if configured.width_mm is not None and configured.height_mm is not None and (
        configured.width_mm < 209 or configured.height_mm < 296
    ):
        say(msg("area_short", width=f"{configured.width_mm:g}", height=f"{configured.height_mm:g}"))


def _failure_line(error: ScannerError, number: int, msg: Messages, device: str = "") -> str:
    if error.kind == "busy":
        return msg("err_busy", device=device)
    key = {"jammed": "err_jammed", "cover_open": "err_cover_open", "no_docs": "err_no_docs_start"}.get(error.kind)
    if key:
        return msg(key, n=number)
    return msg("err_device", n=number, detail=error.detail)


def list_lines(msg: Messages, timeout: float = 30.0) -> list[str]:
    from scanners.device import list_devices

    devices = list_devices(timeout)
    if not devices:
        return [msg("devices_none")]
    return [msg("device_line", name=d.name, vendor=d.vendor, model=d.model, kind=d.kind) for d in devices]

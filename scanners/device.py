"""The only module that talks to SANE (python-sane).

Device I/O runs in a child process that the station drives command by
command over a pipe, each answer awaited with a timeout: a scanner that hangs
(one did, for 10 minutes at 0 % CPU) is killed by the watchdog instead of
freezing the station. Pages come back as raw pixels with the resolution read
back from the device (python-sane images carry no dpi).

SANE reports device trouble only as status text; `_KINDS` turns SANE's own
status strings into the station's failure kinds.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import ScannerError

# sane_strstatus() texts → kinds the station has messages for.
_KINDS = {
    "Document feeder out of documents": "no_docs",
    "Document feeder jammed": "jammed",
    "Scanner cover is open": "cover_open",
    "Device busy": "busy",
    "Invalid argument": "invalid",
    "Error during device I/O": "io",
    "End of file reached": "io",
    "Access to resource has been denied": "denied",
}
A4_MM = (210.0, 297.0)
ADF_WORDS = ("adf", "feeder", "automatic")


@dataclass(frozen=True)
class DeviceInfo:
    name: str
    vendor: str
    model: str
    kind: str


@dataclass(frozen=True)
class ScanSetup:
    """What a station asks of the device."""

    resolution: int = 200
    adf: bool = True
    duplex: bool = False
    options: dict[str, Any] = field(default_factory=dict)  # extra device options, by python-sane name


@dataclass(frozen=True)
class Configured:
    """What the device actually set (read back)."""

    resolution: float
    mode: str
    depth: int
    source: str | None
    adf: bool
    duplex: bool
    width_mm: float | None
    height_mm: float | None


@dataclass(frozen=True)
class RawPage:
    width: int
    height: int
    mode: str  # "RGB" or "L"
    pixels: bytes
    dpi: float


# --- the child process: every python-sane call is here ------------------------


def _kind_of(exc: BaseException) -> str:
    return _KINDS.get(str(exc), "io")


def _choose_source(choices: list[str], adf: bool, duplex: bool) -> tuple[str | None, bool, bool]:
    """The device's source value for ADF (and duplex) when it has them."""
    if not choices:
        return None, False, False
    lowered = [(c, c.lower()) for c in choices]
    feeders = [c for c, low in lowered if any(w in low for w in ADF_WORDS)]
    if adf and feeders:
        if duplex:
            both = [c for c in feeders if "duplex" in c.lower()]
            if both:
                return both[0], True, True
        simplex = [c for c in feeders if "duplex" not in c.lower()] or feeders
        return simplex[0], True, False
    flat = [c for c, low in lowered if not any(w in low for w in ADF_WORDS)]
    return (flat[0] if flat else choices[0]), False, False


def _configure(dev: Any, setup: ScanSetup) -> Configured:
    opts = dev.opt
    if "mode" in opts:
        modes = list(opts["mode"].constraint or [])
        colour = next((m for m in modes if m.lower() in ("color", "colour")), None)
        if colour:
            dev.mode = colour
    if "depth" in opts and opts["depth"].is_active():
        dev.depth = 8
    if "resolution" in opts:
        dev.resolution = setup.resolution
    source, adf, duplex = None, False, False
    if "source" in opts and opts["source"].is_active():
        source, adf, duplex = _choose_source(list(opts["source"].constraint or []), setup.adf, setup.duplex)
        if source:
            dev.source = source
    if setup.duplex and not duplex and "duplex" in opts and opts["duplex"].is_active():
        dev.duplex = True
        duplex = True
    # A4: set the area, then read it back (a backend may clamp it silently).
    if all(k in opts for k in ("tl_x", "tl_y", "br_x", "br_y")):
        dev.tl_x, dev.tl_y = 0.0, 0.0
        for key, want in (("br_x", A4_MM[0]), ("br_y", A4_MM[1])):
            constraint = opts[key].constraint
            top = constraint[1] if isinstance(constraint, tuple) else want
            setattr(dev, key, float(min(want, top)))
    for key, value in setup.options.items():
        setattr(dev, key, value)
    width = height = None
    if all(k in opts for k in ("tl_x", "br_x", "tl_y", "br_y")):
        width, height = float(dev.br_x - dev.tl_x), float(dev.br_y - dev.tl_y)
    return Configured(
        resolution=float(dev.resolution) if "resolution" in opts else float(setup.resolution),
        mode=str(dev.mode) if "mode" in opts else "",
        depth=int(dev.depth) if "depth" in opts and opts["depth"].is_active() else 8,
        source=source, adf=adf, duplex=duplex, width_mm=width, height_mm=height,
    )


def _child(conn: multiprocessing.connection.Connection) -> None:  # pragma: no cover - runs in the child
    import sane

    dev = None
    adf = False
    scanning = False
    try:
        sane.init()
        while True:
            command, *args = conn.recv()
            try:
                if command == "list":
                    conn.send(("ok", [DeviceInfo(*map(str, d)) for d in sane.get_devices()]))
                elif command == "open":
                    name, setup = args
                    try:
                        dev = sane.open(name)
                    except Exception as exc:  # noqa: BLE001 - SANE raises its own error type
                        kind = _kind_of(exc)
                        conn.send(("error", "busy" if kind == "busy" else "no_device", str(exc)))
                        continue
                    configured = _configure(dev, setup)
                    adf = configured.adf
                    conn.send(("ok", configured))
                elif command == "set":
                    for key, value in args[0].items():
                        setattr(dev, key, value)
                    conn.send(("ok", None))
                elif command == "page":
                    assert dev is not None
                    try:
                        dev.start()
                        scanning = True
                        # A feeder's pages are one scan (no cancel in between); on
                        # the glass every page is a scan of its own.
                        image = dev.snap(no_cancel=adf)
                    except Exception as exc:  # noqa: BLE001
                        scanning = False
                        with contextlib.suppress(Exception):  # cancelling a failed scan may fail too
                            dev.cancel()
                        conn.send(("error", _kind_of(exc), str(exc)))
                        continue
                    scanning = adf
                    dpi = float(dev.resolution) if "resolution" in dev.opt else 0.0
                    conn.send(("ok", RawPage(image.width, image.height, image.mode, image.tobytes(), dpi)))
                elif command == "end":
                    if dev is not None and scanning:
                        dev.cancel()
                        scanning = False
                    conn.send(("ok", None))
                elif command == "close":
                    if dev is not None:
                        dev.close()
                    conn.send(("ok", None))
                    return
            except Exception as exc:  # noqa: BLE001 - every failure goes back as one line
                conn.send(("error", _kind_of(exc) if type(exc).__name__ == "error" else "option", f"{exc}"))
    except EOFError:
        return
    finally:
        with contextlib.suppress(Exception):
            sane.exit()


# --- the parent's side --------------------------------------------------------


class Device:
    """A SANE device driven in a child process; every call has a watchdog."""

    def __init__(self, timeout: float = 60.0) -> None:
        self.timeout = timeout
        context = multiprocessing.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(target=_child, args=(child_conn,), daemon=True)
        self._process.start()
        child_conn.close()

    def _call(self, *command: Any, timeout: float | None = None) -> Any:
        limit = self.timeout if timeout is None else timeout
        try:
            self._conn.send(command)
            if not self._conn.poll(limit):
                self.kill()
                raise ScannerError("hung", f"no answer from the scanner for {limit:g} s")
            status, *rest = self._conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError) as exc:
            self.kill()
            raise ScannerError("io", f"the scanner process ended ({exc.__class__.__name__})") from exc
        if status == "error":
            raise ScannerError(rest[0], rest[1])
        return rest[0]

    def list(self) -> list[DeviceInfo]:
        return self._call("list")

    def open(self, name: str, setup: ScanSetup) -> Configured:
        return self._call("open", name, setup)

    def set(self, options: dict[str, Any]) -> None:
        self._call("set", options)

    def page(self) -> RawPage:
        return self._call("page")

    def end(self) -> None:
        self._call("end")

    def close(self) -> None:
        if self._process.is_alive():
            with contextlib.suppress(ScannerError):
                self._call("close", timeout=10)
        self.kill()

    def kill(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join(timeout=5)

    def __enter__(self) -> Device:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def list_devices(timeout: float = 30.0) -> list[DeviceInfo]:
    with Device(timeout=timeout) as device:
        return device.list()

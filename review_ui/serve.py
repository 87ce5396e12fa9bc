"""`gbiz-review serve`: the review UI under uvicorn. Uvicorn's access log is
off (its lines carry query strings, which may hold names searched for); the
UI logs method, route pattern, status and time only."""

from __future__ import annotations

import logging
import socket
import sys

import uvicorn

from pipeline.config import Settings, prepare_home
from pipeline.errors import UsageError
from review_ui.app import create_app


def serve(settings: Settings, host: str, port: int) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(f"{host}:{port}: cannot listen there ({exc.strerror})") from exc
    prepare_home(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    app = create_app(settings)
    print(f"review UI on http://{host}:{port}/ (home {settings.home})", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
    return 0

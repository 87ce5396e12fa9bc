"""What the flows share: settings from the environment or a parameter, and
which failures are worth a retry."""

from __future__ import annotations

import os
from typing import Any

from pipeline.config import Settings, resolve_settings
from pipeline.errors import BadInputError, NotFoundError, StorageError, ToolError


def settings_for(home: str | None) -> Settings:
    """--home given to the flow, else the worker's GBIZ_REVIEW_HOME / DATABASE_URL."""
    return resolve_settings(home)


def workers() -> int:
    return max(1, int(os.environ.get("GBIZ_REVIEW_WORKERS") or min(os.cpu_count() or 1, 4)))


def transient(_task: Any, _task_run: Any, state: Any) -> bool:
    """Retry what may pass on a second try (a database that dropped the
    connection, a tool or a file system hiccup), never bad input."""
    try:
        state.result()
    except (BadInputError, NotFoundError):
        return False
    except (StorageError, ToolError, OSError, TimeoutError):
        return True
    except Exception:  # noqa: BLE001 - anything else is a bug: retrying will not fix it
        return False
    return False

"""The exception hierarchy and its exit codes, in one place.

Quality problems, low confidence and mismatches are not exceptions: they are
reasons on a decision. Exceptions are for what stops a command or a file.
"""

from __future__ import annotations


class GbizReviewError(Exception):
    """Base of every error the program reports to a user."""

    exit_code = 1


class BadInputError(GbizReviewError):
    """A file the user gave cannot be used (unreadable, not an image, empty)."""

    exit_code = 2

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Raised in worker processes too: pickle by the constructor's arguments.
        return (type(self), (self.path, self.reason))


class UsageError(GbizReviewError):
    exit_code = 2


class NotFoundError(GbizReviewError):
    exit_code = 3


class ToolError(GbizReviewError):
    """An external tool (Tesseract, poppler, SANE) failed or is missing."""

    exit_code = 4


class StorageError(GbizReviewError):
    exit_code = 5


class ExportError(GbizReviewError):
    exit_code = 6


class ScannerError(ToolError):
    """A scanner failure, with its kind (no_device, busy, jammed, cover_open,
    no_docs, hung, io, option) so that a station can say what to do."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.kind, self.detail))

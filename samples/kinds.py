"""Names shared by the generator and its command line, kept free of heavy imports so
registering the `samples` command costs nothing until it runs."""

from __future__ import annotations

from datetime import date

# The receipt date of a batch when the caller gives none: fixed, so a seed alone
# reproduces a batch.
DEFAULT_RECEIVED = date(2026, 11, 24)

FORMATS: tuple[str, ...] = ("png", "tiff", "jpeg", "pdf")
EXTENSIONS: dict[str, str] = {"png": ".png", "tiff": ".tif", "jpeg": ".jpg", "pdf": ".pdf"}
# rgb follows the scanning rules; the others break them for the whole batch.
COLOURS: tuple[str, ...] = ("rgb", "grey", "bilevel", "rgb16")

# Defect kinds a batch can be asked for, and the reason code each one must produce.
DEFECT_REASONS: dict[str, str] = {
    "MISMATCH_CORPORATE_NUMBER": "MISMATCH",
    "MISMATCH_NAME": "MISMATCH",
    "MISMATCH_BIRTH_DATE": "MISMATCH",
    "EXPIRED": "EXPIRED",
    "MISSING": "MISSING",
    "COPY": "COPY",
    "CORRECTED": "CORRECTED",
    "DUPLICATE": "DUPLICATE",
}
DEFECT_KINDS: tuple[str, ...] = tuple(DEFECT_REASONS)


def expand_defects(kinds: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Defect kinds with the shorthand MISMATCH standing for its three fields."""
    out: list[str] = []
    for kind in kinds:
        kind = kind.strip().upper()
        if not kind:
            continue
        if kind == "MISMATCH":
            names = [k for k in DEFECT_KINDS if k.startswith("MISMATCH_")]
        else:
            names = [kind]
        for name in names:
            if name not in DEFECT_REASONS:
                raise ValueError(
                    f"unknown defect kind {kind!r}; known: MISMATCH, {', '.join(DEFECT_KINDS)}"
                    " (DENIED_BEFORE comes from denied_before_ids)"
                )
            if name not in out:
                out.append(name)
    return tuple(out)

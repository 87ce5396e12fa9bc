"""What a floor run did to one batch: applications, decisions per
application, which worker read which pages, and the speed. Used by
scripts/floor.sh and the floor test: `python -m pipeline.floorcheck BATCH START END WORKERS`."""

from __future__ import annotations

import json
import sys
from collections import Counter

from pipeline import storage
from pipeline.config import resolve_settings


def check(batch_id: str) -> dict[str, object]:
    settings = resolve_settings()
    with storage.session_for(settings.database_url) as session:
        counts = storage.decision_counts(session, batch_id)
        readers = Counter(storage.analysed_by(session, batch_id).values())
        batch = session.get(storage.BatchRow, batch_id)
    seqs = Counter(seq for seq, _id, _n in counts)
    return {
        "batch": batch_id,
        "state": batch.state if batch else None,
        "pages": batch.page_count if batch else 0,
        "applications": len(counts),
        "duplicated_applications": sum(1 for n in seqs.values() if n > 1),
        "applications_not_decided_once": sum(1 for _seq, _id, n in counts if n != 1),
        "pages_read_by": dict(sorted(readers.items())),
    }


def main(argv: list[str]) -> int:
    batch_id, start, end, workers = argv[1], float(argv[2]), float(argv[3]), argv[4]
    result = check(batch_id)
    seconds = end - start
    result.update(workers=int(workers), seconds=round(seconds, 1), apps_per_second=round(int(result["applications"]) / seconds, 3))  # type: ignore[call-overload]
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["state"] == "processed" and not result["applications_not_decided_once"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""prometheus-client's multiprocess mode for ``kyodo serve --workers N``.

prometheus-client reads ``PROMETHEUS_MULTIPROC_DIR`` when it is imported: this module
does not import it, so that ``kyodo serve`` can set the variable before its workers
start (they inherit it). Each worker then writes its numbers into files there, and
``/metrics`` of whichever worker answers adds them up.

Limit: a worker that dies is not marked dead (uvicorn has no hook for it), so its last
pool gauges stay in the sums until ``kyodo serve`` restarts; counters are unaffected.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_PREFIX = "kyodo-metrics-"


def prepare_multiprocess(workers: int) -> Path | None:
    """Before ``kyodo serve`` starts ``workers`` > 1 processes: give them one empty
    directory to share their numbers in (``PROMETHEUS_MULTIPROC_DIR``; the operator's,
    emptied, or a new temporary one, returned for :func:`cleanup_multiprocess`). Must run before the workers import
    prometheus_client, which reads the variable on import."""
    configured = os.environ.get(MULTIPROC_ENV)
    if workers <= 1 and not configured:
        return None
    if configured:
        directory = Path(configured)
        if directory.exists():
            for entry in directory.glob("*.db"):
                entry.unlink()
        directory.mkdir(parents=True, exist_ok=True)
        return None  # the operator's: left in place
    directory = Path(tempfile.mkdtemp(prefix=_PREFIX))
    os.environ[MULTIPROC_ENV] = str(directory)
    return directory


def cleanup_multiprocess(directory: Path | None) -> None:
    """After the workers stopped: remove the temporary directory made for them."""
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)

"""Files holding personal data (dumps, exports with phone numbers) are written owner-only.

Written beside the target under a temporary name, created 0600 by ``mkstemp``, and renamed
over the target at the end: a failed write never leaves a half-written file where a good
one was, and the file is never readable by others, not even while it is written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def owner_only(target: Path) -> Iterator[Path]:
    """A temporary path to write to; on success it becomes ``target`` (mode 0600)."""
    target = target.resolve()
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)  # mkstemp made it owner-only (0600)
    temporary_path = Path(temporary)
    try:
        yield temporary_path
        os.replace(temporary_path, target)
    finally:
        temporary_path.unlink(missing_ok=True)

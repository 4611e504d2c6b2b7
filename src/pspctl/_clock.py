"""When output says it was made: ``SOURCE_DATE_EPOCH`` when it is set (output made again from
the same data is then the same, byte for byte: a reproducible build's convention, which the
audit trail sets and replays), else now. Imports nothing heavy."""

from __future__ import annotations

import os
from datetime import datetime, timezone


def epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` in seconds, or ``None`` when it is not set to one."""
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(text) if text.isdigit() else None


def made() -> datetime:
    """The moment output is dated by, in UTC."""
    seconds = epoch()
    return (datetime.fromtimestamp(seconds, timezone.utc) if seconds is not None
            else datetime.now(timezone.utc))

"""Ordering timestamps that may be naive or timezone-aware, anywhere in ``datetime``'s range."""

from __future__ import annotations

from datetime import datetime


def time_key(value: datetime) -> tuple[int, int]:
    """A sort key putting aware and naive times in one order (a naive time is taken as UTC).

    Integer seconds from year 1 plus microseconds, computed without converting to UTC, so
    ``9999-12-31T23:59-14:00`` and ``0001-01-01T00:30+14:00`` order correctly instead of
    overflowing ``datetime``."""
    offset = value.utcoffset()
    seconds = value.toordinal() * 86400 + value.hour * 3600 + value.minute * 60 + value.second
    if offset is not None:
        seconds -= offset.days * 86400 + offset.seconds
        micro = value.microsecond - offset.microseconds
        seconds, micro = seconds + micro // 1_000_000, micro % 1_000_000
    else:
        micro = value.microsecond
    return seconds, micro

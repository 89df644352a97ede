"""Timestamp lines of logs (:func:`parse_stamp`): ``date`` output in the C locale and others,
ISO 8601, epoch seconds, Windows ``date /t`` + ``time /t`` in any short-date order, with the
prefixes people put before them; and :func:`format_time` to print one back. The month, weekday
and zone tables are label data in :mod:`netparse.locales.dates`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from ..locales.dates import EN_WEEKDAYS, MONTHS, WEEKDAYS, ZONES

_WORD = r"[^\W\d_]{1,4}\.?,?"
_TIME = r"(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)"
_AMPM = r"(?:\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?|午前|午後|오전|오후|上午|下午))?"
_ZONE = r"(?:\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?|[A-Z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?))?"

#: date(1): 'Tue Nov 24 19:11:04 UTC 2026', 'Tue Nov 24 07:11:04 PM UTC 2026', 'Nov 24 19:11:04 2026'
_DATE_MONTH_FIRST = re.compile(
    rf"^(?:(?P<wd>{_WORD})\s+)?(?P<mon>[^\W\d_]{{3,5}})\.?\s+(?P<day>\d{{1,2}}),?\s+(?:(?P<year0>\d{{4}})\s+)?"
    rf"{_TIME}{_AMPM}{_ZONE}(?:\s+(?P<year>\d{{4}}))?$"
)
#: 'Tue 24 Nov 2026 07:11:04 PM UTC', 'Di 24. Nov 19:11:04 CET 2026', 'Tue, 24 Nov 2026 19:11:04 +0000'
_DATE_DAY_FIRST = re.compile(
    rf"^(?:(?P<wd>{_WORD})\s+)?(?P<day>\d{{1,2}})\.?\s+(?P<mon>[^\W\d_]{{3,5}})\.?\s+(?:(?P<year0>\d{{4}})\s+)?"
    rf"{_TIME}{_AMPM}{_ZONE}(?:\s+(?P<year>\d{{4}}))?$"
)
#: ISO 8601 / RFC 3339 and 'YYYY-mm-dd HH:MM:SS'; date alone is a date-only stamp
_ISO = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:(?:T|\s+)(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)"
    r"(?:\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?|[A-Z]{2,5}))?)?$"
)
_COMPACT_ISO = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})T(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})(?P<tz>Z|[+-]\d{4})?$")
#: epoch seconds (2001-09-09 .. 2286), optionally '@' and a fraction
_EPOCH = re.compile(r"^@?(?P<s>[1-9]\d{9})(?:\.\d+)?$")
#: Windows date /t, %date% (and %date% %time%): numbers with . / or - , a weekday before or after
_WINDATE = re.compile(
    rf"^(?:(?P<wd>{_WORD})\s+)?(?P<a>\d{{1,4}})(?P<sep>[./-])\s?(?P<b>\d{{1,2}})(?P=sep)\s?(?P<c>\d{{2,4}})\.?"
    rf"(?:\s*(?P<wd2>\(?{_WORD}\)?))?(?:\s+{_TIME}{_AMPM})?$"
)
#: time /t, %time%, date +%T: '19:11', '07:11 PM', ' 9:11:04,12', '午後 07:11'
_TIMEONLY = re.compile(
    r"^(?:(?P<pre>午前|午後|오전|오후|上午|下午)\s*)?(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)"
    r"(?:\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?))?$"
)
#: what people write before a timestamp
_PREFIX = re.compile(
    r"^(?:zzz\s*\*+\s*|#+\s*|\[|(?:time\s*stamp|timestamp|date(?:time)?|time|current\s+time|snapshot|sample"
    r"|collected(?:\s+at)?|captured(?:\s+at)?|run\s+at|at)\s*[:=]\s*|(?:time\s*stamp|timestamp)\s+)",
    re.IGNORECASE,
)


def strip_prefix(text: str) -> str:
    s = text.strip().rstrip("]").strip()
    m = _PREFIX.match(s)
    if m:
        s = s[m.end() :].strip().rstrip("]").strip()
    return s


@dataclass(frozen=True)
class Stamp:
    """A timestamp line read: ``kind`` is ``full`` (date and time), ``date`` (``date /t``) or
    ``time`` (``time /t``: ``value`` is on 1900-01-01)."""

    kind: str
    value: datetime


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    if text == "Z":
        return timezone.utc
    m = re.fullmatch(r"([A-Z]{1,5})?(?:([+-])(\d{1,2})(?::?(\d{2}))?)?", text)
    if m and m.group(2):
        sign = -1 if m.group(2) == "-" else 1
        offset = timedelta(hours=int(m.group(3)), minutes=int(m.group(4) or 0)) * sign
        if m.group(1) and m.group(1) not in ("UTC", "GMT", "UT"):
            return None  # 'XYZ+3' (POSIX TZ, inverted sign) is too odd to trust
        return timezone(offset)
    hours = ZONES.get(text.upper())
    if hours is None:
        return None
    return timezone.utc if hours == 0 else timezone(timedelta(hours=hours), text.upper())


def _clock(text: str, ampm: str | None = None) -> time | None:
    parts = re.split(r"[:.,]", text)
    try:
        hour, minute = int(parts[0]), int(parts[1])
        second = int(parts[2]) if len(parts) > 2 else 0
        micro = int((parts[3] + "000000")[:6]) if len(parts) > 3 else 0
    except (ValueError, IndexError):
        return None
    if ampm:
        pm = ampm.lower().startswith("p") or ampm in ("午後", "오후", "下午")
        if hour > 12:
            return None
        hour = hour % 12 + (12 if pm else 0)
    if hour > 23 or minute > 59 or second > 60:
        return None
    return time(hour, minute, min(second, 59), micro)


def _make(y: int, m: int, d: int, clock: time | None = None, tz: timezone | None = None) -> datetime | None:
    try:
        day = date(y, m, d)
    except ValueError:
        return None
    return datetime.combine(day, clock or time(0), tzinfo=tz)


def _month(name: str) -> int | None:
    key = name.lower().rstrip(".")
    return MONTHS.get(key) or MONTHS.get(key[:3])


def _windows_order(a: int, b: int, wd: str | None, sep: str, hint: str | None) -> str:
    """'dmy' or 'mdy' for a short date whose year is last."""
    if a > 12:
        return "dmy"
    if b > 12:
        return "mdy"
    if sep != "/":
        return "dmy"  # 24.11.2026, 24-11-2026: day first wherever dots or dashes are used
    word = (wd or "").strip("().,").lower()
    if word and word in WEEKDAYS:
        return "weekday"
    if hint:
        return hint
    return "mdy" if sep == "/" and word[:3] in EN_WEEKDAYS else "dmy"


def parse_stamp(text: str, order_hint: str | None = None) -> Stamp | None:
    """Read one timestamp line (see the module docstring); None when it is not one.

    ``order_hint`` (``"dmy"``/``"mdy"``) settles a Windows short date such as ``05/06/2026`` that
    neither its numbers nor its weekday settle (a reader passes the order seen earlier)."""
    s = strip_prefix(text)
    if not s or len(s) > 80:
        return None
    c = s[0]
    if c.isdigit() or c == "@":
        m = _ISO.match(s)
        if m:
            clock = _clock(m["time"]) if m["time"] else None
            if m["time"] and clock is None:
                return None
            value = _make(int(m["y"]), int(m["m"]), int(m["d"]), clock, _zone(m["tz"]))
            return None if value is None else Stamp("full" if m["time"] else "date", value)
        m = _EPOCH.match(s)
        if m:
            return Stamp("full", datetime.fromtimestamp(int(m["s"]), timezone.utc))
        m = _COMPACT_ISO.match(s)
        if m:
            value = _make(int(m["y"]), int(m["m"]), int(m["d"]), time(int(m["H"]), int(m["M"]), int(m["S"])), _zone(m["tz"]))
            return None if value is None else Stamp("full", value)
    m = _TIMEONLY.match(s)
    if m:
        clock = _clock(m["time"], m["ampm"] or m["pre"])
        return None if clock is None else Stamp("time", datetime.combine(date(1900, 1, 1), clock))
    m = _WINDATE.match(s)
    if m:
        return _windows_date(m, order_hint)
    for pattern in (_DATE_MONTH_FIRST, _DATE_DAY_FIRST):
        m = pattern.match(s)
        if m:
            month = _month(m["mon"])
            year = m["year"] or m["year0"]
            if month is None or year is None:
                continue
            clock = _clock(m["time"], m["ampm"])
            if clock is None:
                continue
            value = _make(int(year), month, int(m["day"]), clock, _zone(m["tz"]))
            if value is not None:
                return Stamp("full", value)
    return None


def _windows_date(m: re.Match[str], order_hint: str | None) -> Stamp | None:
    a, b, c = m["a"], int(m["b"]), m["c"]
    wd = m["wd"] or m["wd2"]
    if len(a) == 4:
        candidates = [(int(a), b, int(c))]
    elif len(a) <= 2:
        year = int(c) + (2000 if len(c) == 2 else 0)
        if len(c) == 3:
            return None
        order = _windows_order(int(a), b, wd, m["sep"], order_hint)
        if order == "weekday":
            candidates = [(year, b, int(a)), (year, int(a), b)]
            want = WEEKDAYS[(wd or "").strip("().,").lower()]
            us = m["sep"] == "/" and (wd or "").strip("().,").lower()[:3] in EN_WEEKDAYS
            fallback = (year, int(a), b) if us else (year, b, int(a))
            candidates = [ymd for ymd in candidates if _weekday(ymd) == want] or [fallback]
        elif order == "mdy":
            candidates = [(year, int(a), b)]
        else:
            candidates = [(year, b, int(a))]
    else:
        return None
    clock = None
    if m["time"]:
        clock = _clock(m["time"], m["ampm"])
        if clock is None:
            return None
    value = _make(*candidates[0], clock)
    if value is None:
        return None
    return Stamp("full" if clock else "date", value)


def _weekday(ymd: tuple[int, int, int]) -> int | None:
    value = _make(*ymd)
    return None if value is None else value.weekday()


def date_order(text: str) -> str | None:
    """The day/month order a Windows short date settles on its own ('dmy'/'mdy'), or None."""
    m = _WINDATE.match(text.strip())
    if not m or len(m["a"]) == 4:
        return None
    order = _windows_order(int(m["a"]), int(m["b"]), m["wd"] or m["wd2"], m["sep"], None)
    if order == "weekday":
        stamp = _windows_date(m, None)
        if stamp is None:
            return None
        return "dmy" if stamp.value.day == int(m["a"]) else "mdy"
    a, b = int(m["a"]), int(m["b"])
    return order if (a > 12 or b > 12) else None



def format_time(value: datetime | None, kind: str | None = "full") -> str:
    """'2026-11-24 19:11:04 UTC', '2026-11-24 19:11:04+01:00', '2026-11-24' (date only), ''."""
    if value is None:
        return ""
    if kind == "date":
        return value.date().isoformat()
    text = f"{value.year:04d}-" + value.strftime("%m-%d %H:%M:%S")  # %Y does not pad year 1
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    if value.tzinfo is not None:
        offset = value.utcoffset()
        text += " UTC" if offset == timedelta(0) else value.strftime("%z")[:3] + ":" + value.strftime("%z")[3:]
    return text


def seconds_between(earlier: datetime | None, later: datetime | None) -> float | None:
    """Seconds from ``earlier`` to ``later`` for a rate, or None when a rate cannot be had: a
    time missing, one naive and one aware, no time passed, or time going backwards (a clock set
    back, logs out of order)."""
    if earlier is None or later is None:
        return None
    try:
        seconds = (later - earlier).total_seconds()
    except TypeError:  # one naive, one aware
        return None
    return seconds if seconds > 0 else None

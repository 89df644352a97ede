"""Rows written as the models write them, without the models (no pydantic here).

A **row** is a ``dict`` whose keys are ``Socket`` field names (see :mod:`netparse.rows` for the
parser's rows, :mod:`netparse.live.stream` for the kernel's). :func:`row_text` writes one as
compact JSON byte for byte as ``output.records.record_json`` writes the ``Socket`` built from it:
the fields in the model's order (:data:`FIELDS`, checked against ``Socket.model_fields`` by a
test), nulls left out, enum members as their text. :func:`write_rows` writes rows as JSON lines
as ``output.records.write_jsonl`` does. Both ``netparse.rows`` (``parse -o json``) and the live
stream (``live -o jsonl``) write through this one module.
"""

from __future__ import annotations

import json
from typing import IO, Any, Callable, Iterable, Mapping

from ..states import TcpState
from .safe import json_safe

#: Socket's fields in the model's order (what record_json writes; a test checks it)
FIELDS = (
    "proto", "family", "local_address", "local_port", "local_service", "remote_address", "remote_port",
    "remote_service", "state", "state_label", "state_printed", "recv_q", "send_q", "pid", "process", "user", "inode",
    "timer", "timer_name", "timer_seconds", "timer_retrans", "line", "fd", "owners", "sk", "cgroup",
    "local_interface", "remote_interface", "shutdown", "path", "peer_inode", "refcnt", "flags", "type", "info",
    "extra", "service", "modules", "offload_state", "dialect", "cgroup_id", "mark", "tcp_info", "memory", "netns",
    "container", "truncated",
)
_POS = {name: i for i, name in enumerate(FIELDS)}
#: a row's key order (as its source wrote them) -> (the keys in field order, whether they were)
_ORDERS: dict[tuple[str, ...], tuple[tuple[str, ...], bool]] = {}

#: enum member -> its text, for :func:`plain`, which copies a row anyway (orjson writes a str
#: enum through its ``value`` property, about 2x a plain string). The states here;
#: :mod:`netparse.rows` adds ``Family``.
STATE_TEXT: dict[Any, str] = {m: m.value for m in TcpState}


def _order(keys: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    """(``keys`` in the model's field order, whether they already were), cached per key order
    (sources write few of them)."""
    got = _ORDERS.get(keys)
    if got is None:
        if len(_ORDERS) > 4096:  # bounded
            _ORDERS.clear()
        order = tuple(sorted(keys, key=_POS.__getitem__))
        got = _ORDERS[keys] = (order, order == keys)
    return got


def field_order(keys: tuple[str, ...]) -> tuple[str, ...]:
    """``keys`` in the model's field order."""
    return _order(keys)[0]


def ordered(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row's non-null fields in field order (what ``model_dump(exclude_none=True)`` keys are)."""
    return {k: v for k in field_order(tuple(row)) if (v := row[k]) is not None}


def plain(row: Mapping[str, Any], text: Mapping[Any, str] = STATE_TEXT) -> dict[str, Any]:
    """:func:`ordered`, with ``state`` and ``family`` members as their text (``text``: member -> text)."""
    data = ordered(row)
    state = data.get("state")
    if state is not None:
        data["state"] = text.get(state, state)
    family = data.get("family")
    if family is not None:
        data["family"] = text.get(family, family)
    return data


def json_ready(row: Mapping[str, Any], text: Mapping[Any, str] = STATE_TEXT) -> Mapping[str, Any]:
    """What :func:`to_json` writes for ``row``: the row itself when its keys are in field order
    and none is null (the row kernels make them so; the JSON writers write the state and family
    members, str enums, as their text), else :func:`plain` (a new dict). The same bytes either way."""
    if _order(tuple(row))[1] and None not in row.values():
        return row
    return plain(row, text)


def _json_writer() -> Callable[[dict[str, Any], Callable[[Any], Any] | None], str]:
    """The compact JSON writer: orjson's (a dependency: about 4x faster than json.dumps on a row,
    the same bytes for what rows hold), else the standard library's."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - the fallback keeps working, slower
        encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

        def stdlib(data: dict[str, Any], default: Callable[[Any], Any] | None = None) -> str:
            if default is None:
                return encode(data)
            return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=default).encode(data)

        return stdlib
    dumps = orjson.dumps

    def fast(data: dict[str, Any], default: Callable[[Any], Any] | None = None) -> str:
        return dumps(data, default=default).decode()

    return fast


def to_json(data: dict[str, Any], default: Callable[[Any], Any] | None = None) -> str:
    """``data`` as compact JSON, non-ASCII text as itself (pydantic's JSON). The writer is chosen
    on the first call (importing orjson costs start-up on paths that write no JSON), and then
    takes this name's place."""
    global to_json
    to_json = _json_writer()  # type: ignore[assignment]
    return to_json(data, default)


def row_text(row: Mapping[str, Any]) -> str:
    """One row as compact JSON, as ``record_json`` writes the ``Socket`` validated from it
    (fields in the model's order, nulls left out, the state as its text). Nested groups
    (tcp_info, owners, container ...) are plain dicts in their model's field order."""
    return to_json(json_ready(row))  # type: ignore[arg-type]


def with_extra(text: str, extra: Mapping[str, object]) -> str:
    """``text`` (a JSON object) with the non-null ``extra`` keys appended, exactly as
    ``record_json`` appends them (``json.dumps``' own spacing)."""
    more = {k: v for k, v in extra.items() if v is not None}
    if not more:
        return text
    return text[:-1] + "," + json.dumps(more, ensure_ascii=False)[1:]


def write_jsonl(records: Iterable[str], out: IO[str]) -> int:
    """``records`` are JSON texts (``record_json``, :func:`row_text`); DEL and C1 controls in them are
    written as ``\\u`` escapes (:func:`netparse.output.safe.json_safe`)."""
    n = 0
    for text in records:
        out.write(_safe(text))
        out.write("\n")
        n += 1
    return n


def write_json(records: Iterable[str], out: IO[str]) -> int:
    """A JSON array, written as it streams (no list held in memory)."""
    n = 0
    out.write("[")
    for text in records:
        out.write(",\n  " if n else "\n  ")
        out.write(_safe(text))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def _safe(text: str) -> str:
    """:func:`netparse.output.safe.json_safe`, at the cost of one ``isascii`` for ASCII text:
    every character it escapes is DEL or above (a test checks it)."""
    return text if text.isascii() and "\x7f" not in text else json_safe(text)


def write_rows(rows: Iterable[Mapping[str, Any]], out: IO[str], batch: int = 256) -> int:
    """Rows as JSON lines (DEL and C1 controls escaped, as ``write_jsonl`` does), written
    ``batch`` lines at a time (one escape pass and one write per batch; the first line alone,
    so a reader sees output at once)."""
    n = 0
    lines: list[str] = []
    for row in rows:
        lines.append(row_text(row))
        n += 1
        if n == 1 or len(lines) >= batch:
            out.write(_safe("\n".join(lines)) + "\n")
            lines.clear()
    if lines:
        out.write(_safe("\n".join(lines)) + "\n")
    return n


__all__ = ["FIELDS", "STATE_TEXT", "field_order", "json_ready", "ordered", "plain", "row_text", "to_json", "with_extra", "write_json",
           "write_jsonl", "write_rows"]

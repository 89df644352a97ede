"""Records as rows: the hot path's plain dicts, and ``Socket`` built from them only when read.

A **row** is a ``dict`` whose keys are ``Socket`` field names and whose values are already typed
the way the model holds them (``TcpState``/``Family`` members, ints, strings; a missing key is
``None``). The row kernels of the grammars (``Grammar.kernel``) make rows for the common data
lines with cheap primitives; every other line goes through the grammar's regex and builder and
is validated by pydantic as before. The parser's row stream (``LineParser.rows``) therefore
holds two kinds of item per record: a ``dict`` (a kernel row, trusted) or a validated ``Socket``.

* :func:`socket_of` builds the ``Socket`` of a kernel row without validation (trusted
  construction, :func:`netparse.model.trusted_socket`, which ``Snapshot`` uses to build its
  models on access: equal to ``Socket.model_validate(row)``, same ``model_fields_set``; the
  equivalence test checks it on every sample and generated row). ``NETPARSE_VALIDATE=1`` in the
  environment validates kernel rows too.
* :func:`row_json` / :func:`row_dict` write a record as :func:`netparse.output.records.record_json`
  / ``record_dict`` would, byte for byte, without building the model (orjson when installed).
* :func:`as_row` is the public row of either kind (a ``Socket`` gives its field dict).

No rich, no typer, no pyparsing here: worker processes and the CLI's hot path import it.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from .model import SOCKET_DEFAULTS, Family, Owner, Socket, trusted_socket
from .states import TcpState

#: the ``Socket`` of a kernel row (trusted construction: :func:`netparse.model.trusted_socket`)
socket_of: Callable[[dict[str, Any]], Socket] = trusted_socket


def as_row(item: "dict[str, Any] | Socket") -> dict[str, Any]:
    """A record of the row stream as a row (a ``Socket``'s own field dict: read, don't modify)."""
    return item if item.__class__ is dict else item.__dict__  # type: ignore[union-attr]


_ORDER = list(SOCKET_DEFAULTS)  # every Socket field, in field order
_POS = {name: i for i, name in enumerate(_ORDER)}
#: a row's key order (as the kernel wrote them) -> the keys in field order
_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _field_order(keys: tuple[str, ...]) -> tuple[str, ...]:
    order = _ORDERS.get(keys)
    if order is None:
        if len(_ORDERS) > 4096:  # bounded: kernels write few distinct key sets
            _ORDERS.clear()
        order = _ORDERS[keys] = tuple(sorted(keys, key=_POS.__getitem__))
    return order


def _owner(obj: Any) -> dict[str, Any]:
    if isinstance(obj, Owner):
        return {k: v for k, v in obj.__dict__.items() if v is not None}
    raise TypeError(f"cannot write {type(obj).__name__} as JSON")


def ordered(row: dict[str, Any]) -> dict[str, Any]:
    """The row's non-null fields in field order (what ``model_dump(exclude_none=True)`` keys are)."""
    return {k: v for k in _field_order(tuple(row)) if (v := row[k]) is not None}


#: enum member -> its text: orjson writes a str enum through its ``value`` property (2x the cost
#: of writing the row's plain strings), so the two enums of a row are swapped for their text
_TEXT: dict[Any, str] = {m: m.value for m in (*TcpState, *Family)}


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    data = ordered(row)
    state = data.get("state")
    if state is not None:
        data["state"] = _TEXT.get(state, state)
    family = data.get("family")
    if family is not None:
        data["family"] = _TEXT.get(family, family)
    return data


try:  # orjson: about 4x faster than json.dumps on a row; output identical for what rows hold
    import orjson

    _dumps = orjson.dumps

    def _json(data: dict[str, Any]) -> str:
        return _dumps(data, default=_owner).decode()

except ImportError:  # pragma: no cover - orjson is a dependency; the fallback keeps working
    _encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_owner).encode

    def _json(data: dict[str, Any]) -> str:
        return _encode(data)


def row_json(item: "dict[str, Any] | Socket", to_json: Callable[..., str], **extra: object) -> str:
    """One record as compact JSON, byte-identical to ``to_json(socket_of(item), **extra)``
    (``to_json`` is :func:`netparse.output.records.record_json`, used for validated records)."""
    if item.__class__ is not dict:
        return to_json(item, **extra)
    text = _json(_plain(item))  # type: ignore[arg-type]
    if extra:
        more = {k: v for k, v in extra.items() if v is not None}
        if more:  # appended the way record_json appends them (json.dumps' own spacing)
            text = text[:-1] + "," + json.dumps(more, ensure_ascii=False)[1:]
    return text


def row_dict(item: "dict[str, Any] | Socket", to_dict: Callable[..., dict], **extra: object) -> dict:
    """``record_dict`` of a record (JSON-mode values: enums as their text), without the model."""
    if item.__class__ is not dict:
        return to_dict(item, **extra)
    data = ordered(item)  # type: ignore[arg-type]
    for k, v in data.items():
        if v.__class__ is not str and isinstance(v, str):  # TcpState, Family
            data[k] = v.value  # type: ignore[attr-defined]
        elif v.__class__ is list:
            data[k] = [_owner(o) if isinstance(o, Owner) else o for o in v]
    for k, v in extra.items():
        if v is not None:
            data[k] = v
    return data

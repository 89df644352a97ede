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
  / ``record_dict`` would, byte for byte, without building the model (through
  :mod:`netparse.output.rowjson`, the writer the live stream uses too).
* :func:`as_row` is a record as its field dict, of either kind (a row itself, a ``Socket``'s own
  field dict): what the filters, the summary, the rules' columns and the analyzer's snapshots read.

No rich, no typer, no pyparsing here: worker processes and the CLI's hot path import it. No
pydantic either at import (the live stream's filter reads rows through :func:`as_row`): the
models are imported when a row is first written or built into its ``Socket``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

from .output import rowjson
from .output.rowjson import STATE_TEXT, ordered, plain, with_extra

if TYPE_CHECKING:
    from .model import Socket


def as_row(item: "Mapping[str, Any] | Socket") -> dict[str, Any]:
    """A record as its field dict: a row (a ``dict``) as it is, a ``Socket`` as its own field dict
    (read, don't modify; unlike :func:`netparse.model.row_of`, None values stay)."""
    return item if isinstance(item, dict) else item.__dict__  # type: ignore[return-value]


def __getattr__(name: str) -> Any:
    """``socket_of``, the ``Socket`` of a kernel row (trusted construction:
    :func:`netparse.model.trusted_socket`), imported from the models when first asked for."""
    if name == "socket_of":
        from .model import trusted_socket

        globals()["socket_of"] = trusted_socket
        return trusted_socket
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: enum member -> its text (the grammars' rows hold ``TcpState`` and ``Family`` members), and the
#: ``Owner`` model: set from the models by :func:`_load_models` when a row is first written
_TEXT: dict[Any, str] = {}
_Owner: Any = None


def _load_models() -> None:
    global _Owner
    from .model import Family, Owner

    _TEXT.update({**STATE_TEXT, **{m: m.value for m in Family}})
    _Owner = Owner


def _owner(obj: Any) -> dict[str, Any]:
    if _Owner is None:
        _load_models()
    if isinstance(obj, _Owner):
        return {k: v for k, v in obj.__dict__.items() if v is not None}
    raise TypeError(f"cannot write {type(obj).__name__} as JSON")


def row_json(item: "dict[str, Any] | Socket", to_json: Callable[..., str], **extra: object) -> str:
    """One record as compact JSON, byte-identical to ``to_json(socket_of(item), **extra)``
    (``to_json`` is :func:`netparse.output.records.record_json`, used for validated records)."""
    if item.__class__ is not dict:
        return to_json(item, **extra)
    if _Owner is None:
        _load_models()
    text = rowjson.to_json(plain(item, _TEXT), _owner)  # type: ignore[arg-type]
    return with_extra(text, extra) if extra else text


def row_dict(item: "dict[str, Any] | Socket", to_dict: Callable[..., dict], **extra: object) -> dict:
    """``record_dict`` of a record (JSON-mode values: enums as their text), without the model."""
    if item.__class__ is not dict:
        return to_dict(item, **extra)
    if _Owner is None:
        _load_models()
    data = ordered(item)  # type: ignore[arg-type]
    for k, v in data.items():
        if v.__class__ is not str and isinstance(v, str):  # TcpState, Family
            data[k] = v.value  # type: ignore[attr-defined]
        elif v.__class__ is list:
            data[k] = [_owner(o) if isinstance(o, _Owner) else o for o in v]
    for k, v in extra.items():
        if v is not None:
            data[k] = v
    return data

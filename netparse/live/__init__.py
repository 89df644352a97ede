"""This machine's sockets: :mod:`.collect` takes a snapshot from sock_diag netlink
(:mod:`.netlink`) on Linux, falling back to the /proc/net tables (:mod:`.proc`), or the
platform's netstat elsewhere; :mod:`.stream` writes netlink's rows as JSON lines without the
models; :mod:`.owners` maps sockets to processes, :mod:`.containers` processes to containers,
:mod:`.netns` reads every network namespace; :mod:`.psutil_source` converts psutil's
connections.

``sample`` and ``samples`` are loaded on first use (they bring the pydantic models; the
jsonl stream of ``netparse live`` does without)."""

from __future__ import annotations

from typing import Any

__all__ = ["sample", "samples"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import collect

        return getattr(collect, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

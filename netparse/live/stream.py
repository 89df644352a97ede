"""The live path at the kernel's speed: sock_diag answers as rows, written as JSON lines without
building a model.

A **row** here is what :mod:`.netlink` decodes: a dict whose keys are ``Socket`` field names
(``state`` a ``TcpState``, ``family`` its text, nested groups as dicts in their model's field
order, nulls left out). :class:`Stream` reads this network namespace's sockets through one
netlink socket, with the filters the kernel can apply in the request (TCP and datagram states
as ``idiag_states`` masks, ports as ``INET_DIAG_REQ_BYTECODE``), then the same predicate as
every other path (``filters.socket_filter``, which reads a row as it reads a Socket), and
adds owners (one ``/proc/*/fd`` scan, only when asked for; with a filter, only for the sockets
kept) and containers. :func:`netparse.output.rowjson.row_text` (the writer ``netparse.rows``
uses too) writes a row exactly as ``output.records.record_json(Socket.model_validate(row))``
does (a test checks it on this machine's sockets), so ``netparse live -o jsonl`` loads neither
pydantic nor the grammars.

Nothing here imports the models: :func:`netparse.live.collect.sample` validates the same rows
into a ``Snapshot`` for every other output.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..errors import SourceError
from ..states import TcpState
from . import netlink
from .containers import from_cgroup
from .owners import Attribution, OwnerCache, attribute
from .owners import scan as scan_owners

SOURCES = ("auto", "netlink", "proc", "netstat")
ENV_SOURCE = "NETPARSE_LIVE_SOURCE"


class Row(dict):
    """A row read by attribute as well (``row.state``; a missing field is None), so the table
    of :mod:`netparse.output.tables` shows it as it shows a ``Socket``."""

    __slots__ = ()
    __getattr__ = dict.get


def raw_from_proc(base: Path, issues: "list | None" = None) -> Callable[[str, int], Iterator[dict]]:
    """sock_diag has no raw module in this kernel: raw sockets from /proc/net/raw{,6}, as ss
    does (the /proc/net grammar is loaded only when the table has a row). A row that does not
    read is added to ``issues`` (numbered in its file, the reason naming it)."""

    def missing(proto: str, family: int) -> Iterator[dict]:
        name = proto + ("6" if family == netlink.socket.AF_INET6 else "")
        try:
            with open(base / "net" / name, "rb") as fh:
                if fh.read().count(b"\n") < 2:
                    return  # the header only
        except OSError:
            return
        from .proc import read_proc_net

        records, more = read_proc_net(base, files=[(name, proto)])
        if issues is not None:
            issues.extend(more)
        for rec in records:
            rec.pop("line", None)
            (rec.get("extra") or {}).pop("file", None)
            family = rec.get("family")
            if family is not None:  # the grammar's Family member: the row's text
                rec["family"] = getattr(family, "value", family)
            yield rec

    return missing


def put_container(rec: dict, proc: str, cache: OwnerCache) -> None:
    """cgroup path and container of an attributed record, from its owner's /proc/PID/cgroup."""
    pid = rec.get("pid")
    if pid:
        path = cache.cgroup(proc, pid)
        if path:
            rec["cgroup"] = path
            found = from_cgroup(path)
            if found is not None:
                rec["container"] = found


def choose_source(source: str | None, proc: str) -> str:
    source = (source or os.environ.get(ENV_SOURCE) or "auto").lower()
    if source not in SOURCES:
        raise SourceError(f"unknown live source {source!r}: use {', '.join(SOURCES)}")
    if source == "auto":
        if not Path(proc, "net", "tcp").exists():
            return "netstat"
        return "netlink" if proc == "/proc" and sys.platform.startswith("linux") else "proc"
    return source


class Query:
    """What the kernel is asked for: TCP and datagram state masks and a port bytecode, from the
    command's filters (all sockets when none)."""

    def __init__(self, states: "set[TcpState] | None" = None, ports: "Iterable[int] | None" = None) -> None:
        self.tcp_states = netlink.states_mask(states)
        self.dgram_states = netlink.dgram_mask(states)
        self.bytecode = netlink.port_bytecode(set(ports) if ports else None)

    def records(self, sock, proc: str, unix: bool, info: bool, issues: "list | None" = None) -> Iterator[dict[str, Any]]:
        """The sockets as rows; /proc/net rows that did not read (raw sockets) go to ``issues``."""
        return netlink.records(sock, unix=unix, info=info, states=self.tcp_states, dgram_states=self.dgram_states,
                               bytecode=self.bytecode, missing=raw_from_proc(Path(proc), issues))


class Stream:
    """This network namespace's sockets through netlink, one row at a time: memory stays flat
    in the number of sockets, except the inode -> owner map when owners are asked for. The
    netlink socket is opened at once, so a refusal (NetlinkError) comes before anything is
    written and the caller can fall back to :func:`netparse.live.collect.sample`.

    ``keep``: the predicate rows must pass (``filters.socket_filter``; None keeps all);
    ``by_owner``: it reads the owner (``--pid``), so owners are put on first. Otherwise a
    filtered stream is filtered first and the owners are looked up for the kept rows only."""

    def __init__(self, proc: str = "/proc", unix: bool = False, *, owners: bool = True, info: bool = False,
                 containers: bool = True, query: Query | None = None, keep: Callable[[Any], bool] | None = None,
                 by_owner: bool = False, cache: OwnerCache | None = None) -> None:
        self.proc, self.unix, self.owners, self.info, self.containers = str(proc), unix, owners, info, containers
        self.query = query or Query()
        self.keep, self.by_owner = keep, by_owner
        self.cache = cache if cache is not None else OwnerCache()
        self.sock = netlink.open_socket()
        self.attribution: Attribution | None = None
        #: ParseIssues of the rows read from /proc/net (raw sockets) that did not read
        self.issues: list = []

    def _attribution(self, found) -> Attribution:
        return Attribution(processes=found.processes, unreadable_processes=found.unreadable,
                           is_root=hasattr(os, "geteuid") and os.geteuid() == 0)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        proc, keep = self.proc, self.keep
        with self.sock:
            records = self.query.records(self.sock, proc, self.unix, self.info, self.issues)
            if keep is not None and self.owners and not self.by_owner:
                kept = []
                for i, rec in enumerate(records, 1):
                    if keep(rec):
                        rec["line"] = i
                        kept.append(rec)
                found = scan_owners(proc, self.cache, {r["inode"] for r in kept if r.get("inode")})
                self.attribution = att = self._attribution(found)
                for rec in kept:
                    attribute((rec,), found, att)
                    if self.containers:
                        put_container(rec, proc, self.cache)
                    yield rec
                return
            found = scan_owners(proc, self.cache) if self.owners else None
            if found is not None:
                self.attribution = att = self._attribution(found)
            for i, rec in enumerate(records, 1):
                if found is not None:
                    attribute((rec,), found, att)
                    if self.containers:
                        put_container(rec, proc, self.cache)
                if keep is not None and not keep(rec):
                    continue
                rec["line"] = i
                yield rec


__all__ = ["ENV_SOURCE", "SOURCES", "choose_source", "Query", "Row", "Stream", "put_container", "raw_from_proc"]

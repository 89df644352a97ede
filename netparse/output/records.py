"""Records for machines: JSON, JSON lines and CSV, written as they stream. A renderer never
parses and never decides what is an anomaly. No rich here: worker processes import this."""

from __future__ import annotations

import json
from typing import IO, Iterable

from ..model import Socket
from .safe import CsvWriter, csv_cell, json_safe

CSV_COLUMNS = [
    "line",
    "proto",
    "family",
    "local_address",
    "local_port",
    "local_service",
    "remote_address",
    "remote_port",
    "remote_service",
    "state",
    "state_label",
    "recv_q",
    "send_q",
    "pid",
    "process",
    "user",
    "inode",
    "timer",
    "fd",
    "path",
    "type",
    "truncated",
]


def record_dict(sock: Socket, **extra: object) -> dict:
    data = sock.model_dump(mode="json", exclude_none=True)
    data.update({k: v for k, v in extra.items() if v is not None})
    return data


_TO_JSON = Socket.__pydantic_serializer__.to_json  # model_dump_json without its per-call wrapper


def record_json(sock: Socket, **extra: object) -> str:
    """One record as compact JSON (pydantic's serializer; nulls left out), plus extra keys."""
    text = _TO_JSON(sock, exclude_none=True).decode()
    more = {k: v for k, v in extra.items() if v is not None}
    if more:
        text = text[:-1] + "," + json.dumps(more, ensure_ascii=False)[1:]
    return text


def write_jsonl(records: Iterable[str], out: IO[str]) -> int:
    """``records`` are JSON texts (see :func:`record_json`); DEL and C1 controls in them are
    written as ``\\u`` escapes (:func:`netparse.output.safe.json_safe`)."""
    n = 0
    for text in records:
        out.write(json_safe(text))
        out.write("\n")
        n += 1
    return n


def write_json(records: Iterable[str], out: IO[str]) -> int:
    """A JSON array, written as it streams (no list held in memory)."""
    n = 0
    out.write("[")
    for text in records:
        out.write(",\n  " if n else "\n  ")
        out.write(json_safe(text))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def write_csv(records: Iterable[dict], out: IO[str], guard: bool = True) -> int:
    """Fixed core columns; every other field goes into ``extra`` as one flat JSON object so
    nothing is lost (the record's own ``extra`` key:value fields are merged into it, not nested;
    a name both have keeps the record's value under ``extra.NAME``). With ``guard`` a cell that a
    spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) gets a leading
    ``'``, as OWASP recommends (:func:`netparse.output.safe.csv_cell`); ``--csv-raw`` turns it off."""
    writer = CsvWriter(out)
    writer.writerow(CSV_COLUMNS + ["extra"])
    n = 0
    core = set(CSV_COLUMNS)
    for rec in records:
        rest = {k: v for k, v in rec.items() if k not in core}
        inner = rest.pop("extra", None)
        if isinstance(inner, dict):
            for k, v in inner.items():
                rest[k if k not in rest else f"extra.{k}"] = v
        elif inner is not None:
            rest["extra"] = inner
        row = ["" if rec.get(c) is None else csv_cell(rec[c], guard) for c in CSV_COLUMNS]
        row.append(csv_cell(json.dumps(rest, ensure_ascii=False, sort_keys=True), guard) if rest else "")
        writer.writerow(row)
        n += 1
    return n

"""Records for machines: JSON, JSON lines and CSV, written as they stream. A renderer never
parses and never decides what is an anomaly. No rich here: worker processes import this."""

from __future__ import annotations

import json
from typing import IO, Iterable

from ..model import Socket
from .rowjson import with_extra, write_json, write_jsonl  # noqa: F401 - the JSON writers, shared with rows
from .safe import CsvWriter, csv_cell

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
    return with_extra(text, extra) if extra else text


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

"""``netparse parse --output parquet --out DIR``: records as Parquet, partitioned by host.

Layout (hive style, what DuckDB, Spark, pandas and pyarrow read as they are)::

    DIR/host=web-1/part-0.parquet
    DIR/host=web-2/part-0.parquet
    DIR/host=(none)/part-0.parquet   # records without a host (plain listings, not logs)

Host names are percent-encoded in the directory name (hive's and pyarrow's convention). Records
without a host go to ``host=(none)`` rather than hive's ``__HIVE_DEFAULT_PARTITION__``: a null
partition value makes ``pandas.read_parquet(DIR)`` fail (pyarrow: "Cannot yet unify dictionaries
with nulls"). An existing ``part-0.parquet`` of a host is replaced.

Columns: every :class:`~netparse.model.Socket` field (``family`` and ``state`` as strings), then
``snapshot`` (int64, index of the snapshot in its log), ``timestamp`` (timestamp[us]: UTC when the
log gave an offset or zone, else the log's wall-clock time), ``file`` (the input's name); ``host`` is
the partition column. Nested fields are real Parquet types, not JSON text: ``owners`` is
``list<struct<process: string, pid: int64, fd: int64>>`` and ``extra`` is ``map<string, string>``.

Rows are buffered and written as row groups of at most ``batch_rows`` records over all hosts
together, so memory stays flat whatever the input size. Needs ``pyarrow`` (``pip install
'netparse[parquet]'``); :func:`require_pyarrow` says so clearly when it is missing.
"""

from __future__ import annotations

import enum
import os
import typing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

from ..clock import time_key
from ..errors import MissingDependency
from ..model import Socket

NO_HOST = "(none)"  # the partition of records without a host


def require_pyarrow():
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise MissingDependency(
            "--output parquet needs pyarrow: pip install 'netparse[parquet]' (or pip install pyarrow)"
        ) from None
    return pyarrow


def _base_type(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, getattr(__import__("types"), "UnionType", None)) and args:
        return args[0]
    return annotation


def column_kinds() -> dict[str, str]:
    """Column name -> kind (``str int float bool owners map timestamp``), Socket fields first.
    Shared with :mod:`netparse.dask`."""
    kinds: dict[str, str] = {}
    for name, info in Socket.model_fields.items():
        t = _base_type(info.annotation)
        origin = typing.get_origin(t)
        if t is bool:
            kinds[name] = "bool"
        elif t is int:
            kinds[name] = "int"
        elif t is float:
            kinds[name] = "float"
        elif origin is list:
            kinds[name] = "owners"
        elif origin is dict:
            kinds[name] = "map"
        elif t is str or (isinstance(t, type) and issubclass(t, enum.Enum)):
            kinds[name] = "str"
        elif isinstance(t, type) and hasattr(t, "model_fields"):
            kinds[name] = "struct"  # tcp_info, memory, netns, container: a Parquet struct
        else:  # pragma: no cover - a new field type: keep it as text
            kinds[name] = "str"
    kinds.update(snapshot="int", timestamp="timestamp", file="str")
    return kinds


def arrow_schema():
    pa = require_pyarrow()
    owner = pa.struct([("process", pa.string()), ("pid", pa.int64()), ("fd", pa.int64())])
    types = {
        "str": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "owners": pa.list_(owner),
        "map": pa.map_(pa.string(), pa.string()),
        "timestamp": pa.timestamp("us"),
    }
    from ..model import Socket

    def struct(model):
        fields = []
        for key, info in model.model_fields.items():
            t = _base_type(info.annotation)
            if typing.get_origin(t) is list:
                fields.append((key, pa.list_(pa.string())))
            else:
                fields.append((key, {bool: pa.bool_(), int: pa.int64(), float: pa.float64()}.get(t, pa.string())))
        return pa.struct(fields)

    return pa.schema([
        (name, struct(_base_type(Socket.model_fields[name].annotation)) if kind == "struct" else types[kind])
        for name, kind in column_kinds().items()
    ])


def to_timestamp(value: Any) -> datetime | int | None:
    """ISO text (as in the JSON output) -> naive datetime, in UTC when it had an offset. A time
    whose UTC lies outside ``datetime``'s range (``9999-12-31T23:59-14:00``) comes back as
    microseconds since 1970 (an int), which Arrow's and pandas' timestamps hold."""
    if value is None or isinstance(value, datetime) and value.tzinfo is None:
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        try:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:
            seconds, micro = time_key(value)
            return (seconds - _EPOCH_SECONDS) * 1_000_000 + micro
    return value


_EPOCH_SECONDS = time_key(datetime(1970, 1, 1))[0]


def partition_dir(host: str | None) -> str:
    return "host=" + (NO_HOST if host in (None, "") else quote(str(host), safe=""))


class PartitionedWriter:
    """Write record dicts (as :func:`netparse.render.record_dict` makes them, plus ``snapshot``,
    ``timestamp``, ``host``, ``file``) to ``DIR/host=.../part-0.parquet``."""

    def __init__(self, out_dir: str | os.PathLike[str], batch_rows: int = 16384, compression: str = "zstd") -> None:
        require_pyarrow()
        self.out_dir = Path(out_dir)
        self.batch_rows = batch_rows
        self.compression = compression
        self.schema = arrow_schema()
        self.columns = list(self.schema.names)
        self._buffers: dict[str | None, dict[str, list]] = {}
        self._buffered = 0
        self._writers: dict[str | None, Any] = {}
        self.rows = 0
        self.hosts = 0  # partitions written

    def write(self, record: dict) -> None:
        host = record.get("host")
        ts = record.get("timestamp")
        if ts is not None:
            record["timestamp"] = to_timestamp(ts)
        buf = self._buffers.get(host)
        if buf is None:
            buf = self._buffers[host] = {name: [] for name in self.columns}
        get = record.get
        for name, column in buf.items():  # columnar buffers: no row dict is kept
            column.append(get(name))
        self._buffered += 1
        self.rows += 1
        if self._buffered >= self.batch_rows:
            self.flush()

    def write_all(self, records: Iterable[dict]) -> int:
        for rec in records:
            self.write(rec)
        return self.rows

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        for host, buf in self._buffers.items():
            if not buf[self.columns[0]]:
                continue
            table = pa.Table.from_pydict(buf, schema=self.schema)
            writer = self._writers.get(host)
            if writer is None:
                folder = self.out_dir / partition_dir(host)
                folder.mkdir(parents=True, exist_ok=True)
                self.hosts += 1
                writer = self._writers[host] = pq.ParquetWriter(
                    str(folder / "part-0.parquet"), self.schema, compression=self.compression
                )
            writer.write_table(table)
            del table
            for column in buf.values():
                column.clear()
        self._buffered = 0

    def close(self) -> None:
        self.flush()
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def __enter__(self) -> "PartitionedWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_parquet(records: Iterable[dict], out_dir: str | os.PathLike[str], batch_rows: int = 16384) -> tuple[int, int]:
    """Write every record; returns (records, host partitions)."""
    with PartitionedWriter(out_dir, batch_rows=batch_rows) as writer:
        writer.write_all(records)
    return writer.rows, writer.hosts

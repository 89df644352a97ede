"""Socket records of many files as a Dask DataFrame: parse a fleet's logs where they lie.

    from netparse.dask import read_sockets
    df = read_sockets("s3://bucket/netstat/2026-11-*/**/*.log.gz", storage_options={"anon": False})
    df.groupby(["host", "state"]).size().compute()

:func:`read_sockets` takes a path, a glob, a directory (every file under it, as ``netparse``
expands them) or a list of those, local or any fsspec URL (``s3://``, ``gs://``, ``abfs://``,
``hdfs://``, ``http(s)://`` ... with the matching fsspec package installed). Each file is one
partition, read by a Dask task on whichever worker runs it: the file is opened through fsspec
there, decompressed by its magic bytes (gzip, bzip2, xz, zstd) and parsed with
:class:`netparse.logs.LogReader`, so only the records travel. Nothing is read until you compute.

Columns (``meta`` from the :class:`~netparse.model.Socket` schema): every Socket field (integers
as nullable ``Int64``, text as ``string``, ``truncated`` as ``boolean``; ``owners`` and ``extra``
as JSON text), then ``snapshot`` (Int64), ``timestamp`` (``datetime64[us]``, UTC when the log gave
an offset), ``host`` (from the log, else from the file name, as ``netparse timeline`` does) and
``file``. Needs ``dask[dataframe]`` (``pip install 'netparse[dask]'``).

On a cluster: start a ``dask.distributed`` ``Client`` (``Client("tcp://scheduler:8786")``) before
computing; the workers need netparse installed and access to the files (shared paths or the same
fsspec credentials).
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from .parquet import column_kinds, to_timestamp

_PANDAS = {"str": "string", "int": "Int64", "float": "float64", "bool": "boolean", "owners": "string",
           "map": "string", "timestamp": "datetime64[us]"}


def columns() -> dict[str, str]:
    """Column -> pandas dtype."""
    kinds = column_kinds()
    dtypes = {name: _PANDAS[kind] for name, kind in kinds.items() if name != "file"}
    dtypes["host"] = "string"
    dtypes["file"] = "string"
    return dtypes


def meta():
    """The empty pandas DataFrame every partition matches."""
    import pandas as pd

    dtypes = columns()
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in dtypes.items()})


def expand_paths(paths_or_glob: str | Iterable[str], storage_options: dict | None = None) -> list[tuple[Any, str, str]]:
    """(filesystem, path, display name) for every file named; directories recurse (hidden files
    and notes skipped, as :func:`netparse.inputs.expand` does)."""
    import fsspec
    from fsspec.core import url_to_fs

    from .inputs import SKIPPED_SUFFIXES

    names = [paths_or_glob] if isinstance(paths_or_glob, str) else list(paths_or_glob)
    found: list[tuple[Any, str, str]] = []
    for name in names:
        fs, root = url_to_fs(name, **(storage_options or {}))
        if any(ch in root for ch in "*?["):
            paths = sorted(fs.glob(root))
        else:
            paths = [root]
        for path in paths:
            if fs.isdir(path):
                inner = sorted(p for p in fs.find(path) if not fs.isdir(p))
                inner = [p for p in inner if not any(part.startswith(".") for part in p.split("/"))
                         and not any(p.lower().endswith(s) for s in SKIPPED_SUFFIXES)]
            else:
                inner = [path]
            for p in inner:
                local = isinstance(fs, fsspec.implementations.local.LocalFileSystem)
                found.append((fs, p, p if local else fs.unstrip_protocol(p)))
    if not found:
        raise FileNotFoundError(f"no input matches {paths_or_glob!r}")
    return found


def read_partition(item: tuple[Any, str, str], format: str = "auto", encoding: str | None = None):
    """One file's records as a pandas DataFrame (a Dask task)."""
    import pandas as pd

    from .inputs import decompressor, sniff
    from .io import TextSource
    from .logs import LogReader
    from .model import Socket

    fs, path, display = item
    dtypes = columns()
    data: dict[str, list] = {name: [] for name in dtypes}
    socket_fields = [n for n in Socket.model_fields]
    raw = fs.open(path, "rb")
    try:
        head = raw.read(8)
        raw.seek(0)
        source = TextSource(display, decompressor(sniff(head), raw), encoding, raw=raw)
        reader = LogReader(source, format=format)
        for block, item_ in reader:
            if item_ is None or item_.__class__ is not Socket:
                continue
            values = item_.__dict__
            for name in socket_fields:
                value = values[name]
                if name == "owners" and value is not None:
                    value = json.dumps([o.model_dump() for o in value])
                elif name == "extra" and value is not None:
                    value = json.dumps(value, ensure_ascii=False)
                elif value is not None and name in ("family", "state"):
                    value = str(value.value if hasattr(value, "value") else value)
                data[name].append(value)
            data["snapshot"].append(block.index)
            data["timestamp"].append(to_timestamp(block.timestamp))
            data["host"].append(block.host)
            data["file"].append(display)
    finally:
        raw.close()
    frame = pd.DataFrame(data)
    return frame.astype(dtypes) if len(frame) else meta()


def read_sockets(
    paths_or_glob: str | Iterable[str],
    format: str = "auto",
    encoding: str | None = None,
    storage_options: dict | None = None,
):
    """A Dask DataFrame of the socket records of every file named, one partition per file.

    ``format``: as ``netparse --format`` (auto detects per file); ``encoding`` forces a codec;
    ``storage_options`` go to fsspec (credentials, endpoints)."""
    import dask.dataframe as dd

    items = expand_paths(paths_or_glob, storage_options)
    return dd.from_map(
        read_partition, items, format=format, encoding=encoding, meta=meta(), label="netparse-read-sockets",
        enforce_metadata=False,
    )

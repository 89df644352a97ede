"""--output parquet --out DIR: hive-partitioned by host, read back by pyarrow, pandas and DuckDB
with the counts of the JSON output."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netparse.cli import app

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

ROOT = Path(__file__).resolve().parent.parent
INPUTS = [str(ROOT / "samples" / "logs"), *sorted(str(p) for p in (ROOT / "samples" / "linux").glob("*.txt"))[:10]]
runner = CliRunner()


def json_records() -> list[dict]:
    result = runner.invoke(app, ["parse", "-o", "jsonl", "--jobs", "1", *INPUTS])
    assert result.exit_code == 0
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module", params=["1", "2"])
def written(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp(f"pq{request.param}")
    result = runner.invoke(app, ["parse", "-o", "parquet", "--out", str(out), "--jobs", request.param, *INPUTS])
    assert result.exit_code == 0, result.stderr
    assert "wrote" in result.stderr
    return out


def test_counts_match_json_output_pyarrow(written: Path) -> None:
    records = json_records()
    table = pq.read_table(written)
    assert table.num_rows == len(records)
    hosts = Counter(r.get("host", "(none)") for r in records)
    got = Counter(table.column("host").to_pylist())
    assert got == hosts
    states = Counter(table.column("state").to_pylist())
    assert states == Counter(r["state"] for r in records)
    assert (written / "host=web01" / "part-0.parquet").exists()


def test_columns_and_nested_types(written: Path) -> None:
    schema = pq.read_schema(next(written.glob("host=*/part-0.parquet")))
    assert schema.field("owners").type == pa.list_(pa.struct([("process", pa.string()), ("pid", pa.int64()), ("fd", pa.int64())]))
    assert schema.field("extra").type == pa.map_(pa.string(), pa.string())
    assert pa.types.is_timestamp(schema.field("timestamp").type)
    for name in ("snapshot", "file", "proto", "state", "local_port"):
        assert name in schema.names
    table = pq.read_table(written)
    owners = [o for o in table.column("owners").to_pylist() if o]
    assert owners and set(owners[0][0]) == {"process", "pid", "fd"}
    assert set(table.column("file").to_pylist()) >= {str(Path(INPUTS[1]))}


def test_duckdb_reads_it(written: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    records = json_records()
    rows = duckdb.sql(
        f"select host, count(*) from read_parquet('{written}/**/*.parquet', hive_partitioning=true) group by host"
    ).fetchall()
    assert dict(rows) == Counter(r.get("host", "(none)") for r in records)
    snapshots = duckdb.sql(
        f"select count(distinct (file, snapshot)) from read_parquet('{written}/**/*.parquet', hive_partitioning=true) "
        "where snapshot is not null"
    ).fetchall()[0][0]
    assert snapshots == len({(r.get("source"), r["snapshot"]) for r in records if "snapshot" in r})


def test_pandas_reads_it(written: Path) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_parquet(written)
    assert len(frame) == len(json_records())


def test_parquet_needs_out() -> None:
    result = runner.invoke(app, ["parse", "-o", "parquet", INPUTS[1]])
    assert result.exit_code == 2


def test_missing_pyarrow_is_a_clear_usage_error(monkeypatch, tmp_path: Path) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    result = runner.invoke(app, ["parse", "-o", "parquet", "--out", str(tmp_path / "x"), INPUTS[1]])
    assert result.exit_code == 2
    assert "pip install 'netparse[parquet]'" in result.stderr
    assert not (tmp_path / "x").exists()


def test_batches_keep_every_row(tmp_path: Path) -> None:
    from netparse.scale.parquet import write_parquet

    recs = ({"proto": "tcp", "state": "LISTEN", "line": i, "host": f"h{i % 3}", "file": "f",
             "timestamp": "2026-11-24T19:11:04+01:00"} for i in range(1000))
    rows, hosts = write_parquet(recs, tmp_path, batch_rows=64)
    assert (rows, hosts) == (1000, 3)
    table = pq.read_table(tmp_path)
    assert table.num_rows == 1000
    assert pq.ParquetFile(tmp_path / "host=h0" / "part-0.parquet").num_row_groups > 1
    assert str(table.column("timestamp")[0].as_py()) == "2026-11-24 18:11:04"  # UTC

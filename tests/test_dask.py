"""netparse.dask.read_sockets: one partition per file, on a two-worker LocalCluster, with the
counts of the single-process path."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from netparse.dask import expand_paths, meta, read_partition, read_sockets  # noqa: E402
from netparse.logs import LogReader  # noqa: E402
from netparse.model import Socket  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "samples" / "logs"
LINUX_GLOB = str(ROOT / "samples" / "linux" / "corpus-linux_iproute2_ss-ta*.txt")


def single_process(paths: list[str]) -> Counter:
    counts: Counter = Counter()
    for path in paths:
        for block, item in LogReader(path):
            if isinstance(item, Socket):
                counts[(path, block.host, item.state.value)] += 1
    return counts


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def test_counts_match_single_process_on_local_cluster(client) -> None:
    df = read_sockets([str(LOGS), LINUX_GLOB])
    files = [display for _, _, display in expand_paths([str(LOGS), LINUX_GLOB])]
    assert df.npartitions == len(files) > 5
    frame = df.compute()
    got = Counter(zip(frame["file"], frame["host"], frame["state"]))
    want = single_process(files)
    assert got == want
    assert len(frame) == sum(want.values())
    assert list(frame.columns) == list(meta().columns)
    assert (frame.dtypes == meta().dtypes).all()
    per_host = df.groupby("host").size().compute()
    assert per_host["web01"] == sum(n for (_, host, _), n in want.items() if host == "web01")


def test_fsspec_url_and_compressed(tmp_path: Path) -> None:
    data = (LOGS / "linux-iso-ss.log").read_bytes()
    (tmp_path / "web9.log.gz").write_bytes(gzip.compress(data))
    df = read_sockets(f"file://{tmp_path}/*.gz")
    frame = df.compute(scheduler="sync")
    assert len(frame) == sum(single_process([str(LOGS / "linux-iso-ss.log")]).values())
    assert frame["snapshot"].nunique() > 1 and frame["timestamp"].notna().all()


def test_empty_file_gives_empty_partition(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("nothing here\n")
    fs_items = expand_paths(str(tmp_path / "empty.txt"))
    part = read_partition(fs_items[0])
    assert len(part) == 0 and list(part.columns) == list(meta().columns)


def test_nothing_matches() -> None:
    with pytest.raises(FileNotFoundError):
        read_sockets(str(ROOT / "no-such-dir" / "*.log"))

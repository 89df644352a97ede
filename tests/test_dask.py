"""netparse.dask.read_sockets: one partition per file, on a two-worker LocalCluster, with the
counts of the single-process path; large logs split into byte ranges at snapshot boundaries, with
exactly the records, snapshot numbers, timestamps, hosts and line numbers of one reader of the
whole file."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
import dask  # noqa: E402
import pandas as pd  # noqa: E402

import netparse.scale.dask as npdask  # noqa: E402
from netparse.scale.dask import expand_paths, meta, read_partition, read_sockets  # noqa: E402
from netparse.logs.reader import LogReader  # noqa: E402
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


# ---------------------------------------------------------------------------- byte ranges

SPLIT_LOGS = [
    LOGS / "linux-date-netstat.log",  # date(1) lines, 6 snapshots of ~20 KiB
    LOGS / "linux-iso-ss.log",  # '=== ISO' separators, ss -p owners
    LOGS / "hosts" / "web01.log",  # hostname + date + ss preambles
    LOGS / "windows-de-date-time.log",  # cp850, CRLF, date /t + time /t pairs
    LOGS / "windows-en-date-time.log",  # month-first dates, 12-hour times, -b lines
    LOGS / "corpus-ss-dashes-grep-loop.log",  # '---' separators, no headers at all
]


def whole_file(path: Path | str) -> Counter:
    """(file, snapshot, timestamp, host, state, local/remote endpoint, line) of every record, as
    one LogReader of the whole file gives them."""
    counts: Counter = Counter()
    for block, item in LogReader(str(path)):
        if isinstance(item, Socket):
            stamp = pd.Timestamp(npdask.to_timestamp(block.timestamp)) if block.timestamp else None
            counts[(str(path), block.index, stamp, block.host, item.state.value, item.local_address, item.local_port,
                    item.remote_address, item.remote_port, item.line)] += 1
    return counts


def keys(frame) -> Counter:
    return Counter(
        (f, s, None if pd.isna(t) else t, None if pd.isna(h) else h, st, la, None if pd.isna(lp) else lp,
         ra, None if pd.isna(rp) else rp, ln)
        for f, s, t, h, st, la, lp, ra, rp, ln in zip(
            frame["file"], frame["snapshot"], frame["timestamp"], frame["host"], frame["state"],
            frame["local_address"], frame["local_port"], frame["remote_address"], frame["remote_port"], frame["line"],
        )
    )


def in_order(frame):
    return frame.sort_values(["file", "line"], kind="stable").reset_index(drop=True)


def assert_split_exact(path: Path | str, blocksize: int, min_parts: int = 2) -> list:
    """Split at ``blocksize``: the same frame as one partition and as one whole-file LogReader;
    returns the partitions' row counts."""
    one = read_sockets(str(path), blocksize=None)
    split = read_sockets(str(path), blocksize=blocksize)
    assert one.npartitions == 1
    assert split.npartitions >= min_parts
    parts = dask.compute(*split.to_delayed(), scheduler="sync")
    got = pd.concat(parts, ignore_index=True)
    want = one.compute(scheduler="sync")
    assert len(got) == len(want) > 0
    pd.testing.assert_frame_equal(in_order(got), in_order(want))
    assert keys(got) == whole_file(path)
    assert list(got.columns) == list(meta().columns) and (got.dtypes == meta().dtypes).all()
    return [len(p) for p in parts]


@pytest.mark.parametrize("path", SPLIT_LOGS, ids=lambda p: p.name)
def test_split_sample_logs_match_whole_file(path: Path) -> None:
    size = path.stat().st_size
    for blocksize in (size // 7 + 1, 1500):
        rows = assert_split_exact(path, blocksize)
        if path.name.startswith("linux-"):  # 6 snapshots of ~20 KiB: several readers own some
            assert sum(1 for n in rows if n) >= 2, rows


def test_split_concatenated_logs_on_every_kind_of_boundary(tmp_path: Path) -> None:
    """Every sample log, concatenated three times (~830 KB): date(1), ISO, epoch, separator,
    hostname and Windows date/time boundaries, cp850 and ASCII, LF and CRLF, one after the other;
    the last file's host name carries on into the next file's snapshots, as in one reader."""
    data = b"".join(p.read_bytes() for p in sorted(LOGS.glob("*.log"))) + (LOGS / "hosts" / "web01.log").read_bytes()
    big = tmp_path / "fleet.log"
    big.write_bytes(data * 3)
    rows = assert_split_exact(big, 48 * 1024, min_parts=10)
    assert sum(1 for n in rows if n) >= 5, rows
    frame = read_sockets(str(big), blocksize=48 * 1024).compute(scheduler="sync")
    assert frame["snapshot"].nunique() == frame["snapshot"].max() + 1 > 50
    assert set(frame["host"].dropna()) == {"fleet", "web01"}  # web01 named late, then carried on


def test_host_named_once_at_the_top_reaches_every_partition(tmp_path: Path) -> None:
    log = tmp_path / "fleet.log"
    log.write_bytes(b"web42\n" + (LOGS / "linux-date-netstat.log").read_bytes() * 3)
    rows = assert_split_exact(log, 16 * 1024, min_parts=10)
    assert sum(1 for n in rows if n) >= 4, rows
    frame = read_sockets(str(log), blocksize=16 * 1024).compute(scheduler="sync")
    assert set(frame["host"]) == {"web42"} and frame["snapshot"].max() == 17


def offsets_of(data: bytes, prefix: bytes) -> list[int]:
    found, at = [], data.find(prefix)
    while at >= 0:
        if at == 0 or data[at - 1 : at] == b"\n":
            found.append(at)
        at = data.find(prefix, at + 1)
    return found


@pytest.mark.parametrize(
    "name, first, second",
    [
        ("windows-en-date-time.log", b"Tue 11/24/2026", b"07:"),  # date /t, time /t
        ("hosts/web01.log", b"web01", b"Wed Nov 25"),  # hostname, date
        ("linux-date-netstat.log", b"Wed Nov 25", b"Active Internet"),  # date, title
    ],
)
def test_boundary_inside_a_preamble(name: str, first: bytes, second: bytes) -> None:
    """A range boundary at, inside and after each line of the preamble of the third snapshot
    (between \\r and \\n of a CRLF line too): never a snapshot lost, split or counted twice."""
    path = LOGS / name
    data = path.read_bytes()
    start = offsets_of(data, first)[2]
    nxt = next(o for o in offsets_of(data, second) if o > start)
    end_of_second = data.index(b"\n", nxt) + 1
    cuts = {start, start + 1, start + 5, nxt - 2, nxt - 1, nxt, nxt + 3, end_of_second - 2, end_of_second}
    for cut in sorted(cuts):
        assert_split_exact(path, cut)


def test_crlf_cr_bom_and_repeated_header_logs(tmp_path: Path) -> None:
    netstat = (LOGS / "linux-date-netstat.log").read_bytes()
    iso = (LOGS / "linux-iso-ss.log").read_bytes()
    variants = {
        "cr.log": netstat.replace(b"\n", b"\r"),  # old Mac line ends
        "crlf.log": iso.replace(b"\n", b"\r\n"),
        "bom.log": b"\xef\xbb\xbf" + netstat + b"\xef\xbb\xbf" + iso,  # a BOM in the middle is text
        # netstat -c style: no timestamp lines, snapshots cut where the title comes again
        "repeat.log": b"\n".join(ln for ln in netstat.split(b"\n") if not ln.startswith(b"Wed Nov")),
    }
    for name, data in variants.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert_split_exact(path, len(data) // 9 + 1, min_parts=9)


def test_ranges_decode_as_the_file_head_says(tmp_path: Path) -> None:
    """cp850 first, then the same log in UTF-8: the whole-file reader decodes everything as cp850
    (detected on the first 64 KiB), so the UTF-8 ABHÖREN rows are not LISTEN. A range reader that
    detected on its own start would read them right, and differently: the split reads them as the
    whole file does."""
    cp850 = (LOGS / "windows-de-date-time.log").read_bytes()
    path = tmp_path / "mixed.log"
    path.write_bytes(cp850 * 10 + cp850.decode("cp850").encode("utf-8") * 10)
    assert_split_exact(path, 20 * 1024, min_parts=5)
    frame = read_sockets(str(path), blocksize=20 * 1024).compute(scheduler="sync")
    half = frame["line"] > cp850.count(b"\n") * 10
    assert (frame.loc[~half, "state"] == "LISTEN").sum() == 270
    assert (frame.loc[half, "state"] == "LISTEN").sum() == 0


def test_ranges_keep_the_code_page_of_earlier_stray_lines(tmp_path: Path) -> None:
    """A UTF-8 (ASCII) log with code-page snapshots further on: the whole-file reader picks a code
    page at the first non-UTF-8 line (cp850 here) and keeps it, so the later cp1252 ABHÖREN rows
    are not LISTEN. Readers that start among the cp1252 lines pick cp1252 on their own; they are
    not in step (the decoder's state is part of a reader's state) and are not used."""
    cp850 = (LOGS / "windows-de-date-time.log").read_bytes()
    head = (LOGS / "linux-date-netstat.log").read_bytes()
    path = tmp_path / "late.log"
    path.write_bytes(head + cp850 * 2 + cp850.decode("cp850").encode("cp1252") * 8)
    assert_split_exact(path, 20000, min_parts=9)
    frame = read_sockets(str(path), blocksize=20000).compute(scheduler="sync")
    late = frame["line"] > head.count(b"\n") + cp850.count(b"\n") * 2
    assert (frame.loc[~late & (frame["proto"] == "tcp") & (frame["local_port"] == 135), "state"] == "LISTEN").all()
    assert (frame.loc[late, "state"] == "LISTEN").sum() == 0 and (frame.loc[late, "state"] == "UNKNOWN").sum() > 100


def test_time_only_stamps_dated_by_an_earlier_range(tmp_path: Path) -> None:
    """A Windows log with one date /t at the top and only time /t before every later snapshot:
    the readers of later ranges date their times as the whole-file reader does (from the last
    timestamp, a day later when the clock went back)."""
    lines = (LOGS / "windows-en-date-time.log").read_bytes().split(b"\r\n")
    date_lines = [i for i, ln in enumerate(lines) if ln.startswith(b"Tue 11/24/2026")]
    rest = b"\r\n".join(ln for i, ln in enumerate(lines) if i not in date_lines)
    path = tmp_path / "times.log"
    path.write_bytes(b"Tue 11/24/2026 \r\n" + rest + (b"\r\n" + rest) * 3)
    assert_split_exact(path, 2000, min_parts=10)
    frame = read_sockets(str(path), blocksize=2000).compute(scheduler="sync")
    assert frame["timestamp"].notna().all() and frame["timestamp"].nunique() == frame["snapshot"].nunique() == 12
    assert frame["timestamp"].max() == pd.Timestamp("2026-11-27 19:21")


def test_state_left_by_earlier_ranges(tmp_path: Path) -> None:
    """What only the lines before a range decide: (1) one timestamp at the top makes the whole log
    'stamped', so a title that comes again inside a '---' block does not cut it (16 listings, 8
    snapshots); (2) a first Windows date that is month-first (11/24/2026) settles how the later
    ambiguous 05/06/2026 is read: 6 May, where a reader without that history would say 5 June."""
    listing = (LOGS / "linux-date-netstat.log").read_bytes().split(b"Wed Nov 25")[1].split(b"\n", 1)[1]
    stamped = tmp_path / "stamped.log"
    stamped.write_bytes(b"Wed Nov 25 10:57:40 UTC 2026\n" + (b"---\n" + listing + listing) * 8)
    assert_split_exact(stamped, 3000, min_parts=10)
    frame = read_sockets(str(stamped), blocksize=3000).compute(scheduler="sync")
    assert frame["snapshot"].nunique() == 8

    win = (LOGS / "windows-en-date-time.log").read_bytes()
    ordered = tmp_path / "order.log"
    ordered.write_bytes(win.replace(b"Tue 11/24/2026 ", b"11/24/2026") + win.replace(b"Tue 11/24/2026 ", b"05/06/2026") * 5)
    assert_split_exact(ordered, 4000, min_parts=9)
    frame = read_sockets(str(ordered), blocksize=4000).compute(scheduler="sync")
    assert set(frame["timestamp"].dt.strftime("%m-%d")) == {"11-24", "05-06"}


def test_handover_without_rereading_and_the_fallback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Readers normally take over from each other (the plan reads nothing itself); when they
    cannot (here: forced by reading only one snapshot past the range), the plan reads on from
    the last snapshot start in the recorded state, and the result is the same."""
    log = tmp_path / "big.log"
    log.write_bytes(((LOGS / "linux-date-netstat.log").read_bytes() + (LOGS / "linux-iso-ss.log").read_bytes()) * 4)
    item = expand_paths(str(log))[0]

    def plan(blocksize: int):
        ranges, detected = npdask.split_ranges(item, blocksize)
        reads = [npdask.read_range(item, a, b, detected, synced=k == 0) for k, (a, b) in enumerate(ranges)]
        return npdask.plan_file(item, ranges, [summary for _, summary in reads], detected)

    normal = plan(96 * 1024)
    assert normal.reruns == 0
    assert sum(1 for part in normal.parts if part is not None and part.snapshots) >= 5
    monkeypatch.setattr(npdask, "OVERLAP", 1)
    assert plan(96 * 1024).reruns > 0
    assert_split_exact(log, 96 * 1024, min_parts=10)
    assert_split_exact(log, 20000, min_parts=40)


def test_what_is_not_split(tmp_path: Path) -> None:
    data = (LOGS / "windows-en-date-time.log").read_bytes()
    (tmp_path / "win.log.gz").write_bytes(gzip.compress(data * 4))  # cannot be entered in the middle
    (tmp_path / "win16.log").write_bytes(b"\xff\xfe" + (data * 4).decode("ascii").encode("utf-16-le"))
    one_listing = (LOGS / "linux-iso-ss.log").read_bytes().split(b"=== ")[1].split(b"\n", 1)[1]
    (tmp_path / "ss.txt").write_bytes(one_listing)  # no boundary: one huge listing
    (tmp_path / "small.log").write_bytes(data)
    for name in ("win.log.gz", "win16.log", "ss.txt"):
        path = tmp_path / name
        assert path.stat().st_size > 3 * 300
        df = read_sockets(str(path), blocksize=300)
        assert df.npartitions == 1, name
        frame = df.compute(scheduler="sync")
        assert len(frame) == len(read_sockets(str(path), blocksize=None).compute(scheduler="sync")) > 0
    assert read_sockets(str(tmp_path / "win16.log"), blocksize=300).compute(scheduler="sync")["snapshot"].nunique() == 12
    # each file on its own, small ones one partition, large ones split
    df = read_sockets(str(tmp_path), blocksize=len(data) + 1)
    assert df.npartitions == 3 + 1  # gz, utf-16, ss.txt, small.log: one each (small.log is not larger)
    assert read_sockets(str(tmp_path / "small.log"), blocksize=len(data) // 3 + 1).npartitions == 3
    with pytest.raises(ValueError):
        read_sockets(str(tmp_path / "small.log"), blocksize=0)
    assert read_sockets(str(tmp_path / "small.log"), blocksize="2KiB").npartitions == -(-len(data) // 2048) == 4


def test_split_log_on_local_cluster(client, tmp_path: Path) -> None:
    log = tmp_path / "web01.log"
    log.write_bytes(b"web01\n" + (LOGS / "linux-iso-ss.log").read_bytes() * 4)
    df = read_sockets([str(log), str(LOGS / "windows-de-date-time.log")], blocksize=40 * 1024)
    assert df.npartitions == 13 + 1
    frame = df.compute()
    want = whole_file(log) + whole_file(LOGS / "windows-de-date-time.log")
    assert keys(frame) == want
    assert df.groupby("host").size().compute()["web01"] == 4 * 1198

"""macOS ``netstat -anv`` rows without their header (``| grep``), issue 14 item 4: the ``-v``
columns are recognised by count and types, for each macOS ``-v`` layout with a real sample."""

from __future__ import annotations

from pathlib import Path

import pytest

import netparse
from netparse.grammars.bsd import V_COLUMNS_726, V_COLUMNS_OLD, shape_columns

MACOS = Path(__file__).parent.parent / "samples" / "macos"

WITH_HEADER = {
    # layout: (sample with its header, LISTEN lines of it)
    "old": "corpus-macos_netstat-anvp-tcp_LISTEN_blog",
    "726": "corpus-macos26_netstat-anv-p-tcp_process-pid_gotest",
}


@pytest.mark.parametrize("layout", sorted(WITH_HEADER))
def test_headerless_rows_read_like_the_same_rows_under_their_header(layout: str) -> None:
    path = MACOS / f"{WITH_HEADER[layout]}.txt"
    full = netparse.parse_file(path)
    rows = [l for l in path.read_text(encoding="utf-8").splitlines() if " LISTEN " in l and not l.startswith(("Proto", "➜"))]
    bare = netparse.parse("\n".join(rows) + "\n")
    assert not [i for i in bare.issues if i.kind == "unparsed"]
    want = [s for s in full.sockets if s.state == "LISTEN"]
    assert len(bare.sockets) == len(want) == len(rows) > 0
    keys = ("pid", "process", "local_address", "local_port", "family", "extra", "info")
    assert [tuple(getattr(s, k) for k in keys) for s in bare.sockets] == [tuple(getattr(s, k) for k in keys) for s in want]
    assert all(s.pid is not None and s.info is None for s in bare.sockets)


def test_blog_grep_paste_gets_pids() -> None:
    snap = netparse.parse_file(MACOS / "netstat-vanp-tcp-grep-headerless_blog.txt")
    assert not snap.issues
    first = snap.sockets[0]
    assert (first.local_port, first.pid, first.extra) == (
        3000, 46834, {"rhiwat": "131072", "shiwat": "131072", "epid": "0", "state": "0x0100", "options": "0x00000106"}
    )
    assert all(s.pid and s.info is None for s in snap.sockets)


def test_shapes_are_not_guessed_from_other_tails() -> None:
    assert shape_columns("131072 131072  46834      0 0x0100 0x00000106") == V_COLUMNS_OLD
    assert shape_columns(
        "0            0  131072  131072   Code Helper (Plu:17120  00000 00000006 000000000900d388 00000000 00000800      1      0 000000"
    ) == V_COLUMNS_726
    # the non -v tails (FreeBSD -x buffer columns, a Linux-looking tail) stay in info
    assert shape_columns("131072 131072 46834 0 256 262") is None
    assert shape_columns("users:((\"sshd\",pid=1,fd=3))") is None

"""Builds socket listings in the exact column layouts of real tools, from short row specs.

The layouts are copied from captured output (Debian 12, iproute2 6.1.0 ``ss -tanp`` /
``ss -tuanp``, net-tools 2.10 ``netstat -antp`` / ``netstat -antup``, Windows ``netstat -ano``
as in samples/windows/). State labels are the ones those tools print, written out here rather
than taken from netparse's tables, so the tests do not lean on the code they test.

A row spec (a dict, as written in the YAML cases)::

    {state: CLOSE_WAIT, count: 150, local: "10.0.0.5:8080", peer: "{ip}:{port}",
     hosts: 3, process: java, pid: 3121, recv_q: 0, send_q: 0, proto: tcp}

``count`` repeats the row; in ``local``/``peer`` the placeholders ``{n}`` (0, 1, ...),
``{port}`` (32768 + n, a Linux ephemeral port), ``{wport}`` (49152 + n, a Windows one) and
``{ip}`` (a distinct 198.18.x.y address per row, or one of ``hosts`` addresses in turn) vary
per row. IPv6 addresses are written in
brackets (``[::]:6379``); netstat output drops the brackets and says tcp6.
"""

from __future__ import annotations

from typing import Any

SS_LABELS = {
    "LISTEN": "LISTEN",
    "SYN_SENT": "SYN-SENT",
    "SYN_RECEIVED": "SYN-RECV",
    "ESTABLISHED": "ESTAB",
    "FIN_WAIT_1": "FIN-WAIT-1",
    "FIN_WAIT_2": "FIN-WAIT-2",
    "CLOSE_WAIT": "CLOSE-WAIT",
    "CLOSING": "CLOSING",
    "LAST_ACK": "LAST-ACK",
    "TIME_WAIT": "TIME-WAIT",
    "UNCONNECTED": "UNCONN",
}
NETSTAT_LABELS = {
    "LISTEN": "LISTEN",
    "SYN_SENT": "SYN_SENT",
    "SYN_RECEIVED": "SYN_RECV",
    "ESTABLISHED": "ESTABLISHED",
    "FIN_WAIT_1": "FIN_WAIT1",
    "FIN_WAIT_2": "FIN_WAIT2",
    "CLOSE_WAIT": "CLOSE_WAIT",
    "CLOSING": "CLOSING",
    "LAST_ACK": "LAST_ACK",
    "TIME_WAIT": "TIME_WAIT",
    "UNCONNECTED": "",
}


def _ip(n: int, hosts: int | None) -> str:
    k = n % hosts if hosts else n
    return f"198.18.{k // 250}.{k % 250 + 1}"


def expand(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Row specs -> one dict per socket, placeholders filled."""
    out = []
    for spec in rows:
        for n in range(int(spec.get("count", 1))):
            values = {"n": n, "port": 32768 + n, "wport": 49152 + n, "ip": _ip(n, spec.get("hosts"))}
            row = dict(spec)
            row["local"] = str(spec["local"]).format(**values)
            wildcard = "[::]:*" if row["local"].startswith("[") else "0.0.0.0:*"
            row["peer"] = str(spec.get("peer", wildcard)).format(**values)
            out.append(row)
    return out


def _ss_owner(row: dict[str, Any], fd: int) -> str:
    if row.get("process") is None:
        return ""
    return f'users:(("{row["process"]}",pid={row["pid"]},fd={fd}))'


def ss(rows: list[dict[str, Any]]) -> str:
    """``ss -tanp`` (``ss -tuanp`` when a row is UDP) output."""
    sockets = expand(rows)
    netid = any(r.get("proto", "tcp") == "udp" for r in sockets)
    head = "Netid " if netid else ""
    lines = [f"{head}{'State':<10} Recv-Q Send-Q {'Local Address:Port':>30} {'Peer Address:Port':>20} Process"]
    for fd, r in enumerate(sockets, start=3):
        proto = f"{r.get('proto', 'tcp'):<5} " if netid else ""
        label = SS_LABELS[r["state"]]
        line = (
            f"{proto}{label:<10} {r.get('recv_q', 0):<6} {r.get('send_q', 0):<6} "
            f"{r['local']:>30} {r['peer']:>20} {_ss_owner(r, fd)}"
        )
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


def _plain(endpoint: str) -> tuple[str, bool]:
    """'[::1]:80' -> ('::1:80', True); '10.0.0.1:80' -> ('10.0.0.1:80', False)."""
    if endpoint.startswith("["):
        address, _, port = endpoint[1:].partition("]:")
        return f"{address}:{port}", True
    return endpoint, False


def netstat(rows: list[dict[str, Any]]) -> str:
    """``netstat -antp`` (``-antup`` when a row is UDP) output, wide enough not to cut addresses."""
    lines = [
        "Active Internet connections (servers and established)",
        f"Proto Recv-Q Send-Q {'Local Address':<23} {'Foreign Address':<23} {'State':<11} PID/Program name",
    ]
    for r in expand(rows):
        local, six = _plain(r["local"])
        peer, _ = _plain(r["peer"])
        proto = r.get("proto", "tcp") + ("6" if six else "")
        owner = f"{r['pid']}/{r['process']}" if r.get("process") is not None else "-"
        label = NETSTAT_LABELS[r["state"]]
        # net-tools prints Send-Q 0 on LISTEN rows (/proc/net/tcp has no backlog), whatever the spec says
        send_q = 0 if r["state"] == "LISTEN" else r.get("send_q", 0)
        line = f"{proto:<5} {r.get('recv_q', 0):>6} {send_q:>6} {local:<23} {peer:<23} {label:<11} {owner}"
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


WINDOWS_LABELS = {
    "LISTEN": "LISTENING",
    "SYN_SENT": "SYN_SENT",
    "SYN_RECEIVED": "SYN_RECEIVED",
    "ESTABLISHED": "ESTABLISHED",
    "FIN_WAIT_1": "FIN_WAIT_1",
    "FIN_WAIT_2": "FIN_WAIT_2",
    "CLOSE_WAIT": "CLOSE_WAIT",
    "CLOSING": "CLOSING",
    "LAST_ACK": "LAST_ACK",
    "TIME_WAIT": "TIME_WAIT",
}


def windows(rows: list[dict[str, Any]]) -> str:
    """Windows ``netstat -ano`` output (English). A listener's peer is ``0.0.0.0:0`` / ``[::]:0``;
    sockets no process owns (TIME_WAIT) show PID 0."""
    lines = ["", "Active Connections", "", "  Proto  Local Address          Foreign Address        State           PID"]
    for r in expand(rows):
        peer = r["peer"].replace(":*", ":0")
        pid = r.get("pid", 0)
        lines.append(f"  {'TCP':<6} {r['local']:<22} {peer:<22} {WINDOWS_LABELS[r['state']]:<15} {pid}")
    return "\n".join(lines) + "\n"


def render(format: str, rows: list[dict[str, Any]]) -> str:
    return {"ss": ss, "netstat": netstat, "windows": windows}[format](rows)

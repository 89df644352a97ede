"""Generate large, realistic inputs for the benchmark from the real rows in samples/linux/.

Each output row is a real captured row with its addresses, ports, queues and pids varied
(deterministically), laid out with the tools' own column widths, so the parsers see the shapes
they see in production.
"""

from __future__ import annotations

import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NETSTAT_STATES = ["ESTABLISHED"] * 6 + ["TIME_WAIT"] * 3 + ["CLOSE_WAIT", "LISTEN", "FIN_WAIT2", "SYN_SENT"]
SS_STATES = {"ESTABLISHED": "ESTAB", "TIME_WAIT": "TIME-WAIT", "CLOSE_WAIT": "CLOSE-WAIT", "LISTEN": "LISTEN",
             "FIN_WAIT2": "FIN-WAIT-2", "SYN_SENT": "SYN-SENT"}
PROCS = ["nginx", "java", "python3", "postgres", "redis-server", "sshd", "envoy"]


def _rows(n: int, seed: int):
    """A busy server: a few local addresses, thousands of peers, ports all over the place."""
    rnd = random.Random(seed)
    local4 = ["10.0.0.5", "10.0.1.5", "127.0.0.1", "172.17.0.1"]
    local6 = ["2001:db8::5", "::1"]
    peers4 = [f"{rnd.randrange(1, 224)}.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}" for _ in range(5000)]
    peers6 = [f"2001:db8:{rnd.randrange(1, 0xffff):x}::{rnd.randrange(1, 0xffff):x}" for _ in range(1000)]
    for _ in range(n):
        state = rnd.choice(NETSTAT_STATES)
        v6 = rnd.random() < 0.2
        if v6:
            local, remote = rnd.choice(local6), rnd.choice(peers6)
        else:
            local, remote = rnd.choice(local4), rnd.choice(peers4)
        lport = rnd.choice([80, 443, 8080, 5432, 6379]) if state in ("LISTEN", "CLOSE_WAIT") else rnd.randrange(32768, 61000)
        rport = None if state == "LISTEN" else rnd.choice([80, 443, 8080, 5432, 6379, rnd.randrange(1024, 65535)])
        if state == "LISTEN":
            remote = "::" if v6 else "0.0.0.0"
        pid = rnd.randrange(100, 99999)
        owner = None if state == "TIME_WAIT" else (pid, rnd.choice(PROCS))
        yield state, v6, local, lport, remote, rport, rnd.randrange(0, 2000), rnd.randrange(0, 2000), owner


def netstat_antp(n: int, seed: int = 1) -> str:
    out = ["Active Internet connections (servers and established)",
           "Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    "]
    for state, v6, la, lp, ra, rp, rq, sq, owner in _rows(n, seed):
        loc = f"{la}:{lp}"
        rem = f"{ra}:{'*' if rp is None else rp}"
        own = f"{owner[0]}/{owner[1]}" if owner else "-"
        out.append(f"{'tcp6' if v6 else 'tcp':<4}  {rq:>6} {sq:>6} {loc:<23} {rem:<23} {state:<11} {own:<20}")
    return "\n".join(out) + "\n"


def ss_tanp(n: int, seed: int = 2, netid: bool = False) -> str:
    """``ss -tanp`` (no Netid column) or, with ``netid``, ``ss -tuanp``-style rows (jc's ss parser
    needs the Netid column: it fails with KeyError 'netid' on plain ``ss -tanp``)."""
    head = "State      Recv-Q Send-Q                     Local Address:Port                      Peer Address:Port Process"
    out = [("Netid " + head) if netid else head]
    for state, v6, la, lp, ra, rp, rq, sq, owner in _rows(n, seed):
        loc = f"[{la}]:{lp}" if v6 else f"{la}:{lp}"
        r = f"[{ra}]" if v6 else ra
        rem = f"{r}:{'*' if rp is None else rp}"
        users = f'users:(("{owner[1]}",pid={owner[0]},fd={rq % 200 + 3}))' if owner else ""
        row = f"{SS_STATES[state]:<10} {rq:<6} {sq:<6} {loc:>44} {rem:<44} {users}"
        out.append(("tcp   " + row) if netid else row)
    return "\n".join(out) + "\n"


WINDOWS_STATES = {"ESTABLISHED": "ESTABLISHED", "TIME_WAIT": "TIME_WAIT", "CLOSE_WAIT": "CLOSE_WAIT",
                  "LISTEN": "LISTENING", "FIN_WAIT2": "FIN_WAIT_2", "SYN_SENT": "SYN_SENT"}


def windows_ano(n: int, seed: int = 3) -> str:
    """Windows ``netstat -ano`` in the layout of samples/windows/*-netstat-ano*.txt: two leading
    spaces, the protocol padded to 7, both addresses to 23, the state to 16, then the PID; IPv6 as
    ``[addr]:port``; about one row in ten UDP (``*:*`` peer, empty state). An address longer than
    its column is followed by two blanks, as netstat.exe prints it (``%-21s`` plus two blanks:
    samples/windows/*-netstat-ano*.txt), never glued to the next column (``]:5432TIME_WAIT``)."""
    rnd = random.Random(seed + 1)
    out = ["", "Active Connections", "", "  Proto  Local Address          Foreign Address        State           PID"]
    for state, v6, la, lp, ra, rp, rq, sq, owner in _rows(n, seed):
        pid = owner[0] if owner else rnd.choice([0, 4])
        if state == "LISTEN":
            lp = rnd.choice([80, 135, 443, 445, 3389, 5985])
        else:
            lp = 49152 + (lp - 32768) % 16384 if lp >= 32768 else lp  # Windows' ephemeral range: 49152-65535
        loc = f"[{la}]:{lp}" if v6 else f"{la}:{lp}"
        if rnd.random() < 0.1:
            out.append(f"  {'UDP':<7}{loc:<21}  {'*:*':<21}  {'':<16}{pid}")
            continue
        r = f"[{ra}]" if v6 else ra
        rem = f"{r}:{0 if rp is None else rp}"
        out.append(f"  {'TCP':<7}{loc:<21}  {rem:<21}  {WINDOWS_STATES[state]:<16}{pid}")
    return "\n".join(out) + "\n"


GENERATORS = {
    "netstat-antp": netstat_antp,
    "ss-tanp": ss_tanp,
    "ss-tuanp": lambda n: ss_tanp(n, netid=True),
    "windows-ano": windows_ano,
}


def generate(directory: Path, rows: int) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, gen in GENERATORS.items():
        path = directory / f"{name}-{rows}.txt"
        if not path.exists():
            path.write_text(gen(rows))
        paths[name] = path
    return paths

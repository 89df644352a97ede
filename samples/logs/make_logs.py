#!/usr/bin/env python3
"""Make the multi-snapshot log samples in samples/logs/ (Python 3.11+, stdlib only).

Linux logs are real captures: run as root, the script creates a private network namespace
and a private UTS namespace (so ``hostname`` prints a host name of our choosing), starts small
servers in it under recognisable process names, and between snapshots opens and closes
loopback connections the way a leaking application server, a web server under a burst and a
cache that crashes would. Each snapshot is the exact stdout of a shell command line such as
``date; netstat -antp`` appended to the log, as a cron job does. Windows logs cannot be
captured here: ``--windows`` assembles them from real Windows outputs in the shared corpus and
writes ``date /t`` / ``time /t`` lines around them (see each ``.note``).

    python3 samples/logs/make_logs.py            # all Linux logs (about 40 s), then Windows
    python3 samples/logs/make_logs.py --windows  # only the Windows logs

A re-run overwrites the logs. Dates, PIDs and ephemeral ports change every run.
"""

from __future__ import annotations

import argparse
import ctypes
import gzip
import lzma
import os
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = "/work/shared/corpus"


# ---------------------------------------------------------------------------- roles (servers)


def set_name(name: str) -> None:
    """comm (what ss shows) = name; argv[0] (what netstat -p shows) is set by the caller."""
    libc = ctypes.CDLL(None)
    libc.prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME


def role_server(name: str, kind: str, address: str, port: int) -> None:
    """leak: accept and never close or read (peers' FINs leave CLOSE_WAIT);
    web: answer each request and close first (TIME_WAIT on the server side);
    keep: accept and hold the connection open."""
    set_name(name)
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((address, port))
    srv.listen(1024)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    held = []
    while True:
        conn, _ = srv.accept()
        if kind == "web":
            try:
                conn.settimeout(2)
                conn.recv(1024)
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
            except OSError:
                pass
            conn.close()
        else:
            held.append(conn)


class Box:
    """The servers of one namespace and the client connections the driver holds."""

    def __init__(self) -> None:
        self.procs: dict[str, subprocess.Popen] = {}
        self.clients: list[socket.socket] = []

    def start(self, name: str, kind: str, address: str, port: int) -> None:
        proc = subprocess.Popen(
            [name, os.path.abspath(__file__), "--role", name, kind, address, str(port)], executable=sys.executable,
            stdout=subprocess.PIPE,
        )
        proc.stdout.readline()  # 'ready': it listens
        self.procs[name] = proc

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def connect_and_close(self, port: int, n: int, request: bytes = b"") -> None:
        """n connections that this side closes (after a request, for a web server)."""
        for _ in range(n):
            c = socket.create_connection(("127.0.0.1", port))
            if request:
                c.sendall(request)
                try:
                    c.recv(1024)
                except OSError:
                    pass
            c.close()

    def hold(self, port: int, n: int) -> None:
        for _ in range(n):
            self.clients.append(socket.create_connection(("127.0.0.1", port)))

    def close_all(self) -> None:
        for c in self.clients:
            c.close()
        for name in list(self.procs):
            self.stop(name)


# ---------------------------------------------------------------------------- scenarios

GET = b"GET / HTTP/1.0\r\n\r\n"

#: (log file, shell command appended per snapshot)
APP_LOGS = [
    ("linux-date-netstat.log", "date; netstat -antp"),
    ("linux-iso-ss.log", 'echo "=== $(date -Is)"; ss -tanp'),
    ("linux-epoch-hostname.log", "hostname; date +%s; netstat -ant"),
]


def app_box(snapshots: int, interval: float, out: str) -> None:
    """app-07: a leaking app server on 8080, a web server on 80 with a burst, a cache on 6379
    that dies at snapshot 4."""
    box = Box()
    box.start("appserver", "leak", "0.0.0.0", 8080)
    box.start("websrv", "web", "0.0.0.0", 80)
    box.start("cachesrv", "keep", "127.0.0.1", 6379)
    box.hold(6379, 3)
    leak = [2, 6, 10, 15, 20, 25, 30, 35]
    web = [10, 10, 12, 10, 10, 560, 10, 10]
    try:
        for step in range(snapshots):
            box.connect_and_close(8080, leak[step])
            box.connect_and_close(80, web[step], GET)
            if step == 4:
                box.stop("cachesrv")
                for c in box.clients:
                    c.close()
                box.clients = []
            time.sleep(0.5)
            for name, command in APP_LOGS:
                append(os.path.join(out, name), command)
            time.sleep(interval)
    finally:
        box.close_all()


HOSTS = {
    # host: (file, command, TZ, servers, per-snapshot actions)
    "web01": ("hosts/web01.log", "hostname; date; ss -tan", "UTC"),
    "web02": ("hosts/web02.log.gz", "hostname; date; ss -tan", "UTC"),
    "db01": ("hosts/db01.log.xz", "hostname; date; netstat -ant", "Europe/Berlin"),
}


def host_box(host: str, snapshots: int, interval: float, out: str) -> None:
    name, command, tz = HOSTS[host]
    box = Box()
    path = os.path.join(out, name)
    plain = path.rsplit(".", 1)[0] if path.endswith((".gz", ".xz")) else path
    if os.path.exists(plain):
        os.remove(plain)
    if host == "db01":
        box.start("dbsrv", "keep", "0.0.0.0", 5432)
        box.start("sshd-like", "keep", "0.0.0.0", 22)
        steps = [lambda i: box.hold(5432, 4 + 3 * i)]
    else:
        box.start("websrv", "web", "0.0.0.0", 80)
        box.start("appserver", "leak" if host == "web02" else "keep", "127.0.0.1", 8080)
        steps = [lambda i: box.connect_and_close(80, 30 + 10 * i, GET),
                 lambda i: box.connect_and_close(8080, 3 * (i + 1)) if host == "web02" else box.hold(8080, 1)]
    try:
        for step in range(snapshots):
            for action in steps:
                action(step)
            time.sleep(0.5)
            append(plain, command, tz)
            time.sleep(interval)
    finally:
        box.close_all()
    if path.endswith(".gz"):
        with open(plain, "rb") as src, gzip.open(path, "wb") as dst:
            dst.write(src.read())
        os.remove(plain)
    elif path.endswith(".xz"):
        with open(plain, "rb") as src, lzma.open(path, "wb") as dst:
            dst.write(src.read())
        os.remove(plain)


def append(path: str, command: str, tz: str = "UTC") -> None:
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "TZ": tz}
    data = subprocess.run(["sh", "-c", command], env=env, capture_output=True, check=True).stdout
    with open(path, "ab") as fh:
        fh.write(data)


# ---------------------------------------------------------------------------- namespaces


def run_in_namespace(args: list[str], host: str) -> None:
    netns = f"np-log-{host}"
    subprocess.run(["ip", "netns", "add", netns], check=True)
    try:
        subprocess.run(["ip", "-n", netns, "link", "set", "lo", "up"], check=True)
        subprocess.run(
            ["ip", "netns", "exec", netns, "unshare", "--uts", "sh", "-c",
             f"hostname {host} && exec {sys.executable} {os.path.abspath(__file__)} " + " ".join(args)],
            check=True,
        )
    finally:
        subprocess.run(["ip", "netns", "del", netns], check=False)


# ---------------------------------------------------------------------------- Windows


def _corpus_block(path: str, start: int = 1, end: int | None = None) -> list[str]:
    """Lines of a corpus file without its '# source:' first line (and without its line ends)."""
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    if lines and lines[0].startswith("# source:"):
        lines = lines[1:]
    if lines and lines[-1] == "":
        lines = lines[:-1]
    return lines[start - 1 : end]


def windows_logs(out: str) -> None:
    samples = os.path.join(CORPUS, "formats", "samples")
    # English: date /t prints 'Tue 11/24/2026 ' (trailing space), time /t '07:11 PM'
    blocks = [
        ("Tue 11/24/2026 ", "07:11 PM", _corpus_block(os.path.join(samples, "win_server_netstat-ano_findstr-LISTENING_scopeid.txt"))),
        ("Tue 11/24/2026 ", "07:16 PM", _corpus_block(os.path.join(samples, "win_netstat-anob_piped-to-more_pager-artifact.txt"))),
        ("Tue 11/24/2026 ", "07:21 PM", _corpus_block(os.path.join(samples, "win_netstat-an_findstr_scopeid_long-ipv6_with-PS-prompts.txt"), 1, 20)),
    ]
    text = ""
    for day, clock, lines in blocks:
        text += f"{day}\n{clock}\n" + "\n".join(lines) + "\n"
    with open(os.path.join(out, "windows-en-date-time.log"), "wb") as fh:
        fh.write(text.replace("\n", "\r\n").encode("ascii"))
    # German: date /t 'Di 24.11.2026', time /t '19:11'; the dump's two netstat sections
    dump = _corpus_block(os.path.join(CORPUS, "localized", "win_de_netstat-ano_and_-tn_offload.txt"))
    cut = next(i for i, line in enumerate(dump) if i and line.startswith("=====") and "netstat -tn" in line)
    text = "Di 24.11.2026\n19:11\n" + "\n".join(dump[1:cut]) + "\n" + "Di 24.11.2026\n19:16\n" + "\n".join(dump[cut + 1 :]) + "\n"
    with open(os.path.join(out, "windows-de-date-time.log"), "wb") as fh:
        fh.write(text.replace("\n", "\r\n").encode("cp850"))


# ---------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=HERE)
    parser.add_argument("--windows", action="store_true", help="only the Windows logs")
    parser.add_argument("--role", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    parser.add_argument("--snapshots", type=int, default=6)
    parser.add_argument("--interval", type=float, default=3.0)
    args = parser.parse_args()
    if args.role:
        role_server(args.role[0], args.role[1], args.role[2], int(args.role[3]))
        return
    if args.inside:
        if args.inside == "app-07":
            app_box(args.snapshots, args.interval, args.out)
        else:
            host_box(args.inside, max(3, args.snapshots - 2), args.interval, args.out)
        return
    os.makedirs(os.path.join(args.out, "hosts"), exist_ok=True)
    if not args.windows:
        if os.geteuid() != 0:
            sys.exit("run as root (network and UTS namespaces)")
        for name, _ in APP_LOGS:
            path = os.path.join(args.out, name)
            if os.path.exists(path):
                os.remove(path)
        common = ["--out", args.out, "--snapshots", str(args.snapshots), "--interval", str(args.interval)]
        run_in_namespace(common + ["--inside", "app-07"], "app-07")
        for host in HOSTS:
            run_in_namespace(common + ["--inside", host], host)
        epoch = os.path.join(args.out, "linux-epoch-hostname.log")
        with open(epoch, "rb") as src, gzip.open(epoch + ".gz", "wb") as dst:
            dst.write(src.read())
        os.remove(epoch)
    windows_logs(args.out)


if __name__ == "__main__":
    main()

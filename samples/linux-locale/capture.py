#!/usr/bin/env python3
"""Capture localized Linux net-tools ``netstat`` output (gettext translations) as golden samples.

Run as root (Python 3.11+, stdlib only, net-tools with its .mo files installed):

    python3 samples/linux-locale/capture.py [--out samples/linux-locale]

It reuses ``samples/capture/linux_states.py`` (same network namespace recipe, same sockets in
every TCP state: SYN_SENT, SYN_RECV, FIN_WAIT1/2, CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT ...)
but in its own namespace ``np-loc`` (so it never collides with a run of linux_states.py), and
runs each capture as ``LC_ALL=C.UTF-8 LANGUAGE=<lang> netstat <flags>`` for every language whose
``net-tools.mo`` is installed. ``LC_ALL=C.UTF-8`` makes gettext active (a plain ``C`` locale
ignores ``LANGUAGE``); the text is UTF-8.

Output: ``nettools-<lang>-<flags>.txt`` (exact stdout bytes) and ``.note`` (command, versions).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "capture"))

import linux_states as L  # noqa: E402

# Own namespace, tun device and work dir: independent of samples/capture/linux_states.py runs.
L.NETNS = "np-loc"
L.TUN = "nploc0"
L.WORKDIR = "/tmp/np-loc"
L.ETC_NETNS = f"/etc/netns/{L.NETNS}"
L.__file__ = os.path.abspath(__file__)  # re-exec this script (--inside / --exec-child)

FLAGS = ["-tuan", "-tuanpeo", "-axp"]


def languages() -> list[str]:
    found = sorted(p.split("/")[-3] for p in glob.glob("/usr/share/locale/*/LC_MESSAGES/net-tools.mo"))
    return [lang for lang in found if lang != "en"]


def capture(out_dir: str) -> None:
    vers = L.tool_versions()
    jobs = [(lang, flags) for lang in languages() for flags in FLAGS]
    results = []
    for lang, flags in jobs:
        env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE=lang)
        env.pop("LANG", None)
        env.pop("COLUMNS", None)
        argv = ["netstat", flags]
        full = ["ip", "netns", "exec", L.NETNS] + argv
        when = _dt.datetime.now(_dt.timezone.utc)
        r = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        results.append((lang, flags, full, when, r))
    for lang, flags, full, when, r in results:
        stem = f"nettools-{lang.replace('_', '-')}-netstat{flags}"
        with open(os.path.join(out_dir, stem + ".txt"), "wb") as f:
            f.write(r.stdout)
        note = [
            "source: captured locally by samples/linux-locale/capture.py (reuses samples/capture/linux_states.py)",
            f"command: LC_ALL=C.UTF-8 LANGUAGE={lang} {' '.join(full)}   (`netstat {flags}` inside netns {L.NETNS})",
            f"date: {when.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}",
            f"tools: {vers['netstat']}; kernel {vers['kernel']}; Debian {vers['debian']}",
            f"translation: /usr/share/locale/{lang}/LC_MESSAGES/net-tools.mo (Debian package net-tools)",
            "encoding: UTF-8 (LC_ALL=C.UTF-8); printf pads %-Ns by bytes, so columns after a",
            "  non-ASCII label are shifted left by the extra bytes; labels longer than their column overflow it.",
            f"exit status: {r.returncode}",
            "file: exact stdout bytes; stderr " + ("was empty" if not r.stderr else
                                                  "was NOT empty and is not in the .txt; it was:\n    " +
                                                  r.stderr.decode("utf-8", "replace").rstrip().replace("\n", "\n    ")),
            "",
            L.SOCKET_PLAN,
        ]
        with open(os.path.join(out_dir, stem + ".note"), "w", encoding="utf-8") as f:
            f.write("\n".join(note))
    L.log(f"captured {len(results)} localized outputs")


L.capture = capture


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=HERE, help="output directory (default samples/linux-locale)")
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--exec-child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.exec_child is not None:
        L.exec_child_main(args.exec_child)
    elif args.inside:
        L.inside(args)
    else:
        L.outer(args)


if __name__ == "__main__":
    main()

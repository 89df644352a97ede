"""`summary --by container`: listeners in cgroups made here by hand with the runtimes' naming
(docker's systemd scope, containerd under a kubepods pod slice, podman's libpod scope), one of
them inside a network namespace made with `ip netns add`, counted per container live
(`summary --live --by container`) and from `ss -tanpe` text (its cgroup:... field).

Needs root, a cgroup2 mount and ip; fails (not skips) under CI=true without them."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from livetools import cgroup2_mount

from netparse.model import Socket
from netparse.summary import SummaryBuilder

ROOT = Path(__file__).resolve().parent.parent
CI = os.environ.get("CI") == "true"

LISTENER = """
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(3)
print(s.getsockname()[1], flush=True); time.sleep(60)
"""


def need(ok: bool, what: str) -> None:
    if not ok:
        if CI:
            pytest.fail(f"CI must provide {what}")
        pytest.skip(f"needs {what}")


def netparse_cmd(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "netparse", *args], capture_output=True, text=True, input=stdin,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)


@pytest.fixture
def containers():
    need(sys.platform.startswith("linux") and os.geteuid() == 0, "root on Linux")
    need(shutil.which("ip") is not None and shutil.which("ss") is not None, "ip and ss (iproute2)")
    root = cgroup2_mount()
    need(root is not None, "a cgroup2 mount")
    ids = {name: uuid.uuid4().hex + uuid.uuid4().hex for name in ("docker", "containerd", "podman")}
    pod = str(uuid.uuid4())
    groups = {
        "docker": root / "system.slice" / f"docker-{ids['docker']}.scope",
        "containerd": root / "kubepods.slice" / f"kubepods-pod{pod.replace('-', '_')}.slice"
        / f"cri-containerd-{ids['containerd']}.scope",
        "podman": root / "machine.slice" / f"libpod-{ids['podman']}.scope",
    }
    netns = f"np-sum-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", netns], check=True)
    subprocess.run(["ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up"], check=True)
    procs, ports = [], {}
    try:
        for name, group in groups.items():
            group.mkdir(parents=True, exist_ok=True)
            # podman's container gets a network namespace of its own, as a real one does
            argv = ([sys.executable, "-c", LISTENER] if name != "podman"
                    else ["ip", "netns", "exec", netns, sys.executable, "-c", LISTENER])
            p = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
            procs.append(p)
            (group / "cgroup.procs").write_text(str(p.pid))  # ip netns exec execs python: same pid
            ports[name] = int(p.stdout.readline())
        yield {"ids": ids, "pod": pod, "ports": ports, "netns": netns}
    finally:
        for p in procs:
            p.kill()
            p.wait()
        subprocess.run(["ip", "netns", "del", netns], check=False)
        for group in groups.values():
            d = group
            while d != root:  # only directories left empty go (a host's own system.slice stays)
                try:
                    d.rmdir()
                except OSError:
                    break
                d = d.parent


def _by_name(doc: dict) -> dict:
    return {g["name"]: g for g in doc["by_container"]}


def test_summary_live_by_container(containers) -> None:
    ids, ports = containers["ids"], containers["ports"]
    mine = socket.socket()  # a listener of this test's own, in no container: host
    mine.bind(("127.0.0.1", 0))
    mine.listen(1)
    with mine:
        res = netparse_cmd("summary", "--live", "--by", "container", "-o", "json")
    assert res.returncode == 0, res.stderr
    groups = _by_name(json.loads(res.stdout))
    docker = groups[f"docker {ids['docker'][:12]}"]
    assert (docker["runtime"], docker["id"], docker["count"], docker["listening"]) == (
        "docker", ids["docker"], 1, [[str(ports["docker"]), 1]])
    cri = groups[f"containerd {ids['containerd'][:12]}"]
    assert (cri["pod_uid"], cri["tcp_states"], cri["listening"]) == (
        containers["pod"], {"LISTEN": 1}, [[str(ports["containerd"]), 1]])
    # the podman container's listener is in its own network namespace: read with every namespace
    podman = groups[f"podman {ids['podman'][:12]}"]
    assert podman["listening"] == [[str(ports["podman"]), 1]]
    assert podman["processes"][0][0].split("/", 1)[1].startswith("python")
    assert "host" in groups  # this test's own process and the rest of the machine
    names = list(groups)
    assert names.index("host") > max(names.index(n) for n in names if n not in ("host", "unknown"))
    # the table says the same to a person
    table = netparse_cmd("summary", "--live", "--by", "container").stdout
    assert f"docker {ids['docker'][:12]}" in table and "Container" in table


def test_summary_by_container_from_ss_text(containers) -> None:
    """ss -e prints each socket's cgroup path: parsed input is counted per container too."""
    ids, ports = containers["ids"], containers["ports"]
    host = subprocess.run(["ss", "-tanpe"], capture_output=True, text=True, check=True).stdout
    # nsenter, not ip netns exec: that remounts /sys for the namespace, and ss then finds no
    # cgroup2 mount and prints cgroup:unreachable:1
    need(shutil.which("nsenter") is not None, "nsenter (util-linux)")
    inside = subprocess.run(["nsenter", f"--net=/run/netns/{containers['netns']}", "ss", "-tanpe"],
                            capture_output=True, text=True, check=True).stdout
    for text, name in ((host, "docker"), (host, "containerd"), (inside, "podman")):
        doc = json.loads(netparse_cmd("summary", "--by", "container", "-o", "json", stdin=text).stdout)
        group = _by_name(doc)[f"{name} {ids[name][:12]}"]
        assert group["listening"] == [[str(ports[name]), 1]], doc["by_container"]
    plain = json.loads(netparse_cmd("summary", "-o", "json", stdin=host).stdout)
    assert "by_container" not in plain  # without --by, the summary is as before


def test_host_and_unknown() -> None:
    """A socket with an owner outside any container counts as host; one without an owner (no
    -p, TIME_WAIT) as unknown; --by takes container only."""
    owned = Socket(proto="tcp", state="LISTEN", local_port=22, pid=1, process="sshd", line=1, cgroup="/system.slice/ssh.service")
    waiting = Socket(proto="tcp", state="TIME_WAIT", local_port=40000, remote_port=443, line=2)
    summary = SummaryBuilder(by="container").extend([owned, waiting]).build()
    assert [(g.name, g.count, g.listening, g.processes) for g in summary.by_container] == [
        ("host", 1, [("22", 1)], [("1/sshd", 1)]), ("unknown", 1, [], [])]
    assert SummaryBuilder().extend([owned]).build().by_container is None
    with pytest.raises(ValueError):
        SummaryBuilder(by="pod")
    res = netparse_cmd("summary", "--by", "pod", stdin="")
    assert res.returncode == 2 and "container is what --by counts by" in res.stderr

"""What the live tests share: where cgroup v2 is mounted (the tests make containers' cgroups in
it by hand)."""

from __future__ import annotations

from pathlib import Path


def cgroup2_mount() -> Path | None:
    """The cgroup2 mount point (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host)."""
    for line in Path("/proc/mounts").read_text().splitlines():
        parts = line.split()
        if len(parts) > 2 and parts[2] == "cgroup2":
            return Path(parts[1])
    return None

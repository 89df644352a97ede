"""Which container a socket belongs to, from a cgroup path (text only: nothing is run or asked).

The runtimes name their cgroups in a few fixed ways (systemd driver first, cgroupfs driver
second); the id is the 64-hex container id the runtime's CLI prints (``docker ps`` shows its
first 12 characters):

=================  ===================================================================
docker             ``/system.slice/docker-<id>.scope``, ``/docker/<id>``
containerd (CRI)   ``…/cri-containerd-<id>.scope``, ``/kubepods/…/pod<uid>/<id>``
cri-o              ``…/crio-<id>.scope``
podman (libpod)    ``/machine.slice/libpod-<id>.scope``, ``…/user@1000.service/…/libpod-<id>.scope``
systemd-nspawn     ``/machine.slice/systemd-nspawn@<name>.service``, ``machine-<name>.scope``
lxc                ``/lxc.payload.<name>/…``, ``/lxc/<name>``
=================  ===================================================================

Under ``kubepods`` the pod uid (``pod<uid>``; the systemd driver writes ``_`` for ``-``) is
kept as ``pod_uid``, and a bare 64-hex id under it is the container (runtime ``kubernetes``
when the path does not say which runtime). ``libpod-conmon-<id>`` is podman's monitor process,
not the container, and is not matched.

The container comes back as the fields of :class:`~netparse.model.Container` (a plain dict in
the model's field order, nulls left out), validated with the record or written as JSON as is.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Mapping

_HEX64 = r"[0-9a-f]{64}"
_SCOPED = re.compile(rf"(?:^|/)(docker|cri-containerd|crio|libpod)-({_HEX64})\.scope(?:/|$)")
_RUNTIME = {"docker": "docker", "cri-containerd": "containerd", "crio": "cri-o", "libpod": "podman"}
_DOCKER_FS = re.compile(rf"(?:^|/)docker/({_HEX64})(?:/|$)")
_POD = re.compile(r"(?:^|/)(?:kubepods[^/]*-)?pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?(?:/|$)")
_BARE = re.compile(rf"(?:^|/)({_HEX64})(?:/|$)")
_NSPAWN = re.compile(r"(?:^|/)(?:systemd-nspawn@([^/]+)\.service|machine-([^/]+)\.scope)(?:/|$)")
_LXC = re.compile(r"(?:^|/)(?:lxc\.payload\.|lxc/)([^/]+)")


def from_cgroup(path: str | None) -> dict[str, Any] | None:
    """The container a cgroup path names (Container's fields), or None (a host process, a
    system service). A new dict each call: the caller may keep or change it."""
    got = _from_cgroup(path)
    return None if got is None else dict(got)


def _container(runtime: str, cid: str, short_id: str | None = None, pod_uid: str | None = None) -> dict[str, Any]:
    out = {"runtime": runtime, "id": cid}
    if short_id is not None:
        out["short_id"] = short_id
    if pod_uid is not None:
        out["pod_uid"] = pod_uid
    return out


@lru_cache(maxsize=4096)
def _from_cgroup(path: str | None) -> dict[str, Any] | None:
    if not path or path == "/":
        return None
    pod = _POD.search(path)
    pod_uid = pod.group(1).replace("_", "-") if pod else None
    m = _SCOPED.search(path)
    if m:
        runtime, cid = _RUNTIME[m.group(1)], m.group(2)
        return _container(runtime, cid, cid[:12], pod_uid)
    m = _DOCKER_FS.search(path)
    if m:
        cid = m.group(1)
        return _container("docker", cid, cid[:12], pod_uid)
    if pod is not None:
        m = _BARE.search(path, pod.end() - 1)
        if m:
            cid = m.group(1)
            return _container("kubernetes", cid, cid[:12], pod_uid)
        return None  # the pod's own slice (its pause process sits in a container of its own)
    m = _NSPAWN.search(path)
    if m:
        name = m.group(1) or m.group(2)
        name = name.replace("\\x2d", "-")  # systemd escapes '-' in unit names
        return _container("systemd-nspawn", name)
    m = _LXC.search(path)
    if m:
        return _container("lxc", m.group(1))
    return None


def label(container: "Mapping[str, Any] | Any | None") -> str | None:
    """How messages name a container ('docker 3f2a1b4c5d6e', 'systemd-nspawn web1'): of a
    record's ``Container``, or of the fields :func:`from_cgroup` gives."""
    if container is None:
        return None
    fields = container if isinstance(container, Mapping) else container.__dict__
    return f"{fields['runtime']} {fields.get('short_id') or fields['id']}"

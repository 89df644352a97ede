"""This machine's sockets: :mod:`.collect` takes a snapshot from sock_diag netlink
(:mod:`.netlink`) on Linux, falling back to the /proc/net tables (:mod:`.proc`), or the
platform's netstat elsewhere; :mod:`.owners` maps sockets to processes, :mod:`.containers`
processes to containers, :mod:`.netns` reads every network namespace; :mod:`.psutil_source`
converts psutil's connections."""

from .collect import sample, samples

__all__ = ["sample", "samples"]

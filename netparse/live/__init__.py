"""This machine's sockets: :mod:`.proc` reads Linux's /proc/net tables (or runs the platform's
netstat elsewhere); :mod:`.psutil_source` converts psutil's connections."""

from .proc import sample, samples

__all__ = ["sample", "samples"]

"""Compatibility name: the Dask reader lives in :mod:`netparse.scale.dask`."""

from .scale.dask import expand_paths, meta, read_partition, read_sockets

__all__ = ["expand_paths", "meta", "read_partition", "read_sockets"]

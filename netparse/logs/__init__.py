"""Logs: one file or stream holding many listings. :mod:`.reader` cuts it into snapshots as it
streams (timestamps in :mod:`.stamps`); :mod:`.newest` keeps the newest snapshot per host and
the series trend rules read; :mod:`.timeline`, :mod:`.diff` and :mod:`.plot` are the commands'
engines."""

from .reader import LogReader, iter_snapshots, parse_log, parse_log_file

__all__ = ["LogReader", "iter_snapshots", "parse_log", "parse_log_file"]

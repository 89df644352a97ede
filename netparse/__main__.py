"""``python -m netparse``."""

from .cli.entry import run

run()

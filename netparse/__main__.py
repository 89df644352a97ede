"""``python -m netparse``."""

from .cli.app import run

run()

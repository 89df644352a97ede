"""``python -m netparse``."""

from .cli import run

run()

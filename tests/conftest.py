from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def sample_files() -> list[Path]:
    """Every golden input: samples/<platform>/<name>.txt (each has a <name>.note beside it)."""
    return sorted(p for p in SAMPLES.rglob("*.txt") if p.parent.name not in ("capture",) and "logs" not in p.parts)


def sample_id(path: Path) -> str:
    return str(path.relative_to(SAMPLES).with_suffix(""))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES

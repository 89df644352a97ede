"""Label tables: which printed word means which canonical state, title or column, per platform.

Each language is one tab-separated file in this folder (``en.tsv``, ``de.tsv`` ...; a language may
have more files named ``<lang>.<part>.tsv``, as ``en.platforms.tsv``), with the
columns ``platform kind label canonical status source``: data, not code, and every label carries
the source that proves it. ``status`` is ``verified`` (seen in real output or in the tool's
source) or ``unverified`` (only claimed by other projects' fixtures: accepted as an alias, never
at the cost of a verified label).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..states import TcpState


@dataclass(frozen=True)
class Label:
    platform: str
    kind: str
    label: str
    canonical: str
    status: str
    source: str
    language: str


@lru_cache(maxsize=1)
def all_labels() -> tuple[Label, ...]:
    out: list[Label] = []
    folder = resources.files(__name__)
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".tsv"):
            continue
        # 'en.tsv', or 'en.platforms.tsv' for a second English file: the language is before the first dot
        language = entry.name[: -len(".tsv")].split(".", 1)[0]
        header_seen = False
        for row in entry.read_text(encoding="utf-8").splitlines():
            if not row.strip() or row.startswith("#"):
                continue
            if not header_seen:
                header_seen = True
                continue
            cols = row.split("\t")
            if len(cols) < 6:
                raise ValueError(f"{entry.name}: row needs 6 tab-separated columns: {row!r}")
            out.append(Label(*cols[:6], language=language))
    return tuple(out)


@lru_cache(maxsize=None)
def state_labels(platform: str) -> dict[str, TcpState]:
    """Printed state word -> canonical state, for one platform (verified labels win)."""
    table: dict[str, TcpState] = {}
    ordered = sorted(
        (lab for lab in all_labels() if lab.kind == "state" and lab.platform == platform),
        key=lambda lab: lab.status != "verified",
    )
    for lab in ordered:
        table.setdefault(lab.label, TcpState(lab.canonical))
    return table


@lru_cache(maxsize=None)
def label_map(platform: str, kind: str) -> dict[str, str]:
    """Printed label -> canonical text for any kind of label (timer words, socket types ...)."""
    table: dict[str, str] = {}
    for lab in sorted(labels_of(platform, kind), key=lambda lab: lab.status != "verified"):
        table.setdefault(lab.label, lab.canonical)
    return table


@lru_cache(maxsize=None)
def label_language(platform: str, kind: str, label: str) -> str | None:
    """The language a label belongs to (``None`` when it is not in any table)."""
    for lab in all_labels():
        if lab.platform == platform and lab.kind == kind and lab.label == label:
            return lab.language
    return None


def labels_of(platform: str, kind: str) -> list[Label]:
    return [lab for lab in all_labels() if lab.platform == platform and lab.kind == kind]


def _norm(text: str) -> str:
    """How labels are compared when a person types them: NFC, any case, '-' or ' ' for '_'."""
    return unicodedata.normalize("NFC", text).strip().casefold().replace("-", "_").replace(" ", "_")


@lru_cache(maxsize=1)
def _state_index() -> dict[str, TcpState]:
    """Normalised label of every table -> canonical state (verified labels win a clash)."""
    index: dict[str, TcpState] = {}
    for lab in sorted(all_labels(), key=lambda lab: lab.status != "verified"):
        if lab.kind == "state" and lab.label and lab.canonical in TcpState.__members__:
            index.setdefault(_norm(lab.label), TcpState(lab.canonical))
    return index


def resolve_state(text: str) -> TcpState | None:
    """A state named the way a person or any platform writes it -> canonical state, or None.

    Accepts canonical names in any case with ``-`` or ``_`` (``time-wait``), every label of every
    table (``ESTAB``, ``FIN_WAIT1``, ``LISTENING``, ``ABHÖREN`` in any Unicode form) and
    ``/proc/net/tcp`` hex codes (``0A``, ``0x0a``: the ``linux-proc`` labels).
    """
    key = _norm(text or "")
    if not key:
        return None
    if key.upper() in TcpState.__members__:
        return TcpState[key.upper()]
    hex_code = re.fullmatch(r"(?:0x)?([0-9a-f]{1,2})", key)
    if hex_code:
        key = hex_code.group(1).zfill(2)
    return _state_index().get(key)

"""bytes -> text. Says which encoding it used, so the snapshot can report it.

Order: a byte-order mark (UTF-8, UTF-16LE/BE, UTF-32), then UTF-16 without BOM when every other
byte is NUL (PowerShell redirects), then strict UTF-8, then Windows-1252 (every byte maps; the
fallback of last resort, so decoding never fails). Code-page detection for localized Windows
output builds on this (see the CHANGELOG).
"""

from __future__ import annotations

import codecs

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]


def detect_encoding(data: bytes) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    sample = data[:4096]
    if len(sample) >= 4:
        odd_nul = sample[1::2].count(0)
        even_nul = sample[0::2].count(0)
        half = len(sample) // 2
        if odd_nul > 0.4 * half and even_nul < 0.05 * half:
            return "utf-16-le"
        if even_nul > 0.4 * half and odd_nul < 0.05 * half:
            return "utf-16-be"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding used). Never raises."""
    encoding = detect_encoding(data)
    body = data
    for bom, name in _BOMS:
        if name == encoding and data.startswith(bom):
            body = data[len(bom) :]
            break
    codec = {"utf-8-sig": "utf-8"}.get(encoding, encoding)
    return body.decode(codec, errors="replace"), encoding

"""bytes -> text, saying which encoding was used (``Snapshot.encoding``). Never raises.

Files arrive in whatever the machine wrote:

* UTF-8 with or without a BOM; UTF-16LE/BE (PowerShell 5's ``>`` writes UTF-16LE with a BOM;
  without a BOM it is recognised by its NUL bytes); UTF-32 with a BOM;
* the OEM code page ``cmd.exe`` writes when redirecting ``netstat`` (cp437, cp850, cp852, cp866,
  cp932, cp936, cp949, cp950) or an ANSI one (cp1250, cp1251, cp1252), and the legacy Linux
  charsets old net-tools translations were written in (ISO-8859-1/-2/-15, EUC-JP);
* text that was already decoded with the wrong code page and saved again ("mojibake"):
  ``ABH™REN`` (cp850 bytes read as cp1252), ``ABH\\x99REN`` (read as Latin-1), ``Direcci¢n``,
  ``EndereÃ§o`` (UTF-8 read as cp1252).

How: a byte-order mark decides; then NUL patterns (UTF-16 without BOM); then strict UTF-8; else
every candidate code page decodes the lines that hold non-ASCII bytes and is scored by how many
known labels (titles, headers, state words from ``netparse/locales``) come out right and how
plausible the characters are (letters of one script score, symbols, box drawing, control and
replacement characters cost). A file that mixes UTF-8 lines and code-page lines (a UTF-8 transcript
with a pasted ``cmd`` capture) is decoded line by line. Finally tokens that look like mojibake are
repaired when the repair makes them known labels or plausible letters.

``encoding`` in the result is a codec name (``utf-8``, ``utf-8-sig``, ``utf-16-le``, ``cp850`` ...),
``utf-8+cp850`` for a mixed file, and ends in ``, repaired mojibake: cp850 read as cp1252`` when a
repair was made.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from functools import lru_cache

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

#: Code pages cmd.exe writes (OEM) and Windows GUI programs write (ANSI), then legacy Linux charsets.
OEM_CODEPAGES = ("cp437", "cp850", "cp852", "cp866", "cp932", "cp936", "cp949", "cp950")
ANSI_CODEPAGES = ("cp1252", "cp1250", "cp1251")
#: Candidates in tie-break order (most common first).
CANDIDATES = (
    "cp850",
    "cp437",
    "cp852",
    "cp866",
    "cp1252",
    "cp1250",
    "cp1251",
    "cp932",
    "cp936",
    "cp949",
    "cp950",
    "iso-8859-2",
    "euc-jp",
)
#: (what the bytes were wrongly read as, what they really were): the repairs tried on mojibake.
REPAIRS = (
    ("cp1252", "cp850"),
    ("latin-1", "cp850"),
    ("cp1252", "cp437"),
    ("cp1250", "cp852"),
    ("cp1251", "cp866"),
    ("cp1252", "utf-8"),
    ("latin-1", "utf-8"),
)

_SAMPLE_BYTES = 64 * 1024

# Characters that almost never occur in socket listings but are what a wrong single-byte decode
# of an OEM letter (or of UTF-8) produces: C1 controls, cp1252's 0x80-0x9F symbols, Latin-1
# symbols, box drawing, 'Ã'/'Â' (UTF-8 lead bytes read as cp1252). Not the letters of that
# range (Š š Ž ž Œ œ Ÿ): Czech and French use them.
_SUSPICIOUS = re.compile(
    "[\u0080-\u009f\u00a2-\u00bf\u00c2\u00c3\u00d7\u00f7\u0192\u02c6\u02dc"
    "\u2020\u2021\u2030\u2039\u203a\u201e\u2122\u2500-\u259f]"
)
_NON_ASCII_TOKEN = re.compile(r"\S*[^\x00-\x7f]\S*")


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    """Non-ASCII words of every label in the tables (ASCII words decode the same everywhere),
    leaving out the tables' own mojibake forms (ABH™REN, ABH?REN ...): they must not make a
    wrong decode look right."""
    from ..locales import all_labels

    return frozenset(
        w
        for lab in all_labels()
        for w in lab.label.split()
        if not w.isascii() and "\ufffd" not in w and "?" not in w and not _SUSPICIOUS.search(w)
    )


_SCRIPT_GROUP = {
    "LATIN": 0,
    "CYRILLIC": 1,
    "GREEK": 2,
    "CJK": 3,
    "HIRAGANA": 3,
    "KATAKANA": 3,
    "HALFWIDTH": 3,
    "FULLWIDTH": 3,
    "HANGUL": 4,
    "ARABIC": 5,
    "HEBREW": 6,
    "THAI": 7,
    "GEORGIAN": 8,
}


@lru_cache(maxsize=65536)
def _char_score(ch: str) -> tuple[int, int | None]:
    """(score, script group) of one non-ASCII character."""
    if ch == "\ufffd":
        return -10, None
    cat = unicodedata.category(ch)
    if cat[0] == "L":
        name = unicodedata.name(ch, "")
        group = _SCRIPT_GROUP.get(name.split(" ", 1)[0])
        return 1, group
    if cat in ("Cc", "Cf", "Cn", "Co", "Cs"):
        return -5, None
    if "\u2500" <= ch <= "\u259f":
        return -3, None
    if cat[0] == "S":
        return -2, None
    if cat[0] == "P":
        return -1, None
    if cat[0] == "M":
        return -1, None
    return 0, None


def plausibility(text: str) -> int:
    """How much ``text`` looks like correctly decoded output: known labels count most, then
    letters of one script per word; symbols, controls and U+FFFD count against."""
    if text.isascii():
        return 0
    known = _known_words()
    score = 0
    for token in _NON_ASCII_TOKEN.findall(text):
        if token in known:
            score += 12 * len(token)
        groups = set()
        latin_ascii = False
        for ch in token:
            if ch.isascii():
                if ch.isalpha():
                    latin_ascii = True
                continue
            s, group = _char_score(ch)
            score += s
            if group is not None:
                groups.add(group)
        if latin_ascii:
            groups.add(0)
        if len(groups) > 1:
            score -= 4 * (len(groups) - 1)
    return score


def _strip_bom(data: bytes, name: str) -> bytes:
    for bom, bom_name in _BOMS:
        if bom_name == name and data.startswith(bom):
            return data[len(bom) :]
    return data


def _nul_pattern(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    half = len(sample) // 2
    odd_nul = sample[1::2].count(0)
    even_nul = sample[0::2].count(0)
    if odd_nul > 0.4 * half and even_nul < 0.05 * half:
        return "utf-16-le"
    if even_nul > 0.4 * half and odd_nul < 0.05 * half:
        return "utf-16-be"
    return None


def _non_ascii_lines(data: bytes) -> list[bytes]:
    out: list[bytes] = []
    size = 0
    for line in data.split(b"\n"):
        if not line.isascii():
            out.append(line)
            size += len(line)
            if size > _SAMPLE_BYTES:
                break
    return out


def best_codepage(lines: list[bytes]) -> str:
    """The candidate code page that decodes ``lines`` most plausibly (ties: CANDIDATES order)."""
    if not lines:
        return "cp1252"
    blob = b"\n".join(lines)
    best, best_score = CANDIDATES[0], None
    for enc in CANDIDATES:
        # scored after the mojibake repair: bytes of already mis-decoded text (ABH™REN saved
        # again) are best read in the code page that reproduces that text
        score = plausibility(repair_mojibake(blob.decode(enc, errors="replace"))[0])
        if best_score is None or score > best_score:
            best, best_score = enc, score
    return best


def detect_encoding(data: bytes) -> str:
    """A codec name for ``data`` (always one :func:`codecs.lookup` knows), e.g. to decode a stream
    from its first block: ``utf-8``, ``utf-8-sig``, ``utf-16-le``, ``cp850`` ... For a file mixing
    UTF-8 lines and code-page lines it is the code page (the socket rows are the lines that
    matter). ``data`` may end in the middle of a UTF-8 character (a stream's first block)."""
    name, codepage = _detect(data)
    return codepage or name


def _detect(data: bytes) -> tuple[str, str | None]:
    """(encoding name, code page for non-UTF-8 lines of a mixed file)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, None
    nul = _nul_pattern(data)
    if nul:
        return nul, None
    try:
        # final=False: a block cut in the middle of a character is still UTF-8
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
        return "utf-8", None
    except UnicodeDecodeError:
        pass
    lines = _non_ascii_lines(data)
    utf8_lines, other = [], []
    for line in lines:
        try:
            line.decode("utf-8")
            utf8_lines.append(line)
        except UnicodeDecodeError:
            other.append(line)
    codepage = best_codepage(other or lines)
    if utf8_lines:
        # lines that are valid UTF-8 *and* read better as UTF-8: a mixed file
        mixed = any(
            plausibility(line.decode("utf-8")) >= plausibility(line.decode(codepage, errors="replace"))
            for line in utf8_lines[:200]
        )
        if mixed:
            return f"utf-8+{codepage}", codepage
    return codepage, None


def _decode_mixed(data: bytes, codepage: str) -> str:
    out = []
    for line in data.split(b"\n"):
        if line.isascii():
            out.append(line.decode("ascii"))
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            out.append(line.decode(codepage, errors="replace"))
            continue
        other = line.decode(codepage, errors="replace")
        out.append(text if plausibility(text) >= plausibility(other) else other)
    return "\n".join(out)


@lru_cache(maxsize=65536)
def _repair_token(token: str) -> tuple[str, str | None]:
    """(repaired token, 'right read as wrong') or (token, None) when no repair is better."""
    if not _SUSPICIOUS.search(token):
        return token, None
    base = plausibility(token)
    base_suspicious = len(_SUSPICIOUS.findall(token))
    best, best_score, how = token, base, None
    for wrong, right in REPAIRS:
        try:
            fixed = token.encode(wrong).decode(right)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed == token or len(_SUSPICIOUS.findall(fixed)) >= base_suspicious:
            continue
        score = plausibility(fixed)
        if score > best_score:
            best, best_score, how = fixed, score, f"{right} read as {wrong}"
    return best, how


def repair_mojibake(text: str) -> tuple[str, str | None]:
    """Repair tokens mis-decoded with the wrong code page (``ABH™REN`` -> ``ABHÖREN``).

    Returns (text, description of the most frequent repair) or (text, None) when nothing was
    repaired. Only tokens holding characters typical of mojibake are touched, and only when the
    repaired token scores better (a known label, or letters instead of symbols)."""
    if text.isascii() or not _SUSPICIOUS.search(text):
        return text, None
    hows: Counter[str] = Counter()

    def fix(m: re.Match[str]) -> str:
        fixed, how = _repair_token(m.group(0))
        if how:
            hows[how] += 1
        return fixed

    out = _NON_ASCII_TOKEN.sub(fix, text)
    if not hows:
        return text, None
    return out, hows.most_common(1)[0][0]


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used). Never raises.

    ``encoding`` forces a codec (``--encoding``); an unknown name falls back to detection."""
    data = bytes(data)
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            codec = None
        if codec is not None:
            body = data
            if codec in ("utf-8", "utf-8-sig") and data.startswith(codecs.BOM_UTF8):
                body = data[len(codecs.BOM_UTF8) :]
            elif codec in ("utf-16", "utf-32"):
                body = data  # the codec reads the BOM itself
            else:
                for bom, name in _BOMS:
                    if codecs.lookup(name).name == codec and data.startswith(bom):
                        body = data[len(bom) :]
                        break
            try:
                return body.decode(codec, errors="replace"), encoding
            except Exception:  # noqa: BLE001 - a codec that cannot decode at all: detect instead
                pass
    try:
        name, codepage = _detect(data)
        if codepage is not None:
            text = _decode_mixed(data, codepage)
        else:
            codec = {"utf-8-sig": "utf-8"}.get(name, name)
            text = _strip_bom(data, name).decode(codec, errors="replace")
        fixed, how = repair_mojibake(text)
        if how:
            return fixed, f"{name}, repaired mojibake: {how}"
        return text, name
    except Exception:  # noqa: BLE001 - decoding never raises
        return data.decode("cp1252", errors="replace"), "cp1252"


def mojibake_variants(label: str) -> set[str]:
    """The forms ``label`` takes after the usual wrong decodes (for matching pasted text):
    OEM bytes read as ANSI/Latin-1 (``ABH™REN``, ``ABH\\x99REN``), as UTF-8 with replacement
    (``ABH\\ufffdREN``), lossy re-encoding (``ABH?REN``) and UTF-8 read as cp1252."""
    out: set[str] = set()
    if label.isascii():
        return out
    for right in OEM_CODEPAGES + ("utf-8",):
        try:
            raw = label.encode(right)
        except UnicodeEncodeError:
            continue
        for wrong in ANSI_CODEPAGES + ("latin-1",):
            try:
                out.add(raw.decode(wrong))
            except UnicodeDecodeError:
                pass
        if right != "utf-8":
            out.add(raw.decode("utf-8", errors="replace"))
    out.add(label.encode("ascii", errors="replace").decode("ascii"))
    out.discard(label)
    return out


def reading_plan(
    head: bytes, forced: str | None = None, detected: tuple[str, str | None] | None = None
) -> tuple[str, str | None, str, bool]:
    """How a stream whose first block is ``head`` is decoded: (encoding name, code page for its
    stray non-UTF-8 lines, codec, whether mojibake is repaired). ``forced``: a codec the user
    named (no detection, no repair; an unknown name is ignored); ``detected``: what
    :func:`_detect` already said of the file's first block."""
    if forced:
        try:
            return forced, None, codecs.lookup(forced).name, False
        except LookupError:
            pass
    name, codepage = detected or _detect(head)
    codec = "utf-8" if codepage else {"utf-8-sig": "utf-8"}.get(name, name)
    return name, codepage, codec, True


def lines_by_bytes(codec: str) -> bool:
    """True when the lines of text in ``codec`` can be found in its bytes (``\n``/``\r`` are
    single ASCII bytes): not UTF-16/32 and not the rare codecs that are not ASCII-compatible."""
    return not codec.startswith(("utf-16", "utf-32")) and _ascii_compatible(codec)


class DecodedLines:
    """The lines of a byte stream, decoded the way :func:`decode` decodes a whole file, read with
    flat memory (for ``netparse.io`` and the CLI).

    The encoding is detected on the first block (``head_bytes``); line ends ``\\r\\n``, ``\\n`` and
    a lone ``\\r`` split lines, as :func:`netparse.parser.split_lines` does. Byte-oriented
    encodings (UTF-8, code pages) are decoded line by line, so a UTF-8 stream with code-page lines
    further on is still read right (``utf-8+cp850``); every line gets the mojibake repair.
    ``encoding`` is known once the first line was yielded and is final when the iteration ends
    (a later repair or code-page line adds to it). ``encoding=...`` forces a codec (no detection,
    no repair).

    A stream that starts in the middle of a file (``netparse.dask`` reads a large log in byte
    ranges): ``detected`` is what :func:`_detect` said of the *file's* first block (then no BOM is
    looked for) and ``late_codepage`` the code page already chosen for a non-UTF-8 line before
    the stream's start (:attr:`late_codepage` of the reader of the lines before)."""

    def __init__(
        self,
        binary,
        head_bytes: int = 64 * 1024,
        chunk_bytes: int = 1024 * 1024,
        encoding: str | None = None,
        detected: tuple[str, str | None] | None = None,
        late_codepage: str | None = None,
    ) -> None:
        self.binary = binary
        self.head_bytes = head_bytes
        self.chunk_bytes = chunk_bytes
        self.forced = encoding
        self.encoding: str | None = None
        self.detected = detected
        self._name = ""
        self._codepage: str | None = None
        self._late_codepage: str | None = late_codepage
        self._repairs: Counter[str] = Counter()

    # -- what was used --------------------------------------------------------------------------

    @property
    def late_codepage(self) -> str | None:
        """The code page chosen for a line that was not UTF-8 in a UTF-8 stream (None: none yet)."""
        return self._late_codepage

    def _update_encoding(self) -> None:
        name = self._name
        if self._late_codepage and "+" not in name:
            name = f"{name}+{self._late_codepage}"
        if self._repairs:
            name = f"{name}, repaired mojibake: {self._repairs.most_common(1)[0][0]}"
        self.encoding = name

    # -- reading --------------------------------------------------------------------------------

    def __iter__(self):
        head = self.binary.read(self.head_bytes)
        self._name, self._codepage, codec, repair = reading_plan(head, self.forced, self.detected)
        self.encoding = self._name
        if not lines_by_bytes(codec):
            yield from self._text_lines(head, codec, repair)
        else:
            if head.startswith(codecs.BOM_UTF8) and codec == "utf-8" and self.detected is None:
                head = head[len(codecs.BOM_UTF8) :]
            yield from self._byte_lines(head, codec, repair)
        self._update_encoding()

    def _fix(self, text: str, repair: bool) -> str:
        if not repair or text.isascii():
            return text
        fixed, how = repair_mojibake(text)
        if how:
            self._repairs[how] += 1
            self._update_encoding()
        return fixed

    def _decode_raw(self, raw: bytes, codec: str, repair: bool) -> str:
        if raw.isascii():
            return raw.decode("ascii")
        if not repair:
            return raw.decode(codec, errors="replace")
        if codec == "utf-8":
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                cp = self._codepage or self._late_codepage
                if cp is None:
                    cp = self._late_codepage = best_codepage([raw])
                    self._update_encoding()
                return self._fix(raw.decode(cp, errors="replace"), repair)
            if self._codepage:
                other = raw.decode(self._codepage, errors="replace")
                if plausibility(other) > plausibility(text):
                    text = other
            return self._fix(text, repair)
        return self._fix(raw.decode(codec, errors="replace"), repair)

    def _byte_lines(self, buf: bytes, codec: str, repair: bool):
        read = self.binary.read
        while True:
            start = 0
            last = buf.rfind(b"\n")
            if last >= 0 and buf.isascii():
                # the usual case, a block of plain ASCII lines: decode and split it at once (no
                # line of it can need a code page or a repair)
                text = buf[: last + 1].decode("ascii")
                if "\r" in text:
                    text = text.replace("\r\n", "\n")
                if "\r" not in text:
                    lines = text.split("\n")
                    lines.pop()
                    yield from lines
                    start = last + 1
            while True:
                end = buf.find(b"\n", start)
                if end < 0:
                    break
                raw = buf[start:end]
                if raw.endswith(b"\r"):
                    raw = raw[:-1]
                start = end + 1
                if b"\r" in raw:
                    for part in raw.split(b"\r"):
                        yield self._decode_raw(part, codec, repair)
                else:
                    yield self._decode_raw(raw, codec, repair)
            buf = buf[start:]
            chunk = read(self.chunk_bytes)
            if not chunk:
                break
            buf += chunk
        if buf:
            parts = buf.split(b"\r")
            if parts[-1] == b"":
                parts.pop()
            for part in parts:
                yield self._decode_raw(part, codec, repair)

    def _text_lines(self, head: bytes, codec: str, repair: bool):
        for bom in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            if head.startswith(bom) and codec in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-8"):
                head = head[len(bom) :]
                break
        decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        pending = ""
        chunk = head or self.binary.read(self.chunk_bytes)  # the first block may have been only a BOM
        while True:
            final = not chunk
            pending += decoder.decode(chunk, final=final)
            if "\r" in pending:
                keep_cr = pending.endswith("\r") and not final
                body = pending[:-1] if keep_cr else pending
                pending = body.replace("\r\n", "\n").replace("\r", "\n") + ("\r" if keep_cr else "")
            parts = pending.split("\n")
            pending = parts.pop()
            for part in parts:
                yield self._fix(part, repair)
            if final:
                break
            chunk = self.binary.read(self.chunk_bytes)
        if pending:
            yield self._fix(pending.rstrip("\r"), repair)


def _ascii_compatible(codec: str) -> bool:
    try:
        return "\n".encode(codec) == b"\n" and "\r".encode(codec) == b"\r"
    except (LookupError, UnicodeError):
        return False

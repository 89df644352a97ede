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
import io
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
#: how much of the non-ASCII lines each candidate code page is scored on (13 candidates, each
#: decoded, repaired and scored: on 64 KiB of random bytes that took 0.9 s, on 8 KiB 0.1 s)
_SCORE_BYTES = 8 * 1024

# Characters that almost never occur in socket listings but are what a wrong single-byte decode
# of an OEM letter (or of UTF-8) produces: C1 controls, cp1252's 0x80-0x9F symbols, Latin-1
# symbols, box drawing, 'Ã'/'Â' (UTF-8 lead bytes read as cp1252). Not the letters of that
# range (Š š Ž ž Œ œ Ÿ): Czech and French use them.
_SUSPICIOUS = re.compile(
    "[\u0080-\u009f\u00a2-\u00bf\u00c2\u00c3\u00d7\u00f7\u0192\u02c6\u02dc"
    "\u2020\u2021\u2030\u2039\u203a\u201e\u2122\u2500-\u259f]"
)
#: a token: a run of characters that are not ASCII whitespace or not ASCII at all (so one
#: holding NBSP or U+3000 is one token, as it was for the old ``\S*[^\x00-\x7f]\S*``). One
#: character class repeated: a match never rescans, so tokenising is linear in the text (the
#: old pattern retried a long ASCII token from each of its characters: quadratic).
_TOKEN = re.compile(r"[^\t\n\x0b\x0c\r\x1c-\x1f ]+")


def _non_ascii_tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text) if not t.isascii()]


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


#: C0 control characters other than tab (and the line ends, never inside a line)
_BINARY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CHAR_SCORES: dict[str, tuple[int, int | None]] = {}
_ASCII_LETTER = re.compile("[A-Za-z]")


def plausibility(text: str) -> int:
    """How much ``text`` looks like correctly decoded output: known labels count most, then
    letters of one script per word; symbols, controls and U+FFFD count against."""
    if text.isascii():
        return 0
    known = _known_words()
    scores = _CHAR_SCORES
    score = 0
    for token in _non_ascii_tokens(text):
        if token in known:
            score += 12 * len(token)
        groups = set()
        for ch in token:
            if ch < "\x80":
                continue
            found = scores.get(ch)
            if found is None:
                found = scores[ch] = _char_score(ch)
            score += found[0]
            if found[1] is not None:
                groups.add(found[1])
        if _ASCII_LETTER.search(token):
            groups.add(0)
        if len(groups) > 1:
            score -= 4 * (len(groups) - 1)
    return score


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
    # a sample is enough (and keeps a 1 MiB line from being decoded 13 times over)
    blob = b"\n".join(lines)[:_SCORE_BYTES]
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


def _repair_token(token: str) -> tuple[str, str | None]:
    """(repaired token, 'right read as wrong') or (token, None) when no repair is better.
    Short tokens (labels) are cached; a long one is not (the cache would hold it)."""
    if token.isascii():
        return token, None
    if len(token) <= 128:
        return _repair_cached(token)
    return _repair_uncached(token)


def _repair_uncached(token: str) -> tuple[str, str | None]:
    if not _SUSPICIOUS.search(token):
        return token, None
    base_suspicious = len(_SUSPICIOUS.findall(token))
    best, best_score, how = token, None, None
    for wrong, right in REPAIRS:
        try:
            fixed = token.encode(wrong).decode(right)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed == token or len(_SUSPICIOUS.findall(fixed)) >= base_suspicious:
            continue
        if best_score is None:
            best_score = plausibility(token)  # only once a repair is a candidate
        score = plausibility(fixed)
        if score > best_score:
            best, best_score, how = fixed, score, f"{right} read as {wrong}"
    return best, how


_repair_cached = lru_cache(maxsize=65536)(_repair_uncached)


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

    out = _TOKEN.sub(fix, text)
    if not hows:
        return text, None
    return out, hows.most_common(1)[0][0]


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


# -- codecs the user names -----------------------------------------------------------------------

#: bytes that every usable codec must decode without raising (ASCII, a line end, high bytes)
_PROBE = b"Proto  Local Address\r\n\x80\xa0\xc3\xff\x00"


def text_codec(name: str) -> str:
    """The canonical name of ``name`` when it is a text codec that can decode any bytes read from
    a file (``cp850``, ``utf-16`` ...); else :class:`ValueError` saying why: unknown
    (``LookupError``), not a text encoding (``rot13``, ``base64``, ``zlib``: bytes->bytes or
    str->str codecs), or a text codec that cannot decode arbitrary bytes (``punycode``, ``idna``,
    ``undefined``). ``utf-16``/``utf-32`` without a byte-order mark are read little-endian
    unless the bytes say otherwise (see :func:`reading_plan`)."""
    try:
        info = codecs.lookup(name)
    except (LookupError, TypeError, ValueError):
        raise ValueError(f"unknown encoding {name!r}") from None
    if not getattr(info, "_is_text_encoding", True):
        raise ValueError(f"{name!r} is not a text encoding (it does not turn bytes into text)")
    if info.name in ("utf-16", "utf-32"):
        return info.name  # the byte order is chosen from the data, BOM or not
    try:
        decoded = codecs.getincrementaldecoder(info.name)(errors="replace").decode(_PROBE, final=True)
    except Exception:  # noqa: BLE001 - any failure means the codec cannot read files
        decoded = None
    if not isinstance(decoded, str):
        raise ValueError(f"{name!r} cannot decode arbitrary bytes (not a file encoding)")
    return info.name


def _utf32_order(data: bytes) -> str:
    """'utf-32-be' when ``data`` (no BOM) looks big-endian (ASCII as 00 00 00 xx), else LE."""
    sample = data[: 4096 - 4096 % 4]
    if len(sample) >= 4 and sample[0::4].count(0) > 0.6 * (len(sample) // 4) > sample[3::4].count(0):
        return "utf-32-be"
    return "utf-32-le"


def _forced(forced: str, head: bytes) -> tuple[str, str, int]:
    """(name to report, concrete codec, bytes of BOM to skip) for a codec the user named;
    ValueError when it cannot be used (:func:`text_codec`)."""
    codec = text_codec(forced)
    if codec == "utf-32":
        for bom, name in _BOMS[:2]:
            if head.startswith(bom):
                return name, name, 4
        name = _utf32_order(head)
        return name, name, 0
    if codec == "utf-16":
        for bom, name in _BOMS[3:]:
            if head.startswith(bom):
                return name, name, 2
        name = _nul_pattern(head) or "utf-16-le"
        return name, name, 0
    for bom, name in _BOMS:
        if head.startswith(bom) and codecs.lookup(name).name == codec or (
            bom == codecs.BOM_UTF8 and codec in ("utf-8", "utf-8-sig") and head.startswith(bom)
        ):
            return forced, "utf-8" if codec == "utf-8-sig" else codec, len(bom)
    return forced, "utf-8" if codec == "utf-8-sig" else codec, 0


def reading_plan(
    head: bytes, forced: str | None = None, detected: tuple[str, str | None] | None = None
) -> tuple[str, str | None, str, bool]:
    """How a stream whose first block is ``head`` is decoded: (encoding name, code page for its
    stray non-UTF-8 lines, codec, whether mojibake is repaired). ``forced``: a codec the user
    named (no detection, no repair; a name that is not a usable text codec is ignored, see
    :func:`text_codec`); ``detected``: what :func:`_detect` already said of the file's first block."""
    if forced:
        try:
            name, codec, _ = _forced(forced, head)
            return name, None, codec, False
        except ValueError:
            pass
    name, codepage = detected or _detect(head)
    codec = "utf-8" if codepage else {"utf-8-sig": "utf-8"}.get(name, name)
    return name, codepage, codec, True


def lines_by_bytes(codec: str) -> bool:
    """True when the lines of text in ``codec`` can be found in its bytes (``\n``/``\r`` are
    single ASCII bytes): not UTF-16/32 and not the rare codecs that are not ASCII-compatible."""
    return not codec.startswith(("utf-16", "utf-32")) and _ascii_compatible(codec)


def _ascii_compatible(codec: str) -> bool:
    try:
        return "\n".encode(codec) == b"\n" and "\r".encode(codec) == b"\r"
    except (LookupError, UnicodeError):
        return False


# -- reading lines -------------------------------------------------------------------------------

#: The longest line read whole, in bytes (of UTF-8 for UTF-16/32 input): a longer line is cut to
#: this many bytes and flagged, the rest of it is skipped; memory stays bounded by it.
MAX_LINE = 1024 * 1024


class Flagged(str):
    """What the reader has to say about the input, in the stream of lines.

    ``is_line`` True: a line that was cut (``reason`` says how long it was); it is still one
    line of the input. ``is_line`` False: a note between lines that is no line itself (trailing
    garbage after compressed data, an encoding that could not be used); its text is empty.
    :class:`netparse.parser.LineParser` turns both into issues."""

    reason: str
    is_line: bool

    def __new__(cls, text: str, reason: str, is_line: bool = True) -> "Flagged":
        obj = super().__new__(cls, text)
        obj.reason = reason
        obj.is_line = is_line
        return obj


_LINE_END = re.compile(rb"\r\n|\r|\n")
_TEXT_END = re.compile(r"(\r\n|\r|\n)")


class _Utf8Of:
    """The text of a stream in a codec whose line ends are not single bytes (UTF-16/32, EBCDIC
    ...), as UTF-8 bytes: so one line splitter (with its line limit) reads every stream."""

    def __init__(self, first: bytes, binary, codec: str) -> None:
        self._first = first
        self._binary = binary
        self._decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        self._done = False

    def read(self, n: int = -1) -> bytes:
        while not self._done:
            if self._first:
                data, self._first = self._first, b""
            else:
                data = self._binary.read(n)
            final = not data
            text = self._decoder.decode(data, final=final)
            self._done = final
            if text:
                return text.encode("utf-8", errors="replace")
        return b""


class DecodedLines:
    """The lines of a byte stream, decoded the way :func:`decode` decodes a whole file (one
    algorithm: :func:`decode` runs this over the whole data), read with flat memory.

    The encoding is detected on the first block (``head_bytes``); line ends ``\\r\\n``, ``\\n`` and
    a lone ``\\r`` split lines, as :func:`netparse.parser.split_lines` does. Byte-oriented
    encodings (UTF-8, code pages) are decoded line by line, so a UTF-8 stream with code-page lines
    further on is still read right (``utf-8+cp850``); every line gets the mojibake repair.
    ``encoding`` is known once the first line was yielded and is final when the iteration ends
    (a later repair or code-page line adds to it). ``encoding=...`` forces a codec (no detection,
    no repair; ``utf-16``/``utf-32`` without a BOM: little-endian unless the bytes say otherwise;
    a name that is no usable text codec is ignored with a note, :func:`text_codec`).

    Lines longer than ``max_line`` bytes (default :data:`MAX_LINE`, None: no limit) are cut:
    a :class:`Flagged` line of the first ``max_line`` bytes says how long the line was, and the
    rest of it is skipped without being kept, so memory is bounded whatever the line ends are
    (none at all: ``/dev/zero`` is read with flat memory). Time is linear in the input. Notes
    of the byte stream (``binary.notices``, e.g. trailing garbage after gzip data) come at the
    end as :class:`Flagged` non-lines. Never raises on data.

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
        max_line: int | None = MAX_LINE,
    ) -> None:
        if max_line is not None and max_line < 1:
            raise ValueError("max_line must be at least 1 (or None: no limit)")
        self.binary = binary
        self.head_bytes = head_bytes
        self.chunk_bytes = chunk_bytes
        self.forced = encoding
        self.max_line = max_line
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
        for lines, _ in self._blocks(keep_ends=False):
            yield from lines

    def _blocks(self, keep_ends: bool):
        """(lines, their ends) blocks of the stream; ``ends`` is None unless ``keep_ends``."""
        head = self.binary.read(self.head_bytes) or b""
        notes: list[str] = []
        skip = 0
        codec = ""
        if self.forced:
            try:
                self._name, codec, skip = _forced(self.forced, head)
                self._codepage, repair = None, False
            except ValueError as exc:
                notes.append(f"encoding not used: {exc}; detected instead")
        if not codec:
            self._name, self._codepage, codec, repair = reading_plan(head, None, self.detected)
            if head.startswith(codecs.BOM_UTF8) and codec == "utf-8" and self.detected is None:
                skip = len(codecs.BOM_UTF8)
            elif not lines_by_bytes(codec) and self.detected is None:
                for bom, name in _BOMS:
                    if name == codec and head.startswith(bom):
                        skip = len(bom)
                        break
        self.encoding = self._name
        for note in notes:
            yield [Flagged("", note, is_line=False)], [""] if keep_ends else None
        head = head[skip:] if skip else head
        if lines_by_bytes(codec):
            yield from self._split(head, self.binary.read, codec, repair, keep_ends)
        else:
            stream = _Utf8Of(head, self.binary, codec)
            yield from self._split(stream.read(self.chunk_bytes), stream.read, "utf-8", repair, keep_ends)
        for note in getattr(self.binary, "notices", None) or ():
            yield [Flagged("", note, is_line=False)], [""] if keep_ends else None
        self._update_encoding()

    def _split(self, first: bytes, read, codec: str, repair: bool, keep_ends: bool):
        """Cut the byte stream (``first``, then ``read(chunk_bytes)`` until empty) into lines.

        Each chunk is scanned once: the complete lines in it are decoded as one block, the
        unfinished line at its end is kept (at most ``max_line`` bytes; beyond them only
        counted) until its end comes. A ``\\r`` ending a chunk waits for the next one (``\\r\\n``)."""
        carry = bytearray()  # the line not yet ended: its first `max_line` bytes
        over = 0  # bytes of that line beyond the limit (dropped)
        cr_held = False
        data = first
        while True:
            if not data:
                data = read(self.chunk_bytes)
                if not data:
                    break
            if cr_held:
                data = b"\r" + data
                cr_held = False
            if data.endswith(b"\r"):
                data = data[:-1]
                cr_held = True
                if not data:
                    continue
            last = max(data.rfind(b"\n"), data.rfind(b"\r"))
            if last < 0:  # no line ends here: the unfinished line goes on
                over = self._keep(carry, data, over)
                data = b""
                continue
            start = 0
            if carry or over:  # end the line carried over from the chunks before
                m = _LINE_END.search(data)
                over = self._keep(carry, data[: m.start()], over)
                yield self._one(bytes(carry), len(carry) + over, m.group(), codec, repair, keep_ends)
                carry.clear()
                over = 0
                start = m.end()
            if start <= last:
                yield from self._block(data[start : last + 1], codec, repair, keep_ends)
            over = self._keep(carry, data[last + 1 :], 0)
            data = b""
        if cr_held or carry or over:
            yield self._one(bytes(carry), len(carry) + over, "\r" if cr_held else "", codec, repair, keep_ends, eof=True)

    def _keep(self, carry: bytearray, piece: bytes, over: int) -> int:
        """Add ``piece`` to the unfinished line, keeping at most ``max_line`` bytes; returns the
        number of bytes dropped so far."""
        limit = self.max_line
        if limit is None or len(carry) + len(piece) <= limit:
            carry += piece
            return over
        room = max(limit - len(carry), 0)
        carry += piece[:room]
        return over + len(piece) - room

    def _one(self, raw: bytes, length: int, end, codec: str, repair: bool, keep_ends: bool, eof: bool = False):
        ends = [end.decode("ascii") if isinstance(end, bytes) else end] if keep_ends else None
        return [self._line(raw, length, codec, repair, eof)], ends

    def _line(self, raw: bytes, length: int, codec: str, repair: bool, eof: bool = False) -> str:
        limit = self.max_line
        if limit is not None and length > limit:
            text = self._decode_raw(raw[:limit], codec, repair, tail="cut")
            return Flagged(
                text,
                f"line too long: {length} bytes, over the limit of {limit}: cut to its first {limit} bytes",
            )
        return self._decode_raw(raw, codec, repair, tail="eof" if eof else None)

    def _block(self, blk: bytes, codec: str, repair: bool, keep_ends: bool):
        """The complete lines of ``blk`` (which ends with a line end): at once when they are
        plain ASCII, else one by one (decoding them is what costs; a reader that stops early
        does not pay for the rest of the chunk)."""
        limit = self.max_line
        if blk.isascii() and (limit is None or len(blk) <= limit):
            # the usual case, a block of plain ASCII lines: decode and split it at once (no line
            # of it can need a code page or a repair, none is over the limit)
            text = blk.decode("ascii")
            if keep_ends:
                parts = _TEXT_END.split(text)
                yield parts[0:-1:2], parts[1::2]
                return
            if "\r" in text:
                text = text.replace("\r\n", "\n")
                if "\r" in text:
                    text = text.replace("\r", "\n")
            lines = text.split("\n")
            lines.pop()
            yield lines, None
            return
        start = 0
        for m in _LINE_END.finditer(blk):
            raw = blk[start : m.start()]
            yield [self._line(raw, len(raw), codec, repair)], [m.group().decode("ascii")] if keep_ends else None
            start = m.end()

    def _fix(self, text: str, repair: bool) -> str:
        if not repair or text.isascii() or _BINARY.search(text):
            # a line with C0 control characters (tab aside) is binary junk, not mis-decoded text:
            # repairing it is what made random bytes slow
            return text
        fixed, how = repair_mojibake(text)
        if how:
            self._repairs[how] += 1
            self._update_encoding()
        return fixed

    def _decode_raw(self, raw: bytes, codec: str, repair: bool, tail: str | None = None) -> str:
        """One line's text. ``tail``: "cut" (cut at the line limit) or "eof" (the stream ended in
        it): an unfinished UTF-8 character at its end is still UTF-8 (dropped when cut, U+FFFD at
        the end of the input, as a whole-file decode gives), not a sign of a code page."""
        if raw.isascii():
            return raw.decode("ascii")
        if not repair:
            return raw.decode(codec, errors="replace")
        if codec == "utf-8":
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                if tail is not None and exc.reason == "unexpected end of data" and exc.end == len(raw):
                    text = raw[: exc.start].decode("utf-8") if tail == "cut" else raw.decode("utf-8", errors="replace")
                    return self._fix(text, repair)
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


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used). Never raises.

    The whole of ``data`` is the detection sample, then :class:`DecodedLines` decodes it (one
    algorithm for bytes in memory and streams), line ends kept as they were, no line limit.
    ``encoding`` forces a codec (``--encoding``); a name that is no usable text codec falls back
    to detection."""
    data = bytes(data)
    try:
        reader = DecodedLines(io.BytesIO(data), head_bytes=max(len(data), 1), encoding=encoding, max_line=None)
        out: list[str] = []
        for lines, ends in reader._blocks(keep_ends=True):
            out.extend(map(str.__add__, lines, ends))
        return "".join(out), reader.encoding or "utf-8"
    except Exception:  # noqa: BLE001 - decoding never raises
        return data.decode("cp1252", errors="replace"), "cp1252"

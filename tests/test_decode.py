"""bytes -> text: byte-order marks, UTF-16 without BOM, OEM/ANSI code-page detection, mixed files,
mojibake repair, the ``--encoding`` override, and "decoding never raises".

The round-trip tests take every real sample (samples/windows, samples/linux-locale), encode it
into each code page a Windows console or an old Linux locale writes (when the text fits that code
page) and into UTF-16/UTF-8-with-BOM, and check that the bytes parse to exactly the records the
UTF-8 file gives.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import netparse
from netparse.inputs.decode import OEM_CODEPAGES, decode, detect_encoding, mojibake_variants, plausibility, repair_mojibake
from netparse.states import TcpState

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples" / "windows").glob("*.txt")) + sorted((ROOT / "samples" / "linux-locale").glob("*.txt"))
ENCODINGS = list(OEM_CODEPAGES) + ["cp1250", "cp1251", "cp1252", "iso-8859-2", "utf-16", "utf-16-be+bom", "utf-8-sig", "utf-32"]

GERMAN = (
    "\r\nAktive Verbindungen\r\n\r\n"
    "  Proto  Lokale Adresse         Remoteadresse          Status           PID\r\n"
    "  TCP    0.0.0.0:135            0.0.0.0:0              ABHÖREN         624\r\n"
    "  TCP    127.0.0.1:1110         127.0.0.1:53588        HERGESTELLT     2588\r\n"
)


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-be+bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(encoding)


def _records(snap: netparse.Snapshot) -> tuple:
    return [s.model_dump(mode="json") for s in snap.sockets], snap.locale, snap.line_counts, snap.format


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_samples_round_trip_through_every_code_page(encoding: str) -> None:
    checked = 0
    for path in SAMPLES:
        data = path.read_bytes()
        text, _ = decode(data)
        try:
            encoded = _encode(text, encoding)
        except UnicodeEncodeError:
            continue  # the text does not fit this code page (Japanese in cp1252 ...)
        if text.isascii() and not encoding.startswith(("utf", "cp-")) and encoding != "utf-16-be+bom":
            continue  # ASCII is the same bytes in every code page
        snap = netparse.parse(encoded)
        assert _records(snap) == _records(netparse.parse(data)), f"{path.name} as {encoding} read as {snap.encoding}"
        checked += 1
    assert checked > 0


@pytest.mark.parametrize(
    ("name", "encoding", "detected"),
    [
        ("windows/de-netstat-ano", "cp850", "cp850"),
        ("windows/de-netstat-ano", "cp1252", "cp1252"),
        ("windows/es-netstat-aon-win11", "cp850", "cp850"),
        ("windows/fr-netstat-abo-ownership", "cp1252", "cp1252"),
        ("windows/ru-netstat-a-win10", "cp866", "cp866"),
        ("windows/ru-netstat-a-win10", "cp1251", "cp1251"),
        ("windows/zh-CN-netstat-ano-win10", "cp936", "cp936"),
        ("windows/zh-TW-netstat", "cp950", "cp950"),
        ("windows/ja-netstat-ano", "cp932", "cp932"),
        ("linux-locale/nettools-cs-netstat-tuan", "cp852", "cp852"),
        ("linux-locale/nettools-ja-netstat-tuan", "euc-jp", "euc-jp"),
    ],
)
def test_code_page_detection(name: str, encoding: str, detected: str) -> None:
    text, _ = decode((ROOT / "samples" / f"{name}.txt").read_bytes())
    data = text.encode(encoding)
    assert detect_encoding(data) == detected
    assert decode(data) == (text, detected)


def test_korean_code_page() -> None:
    # constructed from the ko table (the real Korean captures are held back from the corpus)
    text = "\r\n활성 연결\r\n\r\n  프로토콜  로컬 주소              외부 주소              상태            PID\r\n" \
           "  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1028\r\n"
    snap = netparse.parse(text.encode("cp949"))
    assert (snap.encoding, snap.locale, len(snap.sockets)) == ("cp949", "ko", 1)


def test_byte_order_marks_and_utf16_without_bom() -> None:
    for enc, name in [("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16-le"), ("utf-32", "utf-32-le")]:
        assert decode(GERMAN.encode(enc)) == (GERMAN, name)
    assert decode(GERMAN.encode("utf-16-le")) == (GERMAN, "utf-16-le")
    assert decode(GERMAN.encode("utf-16-be")) == (GERMAN, "utf-16-be")
    assert decode(codecs.BOM_UTF16_BE + GERMAN.encode("utf-16-be")) == (GERMAN, "utf-16-be")
    assert decode(b"") == ("", "utf-8")


def test_mixed_utf8_transcript_with_a_pasted_cp850_capture() -> None:
    prose = "Ergebnis von netstat auf dem Server (Übersicht):\n".encode("utf-8")
    data = prose + GERMAN.encode("cp850")
    text, encoding = decode(data)
    assert encoding == "utf-8+cp850"
    assert text.startswith("Ergebnis von netstat auf dem Server (Übersicht):\n") and "ABHÖREN" in text


@pytest.mark.parametrize(
    ("broken", "fixed", "how"),
    [
        ("  TCP    0.0.0.0:102            0.0.0.0:0              ABH™REN", "ABHÖREN", "cp850 read as cp1252"),
        ("  TCP    0.0.0.0:102            0.0.0.0:0              ABH\x99REN", "ABHÖREN", "cp850 read as latin-1"),
        ("  Proto  Direcci¢n local        Direcci¢n remota       Estado", "Dirección remota", "cp850 read as cp1252"),
        ("Prim„res DNS-Suffix", "Primäres", "cp850 read as cp1252"),
        ("  Proto  EndereÃ§o local         EndereÃ§o externo", "Endereço externo", "utf-8 read as cp1252"),
    ],
)
def test_mojibake_repair(broken: str, fixed: str, how: str) -> None:
    text, what = repair_mojibake(broken)
    assert fixed in text and what == how
    decoded, encoding = decode(broken.encode("utf-8"))
    assert fixed in decoded and encoding == f"utf-8, repaired mojibake: {how}"


@pytest.mark.parametrize(
    "text",
    [
        "Impossible d’obtenir les informations de propriétaire",  # a real typographic apostrophe
        "Microsoft Windows [versão 10.0.22631.4391]",
        "ABHÖREN Активные подключения 活动连接 アクティブな接続 활성 연결",
        "price 20 °C ± 2",
    ],
)
def test_correct_text_is_not_repaired(text: str) -> None:
    assert repair_mojibake(text) == (text, None)


def test_unrepairable_forms_still_parse() -> None:
    for label in ("ABH?REN", "ABH\ufffdREN"):
        data = f"  TCP    0.0.0.0:135            0.0.0.0:0              {label}         624\n".encode("utf-8")
        snap = netparse.parse(data)
        assert snap.sockets[0].state is TcpState.LISTEN and snap.sockets[0].state_label == label


def test_cp850_bytes_read_as_utf8_are_replaced_not_fatal() -> None:
    # the 'utf-8 codec can't decode byte 0x99' crash other tools have (hanlulong/stata-mcp#64)
    data = GERMAN.encode("cp850")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    snap = netparse.parse(data)
    assert snap.encoding == "cp850" and [s.state_label for s in snap.sockets] == ["ABHÖREN", "HERGESTELLT"]


def test_encoding_override() -> None:
    data = GERMAN.encode("cp850")
    assert decode(data, encoding="cp850") == (GERMAN, "cp850")
    text, used = decode(data, encoding="cp1252")  # forced: no detection, no repair
    assert "ABH™REN" in text and used == "cp1252"
    assert decode(GERMAN.encode("utf-16"), encoding="utf-16")[0] == GERMAN
    assert decode(data, encoding="no-such-codec")[1] == "cp850"  # unknown name: detect


def test_mojibake_variants() -> None:
    forms = mojibake_variants("ABHÖREN")
    assert {"ABH™REN", "ABH\x99REN", "ABH?REN", "ABH\ufffdREN"} <= forms
    assert "ABHÖREN" not in forms and mojibake_variants("LISTENING") == set()


def test_plausibility_prefers_the_right_code_page() -> None:
    raw = "Активные подключения".encode("cp866")
    assert plausibility(raw.decode("cp866")) > plausibility(raw.decode("cp1251", errors="replace"))
    assert plausibility(raw.decode("cp866")) > plausibility(raw.decode("cp850"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_decoding_never_raises(data: bytes) -> None:
    text, encoding = decode(data)
    assert isinstance(text, str) and encoding
    netparse.parse(data)  # and parsing whatever came out never raises either


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["cp437", "cp850", "cp852", "cp866", "cp1250", "cp1251", "cp1252"]), st.binary(max_size=512))
def test_forced_encodings_never_raise(encoding: str, data: bytes) -> None:
    assert isinstance(decode(data, encoding=encoding)[0], str)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_detect_encoding_is_always_a_codec(data: bytes) -> None:
    # netparse.io decodes streams incrementally with it
    codecs.getincrementaldecoder(detect_encoding(data))(errors="replace").decode(data, final=True)


def test_first_block_cut_inside_a_utf8_character() -> None:
    data = "アクティブな接続\n".encode("utf-8") * 5000
    assert detect_encoding(data[:65537]) == "utf-8"
    mixed = "Übersicht\n".encode("utf-8") + GERMAN.encode("cp850")
    assert detect_encoding(mixed) == "cp850" and decode(mixed)[1] == "utf-8+cp850"


# -- streaming: DecodedLines gives the lines decode() + split_lines give ---------------------------


@pytest.mark.parametrize("encoding", ["utf-8"] + ENCODINGS)
def test_decoded_lines_match_decode(encoding: str) -> None:
    import io

    from netparse.inputs.decode import DecodedLines
    from netparse.parser import split_lines

    for path in SAMPLES:
        text, _ = decode(path.read_bytes())
        try:
            data = _encode(text, encoding)
        except UnicodeEncodeError:
            continue
        stream = DecodedLines(io.BytesIO(data))
        assert list(stream) == list(split_lines(decode(data)[0])), path.name
        assert stream.encoding == decode(data)[1], path.name


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
def test_decoded_lines_across_chunk_boundaries(chunk: int) -> None:
    import io

    from netparse.inputs.decode import DecodedLines

    text = "a\r\nbé\rc\n\nABH™REN\r\n Direcci¢n\r"
    expected = ["a", "bé", "c", "", "ABHÖREN", " Dirección"]
    for enc in ("utf-8", "utf-16"):
        head = chunk if enc == "utf-8" else max(chunk, 4)  # UTF-16 is recognised from 2-4 bytes
        stream = DecodedLines(io.BytesIO(text.encode(enc)), head_bytes=head, chunk_bytes=chunk)
        assert list(stream) == expected, enc
        assert stream.encoding.endswith("repaired mojibake: cp850 read as cp1252")


def test_decoded_lines_finds_code_page_lines_after_the_first_block() -> None:
    import io

    from netparse.inputs.decode import DecodedLines

    data = b"Active Connections\r\n" * 10 + GERMAN.encode("cp850")
    stream = DecodedLines(io.BytesIO(data), head_bytes=64)
    lines = list(stream)
    assert "  TCP    0.0.0.0:135            0.0.0.0:0              ABHÖREN         624" in lines
    assert stream.encoding == "utf-8+cp850"

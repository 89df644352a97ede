"""Display languages: the label tables themselves, per-language detection (snapshot ``locale``),
translated state words (Windows German, Linux net-tools gettext), and what happens with a label
nobody knows.

Texts marked "constructed" are assembled from the tables' own labels to check that every table
entry is wired up; the real evidence is the samples (samples/windows, samples/linux-locale).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

import netparse
from netparse.locales import all_labels, labels_of, state_labels
from netparse.states import TcpState

ROOT = Path(__file__).resolve().parent.parent
LINUX_LOCALE = sorted((ROOT / "samples" / "linux-locale").glob("*.txt"))
KINDS = {"state", "title", "title_suffix", "header", "message", "timer", "offload", "applied_setting", "socket_type",
         "counter", "counter-in", "counter-out", "counter-icmp", "counter-icmp6", "counter-if"}
PLATFORMS = {
    "linux-netstat",
    "ss",
    "windows-netstat",
    "reactos-netstat",
    "powershell",
    "bsd-netstat",
    "aix-netstat",
    "solaris-netstat",
    "busybox-netstat",
    "linux-proc",
    "linux-proc-dgram",
    "linux-proc-unix",
    "psutil",
    "linux-netstat-s",
    "linux-netstat-s6",
    "windows-netstat-s",
    "bsd-netstat-s",
}
LANGUAGES = {"en", "de", "fr", "es", "pt-BR", "ru", "zh-CN", "zh-TW", "ja", "ko", "it", "tr", "nl", "pl", "cs", "sv", "ca", "et", "ka"}


# -- the tables -----------------------------------------------------------------------------------


def test_one_file_per_language() -> None:
    # '<lang>.tsv', plus optional '<lang>.<part>.tsv' files of the same language (en.platforms.tsv)
    files = {p.name[:-4].split(".")[0] for p in resources.files("netparse.locales").iterdir() if p.name.endswith(".tsv")}
    assert files == LANGUAGES
    assert {lab.language for lab in all_labels()} == LANGUAGES


def test_every_label_row_is_well_formed() -> None:
    seen = set()
    for lab in all_labels():
        assert lab.platform in PLATFORMS, lab
        assert lab.kind in KINDS, lab
        assert lab.status in ("verified", "unverified"), lab
        assert lab.source.strip(), lab
        if lab.kind == "state":
            TcpState(lab.canonical)  # a real canonical state
        key = (lab.language, lab.platform, lab.kind, lab.label)
        assert key not in seen, key
        seen.add(key)


def test_fixture_only_languages_are_unverified() -> None:
    for lang in ("it", "tr", "nl"):
        labs = [lab for lab in all_labels() if lab.language == lang]
        assert labs and all(lab.status == "unverified" for lab in labs), lang
    pl = [lab for lab in all_labels() if lab.language == "pl" and lab.platform == "windows-netstat"]
    assert pl and all(lab.status == "unverified" for lab in pl)


def test_unverified_aliases_never_override_a_verified_label() -> None:
    for platform in ("windows-netstat", "linux-netstat", "powershell"):
        table = state_labels(platform)
        for lab in labels_of(platform, "state"):
            if lab.status == "verified":
                assert table[lab.label] is TcpState(lab.canonical), lab


# -- Windows: per-language detection ----------------------------------------------------------------


def _windows_languages() -> list[str]:
    langs = {lab.language for lab in all_labels() if lab.platform in ("windows-netstat", "reactos-netstat") and lab.kind == "title"}
    return sorted(langs)


def _first(lang: str, kind: str, canonical: str, default: str) -> str:
    for lab in all_labels():
        if lab.language == lang and lab.platform in ("windows-netstat", "reactos-netstat") and lab.kind == kind and lab.canonical == canonical:
            return lab.label
    return default


@pytest.mark.parametrize("lang", _windows_languages())
def test_windows_title_and_header_give_the_language(lang: str) -> None:
    # constructed from the table: title, header, one row, in the Windows layout
    header = "  " + "  ".join(
        _first(lang, "header", c, d)
        for c, d in (("proto", "Proto"), ("local_address", "Local Address"), ("foreign_address", "Foreign Address"), ("state", "State"))
    )
    text = f"\n{_first(lang, 'title', 'active_connections', '')}\n\n{header}           PID\n" \
           "  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       916\n"
    snap = netparse.parse(text)
    assert snap.locale == lang
    assert snap.line_counts == {"blank": 2, "title": 1, "header": 1, "record": 1}


def test_header_without_title_gives_the_language() -> None:
    snap = netparse.parse("  Proto  Lokale Adresse         Remoteadresse          Status\n"
                          "  TCP    0.0.0.0:135            0.0.0.0:0              ABHÖREN\n")
    assert snap.locale == "de"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Direcci¢n local", "es"),  # cp850 read as cp1252, as in a real redirected file
        ("Dirección local", "es"),
        ("Endere‡o local", "pt-BR"),  # derived: cp850 'ç' (0x87) read as cp1252
        ("Lokale Adresse", "de"),
        ("ローカル アドレス", "ja"),
        ("로컬 주소", "ko"),
    ],
)
def test_mis_decoded_headers_are_recognised(text: str, lang: str) -> None:
    rest = {"es": "Dirección remota  Estado", "pt-BR": "Endereço externo  Estado", "de": "Remoteadresse  Status",
            "ja": "外部アドレス  状態", "ko": "외부 주소  상태"}[lang]
    block = f"  Proto  {text}   {rest}\n  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING\n"
    snap = netparse.parse(block)
    assert snap.line_counts == {"header": 1, "record": 1}
    assert snap.locale == lang


# -- Linux net-tools (gettext) ------------------------------------------------------------------------


def _lang_of(path: Path) -> str:
    # nettools-<lang>-netstat-... or corpus-nettools-<lang>-netstat-...
    stem = path.stem.removeprefix("corpus-").removeprefix("nettools-")
    return stem.split("-netstat")[0]


@pytest.mark.parametrize("path", LINUX_LOCALE, ids=lambda p: p.stem)
def test_linux_localized_sample(path: Path) -> None:
    snap = netparse.parse_file(path)
    assert snap.format == "linux-netstat"
    assert snap.locale == _lang_of(path)
    assert "unparsed" not in snap.line_counts
    assert not snap.issues
    assert all(s.state is not TcpState.UNKNOWN for s in snap.sockets)
    assert sum(snap.line_counts.values()) == snap.total_lines
    assert snap.line_counts.get("title") == 1 and snap.line_counts.get("header") == 1


def test_linux_translated_states_from_a_real_run() -> None:
    snap = netparse.parse_file(ROOT / "samples" / "linux-locale" / "nettools-pt-BR-netstat-tuan.txt")
    seen = {s.state_label: s.state for s in snap.sockets}
    assert seen["OUÇA"] is TcpState.LISTEN
    assert seen["ESTABELECIDA"] is TcpState.ESTABLISHED
    assert seen["ESPERANDO_FECHAR"] is TcpState.CLOSE_WAIT  # overflows its 11-char column
    assert seen["ÚLTIMO_ACK"] is TcpState.LAST_ACK
    assert seen["SYN_RECEBIDO"] is TcpState.SYN_RECEIVED
    cs = netparse.parse_file(ROOT / "samples" / "linux-locale" / "nettools-cs-netstat-tuanpeo.txt")
    last_ack = [s for s in cs.sockets if s.state is TcpState.LAST_ACK]
    assert [s.state_label for s in last_ack] == ["POSLEDNÍ ACK"]  # two words
    assert last_ack[0].user == "0" and last_ack[0].inode == 0  # the columns after it are still right
    # Czech timer words (vyp, zapnut) come out in English, the printed text stays in 'timer'
    assert {s.timer_name for s in cs.sockets} >= {"off", "on", "keepalive", "probe", "timewait"}
    assert {s.timer.split(" ")[0] for s in cs.sockets if s.timer} >= {"vyp", "zapnut"}


def test_linux_unix_section_with_translated_states_and_path_header() -> None:
    snap = netparse.parse_file(ROOT / "samples" / "linux-locale" / "nettools-de-netstat-axp.txt")
    assert {s.state_label for s in snap.sockets} == {"VERBUNDEN", "HÖRT", ""}
    listening = [s for s in snap.sockets if s.state_label == "HÖRT"]  # padded by bytes: one space short
    assert all(s.state is TcpState.LISTEN and s.inode for s in listening)
    assert "/tmp/np-loc/demo.sock" in {s.path for s in listening}


@pytest.mark.parametrize("lang", ["sv", "ca", "ka"])
def test_linux_titles_and_headers_from_po_files(lang: str) -> None:
    # constructed from the tables (these translations are not in Debian 12's net-tools package)
    def one(kind: str, canonical: str) -> str:
        return next(lab.label for lab in labels_of("linux-netstat", kind) if lab.language == lang and lab.canonical == canonical)

    suffix = one("title_suffix", "servers_and_established")
    text = (
        f"{one('title', 'active_internet_connections')} {suffix}\n"
        f"{one('header', 'inet_header')}\n"
        "tcp        0      0 127.0.0.1:47001         0.0.0.0:*               LISTEN     \n"
        f"{one('title', 'active_unix_domain_sockets')} {suffix}\n"
        f"Proto RefCnt Flags       Type       State         I-Node   {one('header', 'path')}\n"
        "unix  2      [ ACC ]     STREAM     LISTENING     9392     @nt-demo\n"
    )
    snap = netparse.parse(text)
    assert snap.locale == lang
    assert snap.line_counts == {"title": 2, "header": 2, "record": 2}


@pytest.mark.parametrize(
    ("label", "state"),
    [("ETABLERAD", "ESTABLISHED"), ("LYSSNAR", "LISTEN"), ("STÄNG_VÄNTA", "CLOSE_WAIT"),  # sv
     ("ESTABLERT", "ESTABLISHED"), ("ESCOLTA", "LISTEN"), ("TEMPS", "TIME_WAIT"),  # ca
     ("VERBUNDEN", "ESTABLISHED"), ("SPOJENO", "ESTABLISHED"), ("NASLOUCHÁ", "LISTEN"),
     ("POSLEDNÍ ACK", "LAST_ACK"), ("OUÇA", "LISTEN"), ("ESPERANDO_FECHAR", "CLOSE_WAIT")],
)
def test_linux_translated_state_words_header_less(label: str, state: str) -> None:
    # constructed rows as `netstat -tan | grep` prints them (no title, no header)
    snap = netparse.parse(f"tcp        0      0 127.0.0.1:47001         127.0.0.1:49670         {label}\n")
    (s,) = snap.sockets
    assert (s.state, s.state_label) == (state, label)
    assert not snap.issues


def test_linux_unknown_translation_is_unknown_with_a_warning() -> None:
    snap = netparse.parse("tcp        0      0 127.0.0.1:47001         127.0.0.1:49670         ZAVEDENO   \n")
    (s,) = snap.sockets
    assert (s.state, s.state_label) == (TcpState.UNKNOWN, "ZAVEDENO")
    assert [i.kind for i in snap.issues] == ["warning"]


def test_english_output_has_no_locale_for_linux() -> None:
    text = (ROOT / "samples" / "linux-locale" / "nettools-fr-netstat-tuan.txt").read_text(encoding="utf-8")
    english = "Active Internet connections (servers and established)\n" + "\n".join(text.splitlines()[1:]).replace(
        "Proto Recv-Q Send-Q Adresse locale          Adresse distante        Etat",
        "Proto Recv-Q Send-Q Local Address           Foreign Address         State")
    assert netparse.parse(english).locale is None

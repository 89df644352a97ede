"""Windows ``netstat`` and PowerShell ``Get-NetTCPConnection``: golden samples, line accounting,
``-b`` attachment, ``-q`` BOUND, ``-t`` offload, header-less ``findstr`` output, pastes.

Goldens: ``tests/test_windows/<sample>.yml`` hold a compact view of every record of every
``samples/windows`` sample (regenerate with ``pytest tests/test_windows.py --force-regen`` after a
deliberate change, and read the diff). Inline texts marked "constructed" are not real captures:
they exercise a rule on a variation the real samples do not show.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import netparse
from netparse.inputs.decode import decode
from netparse.grammars import GRAMMARS
from netparse.states import TcpState

ROOT = Path(__file__).resolve().parent.parent
WINDOWS = sorted((ROOT / "samples" / "windows").glob("*.txt"))
NETSTAT_ROW = re.compile(r"^\s*(?:TCP|UDP)(?:v6)?\s+\S*:\S*\s+\S*:")
PS_ROW = re.compile(r"^\s*[0-9A-Fa-f.:]+(?:%\w+)?\s+\d+\s+[0-9A-Fa-f.:]+(?:%\w+)?\s+\d+\s+[A-Z]")

#: the display language each real sample proves (None: header-less, the language is not in the text)
LOCALE = {
    "de-netstat-an-cp850-mojibake": "de",
    "de-netstat-ano": "de",
    "de-netstat-ano-flair-mojibake": "de",
    "de-netstat-tn-offload": "de",
    "en-netstat-an-findstr-ps-prompts": None,
    "en-netstat-anob-more": "en",
    "en-netstat-anbo-modules-parse-netstat": "en",
    "en-netstat-nat-offload": "en",
    "es-netstat-an": "es",
    "es-netstat-aon-win11": "es",
    "es-netstat-b": "es",
    "es-netstat-o": "es",
    "fr-netstat-abo-ownership": "fr",
    "fr-netstat-ano-flair": "fr",
    "fr-netstat-ano-no-pid-header": "fr",
    "ja-netstat-ano": "ja",
    "netstat-ano-findstr-listening": None,
    "netstat-aqn-bound-findstr": None,
    "ps-get-nettcpconnection-autosized": None,
    "ps-get-nettcpconnection-datacenter": None,
    "ps-get-nettcpconnection-owningprocess": None,
    "pt-BR-netstat-a-win11": "pt-BR",
    "ru-netstat-a-win10": "ru",
    "zh-CN-netstat-ano-win10": "zh-CN",
    "zh-TW-netstat": "zh-TW",
}


def _read(path: Path) -> netparse.Snapshot:
    """The whole-file path (decode(): detection, mixed files, mojibake repair) on the sample's bytes."""
    return netparse.parse(path.read_bytes())


def _compact(snap: netparse.Snapshot) -> dict:
    def sock(s) -> str:
        local = f"{s.local_address}:{s.local_port}"
        remote = f"{s.remote_address}:{s.remote_port if s.remote_port is not None else '-'}"
        extras = [f"{k}={v}" for k, v in s.model_dump(exclude_none=True, mode="json").items()
                  if k in ("pid", "process", "service", "info", "offload_state", "extra", "remote_service")]
        return f"{s.line} {s.proto}/{s.family} {local} {remote} {s.state}({s.state_label!r}) " + " ".join(extras)

    return {
        "format": snap.format,
        "locale": snap.locale,
        "encoding": snap.encoding,
        "total_lines": snap.total_lines,
        "line_counts": snap.line_counts,
        "sockets": [sock(s) for s in snap.sockets],
        "issues": [f"{i.line} {i.kind}: {i.text}" for i in snap.issues],
    }


def test_grammars_are_registered() -> None:
    assert "windows-netstat" in GRAMMARS and "powershell" in GRAMMARS


def test_every_sample_is_listed() -> None:
    assert sorted(p.stem for p in WINDOWS) == sorted(LOCALE)


@pytest.mark.parametrize("path", WINDOWS, ids=lambda p: p.stem)
def test_golden(path: Path, data_regression) -> None:
    data_regression.check(_compact(_read(path)), basename=path.stem)


@pytest.mark.parametrize("path", WINDOWS, ids=lambda p: p.stem)
def test_sample_is_read_completely(path: Path) -> None:
    """Every line accounted for, every row a record, no UNKNOWN state, the right language."""
    snap = _read(path)
    text, _ = decode(path.read_bytes())
    lines = text.splitlines()
    assert sum(snap.line_counts.values()) == snap.total_lines == len(lines)
    assert snap.line_counts.get("record", 0) == len(snap.sockets)
    rows = [i + 1 for i, line in enumerate(lines) if NETSTAT_ROW.match(line) or PS_ROW.match(line)]
    assert [s.line for s in snap.sockets] == rows  # no lost row, nothing else read as a row
    assert all(s.state is not TcpState.UNKNOWN for s in snap.sockets)
    assert not [i for i in snap.issues if i.kind == "warning"]
    assert snap.locale == LOCALE[path.stem]
    assert snap.format == ("powershell" if path.stem.startswith("ps-") else "windows-netstat")
    assert all(s.truncated is None for s in snap.sockets)


def _parse(name: str) -> netparse.Snapshot:
    return _read(ROOT / "samples" / "windows" / f"{name}.txt")


def _by_port(snap: netparse.Snapshot, port: int) -> list:
    return [s for s in snap.sockets if s.local_port == port]


def test_b_lines_attach_to_their_row() -> None:
    snap = _parse("fr-netstat-abo-ownership")
    rpc = _by_port(snap, 135)[0]
    assert (rpc.pid, rpc.service, rpc.process) == (1244, "RpcSs", "svchost.exe")
    smb = _by_port(snap, 445)[0]
    assert smb.process is None and smb.info == "Impossible d’obtenir les informations de propriétaire"
    assert _by_port(snap, 57185)[0].process == "WinStore.App.exe"
    assert snap.line_counts["continuation"] == 21

    en = _parse("en-netstat-anob-more")
    assert [(s.local_port, s.process, s.service) for s in en.sockets] == [
        (22, "sshd.exe", None),
        (135, "svchost.exe", "RpcSs"),
        (445, None, None),
        (3389, "svchost.exe", "TermService"),
        (5040, None, "CDPSvc"),  # the paste stops at the pager before [svchost.exe]
    ]
    assert en.sockets[2].info == "Can not obtain ownership information"

    es = _parse("es-netstat-b")
    assert [s.process for s in es.sockets[:4]] == ["firefox.exe"] * 4
    assert es.sockets[5].service == "WpnService" and es.sockets[5].process == "svchost.exe"
    assert es.sockets[-1].info == "No se puede obtener información de propiedad"


def test_b_lines_in_an_indented_paste_and_unknown_translations() -> None:
    # constructed: the en-netstat-anob-more rows indented by 4 more spaces, an ASCII apostrophe in
    # the French message, and a translation of the message the tables do not know (after a
    # [exe] line, one space less indented than the rows, as netstat prints it)
    text = (
        "      TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       832\n"
        "      RpcSs\n"
        "     [svchost.exe]\n"
        "      TCP    0.0.0.0:445            0.0.0.0:0              LISTENING       4\n"
        "     Impossible d'obtenir les informations de propriétaire\n"
        "      TCP    0.0.0.0:3389           0.0.0.0:0              LISTENING       304\n"
        "     Eigentümerinformationen können nicht abgerufen werden\n"
        "      UDP    0.0.0.0:123            *:*                                    1304\n"
        "      W32Time\n"
        "     [svchost.exe]\n"
    )
    snap = netparse.parse(text)
    assert snap.line_counts == {"record": 4, "continuation": 6}
    a, b, c, d = snap.sockets
    assert (a.service, a.process) == ("RpcSs", "svchost.exe")
    assert b.info and b.process is None
    assert c.info == "Eigentümerinformationen können nicht abgerufen werden"
    assert (d.proto, d.state, d.service, d.process) == ("udp", TcpState.NONE, "W32Time", "svchost.exe")


def test_bound_rows_the_state_decides() -> None:
    snap = _parse("netstat-aqn-bound-findstr")
    bound, listening = snap.sockets
    assert bound.state is TcpState.BOUND and listening.state is TcpState.LISTEN
    # the same foreign address 0.0.0.0:0 on both: "no peer"
    for s in (bound, listening):
        assert (s.remote_address, s.remote_port) == ("0.0.0.0", None)


def test_header_less_findstr_output() -> None:
    snap = _parse("netstat-ano-findstr-listening")
    assert snap.line_counts == {"note": 1, "record": 53}
    assert all(s.state is TcpState.LISTEN and s.pid for s in snap.sockets)
    scoped = snap.sockets[-1]
    assert (scoped.local_address, scoped.local_port, scoped.remote_address) == ("fe80::88a3:7388:e822:ac71%4", 53, "::")


def test_offload_column() -> None:
    de = _parse("de-netstat-tn-offload")
    assert {s.offload_state for s in de.sockets} == {"InHost"}
    assert de.sockets[5].state is TcpState.FIN_WAIT_2
    en = _parse("en-netstat-nat-offload")
    tcp = [s for s in en.sockets if s.proto == "tcp"]
    udp = [s for s in en.sockets if s.proto == "udp"]
    assert all(s.offload_state == "InHost" for s in tcp) and all(s.offload_state is None for s in udp)
    # -t with -o: PID, a tab, then the offload state (W03A2409.dll format 0x8000278e; constructed row)
    row = netparse.parse("  TCP    127.0.0.1:5354         127.0.0.1:49669        ESTABLISHED     2612\tOffloaded   \n")
    assert (row.sockets[0].pid, row.sockets[0].offload_state) == (2612, "Offloaded")


def test_pids_under_a_header_without_pid() -> None:
    snap = _parse("fr-netstat-ano-no-pid-header")
    assert all(isinstance(s.pid, int) for s in snap.sockets)
    assert _by_port(snap, 6463)[0].pid == 13876


def test_udp_rows_and_no_peer_endpoints() -> None:
    snap = _parse("ru-netstat-a-win10")
    udp = [s for s in snap.sockets if s.proto == "udp"]
    assert udp and all(s.state is TcpState.NONE and s.state_label == "" for s in udp)
    assert all(s.remote_port is None for s in udp)
    v6 = [s for s in udp if s.family == "inet6"]
    assert {s.remote_address for s in v6} == {"::"}
    assert "fe80::e0aa:34e:fe8c:d651%2" in {s.local_address for s in v6}
    listeners = [s for s in snap.sockets if s.state is TcpState.LISTEN]
    # without -n the foreign address of a listener is the host name with port 0: no peer either
    assert {(s.remote_address, s.remote_port) for s in listeners} == {("DESKTOP-9JPISDO", None)}


def test_names_without_n() -> None:
    snap = _parse("es-netstat-o")
    last = snap.sockets[-1]
    assert (last.remote_address, last.remote_port, last.remote_service) == ("104.18.13.33", 443, "https")


def test_long_scoped_ipv6_overflowing_its_column() -> None:
    snap = _parse("en-netstat-an-findstr-ps-prompts")
    s = [s for s in snap.sockets if s.local_address.startswith("fe80")][0]
    assert (s.local_port, s.remote_address, s.remote_port) == (389, "fe80::f1fc:108d:f77a:7f18%7", 49737)


def test_german_states_and_mojibake() -> None:
    snap = _parse("de-netstat-an-cp850-mojibake")
    states = {s.state_label: s.state for s in snap.sockets}
    assert states["ABHÖREN"] is TcpState.LISTEN  # repaired from ABH™REN when read from bytes
    assert "mojibake" in snap.encoding
    assert {states[k] for k in ("HERGESTELLT", "WARTEND", "SCHLIESSEN_WARTEN", "FIN_WARTEN_2")} == {
        TcpState.ESTABLISHED, TcpState.TIME_WAIT, TcpState.CLOSE_WAIT, TcpState.FIN_WAIT_2}
    # as text (no byte decoding, no repair) the label is kept as printed
    text = (ROOT / "samples" / "windows" / "de-netstat-an-cp850-mojibake.txt").read_text(encoding="utf-8")
    raw = netparse.parse(text)
    assert {s.state_label for s in raw.sockets if s.state is TcpState.LISTEN} == {"ABH™REN"}


@pytest.mark.parametrize(
    ("label", "state"),
    [
        ("ABHÖREN", TcpState.LISTEN),
        ("ABH™REN", TcpState.LISTEN),
        ("ABH\x99REN", TcpState.LISTEN),
        ("ABH?REN", TcpState.LISTEN),
        ("ABH\ufffdREN", TcpState.LISTEN),
        ("ABHĂ–REN", TcpState.LISTEN),  # derived: UTF-8 bytes read as cp1250
        ("HERGESTELLT", TcpState.ESTABLISHED),
        ("WARTEND", TcpState.TIME_WAIT),
        ("SCHLIESSEN_WARTEN", TcpState.CLOSE_WAIT),
        ("FIN_WARTEN_1", TcpState.FIN_WAIT_1),
        ("FIN_WARTEN_2", TcpState.FIN_WAIT_2),
        ("SYN_GESENDET", TcpState.SYN_SENT),
        ("SYN_EMPFANGEN", TcpState.SYN_RECEIVED),
        ("SCHLIESSEND", TcpState.CLOSING),
        ("GEBUNDEN", TcpState.BOUND),
    ],
)
def test_header_less_german_rows(label: str, state: TcpState) -> None:
    snap = netparse.parse(f"  TCP    127.0.0.1:1110         127.0.0.1:53588        {label:<15} 2588\n")
    (s,) = snap.sockets
    assert (s.state, s.state_label, s.pid) == (state, label, 2588)
    assert snap.locale == "de" and not snap.issues


def test_unknown_state_label_is_kept_with_a_warning() -> None:
    snap = netparse.parse("  TCP    0.0.0.0:80             0.0.0.0:0              ZUHÖREN         4\n"
                          "  TCP    0.0.0.0:81             0.0.0.0:0              EN ÉCOUTE       5\n")
    assert [(s.state, s.state_label, s.pid) for s in snap.sockets] == [
        (TcpState.UNKNOWN, "ZUHÖREN", 4), (TcpState.UNKNOWN, "EN ÉCOUTE", 5)]
    assert [i.kind for i in snap.issues] == ["warning", "warning"]
    with pytest.raises(netparse.ParseError):
        netparse.parse("  TCP    0.0.0.0:80             0.0.0.0:0              ZUHÖREN         4\n", strict=True)


def test_proto_v6_rows_and_statistics_lines() -> None:
    # constructed: -p TCPv6 / -p UDPv6 style rows, and netstat -s lines that must not be rows
    text = (
        "TCP Statistics for IPv4\n"
        "  TCPv6  [::]:135               [::]:0                 LISTENING       996\n"
        "  UDPv6  [::1]:1900             *:*                                    5000\n"
    )
    snap = netparse.parse(text)
    assert [(s.proto, s.family, s.local_address, s.state) for s in snap.sockets] == [
        ("tcp", "inet6", "::", TcpState.LISTEN), ("udp", "inet6", "::1", TcpState.NONE)]
    # the title is netstat -s's (grammar windows-netstat-s), no longer an unknown line
    assert snap.line_counts["title"] == 1 and "unparsed" not in snap.line_counts


def test_crlf_and_leading_blank_line_from_a_redirected_file() -> None:
    text = "\r\nActive Connections\r\n\r\n  Proto  Local Address          Foreign Address        State           PID\r\n" \
           "  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       916\r\n"
    snap = netparse.parse(text.encode("utf-16"))  # PowerShell 5 '>' writes UTF-16LE with a BOM
    assert snap.encoding == "utf-16-le" and snap.locale == "en"
    assert snap.line_counts == {"blank": 2, "title": 1, "header": 1, "record": 1}


def test_powershell_table() -> None:
    snap = _parse("ps-get-nettcpconnection-owningprocess")
    states = [s.state for s in snap.sockets[:8]]
    assert states[:3] == [TcpState.BOUND] * 3 and states[-1] is TcpState.LISTEN
    est = snap.sockets[3]
    assert (est.local_port, est.remote_port, est.pid, est.extra) == (50382, 50381, 5972, {"AppliedSetting": "Internet"})
    assert snap.sockets[0].remote_port is None and snap.sockets[0].extra is None
    narrow = _parse("ps-get-nettcpconnection-autosized")
    assert [(s.family, s.local_address, s.state) for s in narrow.sockets] == [
        ("inet6", "::1", TcpState.ESTABLISHED), ("inet6", "::", TcpState.LISTEN), ("inet", "0.0.0.0", TcpState.LISTEN)]


@pytest.mark.parametrize(
    ("word", "state"),
    [("Closed", "CLOSED"), ("Listen", "LISTEN"), ("SynSent", "SYN_SENT"), ("SynReceived", "SYN_RECEIVED"),
     ("Established", "ESTABLISHED"), ("FinWait1", "FIN_WAIT_1"), ("FinWait2", "FIN_WAIT_2"),
     ("CloseWait", "CLOSE_WAIT"), ("Closing", "CLOSING"), ("LastAck", "LAST_ACK"), ("TimeWait", "TIME_WAIT"),
     ("DeleteTCB", "DELETE_TCB"), ("Bound", "BOUND")],
)
def test_powershell_state_words(word: str, state: str) -> None:
    # constructed rows in the header-less table layout (Format-Table -HideTableHeaders)
    snap = netparse.parse(f"10.0.0.5       50100     10.0.0.9       443        {word:<11} Internet       4242\n")
    (s,) = snap.sockets
    assert (s.state, s.pid, snap.format) == (state, 4242, "powershell")


@pytest.mark.parametrize("path", WINDOWS, ids=lambda p: p.stem)
def test_streaming_file_reading_gives_the_same_sockets(path: Path) -> None:
    """parse_file (streamed through netparse.io) and parse(bytes) (whole file) agree on every
    socket and state; only a mojibake repair of the label may differ between them."""
    streamed, whole = netparse.parse_file(path), _read(path)
    assert [(s.line, s.proto, s.local_port, s.state, s.pid) for s in streamed.sockets] == [
        (s.line, s.proto, s.local_port, s.state, s.pid) for s in whole.sockets]
    assert streamed.locale == whole.locale and streamed.line_counts == whole.line_counts


def test_b_v_modules_are_kept_and_the_owner_attached() -> None:
    """netstat -b -v (issue 14): the module paths before '-- unknown component(s) --' and the
    executable become ``modules`` (in order) and ``process``; none is reported as unparsed."""
    snap = _parse("en-netstat-anbo-modules-parse-netstat")
    assert not snap.issues
    rpc = _by_port(snap, 135)[0]
    assert rpc.process == "svchost.exe" and rpc.pid == 988
    assert rpc.modules == [
        "c:\\windows\\system32\\WS2_32.dll",
        "C:\\WINDOWS\\system32\\RPCRT4.dll",
        "c:\\windows\\system32\\rpcss.dll",
        "C:\\WINDOWS\\system32\\svchost.exe",
    ]
    assert rpc.info == "-- unknown component(s) --"
    dns = _by_port(snap, 1025)[0]
    assert (dns.proto, dns.process, len(dns.modules or [])) == ("udp", "svchost.exe", 5)
    assert _by_port(snap, 445)[0].modules is None

"""netparse.explain: every label of every platform's table, /proc hex codes, the texts, the
diagram and the scenarios (checked against the transition table)."""

from __future__ import annotations

import pytest

from netparse.explain import (
    DIAGRAM,
    HEX_CODES,
    PROC_PLATFORM,
    SCENARIOS,
    TEXTS,
    TRANSITIONS,
    StateInfo,
    UnknownStateError,
    explain,
    explain_all,
    render_scenario,
    resolve,
)
from netparse.locales import all_labels, state_labels
from netparse.rules import get_rule
from netparse.states import RFC9293_STATES, STATE_ORDER, TcpState

STATE_LABELS = [lab for lab in all_labels() if lab.kind == "state" and lab.label]


def _canonicals(label: str) -> set[TcpState]:
    """Every state any table maps this label to (case-insensitively)."""
    key = label.casefold()
    return {TcpState(lab.canonical) for lab in STATE_LABELS if lab.label.casefold() == key}


@pytest.mark.parametrize("label", STATE_LABELS, ids=lambda lab: f"{lab.language}:{lab.platform}:{lab.label}")
def test_every_table_label_is_explained(label) -> None:
    info = explain(label.label)
    assert info.state in _canonicals(label.label)
    assert resolve(label.label.lower()) == info.state
    assert resolve(f"  {label.label.upper()}  ") == info.state


def test_each_platform_table_agrees_with_state_labels() -> None:
    for platform in {lab.platform for lab in STATE_LABELS}:
        for label, state in state_labels(platform).items():
            if label:
                assert state in _canonicals(label)
                assert label in explain(state).labels[platform]


@pytest.mark.parametrize(
    "text, state",
    [
        ("TIME-WAIT", TcpState.TIME_WAIT),
        ("time_wait", TcpState.TIME_WAIT),
        ("ESTAB", TcpState.ESTABLISHED),
        ("FIN_WAIT1", TcpState.FIN_WAIT_1),
        ("fin-wait-2", TcpState.FIN_WAIT_2),
        ("SYN_RECV", TcpState.SYN_RECEIVED),
        ("LISTENING", TcpState.LISTEN),
        ("UNCONN", TcpState.UNCONNECTED),
        ("0A", TcpState.LISTEN),
        ("0x0a", TcpState.LISTEN),
        ("6", TcpState.TIME_WAIT),
        (TcpState.CLOSING, TcpState.CLOSING),
    ],
)
def test_common_spellings(text, state) -> None:
    assert explain(text).state is state


def test_german_windows_label_when_the_table_has_it() -> None:
    if "ABHÖREN" not in {lab.label for lab in STATE_LABELS}:
        pytest.skip("no German Windows table yet")
    assert explain("ABHÖREN").state is TcpState.LISTEN
    assert explain("abhören").state is TcpState.LISTEN
    assert explain("ABHO\u0308REN").state is TcpState.LISTEN  # decomposed ö


def test_proc_hex_codes_follow_tcp_states_h() -> None:
    # include/net/tcp_states.h: TCP_ESTABLISHED = 1 ... TCP_CLOSING = 11
    order = ["ESTABLISHED", "SYN_SENT", "SYN_RECEIVED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSED",
             "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING"]
    assert [HEX_CODES[f"{i:02X}"].value for i in range(1, 12)] == order
    for code, state in HEX_CODES.items():
        info = explain(code)
        assert info.state is state and info.labels[PROC_PLATFORM] == [code]


@pytest.mark.parametrize("text", ["", "0C", "WAITING", "TIME_WAT", "00"])
def test_unknown_labels_raise_with_suggestions(text) -> None:
    with pytest.raises(UnknownStateError) as info:
        explain(text)
    assert isinstance(info.value, ValueError)
    if text == "TIME_WAT":
        assert "TIME_WAIT" in info.value.suggestions


def test_every_state_has_a_full_explanation() -> None:
    infos = explain_all()
    assert [i.state for i in infos] == list(STATE_ORDER)
    assert set(TEXTS) == set(TcpState)
    for info in infos:
        assert isinstance(info, StateInfo)
        assert info.summary and info.side and info.duration and info.many_mean
        assert info.rfc9293 == (info.state in RFC9293_STATES)
        for code in info.rules:
            assert get_rule(code.split()[0]) is not None


def test_rfc_states_are_entered_and_left_through_the_transition_table() -> None:
    for state in RFC9293_STATES:
        info = explain(state)
        assert info.entered and info.left, state
        assert all(t.target is state for t in info.entered) and all(t.source is state for t in info.left)
    for t in TRANSITIONS:
        assert t.source in RFC9293_STATES and t.target in RFC9293_STATES


def test_durations_name_their_platforms() -> None:
    time_wait = explain("TIME_WAIT")
    assert time_wait.platform_dependent
    for fact in ("2*MSL", "MSL 2 minutes", "60 s", "TCP_TIMEWAIT_LEN", "TcpTimedWaitDelay", "KB314053"):
        assert fact in time_wait.duration
    assert "tcp_fin_timeout" in explain("FIN_WAIT_2").duration
    assert not explain("CLOSE_WAIT").platform_dependent and "No timer" in explain("CLOSE_WAIT").duration


def test_the_diagram_draws_every_rfc_state() -> None:
    for state in RFC9293_STATES:
        assert f"| {state.value} |" in DIAGRAM
    assert max(len(line) for line in DIAGRAM.splitlines()) <= 100


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenarios_only_take_legal_steps(name) -> None:
    """Each peer's successive states must be arrows of the state machine."""
    legal = {(t.source, t.target) for t in TRANSITIONS}
    steps = SCENARIOS[name].steps
    for side in ("left", "right"):
        path = [getattr(step, side) for step in steps]
        for before, after in zip(path, path[1:]):
            assert before == after or (before, after) in legal, f"{name} {side}: {before} -> {after}"
    assert steps[-1].left in (TcpState.ESTABLISHED, TcpState.CLOSED)


def test_scenarios_cover_the_four_walks() -> None:
    assert set(SCENARIOS) == {"open", "active-close", "passive-close", "simultaneous-close"}
    text = render_scenario("passive-close")
    assert "CLOSE_WAIT" in text and "LAST_ACK" in text and "FIN" in text and "-->" in text and "<--" in text
    lines = render_scenario("open").splitlines()
    assert lines[2].startswith("    client") and "server" in lines[2]
    assert any("SYN_SENT" in line and "SYN seq=100" in line and "SYN_RECEIVED" in line for line in lines)


def test_cli_scenario_choices_are_the_scenarios() -> None:
    """The CLI lists the scenario names itself (importing explain at start-up would load pydantic
    for --help): it must offer exactly the scenarios there are."""
    from netparse.cli.analyze import ScenarioName

    assert {choice.value for choice in ScenarioName} == set(SCENARIOS)


# -- kernel counters (issue 17) ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["TcpExtListenOverflows", "listenoverflows",
                                  "    54 times the listen queue of a socket overflowed",
                                  "times the listen queue of a socket overflowed"])
def test_explain_counter_by_any_name_or_label(text: str) -> None:
    from netparse.explain import explain_counter

    info = explain_counter(text)
    assert info is not None and info.name == "TcpExtListenOverflows"
    assert "%llu times the listen queue of a socket overflowed" in info.labels["linux-netstat-s"]
    assert any("snmp_counter.rst" in s for s in info.sources)


@pytest.mark.parametrize("text", ["Segments Retransmitted", "Erneut übertragene Segmente", "tcpRetransSegs",
                                  "RetransSegs", "12 segments retransmitted"])
def test_windows_and_linux_retransmissions_are_one_counter(text: str) -> None:
    from netparse.explain import explain_counter

    info = explain_counter(text)
    assert info is not None and (info.name, info.canonical) == ("TcpRetransSegs", "tcpRetransSegs")
    assert {"Segments Retransmitted", "Erneut übertragene Segmente"} <= set(info.labels["windows-netstat-s"])


def test_explain_counter_unknown_is_none_and_cli_exit_2() -> None:
    from typer.testing import CliRunner

    from netparse.cli.app import app
    from netparse.explain import explain_counter

    assert explain_counter("no such counter") is None
    result = CliRunner().invoke(app, ["explain", "NoSuchCounterAtAll"])
    assert result.exit_code == 2
    ok = CliRunner().invoke(app, ["explain", "Segments Retransmitted"])
    assert ok.exit_code == 0 and ok.output.startswith("TcpRetransSegs (tcpRetransSegs)")


def test_counter_explanation_wraps_between_words_at_the_terminal_width() -> None:
    from netparse.cli.analyze import counter_text
    from netparse.explain import explain_counter

    info = explain_counter("ListenOverflows")
    for width in (80, 120):
        text = counter_text(info, width)
        lines = text.splitlines()
        assert all(len(line) <= width for line in lines), [l for l in lines if len(l) > width]
        assert " ".join(text.split()).count("net.core.somaxconn") == 2  # no name split in two
    piped = counter_text(info, None).splitlines()
    assert piped[1].startswith("Counts      ") and piped[1].endswith(info.counts)  # one line per paragraph


def test_rule_documentation_wraps_between_words_at_the_terminal_width() -> None:
    from netparse.cli.analyze import rule_text
    from netparse.rules import all_rules

    for rule in all_rules():
        piped = rule_text(rule)
        assert rule.doc().splitlines()[0] in piped.splitlines()  # piped: as written
        for width in (80, 120):
            text = rule_text(rule, width)
            assert all(len(line) <= width for line in text.splitlines()), rule.code
            assert text.split() == piped.split()  # the same words, in the same order: only the breaks move

"""Rule settings: defaults < config file (found upward, or explicit) < --set; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from netparse.model import Socket
from netparse.rules import ConfigError, all_rules, analyze, find_config_file, load_config, parse_override
from netparse.states import TcpState


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def close_wait(n: int) -> list[Socket]:
    return [
        Socket(proto="tcp", family="inet", local_address="10.0.0.5", local_port=8080, remote_address="10.0.1.1",
               remote_port=40000 + i, state=TcpState.CLOSE_WAIT, process="java", pid=7, line=i + 1)
        for i in range(n)
    ]


def test_defaults_come_from_the_rules() -> None:
    config = load_config(discover=False)
    for rule in all_rules():
        assert config.settings(rule.code) == rule.Settings()
    assert config.files == []


def test_file_then_set_overrides(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.netparse.rules.close-wait-leak]\nwarning = 20\ncritical = 40\n")
    from_file = load_config(start=tmp_path)
    assert (from_file.settings("NP001").warning, from_file.settings("NP001").critical) == (20, 40)
    assert from_file.files == [tmp_path / "pyproject.toml"]
    overridden = load_config(start=tmp_path, overrides=["NP001.warning=30"])
    assert (overridden.settings("NP001").warning, overridden.settings("NP001").critical) == (30, 40)


def test_found_upward_from_a_subdirectory(tmp_path: Path) -> None:
    write(tmp_path / "netparse.toml", "[rules.NP005]\nwarning = 3\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert load_config(start=deep).settings("NP005").warning == 3


def test_pyproject_without_tool_netparse_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "netparse.toml", "[rules.syn-sent-stuck]\nwarning = 4\n")
    write(tmp_path / "sub" / "pyproject.toml", "[project]\nname = 'x'\n")
    found = find_config_file(tmp_path / "sub")
    assert found is not None and found[0] == tmp_path / "netparse.toml"


def test_netparse_toml_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.netparse.rules.NP005]\nwarning = 7\n")
    write(tmp_path / "netparse.toml", "[rules.NP005]\nwarning = 8\n")
    assert load_config(start=tmp_path).settings("NP005").warning == 8


def test_explicit_file_skips_discovery(tmp_path: Path) -> None:
    write(tmp_path / "netparse.toml", "[rules.NP005]\nwarning = 8\n")
    other = write(tmp_path / "elsewhere" / "strict.toml", "[rules.NP005]\nwarning = 2\n")
    assert load_config(other, start=tmp_path).settings("NP005").warning == 2


def test_explicit_pyproject_needs_the_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"no \[tool.netparse\] table"):
        load_config(path)


def test_disabled_rule_reports_nothing(tmp_path: Path) -> None:
    sockets = close_wait(150)
    assert [f.code for f in analyze(sockets)] == ["NP001"]
    write(tmp_path / "netparse.toml", "[rules.close-wait-leak]\nenabled = false\n")
    assert analyze(sockets, load_config(start=tmp_path)) == []
    assert analyze(sockets, load_config(overrides=["NP001.enabled=false"], discover=False)) == []


def test_a_mapping_works_as_config() -> None:
    findings = analyze(close_wait(5), {"close-wait-leak": {"warning": 5, "critical": 5}})
    assert [(f.code, f.severity.value, f.count) for f in findings] == [("NP001", "critical", 5)]


@pytest.mark.parametrize(
    "toml, message",
    [
        ("[rules.NP999]\nwarning = 1\n", "unknown rule 'NP999'"),
        ("[rules.close-wait-leak]\nwarnig = 1\n", r"unknown setting 'warnig' for rule NP001 \(close-wait-leak\)"),
        ("[rules.NP001]\nwarning = 'many'\n", "NP001.warning"),
        ("[rules.NP001]\nwarning = 500\ncritical = 100\n", "must not be above critical"),
        ("[rules.NP003]\nephemeral_range = '60999-32768'\n", "ephemeral_range"),
        ("[rules.NP015]\nignore_states = ['WAITING']\n", "NP015.ignore_states"),
        ("[NP001]\nwarning = 1\n", r"go under \[rules.NP001\]"),
        ("rules = 3\n", "'rules' must be a table"),
        ("[rules\n", "cannot read config file"),
    ],
)
def test_bad_files_name_the_problem(tmp_path: Path, toml: str, message: str) -> None:
    path = write(tmp_path / "netparse.toml", toml)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(start=tmp_path)
    if "cannot read" not in message:
        assert str(path) in str(info.value)


def test_unknown_rule_error_lists_known_rules(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(overrides=["no-such-rule.warning=1"], discover=False)
    assert "NP001 (close-wait-leak)" in str(info.value) and "--set no-such-rule.warning=1" in str(info.value)


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("NP001.warning=50", ("NP001", "warning", 50)),
        ("close-wait-leak.enabled=false", ("close-wait-leak", "enabled", False)),
        ("NP003.ephemeral_range=1024-65535", ("NP003", "ephemeral_range", "1024-65535")),
        ("NP013.ports=[6379, 8080]", ("NP013", "ports", [6379, 8080])),
        ("NP014.share = 0.8", ("NP014", "share", 0.8)),
    ],
)
def test_parse_override(text: str, expected: tuple) -> None:
    assert parse_override(text) == expected


@pytest.mark.parametrize("text", ["NP001", "NP001=5", "warning=5", ".warning=5", "NP001.=5"])
def test_malformed_override(text: str) -> None:
    with pytest.raises(ConfigError, match="RULE.KEY=VALUE"):
        parse_override(text)


def test_set_applies_in_order_and_validates_types() -> None:
    config = load_config(overrides=["NP005.warning=3", "syn-sent-stuck.warning=4"], discover=False)
    assert config.settings("NP005").warning == 4
    with pytest.raises(ConfigError, match="NP005.warning"):
        load_config(overrides=["NP005.warning=lots"], discover=False)


def test_defaults_read_without_validation_are_the_validated_defaults() -> None:
    """A rule nothing was set for gets ``Settings.model_construct()`` (its schema is not built at
    start-up): for every rule that is exactly what validating no values gives, ``ORDERED`` pairs
    included, and a rule with a value set is validated as before."""
    from netparse.rules.registry import all_rules

    config = load_config(discover=False)
    for rule in all_rules():
        built = config.settings(rule.code)
        validated = rule.Settings.model_validate({})
        assert built == validated and built.model_dump() == validated.model_dump(), rule.code
        assert built.model_fields_set == validated.model_fields_set == set()
        for low, high in rule.Settings.ORDERED:
            assert getattr(built, low) <= getattr(built, high)
    with pytest.raises(ConfigError, match="must not be above"):
        load_config(discover=False, overrides=["NP001.warning=100000", "NP001.critical=1"])

"""The analyzer: rules that read socket records and say what is wrong, worst first.

>>> from netparse import parse
>>> from netparse.rules import analyze
>>> findings = analyze(parse(open("ss-tanp.txt").read()))          # doctest: +SKIP
>>> findings[0].code, findings[0].severity, findings[0].message    # doctest: +SKIP

One rule per module (``np001_close_wait.py`` ...), each with a stable code, a name, a
three-part docstring (``netparse explain NP001`` prints it) and named thresholds. Settings come
from :func:`load_config` (defaults, ``[tool.netparse]`` / ``netparse.toml``, ``--set``).
"""

from __future__ import annotations

from .base import Rule, RuleSettings
from .config import Config, ConfigError, find_config_file, load_config, parse_override
from .engine import all_rules, analyze, get_rule
from .facts import EPHEMERAL_RANGES, Facts
from .finding import Finding, Severity

__all__ = [
    "EPHEMERAL_RANGES",
    "Config",
    "ConfigError",
    "Facts",
    "Finding",
    "Rule",
    "RuleSettings",
    "Severity",
    "all_rules",
    "analyze",
    "find_config_file",
    "get_rule",
    "load_config",
    "parse_override",
]

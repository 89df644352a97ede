"""Rule settings: defaults, then a config file, then ``--set RULE.KEY=VALUE``; later layers win.

The file is the first found walking up from the working directory: ``netparse.toml`` (rule
tables under ``[rules.<rule>]``) or a ``pyproject.toml`` with ``[tool.netparse]`` (rule tables
under ``[tool.netparse.rules.<rule>]``); or the file given explicitly. A rule is named by its
code (``NP001``) or its name (``close-wait-leak``)::

    [tool.netparse.rules.close-wait-leak]
    warning = 50

    [tool.netparse.rules.NP013]
    enabled = false

Unknown rules, unknown keys and bad values raise :class:`ConfigError`, naming them and where
they came from. Keys of ``[tool.netparse]`` other than ``rules`` belong to other parts of
netparse and are left alone here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from pydantic import ValidationError

from .base import RuleSettings
from .registry import all_rules, get_rule
from ..errors import ConfigError

FILE_NAMES = ("netparse.toml", "pyproject.toml")


class Config:
    """Validated settings of every rule, and the files they came from."""

    def __init__(self, settings: dict[str, RuleSettings], files: list[Path] | None = None) -> None:
        self._settings = settings
        self.files = files or []

    @classmethod
    def default(cls) -> "Config":
        return cls({rule.code: rule.Settings() for rule in all_rules()})

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], origin: str = "the configuration") -> "Config":
        """``{"NP001": {"warning": 50}, "exposed-service": {"enabled": False}}`` over the defaults."""
        builder = _Builder()
        builder.apply(mapping, origin)
        return builder.build()

    def settings(self, code: str) -> RuleSettings:
        return self._settings[code]

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {code: s.model_dump() for code, s in self._settings.items()}


class _Builder:
    """Collects raw values layer by layer, validating each layer so errors name their origin."""

    def __init__(self) -> None:
        self.raw: dict[str, dict[str, Any]] = {rule.code: {} for rule in all_rules()}
        self.files: list[Path] = []

    def apply(self, layer: Mapping[str, Any], origin: str) -> None:
        if not isinstance(layer, Mapping):
            raise ConfigError(f"{origin}: rule settings must be a table of tables, got {type(layer).__name__}")
        for rule_key, values in layer.items():
            self.set_values(str(rule_key), values, origin)

    def set_values(self, rule_key: str, values: Any, origin: str) -> None:
        rule = get_rule(rule_key)
        if rule is None:
            known = ", ".join(f"{r.code} ({r.name})" for r in all_rules())
            raise ConfigError(f"unknown rule {rule_key!r} in {origin}; known rules: {known}")
        if not isinstance(values, Mapping):
            raise ConfigError(f"{origin}: settings of {rule.code} ({rule.name}) must be a table, got {values!r}")
        fields = rule.Settings.model_fields
        for key in values:
            if key not in fields:
                known = ", ".join(fields)
                raise ConfigError(
                    f"unknown setting {key!r} for rule {rule.code} ({rule.name}) in {origin}; known settings: {known}"
                )
        for key, value in values.items():
            _check_value(rule, key, value, fields[key].annotation, origin)
        merged = {**self.raw[rule.code], **values}
        try:
            rule.Settings.model_validate(merged)
        except ValidationError as exc:
            problems = "; ".join(
                f"{rule.code}.{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()
            )
            raise ConfigError(f"invalid value in {origin}: {problems}") from None
        self.raw[rule.code] = merged

    def build(self) -> Config:
        # a rule nothing was set for has its defaults, which its model holds valid (a test checks
        # each rule's construct() equals its validated defaults): no schema built for it
        settings = {}
        for rule in all_rules():
            raw = self.raw[rule.code]
            settings[rule.code] = rule.Settings.model_validate(raw) if raw else rule.Settings.model_construct()
        return Config(settings, list(self.files))


#: how deeply a setting's value may nest lists/tables (settings are numbers, strings, short lists)
MAX_DEPTH = 8


def _depth(value: Any, limit: int = MAX_DEPTH + 1) -> int:
    """Nesting depth of lists/tables in ``value``, counted iteratively up to ``limit``."""
    depth, level = 0, [value]
    while level and depth < limit:
        nxt = []
        for item in level:
            if isinstance(item, Mapping):
                nxt.extend(item.values())
            elif isinstance(item, (list, tuple)):
                nxt.extend(item)
        if not nxt:
            break
        depth += 1
        level = nxt
    return depth


def _accepts_bool(annotation: Any) -> bool:
    if annotation is bool:
        return True
    return any(_accepts_bool(a) for a in getattr(annotation, "__args__", ()) or ())


def _check_value(rule: Any, key: str, value: Any, annotation: Any, origin: str) -> None:
    """What pydantic's lax mode would take but a person did not mean: a boolean for a number
    (``true`` read as 1), values nested deeper than any setting is."""
    where = f"{rule.code}.{key} in {origin}"
    if isinstance(value, bool) and not _accepts_bool(annotation):
        raise ConfigError(f"invalid value for {where}: expected a number, got {str(value).lower()}")
    if _depth(value) > MAX_DEPTH:
        raise ConfigError(f"invalid value for {where}: nested more than {MAX_DEPTH} levels deep")


def parse_override(text: str) -> tuple[str, str, Any]:
    """``"NP001.warning=50"`` -> ("NP001", "warning", 50). The value is read as a TOML value
    (numbers, true/false, ["lists"]); anything TOML cannot read stays a string."""
    target, sep, raw = text.partition("=")
    rule_key, dot, key = target.strip().partition(".")
    if not sep or not dot or not rule_key or not key.strip():
        raise ConfigError(f"--set expects RULE.KEY=VALUE (e.g. NP001.warning=50), got {text!r}")
    raw = raw.strip()
    import tomllib  # only when a --set or a config file is read

    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    except RecursionError:  # tomllib recurses once per nesting level
        raise ConfigError(f"--set {text[:60]!r}...: value nested too deeply") from None
    return rule_key, key.strip(), value


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    except RecursionError:  # tomllib recurses once per nesting level
        raise ConfigError(f"cannot read config file {path}: values nested too deeply") from None


def _section(path: Path, doc: dict[str, Any], explicit: bool) -> dict[str, Any] | None:
    """The netparse part of a TOML document: [tool.netparse] if present, else (netparse.toml or
    an explicit non-pyproject file) the whole document."""
    tool = doc.get("tool")
    if isinstance(tool, dict) and "netparse" in tool:
        section = tool["netparse"]
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: [tool.netparse] must be a table")
        return section
    if path.name == "pyproject.toml":
        if explicit:
            raise ConfigError(f"{path} has no [tool.netparse] table")
        return None
    return doc


def find_config_file(start: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The first ``netparse.toml``, or ``pyproject.toml`` with ``[tool.netparse]``, from ``start``
    (default: the working directory) up to the filesystem root."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in FILE_NAMES:
            path = folder / name
            if path.is_file():
                section = _section(path, _read_toml(path), explicit=False)
                if section is not None:
                    return path, section
    return None


def _rule_tables(path: Path, section: dict[str, Any]) -> Mapping[str, Any]:
    rules = section.get("rules", {})
    misplaced = [key for key in section if key != "rules" and get_rule(str(key)) is not None]
    if misplaced:
        where = "[tool.netparse.rules" if path.name == "pyproject.toml" else "[rules"
        raise ConfigError(f"{path}: rule settings go under {where}.{misplaced[0]}], not at the top level")
    if not isinstance(rules, dict):
        raise ConfigError(f"{path}: 'rules' must be a table of rule tables")
    return rules


def load_section(path: str | Path | None = None, start: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """(file, its netparse part) of ``path``, or of the file found upward from ``start`` (None when
    there is none): for the tables other parts of netparse read from the same file, ``[metrics]``."""
    if path is not None:
        p = Path(path)
        return p, _section(p, _read_toml(p), explicit=True) or {}
    return find_config_file(start)


def load_config(
    path: str | Path | None = None,
    overrides: Iterable[str] = (),
    start: Path | None = None,
    discover: bool = True,
) -> Config:
    """Defaults, then ``path`` (or, with ``discover``, the file found upward from ``start``),
    then ``overrides`` (``"RULE.KEY=VALUE"`` strings, applied in order)."""
    builder = _Builder()
    found: tuple[Path, dict[str, Any]] | None = None
    if path is not None:
        p = Path(path)
        section = _section(p, _read_toml(p), explicit=True)
        found = (p, section or {})
    elif discover:
        found = find_config_file(start)
    if found is not None:
        file_path, section = found
        builder.apply(_rule_tables(file_path, section), str(file_path))
        builder.files.append(file_path)
    for text in overrides:
        rule_key, key, value = parse_override(text)
        builder.set_values(rule_key, {key: value}, f"--set {text}")
    return builder.build()

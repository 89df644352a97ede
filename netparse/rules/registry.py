"""The rules: one module each, ``npNNN_*.py`` in this package, each defining exactly one
:class:`~netparse.rules.base.Rule`. Config and engine both look rules up here."""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import lru_cache

from .base import Rule

_RULE_MODULE = re.compile(r"^np\d{3}_\w+$")


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    """Every rule, by code. Each ``npNNN_*`` module must define exactly one :class:`Rule`."""
    rules: list[Rule] = []
    for info in pkgutil.iter_modules(_package_path()):
        if not _RULE_MODULE.match(info.name):
            continue
        module = importlib.import_module(f"{__package__}.{info.name}")
        found = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Rule) and obj.__module__ == module.__name__
        ]
        if len(found) != 1:
            raise RuntimeError(f"{module.__name__} must define exactly one Rule, found {len(found)}")
        rules.append(found[0]())
    rules.sort(key=lambda r: r.code)
    for attr in ("code", "name"):
        values = [getattr(r, attr) for r in rules]
        duplicates = {v for v in values if values.count(v) > 1}
        if duplicates:
            raise RuntimeError(f"duplicate rule {attr}: {', '.join(sorted(duplicates))}")
    return tuple(rules)


def _package_path() -> list[str]:
    return [str(p) for p in importlib.import_module(__package__).__path__]


def get_rule(code_or_name: str) -> Rule | None:
    """The rule with this code (``NP001``, any case) or name (``close-wait-leak``), or None."""
    key = code_or_name.strip().lower()
    for rule in all_rules():
        if key in (rule.code.lower(), rule.name):
            return rule
    return None

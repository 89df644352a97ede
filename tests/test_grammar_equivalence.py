"""The compiled regex of each row grammar reads exactly what pyparsing reads, on every sample row.

This is what keeps the regex/pyparsing split honest: the grammar is the single definition, the
regex only its fast form.
"""

from __future__ import annotations

import pytest

from conftest import sample_files, sample_id
from netparse.inputs.decode import decode
from netparse.grammars import GRAMMARS
from netparse.grammars.base import compile_row, pyparse_row
from netparse.parser import split_lines

ROWS = [(g.name, row) for g in GRAMMARS.values() for rows in g.sections.values() for row in rows]


@pytest.mark.parametrize("path", sample_files(), ids=sample_id)
def test_regex_and_pyparsing_agree(path) -> None:
    text, _ = decode(path.read_bytes())
    checked = 0
    for line in split_lines(text):
        for _, row in ROWS:
            m = row.pattern.match(line)
            if m is None:
                continue
            fast = {k: v for k, v in m.groupdict().items() if v is not None}
            slow = pyparse_row(row.grammar, line)
            assert fast == slow, f"{row.name}: {line!r}"
            checked += 1
    if "ss-s" not in path.name:
        assert checked > 0


def test_compile_rejects_duplicate_names() -> None:
    import pyparsing as pp

    from netparse.grammars.base import R, SP

    with pytest.raises(ValueError):
        compile_row(R(r"\d+", "a") + SP + R(r"\d+", "a"))


def test_compiled_pattern_is_anchored() -> None:
    from netparse.grammars.base import R

    pattern = compile_row(R(r"\d+", "n"))
    assert pattern.match("12") and not pattern.match("12 x")

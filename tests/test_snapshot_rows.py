"""Models on access: ``parse``/``parse_file`` return a ``Snapshot`` that keeps the parser's rows
and builds its ``Socket`` list when ``sockets`` is first read. Everything a caller can observe
(the list, dumps, JSON Schema, equality, copies, pickling, repr) is what the snapshot built from
validated models (``parser.parse_lines(validated=True)``, the reference) gives."""

from __future__ import annotations

import copy
import json
import pickle
import sys
import tracemalloc
from pathlib import Path

import pytest
from pydantic import BaseModel, create_model

import netparse
from netparse.model import Snapshot, Socket
from netparse.parser import parse_lines, split_lines

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import GENERATORS  # noqa: E402

TEXTS = {
    "netstat": GENERATORS["netstat-antp"](300),
    "ss": GENERATORS["ss-tuanp"](300),
    "windows": GENERATORS["windows-ano"](300),
    "ss-sample": (ROOT / "samples" / "linux" / "ss-tanpieO.txt").read_text(),
    "mixed": (ROOT / "samples" / "linux" / "ss-tuanp.txt").read_text() + "garbage here\n"
    + GENERATORS["netstat-antp"](20),
}


def _pair(text: str) -> tuple[Snapshot, Snapshot]:
    return netparse.parse(text), parse_lines(split_lines(text), validated=True)


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_lazy_snapshot_is_the_reference_snapshot(name):
    lazy, ref = _pair(TEXTS[name])
    assert not lazy.built and ref.built
    assert lazy.model_fields_set == ref.model_fields_set
    assert lazy.total_lines == ref.total_lines and lazy.issues == ref.issues  # no build needed
    assert not lazy.built
    assert lazy.model_dump_json() == ref.model_dump_json()
    assert lazy.built
    for mine, theirs in zip(lazy.sockets, ref.sockets, strict=True):
        assert type(mine) is Socket and mine == theirs
        assert mine.model_fields_set == theirs.model_fields_set
    assert lazy == ref


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_every_way_of_reading_builds_the_same(name):
    text = TEXTS[name]
    ref = parse_lines(split_lines(text), validated=True)
    assert netparse.parse(text) == ref and ref == netparse.parse(text)
    assert netparse.parse(text).model_dump() == ref.model_dump()
    assert netparse.parse(text).model_dump(exclude_unset=True) == ref.model_dump(exclude_unset=True)
    assert netparse.parse(text).model_dump(exclude={"sockets"}) == ref.model_dump(exclude={"sockets"})
    assert netparse.parse(text).model_dump_json(indent=2, exclude_none=True) == ref.model_dump_json(
        indent=2, exclude_none=True
    )
    assert repr(netparse.parse(text)) == repr(ref)
    assert list(dict(netparse.parse(text))) == list(dict(ref))
    assert dict(netparse.parse(text)) == dict(ref)
    assert netparse.parse(text).sockets == ref.sockets
    assert len(netparse.parse(text).sockets) == len(ref.sockets)


def test_inside_another_model_and_through_json():
    text = TEXTS["ss"]

    class Batch(BaseModel):
        snapshots: list[Snapshot]

    lazy, ref = _pair(text)
    assert Batch(snapshots=[lazy]).model_dump_json() == Batch(snapshots=[ref]).model_dump_json()
    again = Snapshot.model_validate_json(netparse.parse(text).model_dump_json())
    assert again == ref and again.built


def test_copies_and_pickles():
    text = TEXTS["netstat"]
    ref = parse_lines(split_lines(text), validated=True)
    shallow = copy.copy(netparse.parse(text))
    assert shallow == ref and shallow.built
    deep = copy.deepcopy(netparse.parse(text))
    assert deep == ref
    copied = netparse.parse(text).model_copy(update={"host": "web-1"})
    assert copied.host == "web-1" and copied.sockets == ref.sockets and "host" in copied.model_fields_set
    emptied = netparse.parse(text).model_copy(update={"sockets": []})
    assert emptied.sockets == []
    assert netparse.parse(text).model_copy(deep=True, update={"host": "x"}).sockets == ref.sockets

    lazy = netparse.parse(text)
    back = pickle.loads(pickle.dumps(lazy))
    assert not back.built  # the rows travel (worker processes): smaller than the models
    assert back == ref and back.model_fields_set == ref.model_fields_set
    assert len(pickle.dumps(netparse.parse(text))) < len(pickle.dumps(ref))
    built = netparse.parse(text)
    built.sockets  # noqa: B018 - read to build
    assert pickle.loads(pickle.dumps(built)) == ref


def test_assigning_and_mutating_sockets():
    text = TEXTS["windows"]
    ref = parse_lines(split_lines(text), validated=True)
    snap = netparse.parse(text)
    snap.sockets = ref.sockets[:3]
    assert snap.sockets == ref.sockets[:3] and snap.built
    assert list(snap.model_dump()) == list(ref.model_dump())  # field order kept
    snap = netparse.parse(text)
    first = snap.sockets[0]
    snap.sockets.append(first)
    assert snap.sockets[-1] is first and snap.sockets[0] is first  # built once, then a plain list
    assert len(snap.sockets) == len(ref.sockets) + 1


def test_iter_rows_reads_without_models():
    text = TEXTS["mixed"]
    lazy, ref = _pair(text)
    rows = list(lazy.iter_rows())
    assert not lazy.built
    assert len(rows) == len(ref.sockets)
    for row, sock in zip(rows, ref.sockets, strict=True):
        assert {k: v for k, v in row.items() if v is not None} == {
            k: v for k, v in sock.__dict__.items() if v is not None
        }
        assert Socket.model_validate(row) == sock
    assert [dict(r) for r in lazy.iter_rows()] == [dict(r) for r in rows]
    lazy.sockets  # noqa: B018 - read to build
    after = list(lazy.iter_rows())  # the same fields from the built models
    assert [{k: v for k, v in r.items() if v is not None} for r in rows] == after
    assert list(Snapshot(format="x").iter_rows()) == []


def test_parse_file_and_bytes_are_lazy_too(tmp_path):
    text = TEXTS["ss"]
    path = tmp_path / "ss.txt"
    path.write_text(text)
    ref = parse_lines(split_lines(text), source=str(path), validated=True)
    from_file = netparse.parse_file(path)
    assert not from_file.built
    assert from_file.model_dump(exclude={"encoding"}) == ref.model_dump(exclude={"encoding"})
    from_bytes = netparse.parse(text.encode())
    assert not from_bytes.built and from_bytes.encoding == "utf-8"
    assert from_bytes.sockets == ref.sockets


def test_strict_still_raises_at_the_first_bad_line():
    with pytest.raises(netparse.ParseError) as info:
        netparse.parse(GENERATORS["ss-tuanp"](5) + "garbage here\n", strict=True)
    assert info.value.line == 7


def test_json_schema_is_the_fields_schema():
    """The serialiser that builds the models changes no schema: the same as a plain model with
    the same fields, in both modes."""
    plain = create_model(
        "Snapshot", __doc__=Snapshot.__doc__, **{n: (f.annotation, f) for n, f in Snapshot.model_fields.items()}
    )
    for mode in ("validation", "serialization"):
        mine = json.dumps(Snapshot.model_json_schema(mode=mode), sort_keys=True)
        assert mine == json.dumps(plain.model_json_schema(mode=mode), sort_keys=True)
        assert '"sockets"' in mine


def test_rows_hold_less_memory_than_the_models():
    text = GENERATORS["netstat-antp"](5_000)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        lazy = netparse.parse(text)
        rows = tracemalloc.get_traced_memory()[0] - before
        lazy.sockets  # noqa: B018 - read to build
        models = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert rows < models / 2, (rows, models)

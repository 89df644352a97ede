"""Reading many inputs on all cores: ``netparse parse --jobs N`` and ``netparse timeline --jobs N``.

:func:`run_ordered` runs a function over the inputs in a :class:`~concurrent.futures.ProcessPoolExecutor`
and yields the results **in input order** (deterministic output whatever finishes first), at most
``2 * jobs`` inputs in flight. A worker never raises: a file that fails comes back as a
:class:`Failure` (the message the in-process path would print, and its exit code), so the caller
reports it on stderr, skips it and goes on.

Records do not cross the process boundary as pickled models: :func:`parse_file_job` writes each
record as a line of JSON (exactly what ``--output jsonl`` prints) into a temporary file and returns
the file's name with the small per-file accounting (issue counts, formats, whether a listing was
found). The parent streams those files in order, so memory stays flat however many records.
``--jobs 1`` (or one input, or ``-``) keeps the in-process path of :class:`netparse.cli.input_run.InputRun`.
"""

from __future__ import annotations

import os
import tempfile
import zlib
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, TypeVar

from ..errors import ParseError, UnknownFormatError
from ..filters import socket_filter
from ..logs.reader import LogReader
from ..logs.timeline import Timeline, build, keep_top, ordered
from ..output.records import record_json
from ..parser import found_listing

T = TypeVar("T")

#: issues a worker sends back per file (the parent keeps at most InputRun.MAX_KEPT_ISSUES overall)
MAX_ISSUES = 10000


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def use_pool(jobs: int, files: list[str]) -> bool:
    """Worker processes only pay off (and only work) for several named files."""
    return jobs > 1 and len(files) > 1 and "-" not in files


@dataclass
class Failure:
    """A file that could not be read: ``message`` as the in-process path prints it, ``code`` the
    exit status that goes with it (1 input problem, 2 usage, e.g. an unknown ``--format``)."""

    name: str
    message: str
    code: int = 1


def describe(exc: BaseException, name: str) -> Failure:
    """The one-line message (and exit code) netparse gives for a problem reading ``name``."""
    if isinstance(exc, UnknownFormatError):
        return Failure(name, str(exc), 2)
    if isinstance(exc, ParseError):
        return Failure(name, f"{name}: {exc}")
    if isinstance(exc, OSError):
        return Failure(name, f"cannot read {name}: {exc.strerror or exc}")

    if isinstance(exc, (EOFError, zlib.error)):  # a truncated or corrupt compressed file
        return Failure(name, f"cannot read {name}: {exc}")
    return Failure(name, f"cannot read {name}: {type(exc).__name__}: {exc}")


def _guarded(fn: Callable[..., T], name: str, args: tuple) -> "T | Failure":
    try:
        return fn(name, *args)
    except Exception as exc:  # noqa: BLE001 - a worker reports, never raises
        return describe(exc, name)


def run_ordered(
    fn: Callable[..., T], names: Iterable[str], jobs: int, *args: Any
) -> Iterator[tuple[str, "T | Failure"]]:
    """``(name, fn(name, *args) or Failure)`` for every name, in the order given, computed in up
    to ``jobs`` worker processes. ``fn`` must be a module-level function (it is pickled by name)."""
    names = list(names)
    if not names:
        return
    workers = max(1, min(jobs, len(names)))
    window = 2 * workers
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: list[tuple[str, Future]] = []
        it = iter(names)

        def fill() -> None:
            while len(pending) < window:
                name = next(it, None)
                if name is None:
                    return
                pending.append((name, pool.submit(_guarded, fn, name, args)))

        fill()
        while pending:
            name, future = pending.pop(0)
            try:
                result = future.result()
            except BrokenProcessPool as exc:  # a worker died (killed, out of memory)
                result = Failure(name, f"cannot read {name}: worker process died ({exc})")
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                result = describe(exc, name)
            yield name, result
            fill()


# ---------------------------------------------------------------------------- netparse parse


@dataclass
class FileResult:
    """What a worker found in one file: the records are lines of JSON in ``path``."""

    name: str  # the input's display name (TextSource.name)
    path: str
    records: int = 0
    issues: list[dict] = field(default_factory=list)
    issue_counts: dict[str, int] = field(default_factory=lambda: {"unparsed": 0, "warning": 0})
    found: bool = False
    formats: list[str] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)
    encoding: str | None = None
    #: the file failed after these records (corrupt data, a --strict stop): report it after them
    failure: Failure | None = None

    def lines(self, delete: bool = True) -> Iterator[str]:
        """The records as JSON texts (no newline), then the temporary file is removed."""
        try:
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    yield line[:-1]
        finally:
            if delete:
                try:
                    os.unlink(self.path)
                except OSError:
                    pass


def parse_file_job(
    name: str,
    tmpdir: str,
    format: str,
    strict: bool,
    encoding: str | None,
    filters: tuple[list[str], list[int], list[str], list[int]],
    source: bool,
    give_up_after: int | None = None,
    explain_all: bool = False,
) -> FileResult:
    """Worker: parse one file as ``netparse parse`` does, writing each kept record as
    :func:`netparse.output.records.record_json` (with ``source`` when ``source``, and the log's
    ``snapshot``/``timestamp``/``host``) to a temporary file in ``tmpdir``. A file that fails
    part-way keeps the records read before (``failure`` says why), as in one process."""
    keep = socket_filter(*filters)
    fd, path = tempfile.mkstemp(prefix="part-", suffix=".jsonl", dir=tmpdir)
    result = FileResult(name=name, path=path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            reader = LogReader(name, format=format, strict=strict, encoding=encoding)
            result.name = reader.name
            result.tried = [g.name for g in reader.parser.grammars]
            reader.parser.give_up_after = give_up_after
            if explain_all:
                reader.parser.explain = None
            write = out.write

            def on_issue(block, issue) -> None:
                result.issue_counts[issue.kind] += 1
                if len(result.issues) < MAX_ISSUES:
                    result.issues.append(issue.model_dump())

            try:
                for block, item in reader.records(on_issue):
                    result.records += 1
                    if not keep(item):
                        continue
                    keys = block.meta() if reader.marked else {}
                    write(record_json(item, source=reader.name if source else None, **keys))
                    write("\n")
            except Exception as exc:  # noqa: BLE001 - reported by the parent, after the records read so far
                result.failure = describe(exc, reader.name)
            result.encoding = reader.current_encoding
            result.found = found_listing(reader.parser.line_counts())
            result.formats = sorted(reader.parser.records_by_format)
    except BaseException:
        os.unlink(path)
        raise
    return result


# ---------------------------------------------------------------------------- netparse timeline


def timeline_job(name: str, format: str, by: str | None, host: str | None):
    """Worker: the timeline of one file, every port/process kept (``--top`` is applied once all
    files are merged, so the result is the one the in-process path gives)."""
    failures: list[Failure] = []
    part = build([name], format=format, by=by, top=1 << 62, host=host,
                 on_failure=lambda failed, exc: failures.append(describe(exc, failed)))
    part.failure = failures[0] if failures else None  # reported after its rows, as in one process
    # build() put the rows in host/time order; back to reading order (snapshot index, stable),
    # so the merged timeline is ordered once, over all files, exactly as in one process
    part.rows.sort(key=lambda r: r.snapshot)
    return part


def build_timeline(names: list[str], jobs: int, format: str, by: str | None, top: int, host: str | None,
                   on_failure: Callable[[Failure], None]):
    """:func:`netparse.timeline.build` over many files in worker processes: same rows, same
    order. A file that fails is passed to ``on_failure``; the rows read before its error stay,
    as in one process."""
    timeline = Timeline(by=by)
    for name, part in run_ordered(timeline_job, names, jobs, format, by, host):
        if isinstance(part, Failure):
            on_failure(part)
            continue
        timeline.inputs.extend(part.inputs)
        timeline.empty.extend(part.empty)
        timeline.rows.extend(part.rows)
        if part.failure is not None:
            on_failure(part.failure)
    if by is not None:
        keep_top(timeline, top)
    timeline.rows = ordered(timeline.rows)
    return timeline

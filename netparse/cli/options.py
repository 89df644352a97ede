"""What the command modules share: exit codes, the one way to print a problem, the options
several commands take, and turning netparse's typed errors into a message and an exit code
(reading problems: :mod:`netparse.cli.input_run`, without typer, re-exported here; a bad
filter value: typer's usage error). Kept light: it is imported for ``--help`` too."""

from __future__ import annotations

import re
from enum import Enum
from typing import Optional

import typer

from ..errors import FilterError
from .exits import EXIT_CONFIG, EXIT_FINDINGS, EXIT_INPUT, EXIT_SOFTWARE, EXIT_USAGE, err  # noqa: F401 (shared here)
from .input_run import expand_or_exit, input_errors, with_byte_order  # noqa: F401 (shared here, without typer)


def plain_errors() -> None:
    """Usage errors in our words, not the validator's: typer (0.2x) words a bad value with
    pydantic's messages ("Value error, 'yaml' is not one of ...", "Input should be a valid
    integer, unable to parse string as an integer"). Wraps typer's message function so the
    text names the value and what it should be. Harmless if typer's layout changes (then
    typer's own words stay)."""
    try:
        from typer import _coercion, _display, _param_types
    except ImportError:  # pragma: no cover - another typer
        return
    original = getattr(_display, "get_error_msg", None)
    if original is None or getattr(original, "netparse", False):
        return

    def get_error_msg(exc) -> str:
        try:
            first = exc.errors()[0]
        except Exception:  # noqa: BLE001 - not a validation error: typer's words
            return original(exc)
        kind, value = first.get("type", ""), first.get("input")
        if kind in ("int_parsing", "int_from_float", "int_type"):
            text = f"{value!r} is not a whole number"
        elif kind in ("float_parsing", "float_type"):
            text = f"{value!r} is not a number"
        else:
            text = str(first.get("msg", "")).removeprefix("Value error, ")
        return _display._escape_control_characters(text) if hasattr(_display, "_escape_control_characters") else text

    get_error_msg.netparse = True  # type: ignore[attr-defined]
    for module in (_display, _coercion, _param_types):
        if getattr(module, "get_error_msg", None) is original:
            module.get_error_msg = get_error_msg
    # an argument with a metavar ([FILE]...) says what it takes; typer adds '<list[str]>' after it
    from typer.core import TyperArgument

    shown_type = getattr(TyperArgument, "display_type_rich", None)
    if shown_type is not None and not getattr(shown_type, "netparse", False):
        def display_type_rich(self, ctx):
            return None if self.metavar else shown_type(self, ctx)

        display_type_rich.netparse = True  # type: ignore[attr-defined]
        TyperArgument.display_type_rich = display_type_rich


#: a whole number as pydantic reads it from text, in the plain spelling (anything else: pydantic)
_PLAIN_INT = frozenset("0123456789")
#: a number with a fraction in the plain spelling (1, 0.5, 10.25; not 1e3, inf, .5, 1_0)
_PLAIN_FLOAT = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?")


def cheap_coercion() -> None:
    """Option values without a pydantic ``TypeAdapter`` per option.

    typer (0.2x) turns every option's text into its value through a pydantic ``TypeAdapter``
    built when the option is first processed: building them (and importing what they need)
    was ~105 ms of every ``netstat -an | netparse`` (issue 16), for values that are a flag, a
    word or a number. This gives typer a coercion of its own kind (``RuntimeParam``) for bool,
    str, int, float, enums and lists of them (numbers with a ``min``/``max`` too, not clamped),
    returning what the adapter returns for the values it takes (a bool or a str as is, plain
    digits as their int or float within ``min``/``max``, an enum choice by typer's own
    ``coerce_cli_choice``); any other value, and every other annotation, goes to typer's
    adapter, built then, so its result and its error message are typer's.
    Harmless with a typer without this layout (then nothing changes), also when the names are
    there but the parameters look otherwise (an attribute missing, other dataclass fields)."""
    try:
        from typer import _coercion, _param_types
        from typer.core import _TyperParameter
    except ImportError:  # pragma: no cover - another typer
        return
    getter = getattr(_TyperParameter, "get_runtime_param", None)
    base = getattr(_coercion, "RuntimeParam", None)
    build = getattr(_coercion, "build_runtime_param", None)
    choose = getattr(_param_types, "coerce_cli_choice", None)
    if getter is None or base is None or build is None or choose is None or getattr(getter, "netparse", False):
        return
    from typing import get_args, get_origin

    leaves = (bool, str, int, float)

    def leaf_of(annotation):
        if annotation in leaves or (isinstance(annotation, type) and issubclass(annotation, Enum)):
            return annotation
        return None

    def cheap(descriptor):
        info = descriptor.parameter_info
        if descriptor.file_annotation is not None or info.parser is not None or getattr(info, "click_type", None) is not None:
            return None
        annotation = descriptor.annotation
        many = get_origin(annotation) is list
        leaf = leaf_of(get_args(annotation)[0] if many and len(get_args(annotation)) == 1 else annotation)
        if leaf is None or (leaf is str and routes_to_path(annotation, info)):
            return None
        if (info.min is not None or info.max is not None) and (leaf not in (int, float) or info.clamp):
            return None
        return leaf, many

    def routes_to_path(annotation, info) -> bool:
        test = getattr(_param_types, "routes_to_path", None)
        return True if test is None else bool(test(annotation, info))

    miss = object()  # a value left to typer's adapter

    def one(leaf, value, param, ctx):
        if leaf is bool:
            if value.__class__ is bool:
                return value
        elif leaf is str:
            if value.__class__ is str:
                return value
        elif leaf is int or leaf is float:
            number = value if value.__class__ is leaf else None
            if value.__class__ is str:
                if leaf is int and value and len(value) <= 18 and _PLAIN_INT.issuperset(value):
                    number = int(value)
                elif leaf is float and _PLAIN_FLOAT.fullmatch(value):
                    number = float(value)
            info = param.type_descriptor.parameter_info
            if number is not None and (info.min is None or number >= info.min) and (info.max is None or number <= info.max):
                return number
        else:  # an enum: typer's own choice coercion (the adapter calls exactly this)
            try:
                return choose(value, choices=tuple(leaf), case_sensitive=param.type_descriptor.case_sensitive, ctx=ctx)
            except ValueError:
                pass
        return miss

    from dataclasses import dataclass

    @dataclass(frozen=True)
    class CheapRuntimeParam(base):  # type: ignore[misc, valid-type]
        descriptor: object = None
        leaf: object = None
        many: bool = False

        def _coerce_value(self, value, param, ctx):
            items = (value if isinstance(value, (list, tuple)) else [value]) if self.many else [value]
            try:
                got = [one(self.leaf, item, param, ctx) for item in items]
            except AttributeError:  # a typer whose parameters look otherwise: its own adapter
                got = [miss]
            if miss in got:
                return build(self.descriptor)._coerce_value(value, param=param, ctx=ctx)
            return got if self.many else got[0]

    def get_runtime_param(self):
        try:
            if self._runtime_param is None:
                shape = cheap(self.type_descriptor)
                if shape is None:
                    return getter(self)
                self._runtime_param = CheapRuntimeParam(
                    parameter_info=self.type_descriptor.parameter_info, annotation=self.type_descriptor.annotation,
                    descriptor=self.type_descriptor, leaf=shape[0], many=shape[1])
            return self._runtime_param
        except (AttributeError, TypeError):  # a typer whose parameters look otherwise: left as typer has it
            return getter(self)

    get_runtime_param.netparse = True  # type: ignore[attr-defined]
    _TyperParameter.get_runtime_param = get_runtime_param


def ports_or_exit(ports: list[str]) -> list[int]:
    """``--port`` values as numbers (:func:`netparse.filters.port_numbers`); anything else is a
    usage error naming the value."""
    from ..filters import port_numbers

    try:
        return port_numbers(ports)
    except FilterError as exc:
        raise typer.BadParameter(str(exc), param_hint="--port") from None


def filter_or_exit(state: list[str], port: list, proto: list[str], pid: list[int]):
    """:func:`netparse.filters.socket_filter`, a bad ``--state`` as a usage error (``port``:
    numbers or service names, see :func:`ports_or_exit`)."""
    from ..filters import socket_filter

    try:
        return socket_filter(state, ports_or_exit(port), proto, pid)
    except FilterError as exc:
        raise typer.BadParameter(str(exc), param_hint="--state") from None


class Output(str, Enum):
    """Record outputs of ``parse`` (``live`` takes all but parquet)."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


class ByteOrder(str, Enum):
    little = "little"
    big = "big"


def check_encoding(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    from ..inputs.decode import text_codec

    try:
        text_codec(value)  # a text codec that can decode any bytes (not rot13, base64, punycode)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


FilesArg = typer.Argument(None, help="Files to read ('-' or nothing: standard input).", show_default=False,
                          metavar="[FILE]...")
FormatOpt = typer.Option("auto", "--format", "-f", help="Input format (see 'netparse formats'); auto detects.",
                         metavar="FORMAT")
ShowIssuesOpt = typer.Option(False, "--show-issues", help="List every line that was not understood, on stderr.")
StrictOpt = typer.Option(False, "--strict", help="Stop with exit code 1 at the first line that cannot be read.")
StateOpt = typer.Option([], "--state", help="Keep sockets in this state (any label: time-wait, ESTAB, LISTENING...).",
                        metavar="STATE")
PortOpt = typer.Option([], "--port", help="Keep sockets with this local or remote port (a number or a service name: "
                       "http, ssh).", metavar="PORT")
ProtoOpt = typer.Option([], "--proto", help="Keep this protocol (tcp, udp, raw, unix...).", metavar="PROTO")
PidOpt = typer.Option([], "--pid", help="Keep sockets owned by this process id.", metavar="PID")
CsvRawOpt = typer.Option(
    False, "--csv-raw",
    help="With -o csv: write cells exactly as read. By default a cell starting with = + - @ (or tab, CR) gets a "
    "leading ' so a spreadsheet shows it instead of running it as a formula (OWASP CSV injection advice).",
)
ByteOrderOpt = typer.Option(
    ByteOrder.little,
    "--byte-order",
    help="Byte order of the host that wrote /proc/net files (their addresses are in host order).",
)
EncodingOpt = typer.Option(
    None,
    "--encoding",
    help="Decode input with this codec (cp850, utf-16 ...) instead of detecting it.",
    callback=check_encoding,
    metavar="CODEC",
)
JobsOpt = typer.Option(
    None, "--jobs", "-j", min=1, show_default=False, metavar="N",
    help="Worker processes for several files (default: all cores; 1: in this process). Output order is "
    "the input order. With more than one job a file that cannot be read is reported on stderr and "
    "skipped, the others are still read, and the exit code is 1 at the end.",
)

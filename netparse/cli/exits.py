"""Exit codes and the one way to print a problem, without typer: what the plain pipe
(:mod:`netparse.cli.entry`) shares with the typer commands (:mod:`netparse.cli.options` re-exports
both)."""

from __future__ import annotations

import errno
import os
import sys
from typing import Callable

#: exit codes every command shares (analyze adds 3 and 4; 70, EX_SOFTWARE of sysexits.h, is a bug)
EXIT_INPUT, EXIT_USAGE, EXIT_CONFIG, EXIT_FINDINGS, EXIT_SOFTWARE = 1, 2, 3, 4, 70


def err(message: str) -> None:
    """One diagnostic line on stderr: the CLI's only way to talk about problems (none when
    stderr is closed)."""
    from ..output.safe import shown

    if sys.stderr is not None:
        sys.stderr.write(f"netparse: {shown(message)}\n")  # one line; file names, labels from input: never escapes


def not_understood(n: int, hint: str = "netparse parse --show-issues lists them") -> None:
    """The one stderr line that says ``n`` input lines were not understood (none for 0)."""
    if n:
        err(f"{n} line{'s' if n != 1 else ''} not understood ({hint})")


def guarded(call: Callable[[], object]) -> None:
    """Run the command ``call`` as the console script does: never a traceback for bad input or
    a closed pipe (exit 1 in silence, as typer's standalone mode ends on one). A bug (an
    exception netparse did not raise on purpose, or a rule that failed) is one line on stderr
    and exit 70 (EX_SOFTWARE); ``NETPARSE_DEBUG=1`` shows the traceback instead."""
    if sys.stdout is None:  # started with standard output closed ('>&-')
        err("standard output is closed: nowhere to write")
        raise SystemExit(EXIT_INPUT)
    try:
        call()
        sys.stdout.flush()  # a full disk shows here, not in the interpreter's exit
    except BrokenPipeError:
        # the reader went away (netparse ... | head): stop quietly with typer's (click's) exit 1,
        # the same whether typer ran the command or it was answered without typer
        silence_stdout()
        raise SystemExit(EXIT_INPUT) from None
    except OSError as exc:
        if exc.errno not in _WRITE_ERRNOS:
            raise _bug(exc) from None
        silence_stdout()
        err(f"cannot write output: {exc.strerror or exc}")
        raise SystemExit(EXIT_INPUT) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as exc:  # noqa: BLE001 - the last resort: a bug, reported as one
        raise _bug(exc) from None


#: errors only writing raises: disk full, quota, file too large, read-only
_ONLY_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})
#: write errors that mean the output cannot be delivered (not a bug): those, an I/O error, a
#: stdout that is not writable
_WRITE_ERRNOS = _ONLY_WRITE_ERRNOS | {errno.EIO, errno.EBADF}


def output_error(exc: OSError) -> bool:
    """An error only writing raises (disk full, quota, file too large, read-only): the output
    could not be delivered, whatever was being read at the time."""
    return exc.errno in _ONLY_WRITE_ERRNOS


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _bug(exc: BaseException) -> SystemExit:
    from ..errors import RuleError

    if os.environ.get("NETPARSE_DEBUG"):
        raise exc
    what = exc if isinstance(exc, RuleError) else f"{type(exc).__name__}: {exc}"
    err(f"internal error: {what} (a bug in netparse; NETPARSE_DEBUG=1 shows the traceback)")
    return SystemExit(EXIT_SOFTWARE)

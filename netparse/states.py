"""Canonical socket states.

The names follow RFC 9293 (section 3.3.2) for TCP, plus the states real tools print beyond it:
``BOUND`` and ``DELETE_TCB`` (Windows), ``UNCONNECTED`` (a datagram or raw socket with no peer:
``ss`` prints ``UNCONN``, net-tools prints nothing), ``NONE`` (the row carries no state at all, as
a Windows UDP row) and ``UNKNOWN`` (a label netparse does not know; it is kept verbatim in
``state_label`` and reported as a parse issue).

Mapping a printed label to one of these is data, not code: see :mod:`netparse.locales`.
"""

from __future__ import annotations

from enum import StrEnum


class TcpState(StrEnum):
    LISTEN = "LISTEN"
    SYN_SENT = "SYN_SENT"
    SYN_RECEIVED = "SYN_RECEIVED"
    ESTABLISHED = "ESTABLISHED"
    FIN_WAIT_1 = "FIN_WAIT_1"
    FIN_WAIT_2 = "FIN_WAIT_2"
    CLOSE_WAIT = "CLOSE_WAIT"
    CLOSING = "CLOSING"
    LAST_ACK = "LAST_ACK"
    TIME_WAIT = "TIME_WAIT"
    CLOSED = "CLOSED"
    BOUND = "BOUND"
    DELETE_TCB = "DELETE_TCB"
    UNCONNECTED = "UNCONNECTED"
    NONE = "NONE"
    UNKNOWN = "UNKNOWN"


#: The eleven states of the RFC 9293 state machine, in the RFC's order.
RFC9293_STATES: tuple[TcpState, ...] = (
    TcpState.LISTEN,
    TcpState.SYN_SENT,
    TcpState.SYN_RECEIVED,
    TcpState.ESTABLISHED,
    TcpState.FIN_WAIT_1,
    TcpState.FIN_WAIT_2,
    TcpState.CLOSE_WAIT,
    TcpState.CLOSING,
    TcpState.LAST_ACK,
    TcpState.TIME_WAIT,
    TcpState.CLOSED,
)

#: States only a TCP socket can be in (a datagram socket is UNCONNECTED or ESTABLISHED).
TCP_ONLY_STATES: frozenset[TcpState] = frozenset(RFC9293_STATES) - {TcpState.ESTABLISHED, TcpState.CLOSED}

#: Display order for summaries: the RFC states, then the extra ones.
STATE_ORDER: tuple[TcpState, ...] = tuple(TcpState)

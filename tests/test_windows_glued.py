"""A Windows row whose state is glued to the foreign port (``]:5432TIME_WAIT``) is split, with a
warning; never a silent NONE record with a service called ``5432TIME_WAIT``."""

import pytest

import netparse
from netparse.errors import ParseError

HEAD = "  Proto  Local Address          Foreign Address        State           PID\n"


def test_glued_state_is_split_with_a_warning():
    snap = netparse.parse(HEAD + "  TCP    [2001:db8::5]:55625    [2001:db8:f5a::22ed]:5432TIME_WAIT       0\n")
    (sock,) = snap.sockets
    assert (sock.remote_address, sock.remote_port, sock.remote_service) == ("2001:db8:f5a::22ed", 5432, None)
    assert (sock.state.value, sock.state_label, sock.pid) == ("TIME_WAIT", "TIME_WAIT", 0)
    (issue,) = snap.issues
    assert issue.kind == "warning" and issue.line == 2 and "glued" in issue.reason


def test_glued_state_strict_raises():
    with pytest.raises(ParseError) as exc:
        netparse.parse(HEAD + "  TCP    [::1]:52636            [2001:db8:e2e8::844f]:8282ESTABLISHED     48624\n", strict=True)
    assert exc.value.line == 2


def test_a_service_name_is_not_a_glued_state():
    snap = netparse.parse(HEAD + "  TCP    10.0.0.5:49863         104.18.13.33:https     ESTABLISHED     4\n")
    assert snap.sockets[0].remote_service == "https" and not snap.issues

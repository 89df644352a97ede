"""What the kernel counters mean: the texts ``netparse explain COUNTER`` prints, as data.

One entry per counter, under its Linux name (as nstat prints it); ``sources`` say where each
sentence comes from. Other platforms' names and labels reach these entries through the label
tables (``locales/*.counters.tsv``, ``*.windows-counters.tsv``), which map them to the Linux
field: :func:`netparse.explain.explain_counter` does the look-up.
"""

from __future__ import annotations

SNMP_RST = "Linux Documentation/networking/snmp_counter.rst"
SYSCTL_RST = "Linux Documentation/networking/ip-sysctl.rst"
RFC4022 = "RFC 4022 (TCP-MIB)"
RFC4113 = "RFC 4113 (UDP-MIB)"
MS_TCPSTATS = "Microsoft MIB_TCPSTATS (learn.microsoft.com, MS-RRASM 2.2.1.2.56)"

#: name -> (what it counts, when it rises, what to do, sources)
COUNTER_DOCS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "TcpExtListenOverflows": (
        "SYNs dropped because the listening socket's accept queue was full (ListenDrops rises with it).",
        "The application does not call accept() as fast as connections complete, or its listen() backlog "
        "(capped by net.core.somaxconn) is too small for the bursts it gets.",
        "Find the LISTEN socket whose Recv-Q is at its Send-Q (the backlog) in the socket table; raise the "
        "application's listen() backlog and net.core.somaxconn, or make it accept faster. Rules: NP019.",
        (SNMP_RST,),
    ),
    "TcpExtListenDrops": (
        "Every packet a LISTEN socket had to drop: the accept-queue overflows (ListenOverflows) and other "
        "causes, such as a failed memory allocation.",
        "With ListenOverflows: a full accept queue. Without it: other drops at the listener.",
        "Compare with ListenOverflows over the same interval; if only ListenDrops rose, look beyond the "
        "backlog (memory, the kernel log).",
        (SNMP_RST,),
    ),
    "TcpRetransSegs": (
        "TCP segments sent that held previously transmitted octets: retransmissions "
        "(Windows 'Segments Retransmitted', the MIB's tcpRetransSegs).",
        "Segments or their ACKs were lost or delayed past the retransmission timeout: congestion, a lossy "
        "link, a full queue on the path, or a peer that stopped answering.",
        "Look at the rate, RetransSegs / OutSegs over an interval rather than the total since boot, and at "
        "the connections whose retransmission counters rise (ss -ti).",
        (RFC4022, MS_TCPSTATS, SNMP_RST),
    ),
    "TcpOutSegs": (
        "TCP segments sent, excluding those holding only retransmitted octets (Windows 'Segments Sent').",
        "With traffic.",
        "The denominator of the retransmission rate (RetransSegs / OutSegs).",
        (RFC4022, MS_TCPSTATS),
    ),
    "TcpInSegs": (
        "TCP segments received, including those received in error (Windows 'Segments Received').",
        "With traffic.", "Context for the other counters.", (RFC4022, MS_TCPSTATS),
    ),
    "TcpActiveOpens": (
        "Connections that went from CLOSED to SYN-SENT: connections this host started (Windows 'Active Opens').",
        "With outgoing connections.", "Context: a rate of new outgoing connections.", (RFC4022, MS_TCPSTATS),
    ),
    "TcpPassiveOpens": (
        "Connections that went from LISTEN to SYN-RCVD: connections this host accepted (Windows 'Passive Opens').",
        "With incoming connections.", "Context: a rate of new incoming connections.", (RFC4022, MS_TCPSTATS),
    ),
    "TcpAttemptFails": (
        "Connection attempts that failed: direct transitions to CLOSED from SYN-SENT or SYN-RCVD, plus "
        "SYN-RCVD back to LISTEN (Windows 'Failed Connection Attempts').",
        "Peers refusing (RST) or not answering connections this host opens, or handshakes reset halfway.",
        "Look for SYN_SENT sockets and the remote addresses they wait on.",
        (RFC4022, MS_TCPSTATS),
    ),
    "TcpEstabResets": (
        "Direct transitions to CLOSED from ESTABLISHED or CLOSE-WAIT: established connections reset "
        "(Windows 'Reset Connections').",
        "A peer or middlebox sent RST, or an application aborted connections.",
        "See which side resets: TcpOutRsts and TcpExtTCPAbortOn* counters for this host's own resets.",
        (RFC4022, MS_TCPSTATS),
    ),
    "TcpCurrEstab": (
        "Connections now in ESTABLISHED or CLOSE-WAIT (a gauge, not a counter; Windows 'Current Connections').",
        "It follows the load.", "Compare with the socket table's ESTABLISHED and CLOSE_WAIT counts.",
        (RFC4022, MS_TCPSTATS),
    ),
    "UdpInErrors": (
        "Received UDP datagrams that could not be delivered for reasons other than no application at the "
        "port (Windows 'Receive Errors').",
        "Checksum errors, or (Linux) a socket whose receive buffer is full.",
        "On Linux look at UdpRcvbufErrors; find the UDP socket with a large Recv-Q.",
        (RFC4113,),
    ),
    "UdpNoPorts": (
        "Received UDP datagrams for a port no application listens on (Windows 'No Ports').",
        "Scans, a service that is down, replies arriving after the socket was closed.",
        "Usually harmless; a sudden rise names a service that stopped.",
        (RFC4113,),
    ),
    "UdpRcvbufErrors": (
        "UDP datagrams dropped because the receiving socket's buffer was full.",
        "The application reads more slowly than datagrams arrive, or its SO_RCVBUF (net.core.rmem_default/"
        "rmem_max) is small for its bursts.",
        "Find the UDP socket with a full Recv-Q; read faster or raise the buffer.",
        ("Linux net/ipv4/udp.c (UDP_MIB_RCVBUFERRORS)", SNMP_RST),
    ),
    "TcpExtTCPTimeWaitOverflow": (
        "TIME_WAIT sockets not created (the connection closed at once) because net.ipv4.tcp_max_tw_buckets "
        "TIME_WAIT sockets already existed.",
        "Many short connections closed by this host.",
        "Reuse connections (keep-alive, pools) or raise tcp_max_tw_buckets; count TIME_WAIT in the table.",
        (SYSCTL_RST,),
    ),
    "TcpExtSyncookiesSent": (
        "SYN cookies sent: SYNs answered without keeping state because the SYN queue was full.",
        "A SYN flood, or a listener whose SYN queue (tcp_max_syn_backlog, the backlog) is too small.",
        "Look at SYN_RECV sockets by source; with net.ipv4.tcp_syncookies=1 the listener keeps working.",
        (SNMP_RST, SYSCTL_RST),
    ),
    "TcpExtTCPReqQFullDoCookies": (
        "SYNs that found a listener's SYN queue full and were answered with a SYN cookie.",
        "A SYN flood or a burst of connections larger than the SYN queue.",
        "Count SYN_RECV sockets by source address; raise the backlog and tcp_max_syn_backlog if they are "
        "legitimate clients.",
        (SYSCTL_RST,),
    ),
    "TcpExtTCPReqQFullDrop": (
        "SYNs dropped because a listener's SYN queue was full and no SYN cookie could be sent "
        "(net.ipv4.tcp_syncookies off).",
        "A SYN flood or a connection burst with syncookies disabled.",
        "Enable net.ipv4.tcp_syncookies, or raise the backlog and tcp_max_syn_backlog.",
        (SYSCTL_RST,),
    ),
    "TcpExtTCPAbortOnMemory": (
        "Connections reset because the kernel was short of TCP memory or had too many orphaned sockets "
        "(tcp_max_orphans) when the application closed them.",
        "Memory pressure (tcp_mem) or very many closed-but-unfinished connections.",
        "Check TCPMemoryPressures and the orphan count against tcp_max_orphans.",
        (SNMP_RST, SYSCTL_RST),
    ),
}

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
TCP_INPUT = "Linux net/ipv4/tcp_input.c (tcp_syn_flood_action, tcp_conn_request)"
TCP_C = "Linux net/ipv4/tcp.c (tcp_close, tcp_check_oom, tcp_enter_memory_pressure)"
TW_C = "Linux net/ipv4/inet_timewait_sock.c (__inet_twsk_schedule), tcp_minisocks.c (tcp_time_wait)"
RESETS_CAPTURE = "capture samples/logs/counters-resets.log"

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
        "Compare with ListenOverflows and TCPReqQFullDrop over the same interval (both count here too; "
        "syncookies sent do not, since Linux 4.7); what is left: memory, routing, or with syncookies off the "
        "SYN queue past 3/4 of tcp_max_syn_backlog. Rules: NP019, NP029.",
        (SNMP_RST, TCP_INPUT),
    ),
    "TcpRetransSegs": (
        "TCP segments sent that held previously transmitted octets: retransmissions "
        "(Windows 'Segments Retransmitted', the MIB's tcpRetransSegs).",
        "Segments or their ACKs were lost or delayed past the retransmission timeout: congestion, a lossy "
        "link, a full queue on the path, or a peer that stopped answering.",
        "Look at the rate, RetransSegs / OutSegs over an interval rather than the total since boot, and at "
        "the connections whose retransmission counters rise (ss -ti). Rules: NP027 (the machine), NP021 (per peer).",
        (RFC4022, MS_TCPSTATS),
    ),
    "TcpOutSegs": (
        "TCP segments sent, excluding retransmissions but including SYN, pure ACK and RST segments; on Linux "
        "counted after GSO splits them (Windows 'Segments Sent').",
        "With traffic.",
        "The denominator of the retransmission rate (RetransSegs / OutSegs); snmp_counter.rst notes that "
        "TcpExtTCPOrigDataSent (segments with new data, no pure ACKs) tracks the retransmission rate better.",
        (RFC4022, MS_TCPSTATS, SNMP_RST),
    ),
    "TcpInSegs": (
        "TCP segments received, including those received in error (Windows 'Segments Received'); on Linux "
        "counted after GRO merges them.",
        "With traffic.", "Context for the other counters.", (RFC4022, MS_TCPSTATS, SNMP_RST),
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
        "Look for SYN_SENT sockets and the remote addresses they wait on. Rules: NP028.",
        (RFC4022, MS_TCPSTATS),
    ),
    "TcpEstabResets": (
        "Direct transitions to CLOSED from ESTABLISHED or CLOSE-WAIT: established connections reset "
        "(Windows 'Reset Connections').",
        "A peer or middlebox sent RST, or this host aborted connections (SO_LINGER 0, close with unread "
        "data): snmp_counter.rst says 'receives a RST', but Linux counts every transition to CLOSED from "
        "these states; in our capture both ends of 40 reset connections counted (+80).",
        "See which side resets: TcpOutRsts and TcpExtTCPAbortOn* counters for this host's own resets. Rules: NP028.",
        (RFC4022, MS_TCPSTATS, SNMP_RST, RESETS_CAPTURE),
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
        "Find the UDP socket with a full Recv-Q; read faster or raise the buffer. Rules: NP020.",
        ("Linux net/ipv4/udp.c (UDP_MIB_RCVBUFERRORS)", "socket(7) SO_RCVBUF", SYSCTL_RST),
    ),
    "TcpExtTCPTimeWaitOverflow": (
        "TIME_WAIT sockets not created (the connection closed at once) because net.ipv4.tcp_max_tw_buckets "
        "TIME_WAIT sockets already existed.",
        "Many short connections closed first by this host.",
        "Reuse connections (keep-alive, pools) or raise tcp_max_tw_buckets (ip-sysctl: never lower it); count "
        "TIME_WAIT in the table. Rules: NP025.",
        (SYSCTL_RST, TW_C),
    ),
    "TcpExtSyncookiesSent": (
        "SYN cookies sent: SYNs answered without keeping state, because the listener's SYN queue was full "
        "(net.ipv4.tcp_syncookies=1) or for every SYN (tcp_syncookies=2).",
        "A SYN flood, or a listener whose SYN queue (its listen() backlog, capped by net.core.somaxconn) is too "
        "small for its bursts.",
        "Look at SYN_RECV sockets by source; with net.ipv4.tcp_syncookies=1 the listener keeps working, but "
        "ip-sysctl warns that syncookies 'do not allow to use TCP extensions'. Rules: NP024.",
        (SNMP_RST, SYSCTL_RST),
    ),
    "TcpExtTCPReqQFullDoCookies": (
        "SYNs that found a listener's SYN queue full and were answered with a SYN cookie.",
        "A SYN flood or a burst of connections larger than the SYN queue.",
        "Count SYN_RECV sockets by source address; raise the listen() backlog and net.core.somaxconn if they "
        "are legitimate clients. Rules: NP024.",
        (TCP_INPUT, SYSCTL_RST),
    ),
    "TcpExtTCPReqQFullDrop": (
        "SYNs dropped because a listener's SYN queue was full and no SYN cookie could be sent "
        "(net.ipv4.tcp_syncookies off).",
        "A SYN flood or a connection burst with syncookies disabled.",
        "Enable net.ipv4.tcp_syncookies, or raise the listen() backlog and net.core.somaxconn. These drops "
        "count in ListenDrops too. Rules: NP024.",
        (TCP_INPUT, SYSCTL_RST),
    ),
    "TcpExtTCPAbortOnMemory": (
        "Connections reset because TCP's memory was above the third value of net.ipv4.tcp_mem or there were "
        "more orphaned sockets than net.ipv4.tcp_max_orphans, when the application closed them or when a "
        "timer fired for an orphan.",
        "Memory pressure (tcp_mem) or very many closed-but-unfinished connections (peers not reading, lossy paths).",
        "Check TCPMemoryPressures and the orphan count (ss -s) against tcp_max_orphans; each orphan can take "
        "about 64 KB of unswappable memory (ip-sysctl). Rules: NP026.",
        (SNMP_RST, SYSCTL_RST, TCP_C),
    ),
    "TcpExtTCPAbortOnData": (
        "Connections this host reset while data was still in flight: closed with SO_LINGER on and a linger "
        "time of 0, or data arriving after the application closed its side.",
        "Applications closing hard (SO_LINGER 0), or peers sending after a close.",
        "Find the application that sets SO_LINGER 0, or the protocol in which the peer keeps sending after "
        "a close. Rules: NP028.",
        (SNMP_RST, RESETS_CAPTURE),
    ),
    "TcpExtTCPAbortOnClose": (
        "Connections this host reset because the application closed them with received data it had not read.",
        "Servers that close without reading the whole request; clients that give up.",
        "Read (or shutdown() and drain) before close(). Rules: NP028.",
        (SNMP_RST, RESETS_CAPTURE),
    ),
    "TcpExtTCPAbortOnTimeout": (
        "Connections given up because a TCP timer ran out of retries (retransmission, keepalive, zero-window "
        "probes); no RST is sent.",
        "Peers or paths that stopped answering.",
        "Look at the retransmitting connections and the path to their peers. Rules: NP028.",
        (SNMP_RST,),
    ),
    "TcpExtTCPMemoryPressures": (
        "Times TCP entered memory pressure: its memory passed the second value of net.ipv4.tcp_mem.",
        "Many sockets with full buffers (slow readers, big windows) on a machine whose tcp_mem is small for them.",
        "Find the sockets holding memory (ss -tm: skmem), raise net.ipv4.tcp_mem if the machine has the "
        "memory. Rules: NP026.",
        (TCP_C, SYSCTL_RST),
    ),
    "TcpExtTW": (
        "Sockets that entered TIME_WAIT (counted when the TIME_WAIT timer is set; short ones count as TWKilled).",
        "With connections this host closes first.",
        "Context for TCPTimeWaitOverflow: the TIME_WAIT that were kept.",
        (TW_C,),
    ),
    "TcpOutRsts": (
        "Segments with RST this host tried to send (snmp_counter.rst: tried, the send may have failed).",
        "Connections refused (no listener), aborted by this host, or answered for unknown connections.",
        "Compare with the TcpExtTCPAbortOn* counters to see why this host resets. Rules: NP028.",
        (RFC4022, SNMP_RST),
    ),
}

"""macOS and FreeBSD ``netstat -s`` (``-s -p tcp``, ``-s -p udp``, ``-s -p ip``): per-protocol
statistics as indented sentences.

Usage::

    netstat -s | netparse parse
    netstat -s -p tcp | netparse parse

What it prints (real outputs: ``samples/counters/macos-*.txt`` and ``freebsd-*.txt``, sources in
their ``.note``; the wording from FreeBSD ``usr.bin/netstat/inet.c`` and Apple's
``network_cmds/netstat.tproj/inet.c``, which print it with ``printf``)::

    tcp:                                            <- a protocol title at column 0
            465304 packets sent                     <- value first, one tab per level
                    2276 data packets (1952856 bytes) retransmitted   <- two values
    ...
    icmp:
            Output histogram:                       <- a sub-title, no number
                    destination unreachable: 598    <- 'label: value'
    ip6:
            Mbuf statistics:
                    two or more mbuf:
                            lo0= 1268               <- 'name= value'

* The nesting is the tabs (FreeBSD prints udp and ip flat, macOS nests them under 'datagrams
  received', 'total packets received'); a paste may have expanded them to spaces, so a line's
  parents are the lines above it indented less.
* Plurals follow the value: FreeBSD writes the plural for every value but 1 ('0 packets sent'),
  newer macOS only above 1 ('0 packet sent'; and slips, '2702530 datagrams (3585930185 byte)').
  The tables below write each label with its optional letters in brackets.
* A counter's ``name`` is the kernel's ``struct tcpstat``/``udpstat``/``ipstat``/``icmpstat``
  field the source prints on that line (``tcps_sndrexmitpack``; a line with two values gives two
  records), ``section`` the title (``tcp``), ``label`` the line with its values as ``%llu``.
  ``canonical`` is the Linux/MIB name where the meaning is the same (``tcpRetransSegs``,
  ``TcpExtListenOverflows``, ``UdpRcvbufErrors``: :data:`CANONICAL`), else the name.
* Lines the tables do not know (other sections: arp, igmp, ip6, icmp6, mptcp, kctl ..., and lines
  of newer releases) are kept too: named ``section:`` and the line's label without its values,
  the labels of the lines it is nested under first (``ip6:Mbuf statistics: > two or more mbuf:
  > lo0=``, ``arp:ARP entries timed out``). Such a name follows the printed plural, so it can
  change with the value on macOS ('1 ARP entry', '10 ARP entries'): only the tables' lines are
  read through their plural forms.
* ``netstat: sysctl: ...`` (netstat's stderr, mixed in by a terminal) and a title this module
  does not know are reported, and the lines under an unknown title too (their section is not
  known).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from typing import Any

from . import pexpr as pp

from .base import WS, R, Context, Grammar, Marker, Row

#: protocol titles seen in the real samples (macOS) and printed by FreeBSD's inet.c (carp, pim)
TITLES = (
    "tcp", "udp", "ip", "icmp", "igmp", "arp", "ipsec", "mptcp", "ip6", "icmp6", "ipsec6", "rip6", "pfkey",
    "kevt", "kctl", "xbkidle", "net_api", "carp", "pim",
)
#: FreeBSD's title of its per-state TCP connection counts (inet.c, tcp_stats)
STATE_TITLE = "TCP connection count by state"
#: lines without a number that head the lines under them (real samples; the 'enabled' form and
#: 'unknown' lines from inet.c)
SUBTITLES = (
    "Output histogram:", "Input histogram:", "Histogram of error messages to be generated:", "Mbuf statistics:",
    "two or more mbuf:", "source addresses on an outgoing I/F", "source addresses on a non-outgoing I/F",
    "source addresses of same scope", "source addresses of a different scope", "deprecated source addresses",
    "source address selection", "ICMP address mask responses are disabled", "ICMP address mask responses are enabled",
)

# The labels each source prints, nested as it nests them (two spaces a level), '#' where a value
# goes, '[s]' an optional plural, '{ies|y}' alternatives; '=' then the struct fields, one per '#'.
# A printed sum of two fields is named 'a+b'; 'udps_delivered' is netstat's own difference
# (received minus the drops), no kernel field. FreeBSD: usr.bin/netstat/inet.c @ 005a443f (tcp),
# @ 82a1909e (ip, icmp, udp); macOS: network_cmds netstat.tproj/inet.c (jddevan/network_cmds @
# e310d5c4; RACK, FIN_WAIT, 'open ... sockets' (the sysctl net.inet.tcp.pcbcount, a gauge):
# v-at-gh/network_cmds @ 1bfd442e; the LRO lines: a network_cmds inet.c of the code index, stored
# file 1244109129). Where the two nest a line differently, the line is written once (see _lookup).
TABLE = """
tcp
# packet[s] sent = tcps_sndtotal
  # data packet[s] (# byte[s]) = tcps_sndpack tcps_sndbyte
  # data packet[s] (# byte[s]) retransmitted = tcps_sndrexmitpack tcps_sndrexmitbyte
  # data packet[s] unnecessarily retransmitted = tcps_sndrexmitbad
  # resend[s] initiated by MTU discovery = tcps_mturesent
  # ack-only packet[s] (# delayed) = tcps_sndacks tcps_delack
  # URG only packet[s] = tcps_sndurg
  # window probe packet[s] = tcps_sndprobe
  # window update packet[s] = tcps_sndwinup
  # control packet[s] = tcps_sndctrl
  # data packet[s] sent after flow control = tcps_fcholdpacket
  # challenge ACK[s] sent due to unexpected SYN = tcps_synchallenge
  # challenge ACK[s] sent due to unexpected RST = tcps_rstchallenge
  # checksummed in software = tcps_snd_swcsum+tcps_snd6_swcsum
    # segment[s] (# byte[s]) over IPv4 = tcps_snd_swcsum tcps_snd_swcsum_bytes
    # segment[s] (# byte[s]) over IPv6 = tcps_snd6_swcsum tcps_snd6_swcsum_bytes
# packet[s] received = tcps_rcvtotal
  # ack[s] (for # byte[s]) = tcps_rcvackpack tcps_rcvackbyte
  # duplicate ack[s] = tcps_rcvdupack
  # ack[s] for unsent data = tcps_rcvacktoomuch
  # packet[s] (# byte[s]) received in-sequence = tcps_rcvpack tcps_rcvbyte
  # completely duplicate packet[s] (# byte[s]) = tcps_rcvduppack tcps_rcvdupbyte
  # old duplicate packet[s] = tcps_pawsdrop
  # received packet[s] dropped due to low memory = tcps_rcvmemdrop
  # packet[s] with some dup. data (# byte[s] duped) = tcps_rcvpartduppack tcps_rcvpartdupbyte
  # out-of-order packet[s] (# byte[s]) = tcps_rcvoopack tcps_rcvoobyte
  # packet[s] (# byte[s]) of data after window = tcps_rcvpackafterwin tcps_rcvbyteafterwin
  # window probe[s] = tcps_rcvwinprobe
  # window update packet[s] = tcps_rcvwinupd
  # packet[s] recovered after loss = tcps_recovered_pkts
  # packet[s] received after close = tcps_rcvafterclose
  # bad reset[s] = tcps_badrst
  # discarded for bad checksum[s] = tcps_rcvbadsum
  # checksummed in software = tcps_rcv_swcsum+tcps_rcv6_swcsum
    # segment[s] (# byte[s]) over IPv4 = tcps_rcv_swcsum tcps_rcv_swcsum_bytes
    # segment[s] (# byte[s]) over IPv6 = tcps_rcv6_swcsum tcps_rcv6_swcsum_bytes
  # discarded for bad header offset field[s] = tcps_rcvbadoff
  # discarded because packet too short = tcps_rcvshort
  # discarded due to memory problems = tcps_rcvmemdrop
# connection request[s] = tcps_connattempt
# connection accept[s] = tcps_accepts
# bad connection attempt[s] = tcps_badsyn
# listen queue overflow[s] = tcps_listendrop
# ignored RSTs in the window[s] = tcps_badrst
# connection[s] established (including accepts) = tcps_connects
  # time[s] used RTT from hostcache = tcps_usedrtt
  # time[s] used RTT variance from hostcache = tcps_usedrttvar
  # time[s] used slow-start threshold from hostcache = tcps_usedssthresh
# connection[s] closed (including # drop[s]) = tcps_closed tcps_drops
  # connection[s] updated cached RTT on close = tcps_cachedrtt
  # connection[s] updated cached RTT variance on close = tcps_cachedrttvar
  # connection[s] updated cached ssthresh on close = tcps_cachedssthresh
  # connection[s] initialized RTT from route cache = tcps_usedrtt
  # connection[s] initialized RTT variance from route cache = tcps_usedrttvar
  # connection[s] initialized ssthresh from route cache = tcps_usedssthresh
# embryonic connection[s] dropped = tcps_conndrops
# segment[s] updated rtt (of # attempt[s]) = tcps_rttupdated tcps_segstimed
# retransmit timeout[s] = tcps_rexmttimeo
  # connection[s] dropped by rexmit timeout = tcps_timeoutdrop
  # connection[s] dropped after retransmitting FIN = tcps_rxtfindrop
  # unnecessary packet retransmissions[s] = tcps_sndrexmitbad
# persist timeout[s] = tcps_persisttimeo
  # connection[s] dropped by persist timeout = tcps_persistdrop
# Connection[s] (fin_wait_2) dropped because of timeout = tcps_finwait2_drops
# keepalive timeout[s] = tcps_keeptimeo
  # keepalive probe[s] sent = tcps_keepprobe
  # connection[s] dropped by keepalive = tcps_keepdrops
  # connection[s] dropped by keepalive offload = tcps_ka_offload_drops
# correct ACK header prediction[s] = tcps_predack
# correct data packet header prediction[s] = tcps_preddat
# syncache {entries|entry|entrie} added = tcps_sc_added
  # retransmitted = tcps_sc_retransmitted
  # dupsyn = tcps_sc_dupsyn
  # dropped = tcps_sc_dropped
  # completed = tcps_sc_completed
  # bucket overflow = tcps_sc_bucketoverflow
  # cache overflow = tcps_sc_cacheoverflow
  # reset = tcps_sc_reset
  # stale = tcps_sc_stale
  # aborted = tcps_sc_aborted
  # badack = tcps_sc_badack
  # unreach = tcps_sc_unreach
  # zone failure[s] = tcps_sc_zonefail
# cookie[s] sent = tcps_sc_sendcookie
# cookie[s] received = tcps_sc_recvcookie
# hostcache {entries|entry} added = tcps_hc_added
  # bucket overflow = tcps_hc_bucketoverflow
# SACK recovery episode[s] = tcps_sack_recovery_episode
# segment rexmit[s] in SACK recovery episodes = tcps_sack_rexmits
# byte rexmit[s] in SACK recovery episodes = tcps_sack_rexmit_bytes
# SACK option[s] (SACK blocks) received = tcps_sack_rcv_blocks
# SACK option[s] (SACK blocks) sent = tcps_sack_send_blocks
# SACK scoreboard overflow = tcps_sack_sboverflow
# LRO coalesced packet[s] = tcps_coalesced_pack
  # time[s] LRO flow table was full = tcps_flowtbl_full
  # collision[s] in LRO flow table = tcps_flowtbl_collision
  # time[s] LRO coalesced 2 packets = tcps_lro_twopack
  # time[s] LRO coalesced 3 or 4 packets = tcps_lro_multpack
  # time[s] LRO coalesced 5 or more packets = tcps_lro_largepack
# segment[s] retransmitted in RACK recovery episodes = tcps_rack_rexmits
# RACK recovery episode[s] = tcps_rack_recovery_episode
# RACK recovery episode[s] due to reordering timeout = tcps_rack_reordering_timeout_recovery_episode
# packet[s] with ECN CE bit set = tcps_ecn_ce
# packet[s] with ECN ECT(0) bit set = tcps_ecn_ect0
# packet[s] with ECN ECT(1) bit set = tcps_ecn_ect1
# successful ECN handshake[s] = tcps_ecn_shs
# time[s] ECN reduced the congestion window = tcps_ecn_rcwnd
# limited transmit[s] done = tcps_limited_txt
# early retransmit[s] done = tcps_early_rexmt
# time[s] cumulative ack advanced along with SACK = tcps_sack_ackadv
# probe timeout[s] = tcps_pto
  # time[s] retransmit timeout triggered after probe = tcps_rto_after_pto
  # time[s] probe packets were sent for an interface = tcps_probe_if
  # time[s] couldn't send probe packets for an interface = tcps_probe_if_conflict
  # time[s] fast recovery after tail loss = tcps_tlp_recovery
  # time[s] recovered last packet = tcps_tlp_recoverlastpkt
  # SACK based rescue retransmit[s] = tcps_pto_in_recovery
# client connection[s] attempted to negotiate ECN = tcps_ecn_client_setup
  # client connection[s] successfully negotiated ECN = tcps_ecn_client_success
  # time[s] graceful fallback to Non-ECN connection = tcps_ecn_not_supported
  # time[s] lost ECN negotiating SYN, followed by retransmission = tcps_ecn_lost_syn
  # server connection[s] attempted to negotiate ECN = tcps_ecn_server_setup
  # server connection[s] successfully negotiated ECN = tcps_ecn_server_success
  # time[s] lost ECN negotiating SYN-ACK, followed by retransmission = tcps_ecn_lost_synack
  # time[s] received congestion experienced (CE) notification = tcps_ecn_recv_ce
  # time[s] CWR was sent in response to ECE = tcps_ecn_recv_ece
  # time[s] sent ECE notification = tcps_ecn_sent_ece
  # connection[s] received CE atleast once = tcps_ecn_conn_recv_ce
  # connection[s] received ECE atleast once = tcps_ecn_conn_recv_ece
  # connection[s] using ECN have seen packet loss but no CE = tcps_ecn_conn_plnoce
  # connection[s] using ECN have seen packet loss and CE = tcps_ecn_conn_pl_ce
  # connection[s] using ECN received CE but no packet loss = tcps_ecn_conn_nopl_ce
  # connection[s] fell back to non-ECN due to SYN-loss = tcps_ecn_fallback_synloss
  # connection[s] fell back to non-ECN due to reordering = tcps_ecn_fallback_reorder
  # connection[s] fell back to non-ECN due to excessive CE-markings = tcps_ecn_fallback_ce
  # connection[s] fell back caused by connection drop due to RST = tcps_ecn_fallback_droprst
  # connection[s] fell back due to drop after multiple retransmits = tcps_ecn_fallback_droprxmt
  # connection[s] fell back due to RST after SYN = tcps_ecn_fallback_synrst
# time[s] packet reordering was detected on a connection = tcps_detect_reordering
  # time[s] transmitted packets were reordered = tcps_reordered_pkts
  # time[s] fast recovery was delayed to handle reordering = tcps_delay_recovery
  # time[s] retransmission was avoided by delaying recovery = tcps_avoid_rxmt
  # retransmission[s] not needed = tcps_unnecessary_rxmt
# retransmission[s] due to tail loss = tcps_tailloss_rto
# time[s] DSACK option was sent = tcps_dsack_sent
  # time[s] DSACK option was received = tcps_dsack_recvd
  # time[s] DSACK was disabled on a connection = tcps_dsack_disable
  # time[s] recovered from bad retransmission using DSACK = tcps_dsack_badrexmt
  # time[s] ignored DSACK due to ack loss = tcps_dsack_ackloss
  # time[s] ignored old DSACK options = tcps_dsack_recvd_old
# time[s] PMTU Blackhole detection, size reverted = tcps_pmtudbh_reverted
# connection[s] were dropped after long sleep = tcps_drop_after_sleep
# connection[s] had stretch ack algorithm disabled = tcps_nostretchack
# time[s] a TFO-cookie has been announced = tcps_tfo_cookie_sent
# SYN[s] with data and a valid TFO-cookie have been received = tcps_tfo_syn_data_rcv
# SYN[s] with TFO-cookie-request received = tcps_tfo_cookie_req_rcv
# time[s] an invalid TFO-cookie has been received = tcps_tfo_cookie_invalid
# time[s] we requested a TFO-cookie = tcps_tfo_cookie_req
  # time[s] the peer announced a TFO-cookie = tcps_tfo_cookie_rcv
# time[s] we combined SYN with data and a TFO-cookie = tcps_tfo_syn_data_sent
  # time[s] our SYN with data has been acknowledged = tcps_tfo_syn_data_acked
# time[s] a connection-attempt with TFO fell back to regular TCP = tcps_tfo_syn_loss
# time[s] a TFO-connection blackhole'd = tcps_tfo_blackhole
# time[s] a TFO-cookie we sent was wrong = tcps_tfo_cookie_wrong
# time[s] did not received a TFO-cookie we asked for = tcps_tfo_no_cookie_rcv
# time[s] TFO got disabled due to heuristicsn = tcps_tfo_heuristics_disable
# time[s] TFO got blackholed in the sending direction = tcps_tfo_sndblackhole
# time[s] maximum segment size was changed to default = tcps_mss_to_default
# time[s] maximum segment size was changed to medium = tcps_mss_to_medium
# time[s] maximum segment size was changed to low = tcps_mss_to_low
# timer drift[s] less or equal to 1 ms = tcps_timer_drift_le_1_ms
# timer drift[s] less or equal to 10 ms = tcps_timer_drift_le_10_ms
# timer drift[s] less or equal to 20 ms = tcps_timer_drift_le_20_ms
# timer drift[s] less or equal to 50 ms = tcps_timer_drift_le_50_ms
# timer drift[s] less or equal to 100 ms = tcps_timer_drift_le_100_ms
# timer drift[s] less or equal to 200 ms = tcps_timer_drift_le_200_ms
# timer drift[s] less or equal to 500 ms = tcps_timer_drift_le_500_ms
# timer drift[s] less or equal to 1000 ms = tcps_timer_drift_le_1000_ms
# timer drift[s] greater than to 1000 ms = tcps_timer_drift_gt_1000_ms
# FIN_WAIT timeout drop[s] = tcps_fin_timeout_drops
# open TCP socket[s] = net.inet.tcp.pcbcount
udp
# datagram[s] received = udps_ipackets
  # with incomplete header = udps_hdrops
  # with bad data length field = udps_badlen
  # with bad checksum = udps_badsum
  # with no checksum = udps_nosum
  # checksummed in software = udps_rcv_swcsum+udps_rcv6_swcsum
    # datagram[s] (# byte[s]) over IPv4 = udps_rcv_swcsum udps_rcv_swcsum_bytes
    # datagram[s] (# byte[s]) over IPv6 = udps_rcv6_swcsum udps_rcv6_swcsum_bytes
  # dropped due to no socket = udps_noport
  # broadcast/multicast datagram[s] undelivered = udps_noportbcast
  # broadcast/multicast datagram[s] dropped due to no socket = udps_noportbcast
  # IPv6 multicast datagram[s] undelivered = udps_noportmcast
  # time[s] multicast source filter matched = udps_filtermcast
  # dropped due to full socket buffers = udps_fullsock
  # not for hashed pcb = udpps_pcbhashmiss
  # delivered = udps_delivered
# datagram[s] output = udps_opackets
  # checksummed in software = udps_snd_swcsum+udps_snd6_swcsum
    # datagram[s] (# byte[s]) over IPv4 = udps_snd_swcsum udps_snd_swcsum_bytes
    # datagram[s] (# byte[s]) over IPv6 = udps_snd6_swcsum udps_snd6_swcsum_bytes
# open UDP socket[s] = net.inet.udp.pcbcount
ip
# total packet[s] received = ips_total
  # bad header checksum[s] = ips_badsum
  # header[s] (# byte[s]) checksummed in software = ips_rcv_swcsum ips_rcv_swcsum_bytes
  # with size smaller than minimum = ips_toosmall
  # with data size < data length = ips_tooshort
  # with data size > data length = ips_adj
    # packet[s] forced to software checksum = ips_adj_hwcsum_clr
  # with ip length > max ip packet size = ips_toolong
  # with header length < data size = ips_badhlen
  # with data length < header length = ips_badlen
  # with bad options = ips_badoptions
  # with incorrect version number = ips_badvers
  # fragment[s] received = ips_fragments
    # dropped (dup or out of space) = ips_fragdropped
    # dropped after timeout = ips_fragtimeout
    # reassembled ok = ips_reassembled
  # fragment[s] dropped (dup or out of space) = ips_fragdropped
  # fragment[s] dropped after timeout = ips_fragtimeout
  # packet[s] reassembled ok = ips_reassembled
  # packet[s] for this host = ips_delivered
  # packet[s] for unknown/unsupported protocol = ips_noproto
  # packet[s] forwarded (# packet[s] fast forwarded) = ips_forward ips_fastforward
  # packet[s] not forwardable = ips_cantforward
  # packet[s] received for unknown multicast group = ips_notmember
  # redirect[s] sent = ips_redirectsent
  # input packet[s] not chained due to collision = ips_rxc_collisions
  # input packet[s] processed in a chain = ips_rxc_chained
  # input packet[s] unable to chain = ips_rxc_notchain
  # input packet chain[s] processed with length greater than 2 = ips_rxc_chainsz_gt2
  # input packet chain[s] processed with length greater than 4 = ips_rxc_chainsz_gt4
  # input packet[s] did not go through list processing path = ips_rxc_notlist
  # input packet[s] that passed the weak ES interface address match = ips_rcv_if_weak_match
  # input packet[s] with no interface address match = ips_rcv_if_no_match
# packet[s] sent from this host = ips_localout
  # packet[s] sent with fabricated ip header = ips_rawout
  # output packet[s] dropped due to no bufs, etc. = ips_odropped
  # output packet[s] discarded due to no route = ips_noroute
  # output datagram[s] fragmented = ips_fragmented
  # fragment[s] created = ips_ofragments
  # datagram[s] that can't be fragmented = ips_cantfrag
  # tunneling packet[s] that can't find gif = ips_nogif
  # datagram[s] with bad address in header = ips_badaddr
  # packet[s] dropped due to no bufs for control data = ips_pktdropcntrl
  # packet[s] dropped due to NECP policy = ips_necp_policy_drop
  # header[s] (# byte[s]) checksummed in software = ips_snd_swcsum ips_snd_swcsum_bytes
icmp
# call[s] to icmp_error = icps_error
# error[s] not generated in response to an icmp message = icps_oldicmp
# error[s] not generated 'cuz old message was icmp = icps_oldicmp
# message[s] with bad code fields = icps_badcode
# message[s] < minimum length = icps_tooshort
# bad checksum[s] = icps_checksum
# message[s] with bad length = icps_badlen
# multicast echo requests ignored = icps_bmcastecho
# multicast timestamp requests ignored = icps_bmcasttstamp
# message response[s] generated = icps_reflect
# invalid return address{es|} = icps_badaddr
# no return route[s] = icps_noroute
"""

#: BSD field -> the Linux/MIB name with the same meaning (RFC 4022/4113/1213 definitions, the
#: kernel's snmp_counter.rst); fields not here keep their own name as canonical. Left out on
#: purpose: tcps_sndtotal (counts retransmissions, tcpOutSegs does not), udps_ipackets (counts
#: the datagrams dropped after it, udpInDatagrams only those delivered).
CANONICAL = {
    "tcps_connattempt": "tcpActiveOpens",
    "tcps_accepts": "tcpPassiveOpens",
    "tcps_conndrops": "tcpAttemptFails",
    "tcps_rcvtotal": "tcpInSegs",
    "tcps_sndrexmitpack": "tcpRetransSegs",
    "tcps_listendrop": "TcpExtListenOverflows",
    "tcps_sc_sendcookie": "TcpExtSyncookiesSent",
    "tcps_sc_recvcookie": "TcpExtSyncookiesRecv",
    "tcps_rexmttimeo": "TcpExtTCPTimeouts",
    "udps_delivered": "udpInDatagrams",
    "udps_noport": "udpNoPorts",
    "udps_fullsock": "UdpRcvbufErrors",
    "udps_opackets": "udpOutDatagrams",
    "ips_total": "ipInReceives",
    "ips_delivered": "ipInDelivers",
    "ips_forward": "ipForwDatagrams",
    "ips_noproto": "ipInUnknownProtos",
    "ips_localout": "ipOutRequests",
    "ips_odropped": "ipOutDiscards",
    "ips_noroute": "ipOutNoRoutes",
    "ips_fragments": "ipReasmReqds",
    "ips_reassembled": "ipReasmOKs",
    "ips_fragmented": "ipFragOKs",
    "ips_ofragments": "ipFragCreates",
    "ips_cantfrag": "ipFragFails",
}
#: icmp histogram rows (inet.c's icmpnames) -> the MIB-II object's ending (RFC 1213 icmpInEchos ...)
ICMP_TYPES = {
    "echo reply": "EchoReps", "destination unreachable": "DestUnreachs", "source quench": "SrcQuenchs",
    "routing redirect": "Redirects", "echo": "Echos", "time exceeded": "TimeExcds", "parameter problem": "ParmProbs",
    "time stamp": "Timestamps", "time stamp reply": "TimestampReps", "address mask request": "AddrMasks",
    "address mask reply": "AddrMaskReps",
}
HISTOGRAMS = {"Output histogram:": "out", "Input histogram:": "in"}


@dataclass(frozen=True)
class _Entry:
    path: tuple[frozenset[str], ...]  # the printed forms of each line it is nested under
    fields: tuple[str, ...]


def _forms(template: str) -> frozenset[str]:
    """Every printed form of a table label: '[s]' there or not, one of each '{a|b}'."""
    parts = re.split(r"(\[[^\]]*\]|\{[^}]*\})", template)
    choices = []
    for part in parts:
        if part.startswith("["):
            choices.append((part[1:-1], ""))
        elif part.startswith("{"):
            choices.append(tuple(part[1:-1].split("|")))
        else:
            choices.append((part,))
    return frozenset("".join(c) for c in product(*choices))


@lru_cache(maxsize=1)
def table() -> dict[tuple[str, str], tuple[_Entry, ...]]:
    """(section, printed skeleton) -> the table lines it may be."""
    out: dict[tuple[str, str], list[_Entry]] = {}
    section = ""
    stack: list[tuple[int, frozenset[str]]] = []
    for raw in TABLE.strip("\n").splitlines():
        if not raw.startswith(("#", " ")):
            section, stack = raw, []
            continue
        depth = (len(raw) - len(raw.lstrip(" "))) // 2
        template, _, fields = raw.strip().partition(" = ")
        forms = _forms(template)
        del stack[depth:]
        entry = _Entry(tuple(f for _, f in stack), tuple(fields.split()))
        for form in forms:
            out.setdefault((section, form), []).append(entry)
        stack.append((depth, forms))
    return {k: tuple(v) for k, v in out.items()}


def field_labels() -> dict[str, tuple[str, frozenset[str]]]:
    """Kernel field -> (its line as the table writes it, every printed form), values as ``%llu``
    (``tcps_sndrexmitpack`` -> ``%llu data packet[s] (%llu byte[s]) retransmitted``): for
    ``netparse explain``."""
    out: dict[str, tuple[str, frozenset[str]]] = {}
    for raw in TABLE.strip("\n").splitlines():
        if not raw.startswith(("#", " ")):
            continue
        template, _, fields = raw.strip().partition(" = ")
        shown = template.replace("#", "%llu")
        for field in fields.split():
            if "+" not in field:
                out.setdefault(field, (shown, frozenset(f.replace("#", "%llu") for f in _forms(template))))
    return out


#: the values of a line: the number it starts with, and one right after '(' ('(for', '(including', '(of')
_INNER = re.compile(r"\(((?:for |including |of )?)(\d+)(?= )")


#: what the source prints them with, ``%llu`` of 64-bit fields
_U64_MAX = 2**64 - 1
TOO_BIG = "a value over 64 bits (netstat prints its counters as %llu): not a counter"


def _u64(digits: str) -> int | None:
    """The value of a printed counter, None when it cannot be one (over 64 bits; a 5000-digit
    one would also trip Python's limit on reading long numbers)."""
    if len(digits) > 20:
        return None
    value = int(digits)
    return value if value <= _U64_MAX else None


def _values(text: str) -> tuple[list[int | None], str]:
    """'9893 data packets (30309378 bytes)' -> ([9893, 30309378], '# data packets (# bytes)');
    a value over 64 bits is None."""
    head, _, rest = text.partition(" ")
    values = [_u64(head)]

    def inner(m: re.Match[str]) -> str:
        values.append(_u64(m.group(2)))
        return f"({m.group(1)}#"

    return values, "# " + _INNER.sub(inner, rest)


def _width(indent: str | None) -> int:
    col = 0
    for ch in indent or "":
        col = col + 8 - col % 8 if ch == "\t" else col + 1
    return col


def _ancestors(ctx: Context, width: int) -> list[tuple[int, str, str]]:
    """The lines the current one is nested under, (width, skeleton, label), outermost first."""
    stack: list[tuple[int, str, str]] = ctx.values.setdefault("stack", [])
    while stack and stack[-1][0] >= width:
        stack.pop()
    return stack


def _lookup(section: str, skeleton: str, chain: list[str]) -> tuple[str, ...] | None:
    """The fields of a printed line: the table line with the same nesting, else the one table
    line with that label (FreeBSD prints flat what macOS nests: the same field either way)."""
    entries = table().get((section, skeleton))
    if not entries:
        return None
    for entry in entries:
        if len(entry.path) == len(chain) and all(c in forms for c, forms in zip(chain, entry.path)):
            return entry.fields
    if len({e.fields for e in entries}) == 1:
        return entries[0].fields
    return None


def _record(name: str, value: int, section: str, label: str, canonical: str | None = None) -> dict[str, Any]:
    return {"name": name, "value": value, "section": section, "label": label,
            "canonical": canonical or CANONICAL.get(name, name), "line": 0}


def _fallback(section: str, chain: list[str], label: str) -> str:
    """'ip6:Mbuf statistics: > two or more mbuf: > lo0=': the labels, values left out."""
    return f"{section}:" + " > ".join(re.sub(r"%llu ?", "", part).strip() for part in [*chain, label])


def _title(res: pp.ParseResults, ctx: Context) -> None:
    title = res["title"]
    ctx.values["section"] = "tcp" if title == STATE_TITLE else title
    ctx.values["stack"] = []
    if title == STATE_TITLE:  # its rows are one level in, under the title
        ctx.values["stack"] = [(0, STATE_TITLE + ":", STATE_TITLE + ":")]


def _subtitle(res: pp.ParseResults, ctx: Context) -> None:
    text = res["text"]
    width = _width(res.get("indent"))
    stack = _ancestors(ctx, width)
    stack.append((width, text, text))


def _gated(marker: Marker, quick: str) -> Marker:
    """``marker`` with a regex its lines all match (:meth:`Marker.gate` reads ``quick``: the
    registry tests it before loading this module)."""
    marker.quick = re.compile(quick)  # type: ignore[attr-defined]
    return marker


_TITLE_RE = "(?:" + "|".join(sorted(map(re.escape, (*TITLES, STATE_TITLE)), key=len, reverse=True)) + ")"
_SUB_RE = "(?:" + "|".join(sorted(map(re.escape, SUBTITLES), key=len, reverse=True)) + ")"

INDENT = pp.Opt(R(WS, "indent"))
#: '465304 packets sent', '2276 data packets (1952856 bytes) retransmitted'
NUM_ROW = INDENT + R(r"\d++ [^\n]*+", "text")
#: 'destination unreachable: 598', 'TCP: 44382' (histograms)
HIST_ROW = INDENT + R(r"[^\d\s:][^:\n]*+", "hlabel") + R(r": ") + R(r"\d++", "hvalue")
#: 'lo0= 1268' (ip6 mbuf statistics by interface)
EQ_ROW = INDENT + R(r"[^\s=]++", "ifname") + R(r"= ") + R(r"\d++", "ivalue")
#: 'netstat: sysctl: net.inet.ip.input_perf_data: No such file or directory' (stderr)
ERR_ROW = R(r"netstat: [^\n]*+", "error")
#: a title at column 0 this module does not know ('sctp:'; the known ones are markers)
OTHER_TITLE = R(rf"(?!{_TITLE_RE}:)[a-z][a-z0-9_]*+:", "other")


class BsdStats(Grammar):
    name = "bsd-netstat-s"
    description = "macOS / FreeBSD netstat -s statistics (-s -p tcp, udp, ip ...)"
    example = "netstat -s -p tcp"
    shape_priority = 65
    record_kind = "counter"

    def __init__(self) -> None:
        self.markers = [
            _gated(Marker("title", "protocol", R(_TITLE_RE, "title") + R(r":"), "bsdstats", _title, strip=False),
                   rf"^{_TITLE_RE}:\s*$"),  # the marker reads line.rstrip(): any trailing blank
            _gated(Marker("header", "subtitle", INDENT + R(_SUB_RE, "text"), "bsdstats", _subtitle, strip=False),
                   rf"^[ \t]*{_SUB_RE}\s*$"),  # INDENT is optional
        ]
        self.sections = {"bsdstats": [
            Row("bsd-stat", NUM_ROW, self._number), Row("bsd-histogram", HIST_ROW, self._histogram),
            Row("bsd-interface", EQ_ROW, self._interface), Row("bsd-error", ERR_ROW, self._error),
            Row("bsd-other-title", OTHER_TITLE, self._other_title),
        ]}

    def rows_for(self, ctx: Context) -> list[Row]:
        # only under a title: an indented line starting with a number is too common to claim alone
        return self.sections["bsdstats"] if ctx.section == "bsdstats" else []

    @staticmethod
    def _number(g: dict[str, Any], ctx: Context) -> list[dict[str, Any]] | str:
        section = ctx.values.get("section")
        if section is None:
            return "a statistics line under a title this module does not know"
        text = g["text"].rstrip()
        width = _width(g.get("indent"))
        stack = _ancestors(ctx, width)
        values, skeleton = _values(text)
        label = skeleton.replace("#", "%llu")
        stack_chain = [s for _, s, _ in stack]
        fields = _lookup(section, skeleton, stack_chain)
        stack.append((width, skeleton, label))  # the lines under it are its, read or not
        if None in values:
            return TOO_BIG
        if fields is not None and len(fields) == len(values):
            return [_record(f, v, section, label) for f, v in zip(fields, values)]
        name = _fallback(section, [lab for _, _, lab in stack[:-1]], label)
        if len(values) == 1:
            return [_record(name, values[0], section, label)]
        return [_record(f"{name}#{i}", v, section, label) for i, v in enumerate(values, 1)]

    @staticmethod
    def _histogram(g: dict[str, Any], ctx: Context) -> list[dict[str, Any]] | str:
        section = ctx.values.get("section")
        if section is None:
            return "a statistics line under a title this module does not know"
        width = _width(g.get("indent"))
        stack = _ancestors(ctx, width)
        hlabel, value = g["hlabel"].rstrip(), _u64(g["hvalue"])
        if value is None:
            return TOO_BIG
        label = f"{hlabel}: %llu"
        way = HISTOGRAMS.get(stack[-1][1]) if stack else None
        if section == "icmp" and way:
            kind = ICMP_TYPES.get(hlabel)
            name = f"icps_{way}hist.{hlabel.replace(' ', '_')}"
            canonical = f"icmp{way.capitalize()}{kind}" if kind else None
            return [_record(name, value, section, label, canonical)]
        return [_record(_fallback(section, [lab for _, _, lab in stack], label), value, section, label)]

    @staticmethod
    def _interface(g: dict[str, Any], ctx: Context) -> list[dict[str, Any]] | str:
        section = ctx.values.get("section")
        if section is None:
            return "a statistics line under a title this module does not know"
        stack = _ancestors(ctx, _width(g.get("indent")))
        label = f"{g['ifname']}= %llu"
        value = _u64(g["ivalue"])
        if value is None:
            return TOO_BIG
        return [_record(_fallback(section, [lab for _, _, lab in stack], label), value, section, label)]

    @staticmethod
    def _error(g: dict[str, Any], ctx: Context) -> str:
        return f"netstat's own error message, not a counter: {g['error'].rstrip()}"

    @staticmethod
    def _other_title(g: dict[str, Any], ctx: Context) -> str:
        ctx.values["section"] = None
        ctx.values["stack"] = []
        return f"a netstat -s title this module does not know ({g['other']!r}): the lines under it are reported too"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 33-multicast: multicast soft-switching (spec 8.1, MC-01..04).  The hub
# has "multicast dynamic": every multicast packet it sends out of gre1
# (an OSPF-hello-like UDP datagram to 224.0.0.5) reaches every registered
# spoke once, as unicast GRE; a spoke that leaves gets no more copies.
# The spokes have "multicast nhs": their multicast reaches the hub only.
# A spoke without any multicast configuration relays nothing.  The whole
# WAN is captured: every NHRP packet the four daemons sent decodes
# cleanly in tshark (the relayed multicast is GRE too, not judged).
#
#   hub gre1 10.255.255.1  multicast dynamic
#   s2  gre1 10.255.255.2  multicast nhs     s3 gre1 10.255.255.3  multicast nhs
#   s4  gre1 10.255.255.4  (no multicast)

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

PROBE="${CAPTURE_PROBE:-$top_builddir/tests/sysdep/capture-probe}"
[ -x "$PROBE" ] || make -C "$top_builddir" tests/sysdep/capture-probe >&2 ||
    bail_out "no $PROBE"

nhrp_add_node hub 1
nhrp_add_node s2 2
nhrp_add_node s3 3
nhrp_add_node s4 4

check "capture on the WAN bridge" nhrp_capture_start wan br0
nhrp_capture_from wan br0 hub s2 s3 s4

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 30
	multicast dynamic
CONF
for n in s2 s3; do
	nhrp_conf $n <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 30
	multicast nhs
CONF
done
nhrp_conf s4 <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 30
CONF

check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
for n in s2 s3 s4; do
	check "$n starts" nhrp_start $n "$RUNDIR/$n.conf" -v
done
shows() {
	nhrp_ctl "$1" show | tr '\n' '|' | grep -q -- "$EXPECT"
}
for i in 2 3 4; do
	EXPECT="Type: dynamic|Protocol-Address: 10.255.255.$i/32|NBMA-Address: 198.51.100.$i|Flags: [a-z ]*up|"
	wait_for 60 "hub: s$i registered" shows hub
done

sniff() {
	nhrp_bg "$1" "$PROBE" sniff gre1 "$2"
	eval "SNIFF_$1=\$BG_LOG"
	poll 30 grep -q '^ready' "$BG_LOG" || { echo "sniffer on $1 did not start"; return 1; }
}
got() {	# got NODE DST LEN FROM: number of such packets NODE received
	local log	# (LEN = UDP payload as given to udp-mcast: + 28 on the wire)
	eval "log=\$SNIFF_$1"
	grep -Ec "^sniff pkttype=[0-9]+ nbma=$4 len=$(($3 + 28)) src=[0-9.]+ dst=$2\$" "$log"
}
got_ge() {	# got_ge NODE DST LEN FROM N: re-counted on every poll of wait_for
	test "$(got "$1" "$2" "$3" "$4")" -ge "$5"
}
for n in hub s2 s3 s4; do
	check "sniffer on $n" sniff $n 120
done

# the hub sends 3 hellos: each spoke gets each one exactly once
check "hub sends 3 multicast datagrams out of gre1" \
    hub "$PROBE" udp-mcast gre1 224.0.0.5 120 3
for n in s2 s3 s4; do
	wait_for 20 "$n received the hub's 3 multicast packets" \
	    got_ge $n 224.0.0.5 120 198.51.100.1 3
done
sleep 1
for n in s2 s3 s4; do
	check "$n received each of them once ($(got $n 224.0.0.5 120 198.51.100.1))" \
	    test "$(got $n 224.0.0.5 120 198.51.100.1)" = 3
done

# a spoke with "multicast nhs" relays to the hub only
check "s2 sends 2 multicast datagrams" s2 "$PROBE" udp-mcast gre1 224.0.0.6 140 2
wait_for 20 "the hub received s2's 2 packets" \
    got_ge hub 224.0.0.6 140 198.51.100.2 2
sleep 1
check "s3 got nothing from s2 (nhs mode: the NHS only)" \
    test "$(got s3 224.0.0.6 140 198.51.100.2)" = 0
# a spoke without multicast configuration relays nothing
check "s4 sends a multicast datagram (not relayed)" \
    s4 "$PROBE" udp-mcast gre1 224.0.0.6 160 1
sleep 2
check "the hub got nothing from s4" test "$(got hub 224.0.0.6 160 198.51.100.4)" = 0

# s3 leaves: it gets no more copies
check "s3 exits 0 on SIGTERM" nhrp_stop s3
wait_for 30 "hub: s3's binding is gone (its shutdown purge)" \
    bash -c "! $NHRP_CTL -a $(nhrp_sock hub) show | grep -q 10.255.255.3/32"
check "hub sends 2 more" hub "$PROBE" udp-mcast gre1 224.0.0.5 130 2
wait_for 20 "s2 received the 2 new ones" \
    got_ge s2 224.0.0.5 130 198.51.100.1 2
sleep 1
check "s3 (gone) received none of them" \
    test "$(got s3 224.0.0.5 130 198.51.100.1)" = 0
check "hub: multicast relay counters (SIGUSR1)" \
    bash -c "kill -USR1 $(nhrp_pid hub); sleep 1; grep 'Counters: multicast' $(nhrp_log hub) | tail -1 | awk '{ exit !(\$4 >= 5 && \$6 >= 13) }'"
diag "$(grep 'Counters: multicast' "$(nhrp_log hub)" | tail -1)"

check "s2 exits 0 on SIGTERM" nhrp_stop s2
check "s4 exits 0 on SIGTERM" nhrp_stop s4
check "hub exits 0 on SIGTERM" nhrp_stop hub
check "every NHRP packet hub, s2, s3 and s4 sent decodes cleanly (tshark)" \
    nhrp_capture_check wan br0
tap_done

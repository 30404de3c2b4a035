#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 13-capture-multicast: the multicast half of nhrp/sysdep_capture.c on a
# real mGRE hub, no daemon. tests/sysdep/capture-probe on the hub captures
# IPv4 multicast the hub sends out of gre1 (kernel BPF on an ETH_P_ALL
# socket bound to gre1) and relays each packet with capture_mcast_send;
# a sniffer on each spoke's gre1 counts what arrives.
#  - a 1400-byte multicast datagram is captured whole and relayed once to
#    each spoke, which receives it from the hub's NBMA address;
#  - relayed copies are never captured again (no loop);
#  - 500 targets (2 spokes + 498 routed fakes) go out in ONE sendmmsg call
#    and leave eth0 as 500 GRE packets;
#  - when the kernel pushes back (a tbf qdisc on gre1: ENOBUFS) the copies
#    wait in the relay queue and all go out later, in order; past 8 MiB
#    the queue drops and counts;
#  - with jumbo MTUs a 5000-byte multicast packet is captured and relayed
#    whole (no 1500-byte cap);
#  - cost: unicast over gre1, a flood on eth0 and traffic received on
#    gre1 reach user space zero times.
#
#   hub gre1 10.255.255.1 ═╗ mGRE key 1234   eth0 198.51.100.1 ─┐
#   s1  gre1 10.255.255.2 ═╣                 eth0 198.51.100.2 ─┼ wan br0
#   s2  gre1 10.255.255.3 ═╝                 eth0 198.51.100.3 ─┘ .254

. "$(dirname "$0")/lib.sh"

PROBE="${CAPTURE_PROBE:-$top_builddir/tests/sysdep/capture-probe}"
[ -x "$PROBE" ] || make -C "$top_builddir" tests/sysdep/capture-probe >&2 ||
    bail_out "no $PROBE"

nhrp_add_node hub 1
nhrp_add_node s1 2
nhrp_add_node s2 3
for s in s1 s2; do
	nhrp_static_neigh hub $s
	nhrp_static_neigh $s hub
done
check "s1 pings the hub over gre1" s1 ping -c1 -W5 10.255.255.1
check "s2 pings the hub over gre1" s2 ping -c1 -W5 10.255.255.1

OUT="$RUNDIR/probe.out"

# sniff NODE SECS: background sniffer on NODE's gre1 (log in SNIFF_<NODE>)
sniff() {
	nhrp_bg "$1" "$PROBE" sniff gre1 "$2"
	eval "SNIFF_$1=\$BG_LOG SNIFF_PID_$1=\$BG_PID"
	poll 30 grep -q '^ready' "$BG_LOG" || { echo "sniffer on $1 did not start"; return 1; }
}
# count FILE PATTERN
count() {
	grep -Ec -- "$2" "$1"
}
# stat MARK FIELD: FIELD of the first stats line after the line MARK
stat() {
	sed -n "/^$1\$/,\$p" "$OUT" | grep -m1 '^stats ' |
	    tr ' ' '\n' | sed -n "s/^$2=//p"
}
delta() {
	echo $(($(stat "$2" "$3") - $(stat "$1" "$3")))
}
has() {
	grep -Eq -- "$1" "$OUT" || { echo "no line matching: $1"; cat "$OUT"; return 1; }
}

check "sniffer on s1" sniff s1 60
check "sniffer on s2" sniff s2 60

hub ip route add 100.64.0.0/16 via 198.51.100.254
hub "$PROBE" \
    capture gre1 multicast \
    relay 198.51.100.2 198.51.100.3 \
    echo mark-start stats gre1 \
    udp-mcast gre1 224.0.0.5 1372 1 \
    wait-multicast 1 20 \
    sleep 1 \
    echo mark-one stats gre1 \
    run "ping -c 20 -i 0.05 -W 2 10.255.255.2 >/dev/null; ping -c 20 -i 0.05 -W 2 10.255.255.3 >/dev/null" \
    run "ip netns exec $(nhrp_ns s1) ping -c 20 -i 0.05 -W 2 10.255.255.1 >/dev/null" \
    run "ping -f -c 2000 -W 2 198.51.100.254 >/dev/null" \
    sleep 1 \
    echo mark-unrelated stats gre1 \
    relay-fake 498 100.64.0.1 \
    run 'echo eth0-tx-before $(cat /sys/class/net/eth0/statistics/tx_packets)' \
    udp-mcast gre1 224.0.0.6 72 1 \
    wait-multicast 2 20 \
    run 'echo eth0-tx-after $(cat /sys/class/net/eth0/statistics/tx_packets)' \
    sleep 1 \
    echo mark-batch stats gre1 \
    >"$OUT" 2>"$RUNDIR/probe.err"
check "probe ran" test $? -eq 0
gre1=$(hub cat /sys/class/net/gre1/ifindex)

check "capture on gre1 started" has "^capture err=0$"
check "the 1400-byte multicast packet is captured whole" \
    has "^multicast ifindex=$gre1 len=1400 src=10.255.255.1 dst=224.0.0.5$"
check "relayed to both spokes" has "^relay ret=2$"
check "counters: 1 captured, 2 relayed in 1 sendmmsg call" \
    test "$(delta mark-start mark-one multicast)/$(delta mark-start mark-one relayed)/$(delta mark-start mark-one calls)" = 1/2/1
check "relayed copies are not captured again (one capture in all)" \
    test "$(stat mark-unrelated multicast)" = 1
check "unicast over gre1 and a 2000-packet flood on eth0: nothing reaches user space" \
    test "$(delta mark-one mark-unrelated multicast)/$(delta mark-one mark-unrelated invalid)" = 0/0
check "500 targets: 500 copies in ONE sendmmsg call" \
    test "$(delta mark-unrelated mark-batch relayed)/$(delta mark-unrelated mark-batch calls)" = 500/1
check "no drops, nothing queued" \
    test "$(stat mark-batch dropped)/$(stat mark-batch queued)/$(stat mark-batch kdrops)" = 0/0/0
diag "$(grep '^stats' "$OUT")"
tx0=$(sed -n 's/^eth0-tx-before //p' "$OUT")
tx1=$(sed -n 's/^eth0-tx-after //p' "$OUT")
check "hub eth0 sent the 500 GRE copies ($((tx1 - tx0)) packets)" \
    test $((tx1 - tx0)) -ge 500 -a $((tx1 - tx0)) -le 510

# the spokes: exactly one copy of each packet, from the hub's NBMA
for s in s1 s2; do
	eval "log=\$SNIFF_$s"
	check "$s received the 1400-byte packet once, from NBMA 198.51.100.1" \
	    test "$(count "$log" '^sniff pkttype=[0-9]+ nbma=198.51.100.1 len=1400 src=10.255.255.1 dst=224.0.0.5$')" = 1
	check "$s received the 100-byte packet of the 500-target batch once" \
	    test "$(count "$log" '^sniff .* len=100 src=10.255.255.1 dst=224.0.0.6$')" = 1
done

# Pushback: a token bucket on gre1 makes the kernel refuse copies
# (ENOBUFS); the rest wait in the relay queue and go out later, in order,
# none lost. Two 200-target relays back to back.
hub tc qdisc add dev gre1 root tbf rate 1mbit burst 3000 limit 3000 ||
    diag "no tbf qdisc"
check "sniffer on s1 (pushback)" sniff s1 60
OUT3="$RUNDIR/probe-queue.out"
OUT_SAVE=$OUT
OUT=$OUT3
hub "$PROBE" \
    capture gre1 multicast \
    relay 198.51.100.2 198.51.100.3 \
    relay-fake 198 100.64.0.1 \
    echo mark-q0 stats gre1 \
    mcast-send gre1 100 224.0.0.7 \
    mcast-send gre1 100 224.0.0.8 \
    echo mark-q1 stats gre1 \
    sleep 4 \
    echo mark-q2 stats gre1 \
    >"$OUT3" 2>"$RUNDIR/probe-queue.err"
check "pushback probe ran" test $? -eq 0
# Overflow: 2000 relays of 1400 bytes to 200 targets while the device is
# throttled: the queue stops at CAPTURE_QUEUE_MAX bytes, the excess is
# dropped and counted, nothing blocks.
OUT4="$RUNDIR/probe-overflow.out"
hub "$PROBE" \
    capture gre1 multicast \
    relay-fake 200 100.64.0.1 \
    mcast-send gre1 1400 224.0.0.9 2000 \
    stats gre1 \
    >"$OUT4" 2>"$RUNDIR/probe-overflow.err"
check "overflow probe ran" test $? -eq 0
hub tc qdisc del dev gre1 root
diag "$(cat "$OUT4")"
ovf() {
	local sent queued dropped
	sent=$(sed -n 's/^send count=2000 sent=\([0-9]*\) errors=0$/\1/p' "$OUT4")
	queued=$(tr ' ' '\n' <"$OUT4" | sed -n 's/^queued=//p')
	dropped=$(tr ' ' '\n' <"$OUT4" | sed -n 's/^dropped=//p')
	echo "sent $sent queued $queued dropped $dropped"
	[ -n "$sent" ] && [ "$dropped" -gt 0 ] &&
	    [ $((sent + queued + dropped)) -eq 400000 ] &&
	    # 8 MiB hold at most 8 MiB / (1400 + 200 * 20) bytes of relays
	    [ "$queued" -le $((8 * 1024 * 1024 / (1400 + 4000) * 200 + 200)) ]
}
check "queue bounded: every copy sent, queued or counted as dropped" ovf
diag "$(grep -E '^(stats|send)' "$OUT3")"
check "the kernel pushed back: copies were queued" \
    test "$(stat mark-q1 queued)" -gt 0
check "the second relay waited behind the first (send ret=0)" \
    grep -qx "send ret=0" "$OUT3"
check "all 400 copies went out later, none dropped" \
    test "$(stat mark-q2 relayed)/$(stat mark-q2 dropped)" = 400/0
check "no busy retry loop: $(stat mark-q2 calls) sendmmsg calls for 400 copies" \
    test "$(stat mark-q2 calls)" -lt 1600
check "s1 received both, in order" \
    bash -c "grep -Eo 'dst=224\.0\.0\.[78]\$' '$SNIFF_s1' | tr '\n' ' ' | grep -qx 'dst=224.0.0.7 dst=224.0.0.8 '"
OUT=$OUT_SAVE

# Jumbo: gre1 MTU 8000 over 9000-byte Ethernet; a 5000-byte multicast
# packet must be captured and relayed whole.
for i in 1 2 3; do
	wan ip link set "e$i" mtu 9000
done
for n in hub s1 s2; do
	$n ip link set eth0 mtu 9000
	$n ip link set gre1 mtu 8000
done
check "sniffer on s1 (jumbo)" sniff s1 60
OUT2="$RUNDIR/probe-jumbo.out"
hub "$PROBE" \
    capture gre1 multicast \
    relay 198.51.100.2 198.51.100.3 \
    udp-mcast gre1 224.0.0.5 4972 1 \
    wait-multicast 1 20 \
    sleep 1 \
    stats gre1 \
    >"$OUT2" 2>"$RUNDIR/probe-jumbo.err"
check "jumbo probe ran" test $? -eq 0
check "a 5000-byte multicast packet is captured whole" \
    grep -qx "multicast ifindex=$gre1 len=5000 src=10.255.255.1 dst=224.0.0.5" "$OUT2"
check "and relayed to both spokes" grep -qx "relay ret=2" "$OUT2"
check "s1 received it whole (5000 bytes)" \
    grep -Eq '^sniff pkttype=[0-9]+ nbma=198.51.100.1 len=5000 src=10.255.255.1 dst=224.0.0.5$' "$SNIFF_s1"

tap_done

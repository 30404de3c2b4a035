#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 00-gre-basic: the kernel plumbing every other test relies on, no daemon.
# Two nodes on mGRE with static neighbour entries ping each other, exchange
# ethertype 0x2001 frames through AF_PACKET (what the daemon does for NHRP)
# both ways, route LAN traffic over the tunnel, and the recording hook
# script works.
#
#   n1_lan 192.168.1.2 ── lan0 n1 gre1 10.255.255.1 ═╗
#                            eth0 198.51.100.1 ─┐    ║ mGRE key 1234
#                                           wan br0  ║
#   n2_lan 192.168.2.2 ── lan0 n2 gre1 10.255.255.2 ═╝
#                            eth0 198.51.100.2 ─┘

. "$(dirname "$0")/lib.sh"

nhrp_add_node n1 1
nhrp_add_node n2 2

check "WAN: n1 pings n2's NBMA address" n1 ping -c1 -W5 198.51.100.2
check "gre1 is an mGRE device (no remote, key 1234)" \
    bash -c "ip -n $(nhrp_ns n1) -d link show gre1 | grep -q 'gre remote any local 198.51.100.1 .*ikey 0.0.4.210'"

nhrp_static_neigh n1 n2
nhrp_static_neigh n2 n1
check "mGRE: n1 pings n2 over gre1" n1 ping -c2 -i0.2 -W5 10.255.255.2
check "mGRE: n2 pings n1 over gre1" n2 ping -c2 -i0.2 -W5 10.255.255.1

# An AF_PACKET frame with ethertype 0x2001, sent to the peer's NBMA address
# as link-layer address, arrives with hatype ARPHRD_IPGRE and the sender's
# NBMA address as source.
exchange() {
	local from=$1 to=$2 data=$3 pid log line
	nhrp_bg "$to" "$PKTIO" recv gre1 20
	pid=$BG_PID log=$BG_LOG
	poll 30 grep -q '^ready' "$log" ||
	    { echo "pktio recv did not start"; cat "$log"; return 1; }
	"$from" "$PKTIO" send gre1 "$(nhrp_nbma "$to")" "$data" || return 1
	wait "$pid" || { echo "pktio recv failed"; cat "$log"; return 1; }
	line=$(grep '^hatype' "$log")
	echo "received: $line"
	[ "$line" = "hatype 778 pkttype 0 proto 0x2001 nbma $(nhrp_nbma "$from") len $((${#data} / 2)) data $data" ]
}

check "AF_PACKET 0x2001 n1 -> n2: hatype 778, source NBMA 198.51.100.1" \
    exchange n1 n2 0001000100080000deadbeef
check "AF_PACKET 0x2001 n2 -> n1: hatype 778, source NBMA 198.51.100.2" \
    exchange n2 n1 0a0b0c0d0e

# Issue 5 needs hosts behind the spokes: a LAN on each, routed over gre1.
nhrp_add_lan n1 192.168.1.0/24
nhrp_add_lan n2 192.168.2.0/24
n1 ip route add 192.168.2.0/24 via 10.255.255.2 dev gre1
n2 ip route add 192.168.1.0/24 via 10.255.255.1 dev gre1
check "LAN host behind n1 pings LAN host behind n2 over gre1" \
    n1_lan ping -c2 -i0.2 -W5 "$(nhrp_lan_host n2)"

# The recording hook: one sorted line per event, forced exit codes.
hook="$RUNDIR/n1.hook"
check "hook records an event with its NHRP_* variables, sorted" bash -c "
	env -i NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.2 NHRP_INTERFACE=gre1 \
	    PATH=/usr/sbin:/usr/bin:/sbin:/bin '$hook' peer-up &&
	[ \"\$(cat '$RUNDIR/n1.events')\" = \
	    'peer-up NHRP_DESTADDR=10.255.255.2 NHRP_INTERFACE=gre1 NHRP_TYPE=dynamic' ]"
check "nhrp_has_event matches event and variables" \
    nhrp_has_event n1 peer-up NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.2
check_fail "nhrp_has_event rejects a different value" \
    nhrp_has_event n1 peer-up NHRP_TYPE=static
nhrp_fail_event n1 peer-register
check_fail "a .fail-peer-register file makes the hook refuse" \
    env -i NHRP_TYPE=dynamic "$hook" peer-register
nhrp_unfail_event n1 peer-register
check "without it the hook accepts" env -i NHRP_TYPE=dynamic "$hook" peer-register
check "event count" test "$(nhrp_event_count n1 peer-register)" = 2

tap_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 10-sysdep-events: the kernel glue (nhrp/sysdep_netlink.c) against a real
# kernel, no GRE needed. tests/sysdep/sysdep-probe runs sysdep_init in node
# n1 and prints every link/address/route event; we change the namespace
# and check what it reports: the startup dumps, veth links, primary and
# secondary addresses, multipath, default and table-1000 routes, deletions,
# route lookups (preferred source, interface MTU), and the full re-dump
# after a netlink overrun.
#
#   n1: eth0 198.51.100.1/24 ── wan br0 198.51.100.254
#       v0 10.1.0.1/24 (+ 10.1.0.2 secondary) ── v0p  (veth pair in n1)
#       v1 10.2.0.1/24 ── v1p

. "$(dirname "$0")/lib.sh"

PROBE="${SYSDEP_PROBE:-$top_builddir/tests/sysdep/sysdep-probe}"
[ -x "$PROBE" ] || make -C "$top_builddir" tests/sysdep/sysdep-probe >&2 ||
    bail_out "no $PROBE"

nhrp_add_node n1 1 --no-gre
OUT="$RUNDIR/probe.out"

# has REGEX: a whole line of the probe output matches
has() {
	grep -Eqx -- "$1" "$OUT" || { echo "no line matching: $1"; cat "$OUT"; return 1; }
}
hasnt() {
	! grep -Eqx -- "$1" "$OUT" || { echo "unexpected: $(grep -Ex -- "$1" "$OUT")"; return 1; }
}
# after MARK REGEX: a matching line comes after the line MARK
after() {
	sed -n "/^$1\$/,\$p" "$OUT" | grep -Eqx -- "$2" ||
	    { echo "no line matching $2 after $1"; cat "$OUT"; return 1; }
}
before_init() {
	sed -n '/^init done$/q;p' "$OUT" | grep -Eqx -- "$1" ||
	    { echo "no line matching $1 in the startup dump"; cat "$OUT"; return 1; }
}

n1 "$PROBE" \
    run 'ip link add v0 type veth peer name v0p && ip link set v0 up && ip link set v0p up && ip link add v1 type veth peer name v1p && ip link set v1 up && ip link set v1p up' \
    echo mark-links \
    run 'ip addr add 10.1.0.1/24 dev v0 && ip addr add 10.1.0.2/24 dev v0 && ip addr add 10.2.0.1/24 dev v1' \
    echo mark-addrs \
    run 'ip route add 192.168.5.0/24 nexthop via 10.1.0.5 dev v0 nexthop via 10.2.0.5 dev v1' \
    echo mark-multipath \
    run 'ip route add default via 10.1.0.254' \
    echo mark-default \
    run 'ip route add 172.16.0.0/16 via 10.2.0.9 table 1000 proto 42' \
    echo mark-table \
    route-get 198.51.100.77 \
    route-get 10.2.0.66 \
    run 'ip link set v1 mtu 1400' \
    route-get 10.2.0.66 \
    route-get 203.0.113.1 \
    run 'ip route del default && ip route del 172.16.0.0/16 table 1000 && ip route del 192.168.5.0/24' \
    echo mark-routes-deleted \
    route-get 203.0.113.1 \
    run 'ip addr del 10.1.0.2/24 dev v0' \
    echo mark-addr-deleted \
    run 'ip link del v1' \
    echo mark-link-deleted \
    gc-thresh \
    >"$OUT" 2>"$RUNDIR/probe.err"
check "probe ran" test $? -eq 0

eth0=$(n1 cat /sys/class/net/eth0/ifindex)
check "startup dump: link eth0 with its MTU" \
    before_init "link new ifindex=$eth0 name=eth0 type=1 mtu=1500 flags=0x[0-9a-f]+"
check "startup dump: address 198.51.100.1/24" \
    before_init "addr new ifindex=$eth0 addr=198.51.100.1/24"
check "startup dump: connected route, main table, proto kernel" \
    before_init "route new dst=198.51.100.0/24 gw=- oif=$eth0 table=254 proto=2 type=1"
check "startup dump: local table route" \
    before_init "route new dst=198.51.100.1/32 gw=- oif=$eth0 table=255 proto=2 type=2"

v0=$(sed -n 's/^link new ifindex=\([0-9]*\) name=v0 .*/\1/p' "$OUT" | head -1)
v1=$(sed -n 's/^link new ifindex=\([0-9]*\) name=v1 .*/\1/p' "$OUT" | head -1)
check "new links reported (v0=$v0, v1=$v1)" test -n "$v0" -a -n "$v1"
check "link up: IFF_UP|IFF_LOWER_UP flags" \
    has "link new ifindex=$v0 name=v0 type=1 mtu=1500 flags=0x1[0-9a-f]{3}[3-9a-f]"
check "primary address" has "addr new ifindex=$v0 addr=10.1.0.1/24"
check "secondary address flagged" has "addr new ifindex=$v0 addr=10.1.0.2/24 secondary"
check "multipath: first hop as its own route" \
    after mark-addrs "route new dst=192.168.5.0/24 gw=10.1.0.5 oif=$v0 table=254 proto=3 type=1"
check "multipath: second hop as its own route" \
    after mark-addrs "route new dst=192.168.5.0/24 gw=10.2.0.5 oif=$v1 table=254 proto=3 type=1"
check "default route: dst 0.0.0.0/0" \
    after mark-multipath "route new dst=0.0.0.0/0 gw=10.1.0.254 oif=$v0 table=254 proto=3 type=1"
check "table 1000 (RTA_TABLE) and protocol 42" \
    after mark-default "route new dst=172.16.0.0/16 gw=10.2.0.9 oif=$v1 table=1000 proto=42 type=1"
check "route lookup: preferred source and interface MTU" \
    has "route-get prefsrc=198.51.100.1 mtu=1500"
check "route lookup: MTU of the output interface" \
    has "route-get prefsrc=10.2.0.1 mtu=1500"
check "route lookup: changed MTU seen" \
    has "route-get prefsrc=10.2.0.1 mtu=1400"
check "route lookup: via the default route" \
    has "route-get prefsrc=10.1.0.1 mtu=1500"
check "route deletions: default" \
    after mark-table "route del dst=0.0.0.0/0 gw=10.1.0.254 oif=$v0 table=254 proto=3 type=1"
check "route deletions: table 1000" \
    after mark-table "route del dst=172.16.0.0/16 gw=10.2.0.9 oif=$v1 table=1000 proto=42 type=1"
check "route deletions: multipath, one per hop" bash -c "
	[ \$(grep -Ecx 'route del dst=192.168.5.0/24 gw=10.(1|2).0.5 oif=($v0|$v1) table=254 proto=3 type=1' '$OUT') = 2 ]"
check "route lookup without a route: -ENETUNREACH" \
    after mark-routes-deleted "route-get err=-101 .*"
check "address deletion" \
    after mark-routes-deleted "addr del ifindex=$v0 addr=10.1.0.2/24 secondary"
check "link deletion" \
    after mark-addr-deleted "link del ifindex=$v1 name=v1 type=1 mtu=1400 flags=0x[0-9a-f]+"
check "no IPv6 or unknown messages leak through" \
    hasnt '(addr|route) new .*:.*'
if n1 test -r /proc/sys/net/ipv4/neigh/default/gc_thresh3; then
	t="$(n1 cat /proc/sys/net/ipv4/neigh/default/gc_thresh1) $(n1 cat /proc/sys/net/ipv4/neigh/default/gc_thresh2) $(n1 cat /proc/sys/net/ipv4/neigh/default/gc_thresh3)"
	check "gc_thresh1..3 read" has "gc-thresh $t"
else
	check "gc_thresh not visible in this namespace: -ENOENT" has "gc-thresh err=-2"
fi

# Overrun: a tiny event socket buffer and a burst of 2000 routes added while
# the probe sits in system(): ENOBUFS, "Netlink overrun", then a full
# re-dump between resync begin/end that contains the last route.
n1 ip link add v2 type veth peer name v2p
n1 ip link set v2 up
n1 ip addr add 10.3.0.1/16 dev v2
batch="$RUNDIR/routes.batch"
for i in $(seq 0 1999); do
	echo "route add 10.200.$((i / 250)).$((i % 250))/32 via 10.3.0.9"
done >"$batch"
n1 "$PROBE" -b 4096 run "ip -batch $batch" echo mark-burst \
    >"$OUT" 2>"$RUNDIR/probe.err"
check "overrun: probe ran" test $? -eq 0
check "overrun: logged 'Netlink overrun'" grep -q 'Netlink overrun' "$RUNDIR/probe.err"
check "overrun: resync begin" has "resync begin"
check "overrun: resync end" has "resync end"
check "overrun: the re-dump has the last route" bash -c "
	sed -n '/^resync begin\$/,/^resync end\$/p' '$OUT' |
	    grep -q '^route new dst=10.200.7.249/32 gw=10.3.0.9 '"
check "overrun: the re-dump has the links" bash -c "
	sed -n '/^resync begin\$/,/^resync end\$/p' '$OUT' | grep -q '^link new .* name=eth0 '"

tap_done

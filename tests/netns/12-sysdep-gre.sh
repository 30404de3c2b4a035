#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 12-sysdep-gre: the kernel glue on real mGRE devices (runs in the VM when
# the host has no GRE). tests/sysdep/sysdep-probe in n1 checks:
#  - GRE parameters from IFLA_LINKINFO: key in host order, local, remote,
#    bound link (dev eth0), separate ikey/okey;
#  - sysdep_iface_configure on gre1 (app/ucast/mcast probes, NOARP,
#    send_redirects);
#  - sysdep_neigh_set REACHABLE with a 4-byte NBMA lladdr, acknowledged,
#    reported back as a neighbour event, and usable (ping over gre1); then
#    NUD_FAILED;
#  - a kernel app probe on gre1 (who-has for an unknown tunnel address);
#  - sysdep_route_get towards a peer NBMA (own NBMA and MTU);
#  - NHRP (ethertype 0x2001) exchanged with n2: probe -> probe (both
#    directions of sysdep), probe <- pktio, with the outer source NBMA
#    from sll_addr, a 1400-byte packet whole, our own transmissions not
#    delivered back.
#
#   n1 gre1 10.255.255.1 ═╗ mGRE key 1234    n1 eth0 198.51.100.1 ─┐
#   n2 gre1 10.255.255.2 ═╝                  n2 eth0 198.51.100.2 ─┴ wan br0

. "$(dirname "$0")/lib.sh"

PROBE="${SYSDEP_PROBE:-$top_builddir/tests/sysdep/sysdep-probe}"
[ -x "$PROBE" ] || make -C "$top_builddir" tests/sysdep/sysdep-probe >&2 ||
    bail_out "no $PROBE"

nhrp_add_node n1 1
nhrp_add_node n2 2
nhrp_static_neigh n2 n1
OUT="$RUNDIR/probe.out"
NS2=$(nhrp_ns n2)

has() {
	grep -Eqx -- "$1" "$OUT" || { echo "no line matching: $1"; cat "$OUT"; return 1; }
}
after() {
	sed -n "/^$1\$/,\$p" "$OUT" | grep -Eqx -- "$2" ||
	    { echo "no line matching $2 after $1"; cat "$OUT"; return 1; }
}
before_init() {
	sed -n '/^init done$/q;p' "$OUT" | grep -Eqx -- "$1" ||
	    { echo "no line matching $1 in the startup dump"; cat "$OUT"; return 1; }
}
sysctl_is() {
	[ "$(n1 sysctl -n "$1")" = "$2" ] || { echo "$1 = $(n1 sysctl -n "$1"), want $2"; return 1; }
}

small=0001000100080000deadbeef
big=$(head -c 1400 /dev/zero | tr '\0' '\252' | od -An -tx1 -v | tr -d ' \n')
back=0a0b0c0d0e

# n2: a second probe waiting for two NHRP packets
nhrp_bg n2 "$PROBE" recv 2 60
bg_pid=$BG_PID bg_log=$BG_LOG
poll 60 grep -q "^init done$" "$bg_log" ||
    bail_out "probe in n2 did not start: $(tr "\n" " " <"$bg_log")"

n1 ip link set gre1 arp off
n1 "$PROBE" \
    configure gre1 \
    run 'ip tunnel add gre2 mode gre key 77 ttl 64 dev eth0 && ip tunnel add gre3 mode gre ikey 5 okey 6 local 198.51.100.1 remote 198.51.100.2 ttl 64' \
    echo mark-tunnels \
    neigh-set gre1 10.255.255.2 198.51.100.2 \
    run 'ip neigh show 10.255.255.2 dev gre1 | sed "s/^/kernel: /"' \
    run 'ping -c1 -W5 10.255.255.2 >/dev/null && echo "kernel: ping ok"' \
    echo mark-reachable \
    neigh-set gre1 10.255.255.2 - \
    run 'ip neigh show 10.255.255.2 dev gre1 | sed "s/^/kernel: /"' \
    echo mark-failed \
    run 'ping -c1 -W1 10.255.255.3 >/dev/null' \
    echo mark-probe \
    route-get 198.51.100.2 \
    send gre1 198.51.100.2 "$small" \
    send gre1 198.51.100.2 "$big" \
    recv 1 1 \
    run "ip netns exec $NS2 $PKTIO send gre1 198.51.100.1 $back" \
    recv 1 10 \
    >"$OUT" 2>"$RUNDIR/probe.err"
check "probe ran" test $? -eq 0

gre1=$(n1 cat /sys/class/net/gre1/ifindex)
eth0=$(n1 cat /sys/class/net/eth0/ifindex)
check "startup dump: gre1 as ARPHRD_IPGRE with key 1234 (host order), local, no remote" \
    before_init "link new ifindex=$gre1 name=gre1 type=778 mtu=1472 flags=0x[0-9a-f]+ gre ikey=1234 okey=1234 local=198.51.100.1 remote=- link=0"
check "GRE bound to eth0 without local: link=$eth0, key 77" \
    has "link new ifindex=[0-9]+ name=gre2 type=778 mtu=[0-9]+ flags=0x[0-9a-f]+ gre ikey=77 okey=77 local=- remote=- link=$eth0"
check "GRE with ikey 5, okey 6 and a remote" \
    has "link new ifindex=[0-9]+ name=gre3 type=778 mtu=[0-9]+ flags=0x[0-9a-f]+ gre ikey=5 okey=6 local=198.51.100.1 remote=198.51.100.2 link=0"

check "configure gre1 succeeded" has "configure err=0"
check "gre1 app_solicit = 1" sysctl_is net.ipv4.neigh.gre1.app_solicit 1
check "gre1 ucast_solicit = 0" sysctl_is net.ipv4.neigh.gre1.ucast_solicit 0
check "gre1 mcast_solicit = 0" sysctl_is net.ipv4.neigh.gre1.mcast_solicit 0
check "gre1 send_redirects = 0" sysctl_is net.ipv4.conf.gre1.send_redirects 0
check "gre1 NOARP cleared" bash -c "! ip -n $(nhrp_ns n1) link show gre1 | grep -q NOARP"

check "REACHABLE with NBMA lladdr acknowledged" has "ack 10.255.255.2 err=0"
check "neighbour event: new, lladdr = NBMA, NUD_REACHABLE" \
    has "neigh new ifindex=$gre1 dst=10.255.255.2 lladdr=198.51.100.2 state=0x2"
check "the kernel entry points at the NBMA" \
    has "kernel: 10.255.255.2 lladdr 198.51.100.2 REACHABLE *"
check "traffic flows through the injected entry" has "kernel: ping ok"
check "NUD_FAILED acknowledged" after mark-reachable "ack 10.255.255.2 err=0"
check "the kernel entry is FAILED" after mark-reachable "kernel: 10.255.255.2 FAILED *"
check "app probe on gre1 for an unknown tunnel address" \
    after mark-failed "neigh request ifindex=$gre1 dst=10.255.255.3 lladdr=- state=0x[0-9a-f]+"
check "route lookup towards the peer NBMA: own NBMA, link MTU" \
    has "route-get prefsrc=198.51.100.1 mtu=1500"

check "sysdep_nhrp_send: both packets sent" bash -c "[ \$(grep -c '^send err=0\$' '$OUT') = 2 ]"
check "our own transmissions are not delivered back" has "recv packets=0"
check "packet from pktio in n2: ifindex, source NBMA, bytes" \
    has "packet ifindex=$gre1 src=198.51.100.2 len=5 data=$back"
check "recv count" has "recv packets=1"

wait "$bg_pid"
check "n2 probe received both packets" grep -qx 'recv packets=2' "$bg_log"
gre1_2=$(n2 cat /sys/class/net/gre1/ifindex)
check "n2: small packet with source NBMA 198.51.100.1" \
    grep -qx "packet ifindex=$gre1_2 src=198.51.100.1 len=12 data=$small" "$bg_log"
check "n2: 1400-byte packet whole" \
    grep -qx "packet ifindex=$gre1_2 src=198.51.100.1 len=1400 data=${big:0:128}" "$bg_log"

tap_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 11-sysdep-neigh: neighbour handling of the kernel glue against a real
# kernel, no GRE needed (a veth pair in node n1):
#  - sysdep_neigh_set is acknowledged by the kernel (NLM_F_ACK): success
#    for NUD_FAILED, -EINVAL for a 4-byte lladdr on Ethernet, -ENODEV for
#    an ifindex that does not exist; a cancelled request calls nobody back;
#  - pipelining: 600 updates in flight at once, every one answered;
#  - sysdep_iface_configure sets app_probes=1, ucast_probes=0,
#    mcast_probes=0, clears IFF_NOARP and send_redirects; global too;
#  - with app_solicit=1, a neighbour resolution reaches the daemon as an
#    RTM_GETNEIGH (SYSDEP_NEIGH_REQUEST), and its answer (REACHABLE) is
#    reported back as a new neighbour.
#
#   n1: v0 10.1.0.1/24 ── v0p 10.1.0.2/24 (veth pair inside n1)

. "$(dirname "$0")/lib.sh"

PROBE="${SYSDEP_PROBE:-$top_builddir/tests/sysdep/sysdep-probe}"
[ -x "$PROBE" ] || make -C "$top_builddir" tests/sysdep/sysdep-probe >&2 ||
    bail_out "no $PROBE"

nhrp_add_node n1 1 --no-gre
OUT="$RUNDIR/probe.out"
n1 ip link add v0 type veth peer name v0p
n1 ip link set v0 up
n1 ip link set v0p up
n1 ip addr add 10.1.0.1/24 dev v0
n1 ip link set v0 arp off
n1 sysctl -qw net.ipv4.conf.v0.send_redirects=1
n1 sysctl -qw net.ipv4.conf.all.send_redirects=1
v0=$(n1 cat /sys/class/net/v0/ifindex)

has() {
	grep -Eqx -- "$1" "$OUT" || { echo "no line matching: $1"; cat "$OUT"; return 1; }
}
hasnt() {
	! grep -Eqx -- "$1" "$OUT" || { echo "unexpected: $(grep -Ex -- "$1" "$OUT")"; return 1; }
}
after() {
	sed -n "/^$1\$/,\$p" "$OUT" | grep -Eqx -- "$2" ||
	    { echo "no line matching $2 after $1"; cat "$OUT"; return 1; }
}
sysctl_is() {
	[ "$(n1 sysctl -n "$1")" = "$2" ] || { echo "$1 = $(n1 sysctl -n "$1"), want $2"; return 1; }
}

n1 "$PROBE" \
    configure v0 \
    global-configure \
    echo mark-configured \
    neigh-set v0 10.1.0.50 - \
    run 'ip neigh show 10.1.0.50 dev v0 | sed "s/^/kernel: /"' \
    neigh-set v0 10.1.0.51 198.51.100.9 \
    neigh-set 9999 10.1.0.52 198.51.100.9 \
    cancel-set v0 10.1.0.53 198.51.100.9 \
    cancel-set v0 10.1.0.54 - \
    echo mark-sets \
    run 'ip neigh show 10.1.0.54 dev v0 | sed "s/^/kernel: /"' \
    neigh-burst v0 10.9 600 - \
    run 'echo "kernel: burst $(ip neigh show dev v0 | grep -c "^10\.9\.")"' \
    echo mark-burst \
    run 'bash -c "echo > /dev/udp/10.1.0.2/9"' \
    echo mark-probe \
    neigh-set v0 10.1.0.2 - \
    >"$OUT" 2>"$RUNDIR/probe.err"
check "probe ran" test $? -eq 0

check "neighbour FAILED acknowledged with 0" has "ack 10.1.0.50 err=0"
check "the kernel has it as FAILED" has "kernel: 10.1.0.50 FAILED *"
check "4-byte lladdr on Ethernet: -EINVAL through the ACK" \
    has "ack 10.1.0.51 err=-22 .*"
check "no entry for the refused update" bash -c \
    "! ip -n $(nhrp_ns n1) neigh show 10.1.0.51 dev v0 | grep -q ."
check "non-existent ifindex: -ENODEV through the ACK" \
    has "ack 10.1.0.52 err=-19 .*"
check "cancelled requests: no callback" hasnt "ack 10.1.0.5[34] .*"
check "the cancelled FAILED update still reached the kernel" \
    has "kernel: 10.1.0.54 FAILED *"
check "pipelined burst: 600 acknowledged, no error" has "burst acks=600 errors=0"
check "pipelined burst: the kernel has all 600" has "kernel: burst 600"

check "configure succeeded" has "configure err=0"
check "global configure succeeded" has "global-configure err=0"
check "app_solicit = 1" sysctl_is net.ipv4.neigh.v0.app_solicit 1
check "ucast_solicit = 0" sysctl_is net.ipv4.neigh.v0.ucast_solicit 0
check "mcast_solicit = 0" sysctl_is net.ipv4.neigh.v0.mcast_solicit 0
check "send_redirects = 0 on v0" sysctl_is net.ipv4.conf.v0.send_redirects 0
check "send_redirects = 0 for all" sysctl_is net.ipv4.conf.all.send_redirects 0
check "IFF_NOARP cleared" bash -c \
    "! ip -n $(nhrp_ns n1) link show v0 | grep -q NOARP"
check "the configure change is seen as a link event without NOARP" bash -c "
	sed -n '/^init done\$/,/^mark-configured\$/p' '$OUT' |
	    grep -Eq '^link new ifindex=$v0 name=v0 .*flags=0x[0-9a-f]*[0-7][0-9a-f]\$'"
check "kernel app probe delivered as a neighbour request" \
    after mark-burst "neigh request ifindex=$v0 dst=10.1.0.2 lladdr=- state=0x[0-9a-f]+"
check "the app probe answered (FAILED) and acknowledged" \
    after mark-probe "ack 10.1.0.2 err=0"
check "no broadcast ARP was sent for it (mcast_solicit 0)" bash -c \
    "! ip -n $(nhrp_ns n1) neigh show 10.1.0.2 dev v0 | grep -q 'lladdr'"

tap_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 13-capture-redirect: the redirect half of nhrp/sysdep_capture.c on a real
# mGRE hub that forwards spoke-to-spoke traffic, no daemon.
# tests/sysdep/capture-probe on the hub captures (kernel BPF on an ETH_P_IP
# socket bound to gre1) what arrives on gre1 to be forwarded:
#  - s1_lan pings s2_lan through the hub: every request is sampled with
#    68 bytes and the outer source NBMA of s1, every reply with s2's;
#  - packets to the hub's own gre1 address (told to the filter), NHRP
#    frames, and all traffic on eth0 are not captured;
#  - the same with redirect and multicast on at once (two sockets);
#  - after capture_iface_set(gre1, 0) nothing is captured.
#
#   s1_lan 192.168.2.2 ── s1 gre1 10.255.255.2 ═╗
#                         hub gre1 10.255.255.1 ═╣ mGRE key 1234, all
#   s2_lan 192.168.3.2 ── s2 gre1 10.255.255.3 ═╝ eth0 on wan br0

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
nhrp_add_lan s1 192.168.2.0/24
nhrp_add_lan s2 192.168.3.0/24
s1 ip route add 192.168.3.0/24 via 10.255.255.1 dev gre1
s2 ip route add 192.168.2.0/24 via 10.255.255.1 dev gre1
hub ip route add 192.168.2.0/24 via 10.255.255.2 dev gre1
hub ip route add 192.168.3.0/24 via 10.255.255.3 dev gre1
# the hub would answer hairpin forwarding with ICMP redirects
hub sysctl -qw net.ipv4.conf.all.send_redirects=0
hub sysctl -qw net.ipv4.conf.gre1.send_redirects=0
check "s1_lan reaches s2_lan through the hub" \
    s1_lan ping -c1 -W5 "$(nhrp_lan_host s2)"

OUT="$RUNDIR/probe.out"
NS1=$(nhrp_ns s1)
NS1L=$(nhrp_ns s1_lan)

stat() {
	sed -n "/^$1\$/,\$p" "$OUT" | grep -m1 '^stats ' |
	    tr ' ' '\n' | sed -n "s/^$2=//p"
}
delta() {
	echo $(($(stat "$2" "$3") - $(stat "$1" "$3")))
}
# lines LO HI PATTERN: lines matching PATTERN between marks LO and HI
lines() {
	sed -n "/^$1\$/,/^$2\$/p" "$OUT" | grep -Ec -- "$3"
}

hub "$PROBE" \
    capture gre1 redirect 10.255.255.1 10.255.255.255 \
    echo mark-start stats gre1 \
    run "ip netns exec $NS1L ping -c 5 -i 0.2 -s 1000 -W 2 192.168.3.2 >/dev/null" \
    wait-redirect 10 10 \
    echo mark-forwarded stats gre1 \
    run "ip netns exec $NS1 ping -c 50 -i 0.02 -s 1000 -W 2 10.255.255.1 >/dev/null" \
    run "ip netns exec $NS1 ping -f -c 2000 -W 2 198.51.100.1 >/dev/null" \
    run "ip netns exec $NS1 $PKTIO send gre1 198.51.100.1 0001000100080000deadbeef" \
    sleep 1 \
    echo mark-local stats gre1 \
    capture gre1 both 10.255.255.1 10.255.255.255 \
    run "ip netns exec $NS1L ping -c 3 -i 0.2 -W 2 192.168.3.2 >/dev/null" \
    wait-redirect 16 10 \
    echo mark-both stats gre1 \
    capture gre1 none \
    run "ip netns exec $NS1L ping -c 3 -i 0.2 -W 2 192.168.3.2 >/dev/null" \
    sleep 1 \
    echo mark-off stats \
    >"$OUT" 2>"$RUNDIR/probe.err"
check "probe ran" test $? -eq 0
gre1=$(hub cat /sys/class/net/gre1/ifindex)

check "capture on gre1 started" grep -qx "capture err=0" "$OUT"
check "5 requests sampled: 68 bytes of 1028, outer source = s1's NBMA" \
    test "$(lines mark-start mark-forwarded "^redirect ifindex=$gre1 nbma=198.51.100.2 len=68 tot=1028 src=192.168.2.2 dst=192.168.3.2$")" = 5
check "5 replies sampled with s2's NBMA" \
    test "$(lines mark-start mark-forwarded "^redirect ifindex=$gre1 nbma=198.51.100.3 len=68 tot=1028 src=192.168.3.2 dst=192.168.2.2$")" = 5
check "counters: 10 samples, nothing invalid" \
    test "$(delta mark-start mark-forwarded redirect)/$(stat mark-forwarded invalid)" = 10/0
check "50 pings to the hub's gre1 address, 2000 on eth0, an NHRP frame: 0 captured" \
    test "$(delta mark-forwarded mark-local redirect)/$(delta mark-forwarded mark-local invalid)" = 0/0
check "no redirect lines for them" \
    test "$(lines mark-forwarded mark-local '^redirect ')" = 0
check "redirect and multicast together: 6 more samples" \
    test "$(delta mark-local mark-both redirect)" = 6
check "no multicast captured" test "$(stat mark-both multicast)" = 0
check "after capture_iface_set(gre1, 0): nothing more" \
    test "$(stat mark-off redirect)" = 16
diag "$(grep '^stats' "$OUT")"

tap_done

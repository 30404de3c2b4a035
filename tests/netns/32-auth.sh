#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 32-auth: cisco-authentication (spec 6.9, PKT-13, captures s3/s4) with an
# odd-length secret on every packet type both ways: registration, purge,
# resolution (forwarded by the hub), traffic indication.  A spoke with the
# wrong secret is refused with an Error Indication (code 11) and counted;
# so is a spoke without any secret.  The wire form is checked on the hub's
# gre1 with tshark when it is installed, and the whole WAN is captured:
# every NHRP packet the five daemons sent (the wrong and missing secrets
# too) decodes cleanly, with no expert message.
#
#   hub gre1 10.255.255.1  secret "secret7" (odd length), redirect
#   s2  gre1 10.255.255.2  "secret7"   lan0 192.168.2.1 -- s2_lan
#   s3  gre1 10.255.255.3  "secret7"   lan0 192.168.3.1 -- s3_lan
#   s4  gre1 10.255.255.4  "wrongpw8"
#   s5  gre1 10.255.255.5  no secret

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

nhrp_add_node hub 1
for i in 2 3 4 5; do
	nhrp_add_node s$i $i
done
nhrp_add_lan s2 192.168.2.0/24
nhrp_add_lan s3 192.168.3.0/24

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 30
	redirect
	cisco-authentication secret7
CONF
spoke_conf() {
	cat <<CONF
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 30
	shortcut
	$1
interface lan0
	shortcut-destination
	holding-time 30
CONF
}
spoke_conf "cisco-authentication secret7" | nhrp_conf s2
spoke_conf "cisco-authentication secret7" | nhrp_conf s3
spoke_conf "cisco-authentication wrongpw8" | nhrp_conf s4
spoke_conf "" | nhrp_conf s5
for n in s2 s3; do
	cat >"$RUNDIR/$n.hook-extra" <<'EOF'
#!/bin/sh
case "$1" in
route-up)
	ip route replace "$NHRP_DESTADDR/$NHRP_DESTPREFIX" via "$NHRP_NEXTHOP" \
	    dev "$NHRP_INTERFACE" table 100 || exit 1
	;;
route-down)
	ip route del "$NHRP_DESTADDR/$NHRP_DESTPREFIX" table 100
	;;
esac
exit 0
EOF
	chmod 755 "$RUNDIR/$n.hook-extra"
	$n ip rule add pref 100 table 100
done
s2 ip route add 192.168.3.0/24 via 10.255.255.1 dev gre1
s3 ip route add 192.168.2.0/24 via 10.255.255.1 dev gre1
hub ip route add 192.168.2.0/24 via 10.255.255.2 dev gre1 onlink
hub ip route add 192.168.3.0/24 via 10.255.255.3 dev gre1 onlink

have_tshark=0
if command -v tshark >/dev/null 2>&1 && command -v dumpcap >/dev/null 2>&1; then
	have_tshark=1
	check "capture on the hub's gre1" nhrp_capture hub gre1 hub-gre1
	check "capture on the WAN bridge" nhrp_capture_start wan br0
	nhrp_capture_from wan br0 hub s2 s3 s4 s5
fi

check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
for n in s2 s3 s4 s5; do
	check "$n starts" nhrp_start $n "$RUNDIR/$n.conf" -v
done

shows() {
	local node=$1
	shift
	nhrp_ctl "$node" show "$@" | tr '\n' '|' | grep -q -- "$EXPECT"
}
EXPECT="Type: dynamic|Protocol-Address: 10.255.255.2/32|"
wait_for 60 "hub: s2 (same odd-length secret) registered" shows hub
EXPECT="Type: dynamic|Protocol-Address: 10.255.255.3/32|"
wait_for 60 "hub: s3 registered" shows hub
EXPECT="Type: static|Protocol-Address: 10.255.255.1/24|NBMA-Address: 198.51.100.1|Flags: [a-z ]*up|"
check "s2: registered (the reply's authentication accepted)" shows s2
wait_for 30 "hub: s4's request (wrong secret) dropped" \
    grep -q "Dropping packet from 198.51.100.4 with bad authentication" "$(nhrp_log hub)"
wait_for 30 "hub: s5's request (no secret) dropped" \
    grep -q "Dropping packet from 198.51.100.5 with bad authentication" "$(nhrp_log hub)"
wait_for 30 "s4: the hub's Error Indication (Authentication Failure) fails its registration" \
    grep -q "Failed to register to 10.255.255.1: .*(11)" "$(nhrp_log s4)"
check_fail "hub: no entry for s4" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) show | grep -q 10.255.255.4/32"
check_fail "hub: no entry for s5" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) show | grep -q 10.255.255.5/32"
check_fail "s4: its NHS entry is not up" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s4) show | tr '\n' '|' | grep -q 'Type: static|[^|]*|[^|]*|Flags: up'"
check "hub: authentication failures counted (SIGUSR1 counters)" \
    bash -c "kill -USR1 $(nhrp_pid hub); sleep 1; grep 'Counters: rx' $(nhrp_log hub) | tail -1 | grep -q 'auth-failures [2-9]'"
diag "$(grep 'Counters: rx' "$(nhrp_log hub)" | tail -1)"

# resolution and traffic indications through the hub, authenticated
nhrp_bg s2_lan ping -i 0.3 -W 2 192.168.3.2
wait_for 30 "s2_lan reaches s3_lan" grep -q "bytes from 192.168.3.2" "$BG_LOG"
EXPECT="Type: shortcut-route|Protocol-Address: 192.168.3.0/24|Next-hop-Address: 10.255.255.3|Flags: up|"
wait_for 40 "s2: shortcut through authenticated indication, request, reply" shows s2
check "s2: the authenticated Traffic Indication was accepted" \
    grep -q "Traffic Indication from proto src 10.255.255.1; about packet to 192.168.3.2" "$(nhrp_log s2)"
check_fail "no authentication failure between s2, s3 and the hub" \
    grep -q "with bad authentication" "$(nhrp_log s2)" "$(nhrp_log s3)"

check "s2 exits 0 on SIGTERM" nhrp_stop s2
check "s3 exits 0 on SIGTERM" nhrp_stop s3
check "s4 exits 0 on SIGTERM" nhrp_stop s4
check "s5 exits 0 on SIGTERM" nhrp_stop s5
check "hub exits 0 on SIGTERM" nhrp_stop hub

if [ $have_tshark = 1 ]; then
	nhrp_capture_stop hub-gre1
	PCAP="$RUNDIR/hub-gre1.pcap"
	ts() {
		tshark -r "$PCAP" -Y "$1" 2>/dev/null | wc -l
	}
	diag "$(tshark -r "$PCAP" -Y nhrp 2>/dev/null | awk '{ $1 = $2 = ""; print }' | sort | uniq -c | sort -rn | head -12)"
	n_sent=$(ts 'sll.pkttype == 4 && nhrp && nhrp.hdr.op.type != 7')
	n_auth=$(ts 'sll.pkttype == 4 && nhrp && nhrp.hdr.op.type != 7 && nhrp.auth_ext.spi == 1')
	check "every packet the hub sent carries the auth extension ($n_auth of $n_sent)" \
	    test "$n_sent" -gt 0 -a "$n_sent" = "$n_auth"
	check "the auth payload is 00000001 + secret7 (odd length)" \
	    test "$(ts 'sll.pkttype == 4 && nhrp.ext.type == 7 && nhrp.ext.len == 11')" -gt 0
	check "the hub sent Error Indications with code 11" \
	    test "$(ts 'sll.pkttype == 4 && nhrp.hdr.op.type == 7 && nhrp.err.code == 11')" -gt 0
	check "the hub sent Traffic Indications and forwarded Resolution Requests" \
	    test "$(ts 'sll.pkttype == 4 && nhrp.hdr.op.type == 8')" -gt 0 -a \
	    "$(ts 'sll.pkttype == 4 && nhrp.hdr.op.type == 1')" -gt 0
	check "no malformed or bad-checksum packet from the hub (Error Indications aside)" \
	    test "$(ts 'sll.pkttype == 4 && nhrp && nhrp.hdr.op.type != 7 && (_ws.malformed || nhrp.hdr.chksum.status == 0)')" = 0
	check "every NHRP packet hub, s2, s3, s4 and s5 sent decodes cleanly (tshark)" \
	    nhrp_capture_check wan br0
fi
tap_done

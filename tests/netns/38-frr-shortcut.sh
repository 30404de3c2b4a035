#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 38-frr-shortcut: spoke-to-spoke shortcut across a mixed pair, our hub.
# LAN traffic f3_lan -> s2_lan first crosses our hub, whose redirect sends
# a Traffic Indication to the FRR spoke f3; f3 resolves 192.168.2.2
# through our hub (which forwards the request to our spoke s2), s2
# answers for its LAN (shortcut-destination, /24), and f3 installs the
# shortcut route: its traffic then goes straight to s2. In the reverse
# direction s2 resolves f3's LAN; FRR 8.4 answers a forwarded Resolution
# Request only when it already has a cache entry for the requester (here
# from its own shortcut; doc/interop.md), so s2 gets its shortcut too and
# the hub sees no more traffic. Every NHRP packet our hub and our spoke
# sent decodes cleanly in tshark.
#
#   s2_lan 192.168.2.2 -- lan0 192.168.2.1 s2 (ours) gre1 10.255.255.2/24
#   f3_lan 192.168.3.2 -- lan0 192.168.3.1 f3 (FRR)  gre1 10.255.255.3/32
#   hub (ours) gre1 10.255.255.1/24, redirect
#   routes: s2 192.168.3.0/24 via hub, f3 192.168.0.0/16 via hub,
#   hub 192.168.2.0/24 via s2, 192.168.3.0/24 via f3.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/frr.sh"
. "$(dirname "$0")/wireshark.sh"

_now_us() {
	local u
	read -r u _ </proc/uptime
	u=${u/./}
	echo $((10#$u * 10000))
}

frr_require
diag "$(frr_version)"

nhrp_add_node hub 1
nhrp_add_node s2 2
frr_add_node f3 3
nhrp_add_lan s2 192.168.2.0/24
nhrp_add_lan f3 192.168.3.0/24

check "hub: capture on eth0" nhrp_capture_start hub eth0
check "s2: capture on eth0" nhrp_capture_start s2 eth0

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 30
	redirect
	non-caching
CONF
nhrp_conf s2 <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 30
	shortcut
	redirect
interface lan0
	shortcut-destination
	holding-time 30
CONF
cat >"$RUNDIR/s2.hook-extra" <<EOF
#!/bin/sh
case "\$1" in
route-up)
	ip route replace "\$NHRP_DESTADDR/\$NHRP_DESTPREFIX" via "\$NHRP_NEXTHOP" \\
	    dev "\$NHRP_INTERFACE" table 100 || exit 1 ;;
route-down)
	ip route del "\$NHRP_DESTADDR/\$NHRP_DESTPREFIX" table 100 ;;
esac
exit 0
EOF
chmod 755 "$RUNDIR/s2.hook-extra"
s2 ip rule add pref 100 table 100
frr_conf f3 --nhs static --holdtime 30 --shortcut

s2 ip route add 192.168.3.0/24 via 10.255.255.1 dev gre1
# FRR: a summary via the hub (a kernel route for the exact /24 would
# override nhrpd's shortcut route in zebra, which then purges it)
f3 ip route add 192.168.0.0/16 via 10.255.255.1 dev gre1 onlink
hub ip route add 192.168.2.0/24 via 10.255.255.2 dev gre1 onlink
hub ip route add 192.168.3.0/24 via 10.255.255.3 dev gre1 onlink

check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
check "s2 starts" nhrp_start s2 "$RUNDIR/s2.conf" -v
check "FRR spoke f3 starts" frr_start f3

hub_entry() {
	nhrp_ctl hub show | tr '\n' '|' | grep -q \
	    "Type: dynamic|Protocol-Address: 10.255.255.$1/32|NBMA-Address: 198.51.100.$1|Flags: [a-z ]*up|"
}
wait_for 60 "hub: s2 registered" hub_entry 2
wait_for 90 "hub: f3 registered" hub_entry 3
wait_for 30 "f3: FRR shows the NHS" \
    frr_has f3 "^gre1 +nhs +10\.255\.255\.1 +198\.51\.100\.1 "

check "f3_lan reaches s2_lan through the hub" \
    f3_lan ping -c3 -i0.5 -W5 192.168.2.2
wait_for 20 "hub: Traffic Indication sent to f3" \
    grep -q "Sending Traffic Indication about packet from 192.168.3.2 to 192.168.2.2" "$(nhrp_log hub)"
wait_for 20 "f3: FRR received the Traffic Indication" \
    frr_log_has f3 "Recv Traffic-Indication"
f3_lan ping -c2 -i0.5 -W5 192.168.2.2 >/dev/null 2>&1
wait_for 30 "hub forwarded f3's Resolution Request to s2" \
    grep -q "Forwarding packet from nbma src 198.51.100.3, proto src 10.255.255.3 to proto dst 192.168.2.2" "$(nhrp_log hub)"
wait_for 30 "s2 answered for its LAN (/24)" \
    grep -q "Sending Resolution Reply 192.168.2.2/24 is-at 198.51.100.2" "$(nhrp_log s2)"
shortcut_f3() {
	frr_vtysh f3 'show ip nhrp shortcut'
	frr_vtysh f3 'show ip nhrp shortcut' | grep -Eq "192\.168\.2\.0/24 +10\.255\.255\.2"
}
wait_for 30 "f3: FRR shortcut 192.168.2.0/24 via 10.255.255.2" shortcut_f3
wait_for 20 "f3: FRR cache has s2 at 198.51.100.2" \
    frr_has f3 " 10\.255\.255\.2 +198\.51\.100\.2 "
wait_for 20 "f3: kernel route 192.168.2.0/24 via 10.255.255.2" \
    bash -c "ip -n $(nhrp_ns f3) route show exact 192.168.2.0/24 | grep -q 'via 10.255.255.2'"

# the reverse direction: s2 resolves f3's LAN through the hub. FRR 8.4
# answers once it has a cache entry for the requester (here: from its own
# shortcut); its reply goes straight to s2's NBMA address.
shows() {
	local out
	out=$(nhrp_ctl "$1" show)
	echo "$out"
	tr '\n' '|' <<<"$out" | grep -q -- "$2"
}
s2_lan ping -c3 -i0.5 -W5 192.168.3.2 >/dev/null 2>&1
wait_for 45 "s2: shortcut-route 192.168.3.0/24 via f3 (FRR answered)" shows s2 \
    "Type: shortcut-route|Protocol-Address: 192.168.3.0/24|Next-hop-Address: 10.255.255.3|"
check "s2: cached entry for f3 at 198.51.100.3" shows s2 \
    "Type: cached|Protocol-Address: 10.255.255.3/32|NBMA-Address: 198.51.100.3|"
check "s2: route-up ran for 192.168.3.0/24" \
    nhrp_has_event s2 route-up NHRP_DESTADDR=192.168.3.0 NHRP_DESTPREFIX=24 \
    NHRP_NEXTHOP=10.255.255.3
check "f3: FRR's shortcut is still installed" shortcut_f3

# both directions bypass the hub now: 10 echo exchanges (20 packets)
rx() {
	ip -n "$(nhrp_ns hub)" -s -j link show gre1 |
	    sed 's/.*"rx":{[^}]*"packets":\([0-9]*\).*/\1/'
}
rx0=$(rx)
check "f3_lan pings s2_lan over the shortcuts" \
    f3_lan ping -c10 -i0.2 -W5 192.168.2.2
rx1=$(rx)
diag "hub gre1 received $((rx1 - rx0)) packets during 10 echo exchanges"
check "hub: the traffic bypassed it (rx delta $((rx1 - rx0)) < 6)" \
    test $((rx1 - rx0)) -lt 6
check "s2_lan reaches f3_lan" s2_lan ping -c2 -i0.5 -W5 192.168.3.2

check "hub exits 0 on SIGTERM" nhrp_stop hub TERM 30
check "s2 exits 0 on SIGTERM" nhrp_stop s2 TERM 30
check "hub: every NHRP packet it sent decodes cleanly (tshark)" \
    nhrp_capture_check hub eth0 4
check "s2: every NHRP packet it sent decodes cleanly (tshark)" \
    nhrp_capture_check s2 eth0 3
tap_done

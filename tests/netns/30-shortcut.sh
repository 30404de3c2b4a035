#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 30-shortcut: DMVPN phase 2/3 end to end (spec 8.3, RDR-01..08,
# PEER-16/19/20/23, SCR-13/14).  Spoke LAN -> spoke LAN traffic first
# crosses the hub; the hub's redirect capture sends Traffic Indications;
# the spokes resolve through the hub, get cached + shortcut-route
# entries, run route-up (which installs the route in table 100), and the
# traffic goes direct: proved by the hub's gre1 receive counter standing
# still while the ping goes on.  A used shortcut is renewed without
# hooks; an unused one expires with route-down.  Also: redirect purge,
# the shortcut set-up latency (first packet -> route-up).  The whole WAN
# is captured: every NHRP packet the three daemons sent (registrations,
# Traffic Indications, forwarded and answered resolutions, purges)
# decodes cleanly in tshark.
#
#   s2_lan 192.168.2.2 -- lan0 192.168.2.1 s2 gre1 10.255.255.2  eth0 198.51.100.2
#   s3_lan 192.168.3.2 -- lan0 192.168.3.1 s3 gre1 10.255.255.3  eth0 198.51.100.3
#   hub gre1 10.255.255.1 eth0 198.51.100.1 (redirect)
#   static routes: s2 192.168.3.0/24 via hub, s3 192.168.2.0/24 via hub,
#   hub 192.168.2.0/24 via s2, 192.168.3.0/24 via s3.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

nhrp_add_node hub 1
nhrp_add_node s2 2
nhrp_add_node s3 3
nhrp_add_lan s2 192.168.2.0/24
nhrp_add_lan s3 192.168.3.0/24

check "capture on the WAN bridge" nhrp_capture_start wan br0
nhrp_capture_from wan br0 hub s2 s3

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 30
	redirect
	non-caching
CONF
for n in s2 s3; do
	nhrp_conf $n <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 30
	shortcut
interface lan0
	shortcut-destination
	holding-time 30
CONF
	# route-up/down install the shortcut into table 100 (like captures s2)
	cat >"$RUNDIR/$n.hook-extra" <<EOF
#!/bin/sh
read up _ </proc/uptime
echo "\$up \$1 \$NHRP_TYPE \$NHRP_DESTADDR" >>"$RUNDIR/$n.times"
case "\$1" in
route-up)
	ip route replace "\$NHRP_DESTADDR/\$NHRP_DESTPREFIX" via "\$NHRP_NEXTHOP" \\
	    dev "\$NHRP_INTERFACE" table 100 || exit 1
	read up _ </proc/uptime
	echo "\$up \$NHRP_DESTADDR/\$NHRP_DESTPREFIX" >>"$RUNDIR/$n.route-up-times"
	;;
route-down)
	ip route del "\$NHRP_DESTADDR/\$NHRP_DESTPREFIX" table 100
	;;
esac
exit 0
EOF
	chmod 755 "$RUNDIR/$n.hook-extra"
	$n ip rule add pref 100 table 100
	# shorter neighbour reachable time: an idle shortcut is noticed sooner
	$n sysctl -qw net.ipv4.neigh.gre1.base_reachable_time_ms=10000
done
s2 ip route add 192.168.3.0/24 via 10.255.255.1 dev gre1
s3 ip route add 192.168.2.0/24 via 10.255.255.1 dev gre1
hub ip route add 192.168.2.0/24 via 10.255.255.2 dev gre1 onlink
hub ip route add 192.168.3.0/24 via 10.255.255.3 dev gre1 onlink

check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
check "s2 starts" nhrp_start s2 "$RUNDIR/s2.conf" -v
check "s3 starts" nhrp_start s3 "$RUNDIR/s3.conf" -v

shows() {
	local node=$1
	shift
	nhrp_ctl "$node" show "$@" | tr '\n' '|' | grep -q -- "$EXPECT"
}
EXPECT="Type: dynamic|Protocol-Address: 10.255.255.2/32|"
wait_for 60 "hub: s2 registered" shows hub
EXPECT="Type: dynamic|Protocol-Address: 10.255.255.3/32|"
wait_for 60 "hub: s3 registered" shows hub
check "hub: interface show has the redirect flag" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) interface show | grep -qx 'Flags: non-caching redirect configured'"
EXPECT="Type: local|Protocol-Address: 192.168.2.0/24|"
check "s2: the LAN route is a local entry (shortcut-destination)" shows s2
check "s2: the first registration purged its local routes at the hub" \
    grep -q "Purge proto 192.168.2.0/24" "$(nhrp_log hub)"

hub_rx() {
	hub cat /sys/class/net/gre1/statistics/rx_packets
}

# ---- first packet -> through the hub -> shortcut --------------------------
rx0=$(hub_rx)
read -r t0 _ </proc/uptime
nhrp_bg s2_lan ping -D -i 0.2 -W 2 192.168.3.2
PING=$BG_PID PINGLOG=$BG_LOG
# when the hub sent the first indication and s2 sent its request
stamp_when() {
	local f=$1 pat=$2
	poll 30 grep -q -- "$pat" "$f" || return 1
	read -r u _ </proc/uptime
	echo "$u"
}
t_ti=$(stamp_when "$(nhrp_log hub)" "Sending Traffic Indication about packet from 192.168.2.2 to 192.168.3.2")
t_rq=$(stamp_when "$(nhrp_log s2)" "Sending Resolution Request to 192.168.3.2")
wait_for 30 "s2_lan reaches s3_lan (through the hub first)" \
    grep -q "bytes from 192.168.3.2" "$PINGLOG"
wait_for 30 "hub: Traffic Indication to s2 about 192.168.2.2 -> 192.168.3.2" \
    grep -q "Sending Traffic Indication about packet from 192.168.2.2 to 192.168.3.2 (to 10.255.255.2/32)" "$(nhrp_log hub)"
wait_for 30 "s2: the indication triggered a Resolution Request" \
    grep -q "Traffic Indication from proto src 10.255.255.1; about packet to 192.168.3.2" "$(nhrp_log s2)"
EXPECT="Type: shortcut-route|Protocol-Address: 192.168.3.0/24|Next-hop-Address: 10.255.255.3|Flags: up|Expires-In: 0:[0-9][0-9]|"
wait_for 40 "s2: shortcut-route 192.168.3.0/24 via 10.255.255.3 up" shows s2
EXPECT="Type: cached|Protocol-Address: 10.255.255.3/32|NBMA-Address: 198.51.100.3|Flags: [a-z ]*up|"
check "s2: cached next hop 10.255.255.3 at 198.51.100.3" shows s2
check "s2: route-up with the shortcut's variables" \
    nhrp_has_event s2 route-up NHRP_TYPE=shortcut-route \
    NHRP_DESTADDR=192.168.3.0 NHRP_DESTPREFIX=24 NHRP_NEXTHOP=10.255.255.3 \
    NHRP_INTERFACE=gre1
check "s2: peer-up for the cached next hop" \
    nhrp_has_event s2 peer-up NHRP_TYPE=cached NHRP_DESTADDR=10.255.255.3 \
    NHRP_DESTNBMA=198.51.100.3
check "s2: route installed in table 100" \
    bash -c "ip -n $(nhrp_ns s2) route show table 100 | grep -q '^192.168.3.0/24 via 10.255.255.3 dev gre1'"
check "s3 answered for its LAN prefix with holding time 30" \
    grep -q "Sending Resolution Reply 192.168.3.2/24 is-at 198.51.100.3 (holdtime 30)" "$(nhrp_log s3)"
EXPECT="Type: shortcut-route|Protocol-Address: 192.168.2.0/24|Next-hop-Address: 10.255.255.2|Flags: up|"
wait_for 40 "s3: the reverse shortcut 192.168.2.0/24 via 10.255.255.2" shows s3

if [ -s "$RUNDIR/s2.route-up-times" ]; then
	read -r t1 _ <"$RUNDIR/s2.route-up-times"
	lat=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	ok "shortcut set-up latency s2 (first packet -> route installed): ${lat} s"
	diag "$(awk -v t0="$t0" -v ti="${t_ti:-0}" -v rq="${t_rq:-0}" '
	    BEGIN { printf "breakdown (s, from the first packet): hub indication seen %.2f, s2 request seen %.2f\n", ti - t0, rq - t0 }
	    { printf "  %.2f %s %s %s\n", $1 - t0, $2, $3, $4 }' "$RUNDIR/s2.times" | grep -v ' nhs-\| interface-\|peer-up static\| -[0-9]')"
	echo "$lat" >"$RUNDIR/latency"
else
	not_ok "no route-up time recorded on s2"
fi

# ---- the traffic goes direct: the hub sees (almost) none of it ------------
sleep 2
rx1=$(hub_rx)
sent1=$(grep -c "bytes from" "$PINGLOG")
sleep 6
rx2=$(hub_rx)
sent2=$(grep -c "bytes from" "$PINGLOG")
diag "hub gre1 rx: $rx0 at start, $rx1 -> $rx2 over 6 s while $((sent2 - sent1)) echo replies arrived"
check "the ping goes on ($((sent2 - sent1)) replies in 6 s)" test $((sent2 - sent1)) -ge 15
check "hub gre1 received at most 12 packets in 6 s (NHRP only): $((rx2 - rx1))" \
    test $((rx2 - rx1)) -le 12
check "before the shortcut the ping crossed the hub" test $((rx1 - rx0)) -ge 2
check "s2 sends to s3's NBMA directly (neighbour 10.255.255.3 -> 198.51.100.3)" \
    bash -c "ip -n $(nhrp_ns s2) neigh show dev gre1 10.255.255.3 | grep -q 'lladdr 198.51.100.3'"

# ---- renewal while used: no hooks again --------------------------------
wait_for 60 "s2 renews the used shortcut twice (Resolution Requests for 192.168.3.0)" \
    bash -c "[ \$(grep -c 'Sending Resolution Request to 192.168.3.0' $(nhrp_log s2)) -ge 2 ]"
sleep 10
EXPECT="Type: shortcut-route|Protocol-Address: 192.168.3.0/24|Next-hop-Address: 10.255.255.3|Flags: up|Expires-In: 0:[0-9][0-9]|"
check "s2: the shortcut is still up after its first holding time" shows s2
check "s2: route-up ran once (renewal runs no hooks)" \
    test "$(nhrp_event_count s2 route-up NHRP_DESTADDR=192.168.3.0)" = 1
check "s2: no route-down while used" \
    test "$(nhrp_event_count s2 route-down NHRP_DESTADDR=192.168.3.0)" = 0
check "s2: no second peer-up for the cached next hop" \
    test "$(nhrp_event_count s2 peer-up NHRP_TYPE=cached NHRP_DESTADDR=10.255.255.3)" = 1
rx3=$(hub_rx)
sleep 4
rx4=$(hub_rx)
check "still direct after the renewal (hub rx +$((rx4 - rx3)) in 4 s)" \
    test $((rx4 - rx3)) -le 10

# ---- the Traffic Indication rate limit and redirect purge ---------------
n_ti=$(grep -c "Sending Traffic Indication about packet from 192.168.2.2 to 192.168.3.2" "$(nhrp_log hub)")
check "hub: the flow got few indications ($n_ti), not one per packet" \
    test "$n_ti" -ge 1 -a "$n_ti" -le 4
check "hub: redirect purge clears the rate-limit entries" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) redirect purge 192.168.2.0/24 | grep -q '^Entries-Affected: [1-9]'"
check "hub: redirect purge again: nothing left" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) redirect purge 192.168.2.0/24 | grep -qx 'Entries-Affected: 0'"

# ---- unused: the shortcut expires with route-down ------------------------
kill "$PING" 2>/dev/null
wait "$PING" 2>/dev/null
wait_for 120 "s2: route-down after the shortcut went unused" \
    nhrp_has_event s2 route-down NHRP_TYPE=shortcut-route \
    NHRP_DESTADDR=192.168.3.0 NHRP_DESTPREFIX=24 NHRP_NEXTHOP=10.255.255.3
check_fail "s2: the shortcut entry is gone" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s2) show | grep -q 'Type: shortcut-route'"
check "s2: the table-100 route is gone" \
    bash -c "! ip -n $(nhrp_ns s2) route show table 100 | grep -q 192.168.3.0/24"
wait_for 60 "s2: peer-down for the unused cached next hop" \
    nhrp_has_event s2 peer-down NHRP_TYPE=cached NHRP_DESTADDR=10.255.255.3

# ---- the next packet goes through the hub and builds a new shortcut -------
check "s2_lan pings s3_lan again" s2_lan ping -c 3 -i 0.3 -W 3 192.168.3.2
EXPECT="Type: shortcut-route|Protocol-Address: 192.168.3.0/24|Next-hop-Address: 10.255.255.3|Flags: up|"
wait_for 40 "s2: a new shortcut after new traffic" shows s2

check "s2 exits 0 on SIGTERM" nhrp_stop s2
check "s2: route-down on shutdown" \
    test "$(nhrp_event_count s2 route-down NHRP_DESTADDR=192.168.3.0)" -ge 2
check "s3 exits 0 on SIGTERM" nhrp_stop s3
check "hub exits 0 on SIGTERM" nhrp_stop hub
check "every NHRP packet hub, s2 and s3 sent decodes cleanly (tshark)" \
    nhrp_capture_check wan br0
tap_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 31-nat: a spoke behind NAT (nftables masquerade) registers through the
# Cisco NAT extension and gets shortcuts (spec 6.8, PKT-19/20, PEER-08,
# SCR-18, captures s5).  Both sides of the NAT are captured: on the WAN
# bridge every NHRP packet the hub, s3 and s2 (as 198.51.100.10 once
# masqueraded) sent, and on the NAT box's inside every packet s2 sent
# (from 192.168.100.2), must decode cleanly in tshark.
#
#   hub  gre1 10.255.255.1  eth0 198.51.100.1 (redirect)
#   nat  eth0 198.51.100.10 (WAN) -- in0 192.168.100.1, masquerade on eth0
#   s2   eth0 192.168.100.2 (behind nat), gre1 10.255.255.2 local 192.168.100.2
#        lan0 192.168.2.1 -- s2_lan 192.168.2.2
#   s3   gre1 10.255.255.3  eth0 198.51.100.3
#        lan0 192.168.3.1 -- s3_lan 192.168.3.2

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

nhrp_add_node hub 1
nhrp_add_node nat 10 --no-gre
nhrp_add_node s2 2 --no-gre
nhrp_add_node s3 3
# move s2 behind the NAT box
s2 ip link del eth0
ip -n "$(nhrp_ns nat)" link add in0 type veth peer name eth0 netns "$(nhrp_ns s2)" ||
    bail_out "veth nat-s2"
nat ip addr add 192.168.100.1/24 dev in0
nat ip link set in0 up
s2 ip addr add 192.168.100.2/24 dev eth0
s2 ip link set eth0 up
s2 ip route add default via 192.168.100.1
# Masquerade out; GRE coming in is forwarded to the spoke (a static
# "port forward" of protocol 47).  Without it, whichever spoke sends first
# decides: GRE has no ports, so a packet from s3 that reaches the NAT box
# before s2's own first direct packet leaves a conntrack entry that the
# masquerade mapping then clashes with (captures s5: "the later direct
# pings were lost").  The spoke still does not know its public address:
# NAT detection, NAT-OA and the NAT extension are all exercised.
nat nft -f - <<'NFT' || bail_out "nftables masquerade not available"
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat;
		iifname "eth0" ip protocol gre dnat to 192.168.100.2
	}
	chain postrouting {
		type nat hook postrouting priority srcnat;
		oifname "eth0" masquerade
	}
}
NFT
s2 ip tunnel add gre1 mode gre key "$NHRP_GRE_KEY" ttl 64 local 192.168.100.2 ||
    bail_out "gre1 in s2"
s2 ip addr add 10.255.255.2/24 dev gre1
s2 ip link set gre1 up
nhrp_add_lan s2 192.168.2.0/24
nhrp_add_lan s3 192.168.3.0/24

check "capture on the WAN bridge" nhrp_capture_start wan br0
nhrp_capture_from wan br0 hub s3 nat
check "capture on the NAT box's inside (in0)" nhrp_capture_start nat in0
nhrp_capture_from nat in0 192.168.100.2

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 30
	redirect
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

check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
check "s2 (behind NAT) starts" nhrp_start s2 "$RUNDIR/s2.conf" -v
check "s3 starts" nhrp_start s3 "$RUNDIR/s3.conf" -v

shows() {
	local node=$1
	shift
	nhrp_ctl "$node" "${@:-show}" | tr '\n' '|' | grep -q -- "$EXPECT"
}
EXPECT="Type: dynamic|Protocol-Address: 10.255.255.2/32|NBMA-Address: 198.51.100.10|NBMA-NAT-OA-Address: 192.168.100.2|Flags: [a-z ]*up|"
wait_for 60 "hub: s2 registered under its public address, NAT-OA = the claimed one" shows hub
EXPECT="Type: dynamic|Protocol-Address: 10.255.255.3/32|NBMA-Address: 198.51.100.3|Flags: [a-z ]*up|"
wait_for 60 "hub: s3 registered (no NAT)" shows hub
check "hub: peer-up for s2 with NHRP_DESTNBMA / NHRP_DESTNBMA_NAT_OA" \
    nhrp_has_event hub peer-up NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.2 \
    NHRP_DESTNBMA=198.51.100.10 NHRP_DESTNBMA_NAT_OA=192.168.100.2
check_fail "hub: no NAT-OA for s3" \
    bash -c "grep '^peer-up .*NHRP_DESTADDR=10.255.255.3' $RUNDIR/hub.events | grep -q NAT_OA"
EXPECT="Interface: gre1|Index: [0-9]*|Protocol-Address: 10.255.255.2/24|.*NBMA-Address: 192.168.100.2|NBMA-NAT-OA: 198.51.100.10|"
wait_for 30 "s2: interface show: NBMA-NAT-OA 198.51.100.10 (NAT detected)" \
    shows s2 interface show
check "s2 logged the NAT detection" \
    grep -q "NAT detected: our real NBMA address is 198.51.100.10" "$(nhrp_log s2)"
EXPECT="Interface: gre1|Index: [0-9]*|Protocol-Address: 10.255.255.3/24|[^|]*|Holding-Time: 30|Route-Table: 254|GRE-Key: 1234|MTU: [0-9]*|NBMA-MTU: 0|NBMA-Address: 198.51.100.3||"
check "s3: interface show: no NBMA-NAT-OA" shows s3 interface show

hub_rx() {
	hub cat /sys/class/net/gre1/statistics/rx_packets
}

# s2 (behind the NAT) starts the flow: its shortcut to s3 opens the NAT
nhrp_bg s2_lan ping -i 0.2 -W 2 192.168.3.2
PINGLOG=$BG_LOG
wait_for 30 "s2_lan reaches s3_lan through the hub" \
    grep -q "bytes from 192.168.3.2" "$PINGLOG"
EXPECT="Type: shortcut-route|Protocol-Address: 192.168.3.0/24|Next-hop-Address: 10.255.255.3|Flags: up|"
wait_for 40 "s2 (behind NAT): shortcut 192.168.3.0/24 via 10.255.255.3" shows s2
EXPECT="Type: shortcut-route|Protocol-Address: 192.168.2.0/24|Next-hop-Address: 10.255.255.2|Flags: up|"
wait_for 40 "s3: shortcut 192.168.2.0/24 via 10.255.255.2" shows s3
EXPECT="Type: cached|Protocol-Address: 10.255.255.2/32|NBMA-Address: 198.51.100.10|NBMA-NAT-OA-Address: 192.168.100.2|Flags: [a-z ]*up|"
check "s3: s2 cached at its public NBMA with NBMA-NAT-OA-Address" shows s3
check "s3: peer-up for s2 carries NHRP_DESTNBMA_NAT_OA" \
    nhrp_has_event s3 peer-up NHRP_TYPE=cached NHRP_DESTADDR=10.255.255.2 \
    NHRP_DESTNBMA=198.51.100.10 NHRP_DESTNBMA_NAT_OA=192.168.100.2
check "s3 logged the responder's NAT" \
    grep -q "NAT detected: really at proto 10.255.255.2 nbma 198.51.100.10" "$(nhrp_log s3)"
check "s2's replies carry its NAT CIE (responder side)" \
    grep -q "Sending Resolution Reply 192.168.2.2/24 is-at 192.168.100.2" "$(nhrp_log s2)"
sleep 2
rx1=$(hub_rx)
n1=$(grep -c "bytes from" "$PINGLOG")
sleep 6
rx2=$(hub_rx)
n2=$(grep -c "bytes from" "$PINGLOG")
diag "hub gre1 rx +$((rx2 - rx1)) in 6 s while $((n2 - n1)) echo replies arrived"
check "the ping goes on through the NAT ($((n2 - n1)) replies in 6 s)" \
    test $((n2 - n1)) -ge 15
check "direct both ways through the NAT: hub gre1 rx +$((rx2 - rx1)) in 6 s" \
    test $((rx2 - rx1)) -le 12

check "s2 exits 0 on SIGTERM" nhrp_stop s2
check "s3 exits 0 on SIGTERM" nhrp_stop s3
check "hub exits 0 on SIGTERM" nhrp_stop hub
check "WAN: every NHRP packet hub, s3 and s2 (masqueraded) sent decodes cleanly (tshark)" \
    nhrp_capture_check wan br0
check "inside the NAT: every NHRP packet s2 sent decodes cleanly (tshark)" \
    nhrp_capture_check nat in0
tap_done

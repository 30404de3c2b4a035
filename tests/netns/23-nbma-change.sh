#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 23-nbma-change: hub + 2 spokes; each spoke moves to a new NBMA address
# (new eth0 address, GRE local changed, old address deleted).  The spoke
# purges its peers (PEER-28/29) and re-registers from the new address.
#   s2 registers with no-unique: the hub replaces the binding at once and
#      runs peer-down for the old NBMA first (decisions: its IPsec SA must
#      go), then peer-up for the new one.
#   s3 registers unique (the default): the hub refuses the new NBMA with
#      CIE code 14 while the old unique binding lives (RFC 2332 5.2.3,
#      decisions), ignores the purge from the new NBMA, and takes the new
#      binding once the old one expired.
# The whole WAN is captured: every NHRP packet the three daemons sent,
# from the spokes' old and new NBMA addresses, decodes cleanly in tshark.
#
#   hub   gre1 10.255.255.1  eth0 198.51.100.1
#   s2    gre1 10.255.255.2  eth0 198.51.100.2 -> .12   no-unique
#   s3    gre1 10.255.255.3  eth0 198.51.100.3 -> .13   unique

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

nhrp_have_daemon || bail_out "no daemon built at $NHRP_DAEMON"

nhrp_add_node hub 1
nhrp_add_node s2 2
nhrp_add_node s3 3

check "capture on the WAN bridge" nhrp_capture_start wan br0
nhrp_capture_from wan br0 hub s2 s3 198.51.100.12 198.51.100.13

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 60
CONF
nhrp_conf s2 <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register no-unique
	holding-time 20
CONF
nhrp_conf s3 <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 20
CONF

ctl() {
	"$NHRP_CTL" -a "$(nhrp_sock "$1")" "${@:2}"
}

hub_has() {
	ctl hub show | tr '\n' '|' | grep -q \
	    "Type: dynamic|Protocol-Address: $1/32|NBMA-Address: $2|Flags: [a-z ]*up|"
}

# move NODE OLD NEW: the spoke's NBMA moves from OLD to NEW: the old
# address goes first (its peers are purged: address-removed), then the new
# one comes (added after the deletion: a secondary address in the same
# subnet would go with the primary), then the GRE local address changes
# (every peer of gre1 is purged again)
move() {
	local n=$1 old=$2 new=$3
	"$n" ip addr del "$old/24" dev eth0 &&
	    "$n" ip addr add "$new/24" dev eth0 &&
	    sleep 1 &&
	    "$n" ip tunnel change gre1 mode gre key "$NHRP_GRE_KEY" ttl 64 local "$new" &&
	    "$n" ip -4 addr show dev eth0 | grep -q "inet $new/24"
}

check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
check "s2 starts" nhrp_start s2 "$RUNDIR/s2.conf" -v
check "s3 starts" nhrp_start s3 "$RUNDIR/s3.conf" -v
wait_for 40 "hub: s2 registered from 198.51.100.2" hub_has 10.255.255.2 198.51.100.2
wait_for 40 "hub: s3 registered from 198.51.100.3" hub_has 10.255.255.3 198.51.100.3

# --- s2: no-unique ----------------------------------------------------------
check "s2 moves to 198.51.100.12" move s2 198.51.100.2 198.51.100.12
wait_for 10 "s2: GRE change noticed, peers purged" \
    grep -q "Interface gre1: GRE configuration changed. Purged [1-9][0-9]* peers." "$(nhrp_log s2)"
wait_for 20 "s2: peer-down address-removed for the NHS entry (PEER-29)" \
    nhrp_has_event s2 peer-down NHRP_DESTADDR=10.255.255.1 \
    NHRP_PEER_DOWN_REASON=address-removed
wait_for 20 "s2: nhs-down address-removed" \
    nhrp_has_event s2 nhs-down NHRP_DESTADDR=10.255.255.1 \
    NHRP_PEER_DOWN_REASON=address-removed
wait_for 30 "hub: binding for 10.255.255.2 now at 198.51.100.12" \
    hub_has 10.255.255.2 198.51.100.12
wait_for 20 "hub: peer-down for the old binding (old NBMA)" \
    nhrp_has_event hub peer-down NHRP_DESTADDR=10.255.255.2 \
    NHRP_DESTNBMA=198.51.100.2
wait_for 20 "hub: peer-up for the new binding" \
    nhrp_has_event hub peer-up NHRP_DESTADDR=10.255.255.2 \
    NHRP_DESTNBMA=198.51.100.12
check "hub: peer-down of the old binding ran before the new peer-up" \
    bash -c "awk '/^peer-down .*NHRP_DESTNBMA=198.51.100.2( |\$)/ { d = NR }
	/^peer-up .*NHRP_DESTNBMA=198.51.100.12( |\$)/ { u = NR }
	END { exit !(d && u && d < u) }' $RUNDIR/hub.events"
check "hub: one entry for 10.255.255.2" \
    bash -c "[ \$($NHRP_CTL -a $(nhrp_sock hub) show | grep -c 'Protocol-Address: 10.255.255.2/32') = 1 ]"
check "hub: kernel neighbour follows the new NBMA" \
    bash -c "ip -n $(nhrp_ns hub) neigh show dev gre1 10.255.255.2 | grep -q 'lladdr 198.51.100.12'"
check "s2: interface show has the new NBMA" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s2) interface show | grep -qx 'NBMA-Address: 198.51.100.12'"
s2_up() {
	ctl s2 show | tr '\n' '|' | grep -q \
	    "Type: static|Protocol-Address: 10.255.255.1/24|NBMA-Address: 198.51.100.1|Flags: [a-z ]*up|"
}
wait_for 10 "s2: NHS entry up again" s2_up
check "s2: nhs-up with the new source NBMA" \
    nhrp_has_event s2 nhs-up NHRP_SRCNBMA=198.51.100.12
check "hub reaches s2 at its new address" hub ping -c2 -i0.5 -W5 10.255.255.2

# --- s3: unique ------------------------------------------------------------
check "s3 moves to 198.51.100.13" move s3 198.51.100.3 198.51.100.13
wait_for 30 "s3: refused while the old unique binding lives (code 14)" \
    grep -q "Received Registration Reply from 10.255.255.1: unique address already registered" \
    "$(nhrp_log s3)"
check "hub: still the old binding for 10.255.255.3" hub_has 10.255.255.3 198.51.100.3
check "hub: refusal logged" \
    grep -q "\[10.255.255.3\] Peer registration failed: unique address already registered" "$(nhrp_log hub)"
wait_for 45 "hub: s3's new binding taken after the old one expired" \
    hub_has 10.255.255.3 198.51.100.13
wait_for 20 "hub: the old unique binding expired (peer-down expired)" \
    nhrp_has_event hub peer-down NHRP_DESTADDR=10.255.255.3 \
    NHRP_DESTNBMA=198.51.100.3 NHRP_PEER_DOWN_REASON=expired

check "hub still answers" nhrp_ctl hub show
for n in s2 s3 hub; do
	check "$n exits 0 on SIGTERM" nhrp_stop $n TERM 30
done
check "every NHRP packet hub, s2 and s3 sent decodes cleanly (tshark)" \
    nhrp_capture_check wan br0
tap_done

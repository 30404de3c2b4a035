#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 35-frr-spokes: our hub, two FRR nhrpd spokes. f2 registers to a static
# NHS (`ip nhrp nhs 10.255.255.1 nbma ...` + `ip nhrp map`), f3 with
# `ip nhrp nhs dynamic nbma 198.51.100.1`, whose Registration Requests are
# addressed to f3's own protocol address: our hub must take them as its
# own (decisions.md, "Wire format notes"). Registration is visible on both
# sides, the tunnel carries traffic, `opennhrpctl purge` on the hub drops
# a binding and the spoke's next refresh restores it, a stopped FRR spoke
# goes away, and every NHRP packet the hub sent decodes cleanly in tshark.
#
#   hub  ours  gre1 10.255.255.1/24  eth0 198.51.100.1
#   f2   FRR   gre1 10.255.255.2/32  eth0 198.51.100.2  nhs 10.255.255.1 (static)
#   f3   FRR   gre1 10.255.255.3/32  eth0 198.51.100.3  nhs dynamic

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/frr.sh"
. "$(dirname "$0")/wireshark.sh"

# Poll deadlines on the monotonic clock (the VM's realtime clock can jump).
_now_us() {
	local u
	read -r u _ </proc/uptime
	u=${u/./}
	echo $((10#$u * 10000))
}

frr_require
diag "$(frr_version)"

nhrp_add_node hub 1
frr_add_node f2 2
frr_add_node f3 3

check "hub: capture on eth0" nhrp_capture_start hub eth0

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 60
	multicast dynamic
CONF
frr_conf f2 --nhs static --holdtime 30 --shortcut
frr_conf f3 --nhs dynamic --holdtime 30 --shortcut

check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
check "FRR spoke f2 (static NHS) starts" frr_start f2
check "FRR spoke f3 (nhs dynamic) starts" frr_start f3

hub_entry() {	# hub_entry N: the dynamic entry of 10.255.255.N
	nhrp_ctl hub show | tr '\n' '|' | grep -q \
	    "Type: dynamic|Protocol-Address: 10.255.255.$1/32|NBMA-Address: 198.51.100.$1|Flags: [a-z ]*up|Expires-In: 0:[0-9][0-9]|"
}
no_hub_entry() {
	! nhrp_ctl hub show | grep -q "Protocol-Address: 10.255.255.$1/32"
}

wait_for 90 "hub: f2 registered (static NHS form)" hub_entry 2
wait_for 90 "hub: f3 registered (nhs dynamic form, destination = itself)" \
    hub_entry 3
check "hub: peer-register for f3 with its addresses" \
    nhrp_has_event hub peer-register NHRP_TYPE=dynamic \
    NHRP_DESTADDR=10.255.255.3 NHRP_DESTPREFIX=32 \
    NHRP_DESTNBMA=198.51.100.3 NHRP_INTERFACE=gre1
check "hub: kernel neighbour for f2 points at its NBMA" \
    bash -c "ip -n $(nhrp_ns hub) neigh show dev gre1 10.255.255.2 | grep -q 'lladdr 198.51.100.2'"

# FRR's view: the NHS entry (learnt from the reply's Responder for the
# dynamic form) and no registration failure in its log
wait_for 30 "f2: FRR shows the NHS 10.255.255.1 at 198.51.100.1" \
    frr_has f2 "^gre1 +nhs +10\.255\.255\.1 +198\.51\.100\.1 "
wait_for 30 "f3: FRR learnt the dynamic NHS's address 10.255.255.1" \
    frr_has f3 "^gre1 +nhs +10\.255\.255\.1 +198\.51\.100\.1 "
check_fail "f3: no failed registration in FRR's log" \
    frr_log_has f3 "[Rr]egistration.*(fail|[Ee]rror)"

check "f2 pings the hub through the tunnel" f2 ping -c2 -i0.5 -W5 10.255.255.1
check "the hub pings f3" hub ping -c2 -i0.5 -W5 10.255.255.3

# purge on our hub: the binding goes (peer-down user-request) and FRR's
# next refresh (holdtime 30: every ~10 s) registers it again
check "hub: purge protocol 10.255.255.2" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) purge protocol 10.255.255.2 | tr '\n' '|' | grep -qx 'Status: ok|Entries-Affected: 1|'"
check "hub: f2's entry gone after the purge" no_hub_entry 2
wait_for 10 "hub: peer-down user-request for f2" \
    nhrp_has_event hub peer-down NHRP_DESTADDR=10.255.255.2 \
    NHRP_PEER_DOWN_REASON=user-request
wait_for 60 "hub: f2 registered again" hub_entry 2
check "hub: purge protocol 10.255.255.3 (dynamic-NHS spoke)" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) purge protocol 10.255.255.3 | grep -qx 'Entries-Affected: 1'"
wait_for 60 "hub: f3 registered again" hub_entry 3
check "hub: f3 re-registration ran peer-up again" \
    bash -c "[ \$(grep -c '^peer-up .*NHRP_DESTADDR=10.255.255.3 ' $RUNDIR/hub.events) -ge 2 ]"

# a stopped FRR spoke disappears from the hub (purge on shutdown or, at
# the latest, its holding time of 30 s)
check "f2: FRR stops" frr_stop f2
wait_for 45 "hub: f2's entry gone after FRR stopped" no_hub_entry 2
check "hub: f3 still registered" hub_entry 3

check "hub exits 0 on SIGTERM" nhrp_stop hub TERM 30
check "hub: every NHRP packet it sent decodes cleanly (tshark)" \
    nhrp_capture_check hub eth0 4
tap_done

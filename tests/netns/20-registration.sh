#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 20-registration: hub + 2 spokes, static "map ... register".  The hub
# shows both dynamic entries with the right fields, the hooks ran with the
# right variables, the spokes show their static NHS entry up, the hub
# answers "interface show", and SIGTERM exits cleanly (pid file removed,
# down hooks run).  The whole WAN is captured: every NHRP packet the
# three daemons sent decodes cleanly in tshark.
#
#   hub   gre1 10.255.255.1  eth0 198.51.100.1
#   s2    gre1 10.255.255.2  eth0 198.51.100.2  map 10.255.255.1/24 hub register
#   s3    gre1 10.255.255.3  eth0 198.51.100.3  map 10.255.255.1/24 hub register

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

nhrp_add_node hub 1
nhrp_add_node s2 2
nhrp_add_node s3 3

check "capture on the WAN bridge" nhrp_capture_start wan br0
nhrp_capture_from wan br0 hub s2 s3

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 60
	multicast dynamic
	redirect
CONF
for n in s2 s3; do
	nhrp_conf $n <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 60
	shortcut
CONF
done

check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
check "spoke s2 starts" nhrp_start s2 "$RUNDIR/s2.conf" -v
check "spoke s3 starts" nhrp_start s3 "$RUNDIR/s3.conf" -v

check "hub: interface-up for gre1 with the real GRE key" \
    nhrp_has_event hub interface-up NHRP_TYPE=INTERFACE NHRP_INTERFACE=gre1 \
    NHRP_GRE_KEY=1234
check_fail "hub: no interface-up for unconfigured eth0" \
    nhrp_has_event hub interface-up NHRP_INTERFACE=eth0

hub_has() {
	nhrp_ctl hub show | tr '\n' '|' | grep -q "$1"
}
for n in 2 3; do
	wait_for 60 "hub: dynamic entry for 10.255.255.$n" hub_has \
	    "Interface: gre1|Type: dynamic|Protocol-Address: 10.255.255.$n/32|NBMA-Address: 198.51.100.$n|Flags: [a-z ]*up|Expires-In: [01]:[0-9][0-9]|"
done
check "hub: peer-register for s2 with its variables" \
    nhrp_has_event hub peer-register NHRP_TYPE=dynamic \
    NHRP_DESTADDR=10.255.255.2 NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.2 \
    NHRP_SRCADDR=10.255.255.1 NHRP_SRCNBMA=198.51.100.1 \
    NHRP_INTERFACE=gre1 NHRP_GRE_KEY=1234
check "hub: peer-up for s3" \
    nhrp_has_event hub peer-up NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.3 \
    NHRP_DESTNBMA=198.51.100.3
check "hub: kernel neighbour for s2 points at its NBMA" \
    bash -c "ip -n $(nhrp_ns hub) neigh show dev gre1 10.255.255.2 | grep -q 'lladdr 198.51.100.2'"

spoke_up() {
	nhrp_ctl "$1" show | tr '\n' '|' | grep -q \
	    "Type: static|Protocol-Address: 10.255.255.1/24|NBMA-Address: 198.51.100.1|Flags: used up|"
}
wait_for 30 "s2 shows 'static ... Flags: used up'" spoke_up s2
wait_for 30 "s3 shows 'static ... Flags: used up'" spoke_up s3
check "hub and spokes only: three nodes registered, s2 sees no dynamic entry" \
    bash -c "! $NHRP_CTL -a $(nhrp_sock s2) show | grep -q 'Type: dynamic'"
check "s2: nhs-up with the NHS address" \
    nhrp_has_event s2 nhs-up NHRP_TYPE=static NHRP_DESTADDR=10.255.255.1 \
    NHRP_DESTPREFIX=24 NHRP_DESTNBMA=198.51.100.1 NHRP_SRCNBMA=198.51.100.2
check "s2: local entries (own address, broadcast alias)" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s2) show | tr '\n' '|' | grep -q 'Type: local|Protocol-Address: 10.255.255.255/32|Alias-Address: 10.255.255.2|Flags: up|'"

iface_show() {
	nhrp_ctl hub interface show | tr '\n' '|' | grep -q \
	    "Interface: gre1|Index: [0-9]*|Protocol-Address: 10.255.255.1/24|Flags: redirect configured|Holding-Time: 60|Route-Table: 254|GRE-Key: 1234|MTU: [0-9]*|NBMA-MTU: 0|NBMA-Address: 198.51.100.1|"
}
check "hub: interface show for gre1" iface_show
check "hub: interface show lists unconfigured eth0" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) interface show | grep -qx 'Interface: eth0'"

check "hub: show nbma selector finds s3 only" \
    bash -c "[ \$($NHRP_CTL -a $(nhrp_sock hub) show nbma 198.51.100.3 | grep -c '^Type:') = 1 ]"
check "hub: protocol 0.0.0.0/0 matches every entry" \
    bash -c "[ \$($NHRP_CTL -a $(nhrp_sock hub) show protocol 0.0.0.0/0 | grep -c '^Type:') -ge 4 ]"

# purge on the hub: the dynamic entry goes (peer-down user-request), and
# comes back with the spoke's next refresh
check "hub: purge protocol 10.255.255.2" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) purge protocol 10.255.255.2 | tr '\n' '|' | grep -qx 'Status: ok|Entries-Affected: 1|'"
wait_for 10 "hub: peer-down user-request for s2" \
    nhrp_has_event hub peer-down NHRP_DESTADDR=10.255.255.2 \
    NHRP_PEER_DOWN_REASON=user-request

# clean shutdown of a spoke: purge to the hub, down hooks, pid file removed
stop_diag() {
	local pid
	pid=$(nhrp_pid "$1")
	kill -TERM "$pid"
	poll 15 _nhrp_dead "$pid" && { nhrp_stop "$1" TERM 5; return; }
	echo "still alive after 15 s: pid $pid"
	cat /proc/"$pid"/syscall
	ls -l /proc/"$pid"/fd
	gdb -p "$pid" -batch -ex "thread apply all bt" 2>&1 | tail -40
	tail -5 "$RUNDIR/$1.log"
	nhrp_stop "$1" TERM 5
}
check "s3 exits 0 on SIGTERM" stop_diag s3
check "s3: pid file removed" test ! -e "$RUNDIR/s3.pid"
check "s3: nhs-down and peer-down on shutdown" \
    bash -c "grep -q '^nhs-down ' $RUNDIR/s3.events && grep -q '^peer-down ' $RUNDIR/s3.events"
wait_for 10 "hub: s3's registration purged by its shutdown" \
    bash -c "! $NHRP_CTL -a $(nhrp_sock hub) show | grep -q 'Protocol-Address: 10.255.255.3/32'"
check "hub still answers" nhrp_ctl hub show
check "s2 exits 0 on SIGTERM" stop_diag s2
check "hub exits 0 on SIGTERM" stop_diag hub
check "every NHRP packet hub, s2 and s3 sent decodes cleanly (tshark)" \
    nhrp_capture_check wan br0

tap_done

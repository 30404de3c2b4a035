#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 29-hooks-off: `opennhrp -N` runs no hook scripts and every hook counts as
# success, while without -N a missing script still fails closed (issue 7).
# The hub's -s names a file that does not exist in both runs:
#   1. hub without -N: peer-register cannot run, the spoke's registration
#      is refused with code 4 (administratively prohibited), no binding;
#   2. hub with -N (after the -s): the spoke registers, the binding is up
#      and the kernel neighbour points at the spoke's NBMA address.
#
#   hub   gre1 10.255.255.1  eth0 198.51.100.1
#   s2    gre1 10.255.255.2  eth0 198.51.100.2  map 10.255.255.1/24 hub register
#
# The whole WAN is captured across both runs: every NHRP packet hub and s2
# sent (the code 4 refusal included) decodes cleanly in tshark.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

nhrp_have_daemon || bail_out "no daemon built at $NHRP_DAEMON"

nhrp_add_node hub 1
nhrp_add_node s2 2

check "capture on the WAN bridge" nhrp_capture_start wan br0
nhrp_capture_from wan br0 hub s2

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 60
	multicast dynamic
CONF
nhrp_conf s2 <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 60
CONF

MISSING="$RUNDIR/no-such-hook"
rm -f "$MISSING"

log_has() {
	grep -q -- "$2" "$(nhrp_log "$1")"
}
hub_binding_up() {
	nhrp_ctl hub show | tr '\n' '|' | grep -q \
	    "Type: dynamic|Protocol-Address: 10.255.255.2/32|NBMA-Address: 198.51.100.2|Flags: [a-z ]*up|"
}
hub_has_binding() {
	nhrp_ctl hub show | grep -q 'Protocol-Address: 10.255.255.2/32'
}
hub_neigh_reachable() {
	hub ip neigh show dev gre1 10.255.255.2 | grep -q 'lladdr 198.51.100.2'
}
spoke_up() {
	nhrp_ctl s2 show | tr '\n' '|' | grep -q \
	    "Type: static|Protocol-Address: 10.255.255.1/24|NBMA-Address: 198.51.100.1|Flags: [a-z ]*up|"
}

# --- 1. without -N: a missing script fails closed --------------------------
check "hub starts without -N, -s names a missing file" \
    nhrp_start hub "$RUNDIR/hub.conf" -v -s "$MISSING"
check "s2 starts" nhrp_start s2 "$RUNDIR/s2.conf" -v
wait_for 30 "s2: registration refused with code 4 (administratively prohibited)" \
    log_has s2 "Received Registration Reply from 10.255.255.1: administratively prohibited"
check "hub: peer-register failed (exitstatus 1)" \
    log_has hub "\[10.255.255.2\] Peer registration failed: exitstatus 1"
check "hub: the unusable script is logged" \
    log_has hub "script $MISSING: cannot execute: No such file or directory"
check_fail "hub: no binding for s2" hub_has_binding
check_fail "hub: no neighbour entry towards s2's NBMA" hub_neigh_reachable
check_fail "s2: NHS not up" spoke_up
check_fail "hub: no hooks-off warning without -N" log_has hub "Hooks off"
check "s2 exits 0 on SIGTERM" nhrp_stop s2 TERM 20
check "hub exits 0 on SIGTERM" nhrp_stop hub TERM 20

# --- 2. with -N: no hooks, every hook succeeds -------------------------------
: >"$RUNDIR/s2.events"
check "hub starts with -s <missing> -N" \
    nhrp_start hub "$RUNDIR/hub.conf" -v -s "$MISSING" -N
check "hub: start-up warning names the consequence" \
    log_has hub "Hooks off (-N): no hook script runs and every hook succeeds, so every registration is accepted"
check "s2 starts again" nhrp_start s2 "$RUNDIR/s2.conf" -v
wait_for 30 "hub: dynamic binding for s2 is up" hub_binding_up
wait_for 10 "hub: kernel neighbour for s2 points at its NBMA" hub_neigh_reachable
wait_for 30 "s2: NHS up" spoke_up
check "s2: nhs-up ran on the spoke (hooks on there)" \
    nhrp_has_event s2 nhs-up NHRP_DESTADDR=10.255.255.1
second_run_clean() {
	# only the second start's lines: no hook was executed at all
	awk '/=== .* start: .* -N/ { on = 1 } on' "$(nhrp_log hub)" >"$RUNDIR/hub.run2.log"
	[ -s "$RUNDIR/hub.run2.log" ] &&
	    ! grep -q -e 'cannot execute' -e 'Peer registration failed' \
	    -e 'started (pid' "$RUNDIR/hub.run2.log"
}
check "hub: no script started, nothing failed under -N" second_run_clean
check "s2 exits 0 on SIGTERM (second run)" nhrp_stop s2 TERM 20
check "hub exits 0 on SIGTERM with -N" nhrp_stop hub TERM 20
check "every NHRP packet hub and s2 sent in both runs decodes cleanly (tshark)" \
    nhrp_capture_check wan br0

tap_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 21-resolution: hub + 2 spokes.  Spoke-to-spoke resolution through the
# hub (kernel who-has -> Resolution Request -> forwarded -> reply ->
# cached entry + direct tunnel), lowerdown/flush with hook reasons,
# peer-register refusing (code 4), SIGHUP on the hub, malformed packets
# injected at the hub, hub restart and re-registration.  The whole WAN is
# captured: every NHRP packet the hub and s3 sent decodes cleanly in
# tshark (s2's are not judged: the injected packets leave from its NBMA
# address too).
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
nhrp_capture_from wan br0 hub s3

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 30
CONF
for n in s2 s3; do
	nhrp_conf $n <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 30
	shortcut
CONF
done

check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
check "spoke s2 starts" nhrp_start s2 "$RUNDIR/s2.conf" -v
check "spoke s3 starts" nhrp_start s3 "$RUNDIR/s3.conf" -v

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

shows() {
	local node=$1
	shift
	nhrp_ctl "$node" show "$@" | tr '\n' '|' | grep -q -- "$EXPECT"
}
EXPECT="Type: dynamic|Protocol-Address: 10.255.255.2/32|"
wait_for 60 "hub: s2 registered" shows hub
EXPECT="Type: dynamic|Protocol-Address: 10.255.255.3/32|"
wait_for 60 "hub: s3 registered" shows hub

# in-NBMA resolution: s2 -> 10.255.255.3 goes through the hub first, then
# s2 learns s3's NBMA and talks to it directly
check "s2 pings s3's tunnel address" s2 ping -c3 -i0.5 -W5 10.255.255.3
EXPECT="Type: cached|Protocol-Address: 10.255.255.3/32|NBMA-Address: 198.51.100.3|Flags: [a-z ]*up|Expires-In: 0:[0-9][0-9]|"
wait_for 30 "s2: cached entry for s3 with its NBMA" shows s2
check "s2: peer-up for the cached entry" \
    nhrp_has_event s2 peer-up NHRP_TYPE=cached NHRP_DESTADDR=10.255.255.3 \
    NHRP_DESTNBMA=198.51.100.3
check "hub forwarded the Resolution Request" \
    grep -q "Forwarding packet from nbma src 198.51.100.2, proto src 10.255.255.2 to proto dst 10.255.255.3" "$(nhrp_log hub)"
check "s3 answered as responder" \
    grep -q "Sending Resolution Reply 10.255.255.3/32 is-at 198.51.100.3" "$(nhrp_log s3)"
check "s2: kernel neighbour 10.255.255.3 -> 198.51.100.3" \
    bash -c "ip -n $(nhrp_ns s2) neigh show dev gre1 10.255.255.3 | grep -q 'lladdr 198.51.100.3'"

# lowerdown: the cached entry goes with reason lower-down
check "s2: cache lowerdown nbma 198.51.100.3" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s2) cache lowerdown nbma 198.51.100.3 | grep -qx 'Entries-Affected: 1'"
wait_for 10 "s2: peer-down lower-down for the cached entry" \
    nhrp_has_event s2 peer-down NHRP_TYPE=cached NHRP_DESTADDR=10.255.255.3 \
    NHRP_PEER_DOWN_REASON=lower-down
check "s2: flush leaves the static NHS entry" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s2) flush >/dev/null && $NHRP_CTL -a $(nhrp_sock s2) show | grep -q 'Type: static'"

# malformed packets injected at the hub from s2's NBMA address
inject() {
	s2 "$PKTIO" send gre1 198.51.100.1 "$1"
}
check "inject: truncated" inject 00010800000000000010005cf28b0034010304000404800200000001c633
check "inject: bad checksum" inject 00010800000000000010005cf2740034010304000404800200000001c63364020affff020affff0100ff00000000000f0000000080040000800500008003000000090014002000000000000004000400c63364010affff0180000000
check "inject: extension offset past the end" inject 00010800000000000010005c72c07fff010304000404800200000001c63364020affff020affff0100ff00000000000f0000000080040000800500008003000000090014002000000000000004000400c63364010affff0180000000
check "inject: unknown compulsory extension 0x800c" inject 00010800000000000010005c72730034010304000404800200000001c63364020affff170affff0100ff00000000000f00000000800400008005000080030000800c0014002000000000000004000400c63364010affff0180000000
check "inject: 40 vendor extensions (types 10..49)" inject 000108000000000000100178e98f0034010304000404800200000001c63364020affff180affff0100ff00000000000f00000000000a000461626364000b000461626364000c000461626364000d000461626364000e000461626364000f0004616263640010000461626364001100046162636400120004616263640013000461626364001400046162636400150004616263640016000461626364001700046162636400180004616263640019000461626364001a000461626364001b000461626364001c000461626364001d000461626364001e000461626364001f0004616263640020000461626364002100046162636400220004616263640023000461626364002400046162636400250004616263640026000461626364002700046162636400280004616263640029000461626364002a000461626364002b000461626364002c000461626364002d000461626364002e000461626364002f0004616263640030000461626364003100046162636480000000
EXPECT="Type: dynamic|Protocol-Address: 10.255.255.24/32|NBMA-Address: 198.51.100.2|"
wait_for 20 "hub: the packet with 40 extensions registered 10.255.255.24" shows hub
check "hub: unknown compulsory extension answered with an Error Indication" \
    grep -q "Sending Error Indication" "$(nhrp_log hub)"
check_fail "hub: nothing registered from the compulsory-extension packet" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) show | grep -q 10.255.255.23/32"
check "hub still alive and answering" nhrp_ctl hub show

# SIGHUP on the hub: dynamic entries go (peer-down user-request), the
# spokes come back with their next refresh
check "hub: SIGHUP" kill -HUP "$(nhrp_pid hub)"
wait_for 10 "hub: peer-down user-request for s3 after SIGHUP" \
    nhrp_has_event hub peer-down NHRP_DESTADDR=10.255.255.3 \
    NHRP_PEER_DOWN_REASON=user-request
EXPECT="Type: dynamic|Protocol-Address: 10.255.255.3/32|"
wait_for 40 "hub: s3 registered again after SIGHUP" shows hub

# peer-register refusing: the spokes' next registrations get code 4
nhrp_fail_event hub peer-register 1
check "hub: flush" nhrp_ctl hub flush
wait_for 40 "a spoke's registration refused (administratively prohibited)" \
    grep -q "Received Registration Reply from 10.255.255.1: administratively prohibited" "$(nhrp_log s2)" "$(nhrp_log s3)"
check_fail "hub: no dynamic entry while peer-register fails" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) show | grep -q 'Type: dynamic'"
nhrp_unfail_event hub peer-register

# hub restart: s2 registers again with the new hub
check "hub exits 0 on SIGTERM" stop_diag hub
check "hub restarts" nhrp_start hub "$RUNDIR/hub.conf" -v
# a refused spoke waits 30-90 s; purging its NHS entry restarts it in 5 s
check "s2: purge the NHS entry" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s2) purge nbma 198.51.100.1 | grep -qx 'Entries-Affected: 1'"
EXPECT="Type: dynamic|Protocol-Address: 10.255.255.2/32|"
wait_for 60 "hub: s2 registered with the restarted hub" shows hub
# nhs-up runs once the reply arrived, possibly after the hub shows s2
wait_for 20 "s2: nhs-down user-request, then nhs-up again after the purge" \
    bash -c "grep -q '^nhs-down .*NHRP_PEER_DOWN_REASON=user-request' $RUNDIR/s2.events && [ \$(grep -c '^nhs-up ' $RUNDIR/s2.events) -ge 2 ]"

check "s2 exits 0 on SIGTERM" stop_diag s2
check "s3 exits 0 on SIGTERM" stop_diag s3
check "hub exits 0 on SIGTERM" stop_diag hub
# Allowed, and only these: the hub's Error Indication quotes the injected
# packet whose extension offset is past its end, and tshark judges the
# quoted packet; the hub's Registration Replies for 10.255.255.24 (the
# 40-extension packet, and the copies that then bounce between s2 and the
# hub until the hop count runs out) keep the request's extensions (spec
# 6.6): tshark reads the injected type 10 with its 4 bytes "abcd" as a
# truncated Mobile NHC Authentication Extension.
check "every NHRP packet the hub and s3 sent decodes cleanly (tshark)" \
    nhrp_capture_check wan br0 1 \
    '^Extension offset is less than the fixed header length or larger than the packet size$|^Incomplete Authentication Extension$' \
    'nhrp.src.prot.addr == 10.255.255.24'
tap_done

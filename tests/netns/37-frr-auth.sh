#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 37-frr-auth: cisco-authentication between FRR nhrpd and us.
#
# FRR 8.4 has no `ip nhrp authentication` (it came with FRR 9): its
# packets carry no Authentication extension, and it copies an unknown one
# it receives into its replies. So with FRR 8.4 this tests:
#  - our hub with an odd-length secret ("secret7"): the FRR spoke (no
#    token) is refused, and our hub answers it with an Error Indication
#    "Authentication Failure" that tshark decodes (only the two known
#    complaints about EIs); our spoke with the same odd secret registers
#    (odd-length packets, checksums verified by tshark); our spoke with a
#    wrong even-length secret is refused.
#  - our spoke with a secret against an FRR hub without one: FRR echoes
#    the spoke's own extension in its reply (doc/interop.md).
# Secrets here are at least 4 bytes: tshark 4.0 reads the extension with
# the RFC 2332 layout (SPI + a source address) and flags a shorter token
# as "Incomplete Authentication Extension" (doc/interop.md).
# With an FRR that has `ip nhrp authentication`, FRR spokes with the
# matching odd secret and with a wrong one are tested as well.
#
#   hub  ours  10.255.255.1/24  cisco-authentication secret7
#   f2   FRR   10.255.255.2/32  nhs dynamic, no secret (FRR 8.4)
#   s3   ours  10.255.255.3/24  map hub register, cisco-authentication secret7
#   s4   ours  10.255.255.4/24  map hub register, cisco-authentication wrongpw8
#   h5   FRR   10.255.255.5/32  hub, no secret
#   s6   ours  10.255.255.6/24  map h5 register, cisco-authentication abcde
#   f7   FRR   10.255.255.7/32  ip nhrp authentication secret7 (FRR >= 9)
#   f8   FRR   10.255.255.8/32  ip nhrp authentication secret8 (FRR >= 9)

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
FRR_AUTH=0
frr_has_auth && FRR_AUTH=1

nhrp_add_node hub 1
frr_add_node f2 2
nhrp_add_node s3 3
nhrp_add_node s4 4
frr_add_node h5 5
nhrp_add_node s6 6
if [ $FRR_AUTH = 1 ]; then
	frr_add_node f7 7
	frr_add_node f8 8
fi

check "hub: capture on eth0" nhrp_capture_start hub eth0
check "s6: capture on eth0" nhrp_capture_start s6 eth0

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 60
	cisco-authentication secret7
CONF
spoke_conf() {	# spoke_conf NODE HUB-N SECRET
	nhrp_conf "$1" <<CONF
interface gre1
	map 10.255.255.$2/24 198.51.100.$2 register
	holding-time 30
	cisco-authentication $3
CONF
}
spoke_conf s3 1 secret7
spoke_conf s4 1 wrongpw8
spoke_conf s6 5 abcde
frr_conf f2 --nhs dynamic --holdtime 30
frr_conf h5 --hub --holdtime 60
[ $FRR_AUTH = 1 ] && frr_conf f7 --nhs dynamic --holdtime 30 --auth secret7
[ $FRR_AUTH = 1 ] && frr_conf f8 --nhs dynamic --holdtime 30 --auth secret8

check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
check "FRR hub h5 starts" frr_start h5
check "spoke s3 starts" nhrp_start s3 "$RUNDIR/s3.conf" -v
check "spoke s4 starts" nhrp_start s4 "$RUNDIR/s4.conf" -v
check "spoke s6 starts" nhrp_start s6 "$RUNDIR/s6.conf" -v
check "FRR spoke f2 starts" frr_start f2
if [ $FRR_AUTH = 1 ]; then
	check "FRR spoke f7 starts" frr_start f7
	check "FRR spoke f8 starts" frr_start f8
fi

hub_entry() {
	nhrp_ctl hub show | tr '\n' '|' | grep -q \
	    "Type: dynamic|Protocol-Address: 10.255.255.$1/32|NBMA-Address: 198.51.100.$1|Flags: [a-z ]*up|"
}
hub_has_any() {
	nhrp_ctl hub show | grep -q "Protocol-Address: 10.255.255.$1/32"
}

# matching odd-length secret between our daemons
wait_for 60 "hub: s3 with the same odd-length secret registered" hub_entry 3
# FRR without a token: refused with an Error Indication
wait_for 30 "hub: FRR spoke f2 (no token) dropped for bad authentication" \
    grep -q "Dropping packet from 198.51.100.2 with bad authentication" "$(nhrp_log hub)"
wait_for 30 "hub: our spoke s4 (wrong even-length token) dropped" \
    grep -q "Dropping packet from 198.51.100.4 with bad authentication" "$(nhrp_log hub)"
check_fail "hub: no entry for f2" hub_has_any 2
check_fail "hub: no entry for s4" hub_has_any 4
wait_for 30 "f2: FRR received our Error Indication" \
    frr_log_has f2 "Recv Error-Indication\(7\) 10\.255\.255\.1 -> 10\.255\.255\.2"
check "s4: registration failed with Authentication Failure" \
    grep -Eq "Failed to register to 10.255.255.1: .*[Aa]uth" "$(nhrp_log s4)"

# our spoke with a secret, FRR hub without one
wait_for 60 "FRR hub h5: s6 registered" \
    frr_has h5 "^gre1 +dynamic +10\.255\.255\.6 +198\.51\.100\.6 "
if poll 20 grep -q "Received Registration Reply from 10.255.255.5: success" "$(nhrp_log s6)"; then
	ok "s6: FRR 8.4's reply accepted (FRR echoed s6's own token)"
	check "s6: static NHS entry up" bash -c "$NHRP_CTL -a $(nhrp_sock s6) show | tr '\n' '|' | grep -q 'Type: static|Protocol-Address: 10.255.255.5/24|NBMA-Address: 198.51.100.5|Flags: used up|'"
else
	ok "s6: FRR's reply refused for its token"
	check "s6: dropped FRR's reply for bad authentication" \
	    grep -q "Dropping packet from 198.51.100.5 with bad authentication" "$(nhrp_log s6)"
fi

if [ $FRR_AUTH = 1 ]; then
	wait_for 60 "hub: FRR spoke f7 with the matching odd secret registered" \
	    hub_entry 7
	wait_for 30 "hub: FRR spoke f8 with a wrong secret dropped" \
	    grep -q "Dropping packet from 198.51.100.8 with bad authentication" "$(nhrp_log hub)"
	check_fail "hub: no entry for f8" hub_has_any 8
else
	skip "FRR spoke with the matching odd secret" "FRR $(frr_version) has no ip nhrp authentication"
	skip "FRR spoke with a wrong secret" "FRR $(frr_version) has no ip nhrp authentication"
fi

check "hub still answers" nhrp_ctl hub show
check "hub exits 0 on SIGTERM" nhrp_stop hub TERM 30
check "s6 exits 0 on SIGTERM" nhrp_stop s6 TERM 30
check "hub: every NHRP packet it sent decodes cleanly (tshark)" \
    nhrp_capture_check hub eth0 3
check "hub: Error Indications sent (Authentication Failure)" \
    bash -c "$NHRP_TSHARK -r $(_wire_file hub eth0).pcapng -Y 'nhrp.hdr.op.type == 7 && nhrp.err.code == 11 && ip.src == 198.51.100.1' 2>/dev/null | grep -q ."
check "s6: every NHRP packet it sent decodes cleanly (tshark)" \
    nhrp_capture_check s6 eth0 1
tap_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 36-frr-hub: an FRR nhrpd hub, two of our spokes (static `map ...
# register`) and one FRR spoke. Our spokes register (the hub lists them in
# `show ip nhrp`, our static NHS entry comes up, nhs-up runs), resolve each
# other through the FRR hub (request forwarded by FRR, our spoke answers,
# direct tunnel), get a shortcut to the FRR spoke once it has a route
# back, and purge their registration on shutdown. Every NHRP packet our spokes sent decodes cleanly in tshark.
# FRR 8.4 limits met here are in doc/interop.md.
#
#   h1  FRR   gre1 10.255.255.1/32  eth0 198.51.100.1  hub (shortcut)
#   s2  ours  gre1 10.255.255.2/24  eth0 198.51.100.2  map 10.255.255.1/24 ... register
#   s3  ours  gre1 10.255.255.3/24  eth0 198.51.100.3  map 10.255.255.1/24 ... register
#   f4  FRR   gre1 10.255.255.4/32  eth0 198.51.100.4  nhs 10.255.255.1 (static)

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

frr_add_node h1 1
nhrp_add_node s2 2
nhrp_add_node s3 3
frr_add_node f4 4

check "s2: capture on eth0" nhrp_capture_start s2 eth0
check "s3: capture on eth0" nhrp_capture_start s3 eth0

frr_conf h1 --hub --holdtime 60 --shortcut
frr_conf f4 --nhs static --holdtime 30 --shortcut
for n in s2 s3; do
	nhrp_conf $n <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 60
	shortcut
CONF
done

check "FRR hub starts" frr_start h1
check "spoke s2 starts" nhrp_start s2 "$RUNDIR/s2.conf" -v
check "spoke s3 starts" nhrp_start s3 "$RUNDIR/s3.conf" -v
check "FRR spoke f4 starts" frr_start f4

for n in 2 3 4; do
	wait_for 90 "FRR hub: dynamic entry for 10.255.255.$n at 198.51.100.$n" \
	    frr_has h1 "^gre1 +dynamic +10\.255\.255\.$n +198\.51\.100\.$n "
done

spoke_up() {
	local out
	out=$(nhrp_ctl "$1" show)
	echo "$out"
	tr '\n' '|' <<<"$out" | grep -q \
	    "Type: static|Protocol-Address: 10.255.255.1/24|NBMA-Address: 198.51.100.1|Flags: [a-z ]*up|"
}
wait_for 60 "s2: static NHS entry up" spoke_up s2
wait_for 60 "s3: static NHS entry up" spoke_up s3
check "s2: nhs-up for the FRR hub" \
    nhrp_has_event s2 nhs-up NHRP_TYPE=static NHRP_DESTADDR=10.255.255.1 \
    NHRP_DESTNBMA=198.51.100.1
check "s2: FRR's Registration Reply accepted (no error, no retry storm)" \
    bash -c "grep -q 'Received Registration Reply from 10.255.255.1' $(nhrp_log s2) || grep -qi 'registration.*success' $(nhrp_log s2)"
check "s2 pings the FRR hub through the tunnel" s2 ping -c2 -i0.5 -W5 10.255.255.1

# resolution between our spokes through the FRR hub
shows() {
	nhrp_ctl "$1" show | tr '\n' '|' | grep -q -- "$2"
}
check "s2 pings s3 (via the FRR hub, then direct)" \
    s2 ping -c3 -i0.5 -W5 10.255.255.3
wait_for 30 "s2: cached entry for s3 resolved through the FRR hub" shows s2 \
    "Type: cached|Protocol-Address: 10.255.255.3/32|NBMA-Address: 198.51.100.3|Flags: [a-z ]*up|"
check "s3 answered the Resolution Request FRR forwarded" \
    grep -q "Sending Resolution Reply 10.255.255.3/32 is-at 198.51.100.3" "$(nhrp_log s3)"
check "s2: kernel neighbour 10.255.255.3 -> 198.51.100.3" \
    bash -c "ip -n $(nhrp_ns s2) neigh show dev gre1 10.255.255.3 | grep -q 'lladdr 198.51.100.3'"
check "s2 pings s3 directly" s2 ping -c2 -i0.5 -W5 10.255.255.3

# our spoke and the FRR spoke: FRR forwards s2's Resolution Request to
# f4. FRR 8.4 routes its Resolution Reply to the requester's protocol
# address through its own routing table: with only its /32 and the NHS
# route it has none for 10.255.255.2, logs "Parsing and replying to
# Resolution Req" and sends nothing, so s2's resolution times out
# cleanly. Once f4 has a route to the tunnel subnet via the hub (what a
# routing protocol gives it), it answers through the hub and s2 gets its
# shortcut (doc/interop.md).
wait_for 30 "f4: registered with the FRR hub" \
    frr_has f4 "^gre1 +nhs +10\.255\.255\.1 +198\.51\.100\.1 "
check "f4 pings the FRR hub" f4 ping -c2 -i0.5 -W5 10.255.255.1
s2 ping -c1 -W1 10.255.255.4 >/dev/null 2>&1
wait_for 20 "FRR hub forwarded s2's Resolution Request for f4" \
    frr_log_has h1 "Send Resolution-Request\(1\) 10\.255\.255\.2 -> 10\.255\.255\.4"
wait_for 20 "f4 received s2's Resolution Request" \
    frr_log_has f4 "Recv Resolution-Request\(1\) 10\.255\.255\.2 -> 10\.255\.255\.4"
wait_for 50 "s2: first resolution of f4 ends (timeout: f4 has no route back)" \
    grep -Eq "Failed to resolve 10.255.255.4: timeout|Received Resolution Reply 10.255.255.4/" "$(nhrp_log s2)"
if grep -q "Received Resolution Reply 10.255.255.4/" "$(nhrp_log s2)"; then
	diag "f4 (FRR $(frr_version)) answered without a route to s2"
else
	diag "f4 (FRR $(frr_version)) did not answer: no route to 10.255.255.2"
fi
check "s2: no incomplete entry left for f4" \
    bash -c "! $NHRP_CTL -a $(nhrp_sock s2) show | tr '\n' '|' | grep -q 'Type: incomplete|Protocol-Address: 10.255.255.4/32'"
f4 ip route add 10.255.255.0/24 via 10.255.255.1 dev gre1 onlink
# after the failed resolution s2's kernel neighbour still points at the
# hub (traffic falls back to it) until the kernel probes again (~30-60 s
# later); drop it so the next packet asks again now
s2 ip neigh del 10.255.255.4 dev gre1 2>/dev/null
s2 ping -c1 -W1 10.255.255.4 >/dev/null 2>&1
wait_for 40 "s2: f4 answered once it has a route via the hub: cached entry" \
    shows s2 "Type: cached|Protocol-Address: 10.255.255.4/32|NBMA-Address: 198.51.100.4|Flags: [a-z ]*up|"
check "f4 sent its Resolution Reply (through the hub)" \
    frr_log_has f4 "Send Resolution-Reply\(2\) 10\.255\.255\.4 -> 10\.255\.255\.2"
check "s2 pings f4 directly" s2 ping -c2 -i0.5 -W5 10.255.255.4
check "f4 pings s2" f4 ping -c2 -i0.5 -W5 10.255.255.2

# clean shutdown of s3: its Purge Request reaches the FRR hub (FRR 8.4
# neither answers nor removes the entry: it expires; doc/interop.md)
purges_s3() {
	grep -cE "Recv Purge-Request\(5\) 10\.255\.255\.3 -> 10\.255\.255\.1" "$(frr_log h1)"
}
n_purges=$(purges_s3)
check "s3 exits 0 on SIGTERM" nhrp_stop s3 TERM 30
check "s3: sent a Purge Request to the FRR hub" \
    grep -q "Sending Purge Request (of protocol address) to 10.255.255.1" "$(nhrp_log s3)"
wait_for 10 "FRR hub received s3's shutdown Purge Request" \
    bash -c "[ \$(grep -cE 'Recv Purge-Request\(5\) 10\.255\.255\.3 -> 10\.255\.255\.1' $(frr_log h1)) -gt $n_purges ]"
if poll 5 bash -c "! $FRR_VTYSH -N $(nhrp_ns h1) -c 'show ip nhrp' | grep -q ' 10\.255\.255\.3 '"; then
	diag "FRR hub removed s3's entry after the purge"
else
	diag "FRR hub keeps s3's entry after the purge (it expires)"
fi
check "s2 still registered with the FRR hub" \
    frr_has h1 "^gre1 +dynamic +10\.255\.255\.2 +198\.51\.100\.2 "

check "s2 exits 0 on SIGTERM" nhrp_stop s2 TERM 30
check "s2: every NHRP packet it sent decodes cleanly (tshark)" \
    nhrp_capture_check s2 eth0 3
check "s3: every NHRP packet it sent decodes cleanly (tshark)" \
    nhrp_capture_check s3 eth0 2
tap_done

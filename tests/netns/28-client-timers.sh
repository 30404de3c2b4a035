#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 28-client-timers: the client side against a real kernel and a real DNS
# server.
#  - DNS-01: "map ... HOSTNAME register" resolved through dnsmasq (first A
#    record, NBMA shown once resolved, registration works); a name that
#    does not resolve leaves its entry without NBMA, is retried later
#    (rand[60,180] s, only the log line is checked) and crashes nothing.
#  - CTL-18: the host selector matches the hostname exactly.
#  - PKT-24: in a spoke-to-spoke resolution (both directions, while the
#    other side is cached) every NHRP packet goes to or comes from the hub,
#    never straight between the spokes; the data does go direct.
#  - PKT-22 / PEER-04 / SCR-12: the hub stops answering (SIGSTOP): the
#    spoke's refresh is sent 6 times, 5 s apart, with one request id, then
#    the timeout is logged (30 s after the first), nhs-down runs (decided:
#    a dead NHS is marked down) and the entry stays lower-up.
#
#   hub   gre1 10.255.255.1  eth0 198.51.100.1
#   s2    gre1 10.255.255.2  eth0 198.51.100.2   map 10.255.255.1/24 hub.nhrp.test register
#                                                map 10.255.255.9/32 nowhere.nhrp.test
#   s3    gre1 10.255.255.3  eth0 198.51.100.3   map 10.255.255.1/24 198.51.100.1 register
#   dns   eth0 198.51.100.53 (no GRE)            dnsmasq

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

nhrp_have_daemon || bail_out "no daemon built at $NHRP_DAEMON"
command -v dnsmasq >/dev/null || bail_out "dnsmasq is not installed"
command -v tshark >/dev/null || bail_out "tshark is not installed"
command -v dumpcap >/dev/null || bail_out "dumpcap is not installed"

nhrp_add_node hub 1
nhrp_add_node s2 2
nhrp_add_node s3 3
nhrp_add_node dns 53 --no-gre

NETNS_ETC="/etc/netns/$(nhrp_ns s2)"
mkdir -p "$NETNS_ETC" || bail_out "cannot create $NETNS_ETC"
echo "nameserver 198.51.100.53" >"$NETNS_ETC/resolv.conf"
trap 'rc=$?; rm -rf "$NETNS_ETC"; (exit $rc); cleanup' EXIT

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 60
CONF
# holding-time 12: s2 refreshes its registration every 12/3+1 = 5 s
nhrp_conf s2 <<'CONF'
interface gre1
	map 10.255.255.1/24 hub.nhrp.test register
	map 10.255.255.9/32 nowhere.nhrp.test
	holding-time 12
	shortcut
CONF
nhrp_conf s3 <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 60
	shortcut
CONF

# two A records: the first one is the hub, the second one leads nowhere.
# dnsmasq rotates the records of a name between answers: its first answer
# (the daemon's query, nothing asks before it) has them in file order.
HOSTS="$RUNDIR/dns.hosts"
printf '198.51.100.1 hub.nhrp.test\n198.51.100.77 hub.nhrp.test\n' >"$HOSTS"
dns_start() {
	nhrp_bg dns dnsmasq --keep-in-foreground --no-resolv --no-hosts \
	    --addn-hosts="$HOSTS" --listen-address=198.51.100.53 \
	    --bind-interfaces --user=root --group=root --pid-file= \
	    --log-queries --log-facility=- --local-ttl=0 --local=/nhrp.test/
	DNS_LOG=$BG_LOG
	poll 10 grep -q started "$DNS_LOG" || { cat "$DNS_LOG"; return 1; }
}

# block NODE SELECTOR...: the show output of the selected entries, one
# line per block ("|"-separated fields)
block() {
	local node=$1
	shift
	nhrp_ctl "$node" show "$@" | awk 'BEGIN { RS = ""; FS = "\n" }
	    NR > 1 { s = $1; for (i = 2; i <= NF; i++) s = s "|" $i; print s "|" }'
}
has() {		# has NODE PATTERN
	block "$1" | grep -q -- "$2"
}

check "dnsmasq starts" dns_start
# the whole scenario on the WAN: every NHRP packet our daemons send is
# judged by tshark at the end (issue 6)
check "capture on the WAN bridge (tshark check)" nhrp_capture_start wan br0
nhrp_capture_from wan br0 hub s2 s3
check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
check "s2 starts" nhrp_start s2 "$RUNDIR/s2.conf" -v
check "s3 starts" nhrp_start s3 "$RUNDIR/s3.conf" -v

# ---- DNS-01 ------------------------------------------------------------------
wait_for 30 "DNS-01: s2 resolved hub.nhrp.test" \
    grep -q "Resolved 'hub.nhrp.test' as " "$(nhrp_log s2)"
# the first address in dnsmasq's answer to the (first) query from s2
first_a() {
	awk '/query\[A\] hub.nhrp.test from 198.51.100.2/ { q++; next }
	    q == 1 && / hub.nhrp.test is / { print $NF; exit }' "$DNS_LOG"
}
check "DNS-01: ... to the first A record of the answer ($(first_a))" \
    grep -q "Resolved 'hub.nhrp.test' as $(first_a)\$" "$(nhrp_log s2)"
wait_for 30 "DNS-01: s2 shows the map with the resolved NBMA and its hostname, up" \
    has s2 "Type: static|Protocol-Address: 10.255.255.1/24|NBMA-Address: 198.51.100.1|Hostname: hub.nhrp.test|Flags: [a-z ]*up|"
wait_for 30 "DNS-01: s2 registered with the hub through the resolved map" \
    has hub "Type: dynamic|Protocol-Address: 10.255.255.2/32|NBMA-Address: 198.51.100.2|Flags: [a-z ]*up|"
check "DNS-01: nhs-up for the resolved map" \
    nhrp_has_event s2 nhs-up NHRP_DESTADDR=10.255.255.1 NHRP_DESTNBMA=198.51.100.1
wait_for 30 "DNS-01: the unresolvable name fails" \
    grep -q "Failed to resolve 'nowhere.nhrp.test'" "$(nhrp_log s2)"
check "DNS-01: the failure is retried in 60-180 s (log)" \
    awk "/Retrying 'nowhere.nhrp.test' in [0-9]+ s/ { n = \$(NF - 1); if (n >= 60 && n <= 180) ok = 1 }
	END { exit !ok }" "$(nhrp_log s2)"
check "DNS-01: the unresolved map is shown with its hostname and no NBMA" \
    has s2 "Type: static|Protocol-Address: 10.255.255.9/32|Hostname: nowhere.nhrp.test|"
check_fail "DNS-01: ... and no NBMA-Address line" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s2) show protocol 10.255.255.9/32 | grep -q NBMA-Address"
check "DNS-01: s2 is still alive and answering" nhrp_ctl s2 show
check "dnsmasq saw the queries for both names" \
    bash -c "grep -q 'query\[A\] hub.nhrp.test from 198.51.100.2' $DNS_LOG &&
	grep -q 'query\[A\] nowhere.nhrp.test from 198.51.100.2' $DNS_LOG"

# ---- CTL-18: host selector ---------------------------------------------------
count() {	# count NODE SELECTOR...: number of entries shown
	nhrp_ctl "$@" | grep -c '^Type:'
}
count_is() {	# count_is N NODE SELECTOR...
	local want=$1
	shift
	[ "$(count "$1" show "${@:2}")" = "$want" ]
}
check "CTL-18: show host hub.nhrp.test: the one map with that hostname" \
    bash -c "[ \$($NHRP_CTL -a $(nhrp_sock s2) show host hub.nhrp.test | grep -c '^Type:') = 1 ] &&
	$NHRP_CTL -a $(nhrp_sock s2) show host hub.nhrp.test | grep -q 'Protocol-Address: 10.255.255.1/24'"
check "CTL-18: hostname nowhere.nhrp.test: the unresolved map only" \
    bash -c "[ \$($NHRP_CTL -a $(nhrp_sock s2) show hostname nowhere.nhrp.test | grep -c '^Type:') = 1 ] &&
	$NHRP_CTL -a $(nhrp_sock s2) show hostname nowhere.nhrp.test | grep -q 'Protocol-Address: 10.255.255.9/32'"
check "CTL-18: the host match is exact (hub.nhrp / HUB.NHRP.TEST match nothing)" \
    bash -c "! $NHRP_CTL -a $(nhrp_sock s2) show host hub.nhrp | grep -q '^Type:' &&
	! $NHRP_CTL -a $(nhrp_sock s2) show host HUB.NHRP.TEST | grep -q '^Type:'"

# ---- PKT-24: NHRP never goes straight to a cached peer -----------------------
wait_for 30 "s3 registered" \
    has hub "Type: dynamic|Protocol-Address: 10.255.255.3/32|NBMA-Address: 198.51.100.3|Flags: [a-z ]*up|"
# capture NODE IFACE NAME: nhrp_capture, with more time for dumpcap to
# start on a loaded machine
capture() {
	nhrp_capture "$@" && return 0
	poll 60 test -s "$RUNDIR/$3.pcap" || return 1
	sleep 1
}
check "capture on the WAN bridge" capture wan br0 wan
check "s2 pings s3 (s2 resolves s3, s3 then resolves s2)" \
    s2 ping -c4 -i0.5 -W5 10.255.255.3
wait_for 20 "s2: cached entry for s3" \
    has s2 "Type: cached|Protocol-Address: 10.255.255.3/32|NBMA-Address: 198.51.100.3|"
wait_for 20 "s3: cached entry for s2" \
    has s3 "Type: cached|Protocol-Address: 10.255.255.2/32|NBMA-Address: 198.51.100.2|"
# s3 asks again while s2 holds a cached entry for s3 (and the other way
# round): the requests, replies and the shutdown purge must still go
# through the hub
check "s3: flush (its cached entry for s2 goes)" nhrp_ctl s3 flush
check "s3 pings s2 (s3 resolves s2 while s2 has s3 cached)" \
    s3 ping -c3 -i0.5 -W5 10.255.255.2
wait_for 20 "s3: cached entry for s2 again" \
    has s3 "Type: cached|Protocol-Address: 10.255.255.2/32|NBMA-Address: 198.51.100.2|"
check "s3 exits 0 on SIGTERM (purge to its NHS while s2 is cached)" \
    nhrp_stop s3 TERM 30
sleep 1
nhrp_capture_stop wan
# every NHRP packet: "src dst type"
tshark -r "$RUNDIR/wan.pcap" -Y 'gre.proto == 0x2001' -T fields -E occurrence=f \
    -e ip.src -e ip.dst -e nhrp.hdr.op.type >"$RUNDIR/wan.nhrp" 2>/dev/null
tshark -r "$RUNDIR/wan.pcap" -Y 'gre && icmp' -T fields -E occurrence=f \
    -e ip.src -e ip.dst >"$RUNDIR/wan.icmp" 2>/dev/null
diag "NHRP packets on the WAN (src dst type):
$(sort "$RUNDIR/wan.nhrp" | uniq -c)"
check "PKT-24: resolution requests and replies and a purge were captured" \
    bash -c "awk '\$3 == 1 { q++ } \$3 == 2 { r++ } \$3 == 5 { p++ }
	END { exit !(q >= 4 && r >= 4 && p >= 1) }' $RUNDIR/wan.nhrp"
check "PKT-24: every NHRP packet went to or came from the hub" \
    bash -c "awk '\$1 != \"198.51.100.1\" && \$2 != \"198.51.100.1\" { print; bad = 1 }
	END { exit bad }' $RUNDIR/wan.nhrp"
check "PKT-24: ... while the data went straight between the spokes" \
    grep -qE '^198\.51\.100\.(2	198\.51\.100\.3|3	198\.51\.100\.2)$' "$RUNDIR/wan.icmp"

# ---- PKT-22 / PEER-04 / SCR-12: a dead NHS ------------------------------------
check "capture on s2's eth0" capture s2 eth0 s2
# stop the hub right after an answered refresh: the next refresh, 5 s
# later, is the first unanswered transmission, well inside the capture
replies() {
	grep -c "Received Registration Reply from 10.255.255.1" "$(nhrp_log s2)"
}
n_rep=$(replies)
more_replies() {
	[ "$(replies)" -gt "$n_rep" ]
}
wait_for 20 "s2 refreshed its registration during the capture" more_replies
check "hub stops answering (SIGSTOP)" kill -STOP "$(nhrp_pid hub)"
# the refresh starts within 5 s, the timeout comes 30 s later
wait_for 45 "PEER-04: s2 logs the registration timeout" \
    grep -q "Failed to register to 10.255.255.1: timeout" "$(nhrp_log s2)"
t_fail=$(date +%s.%N)
wait_for 10 "SCR-12: nhs-down for the dead NHS (decided), reason expired" \
    nhrp_has_event s2 nhs-down NHRP_DESTADDR=10.255.255.1 \
    NHRP_PEER_DOWN_REASON=expired
sleep 0.5
nhrp_capture_stop s2
# Registration Requests from s2: "epoch-time request-id destination"
tshark -r "$RUNDIR/s2.pcap" \
    -Y 'nhrp.hdr.op.type == 3 && ip.src == 198.51.100.2' -T fields \
    -e frame.time_epoch -e nhrp.reqid -e ip.dst >"$RUNDIR/s2.regs" 2>/dev/null
diag "s2's Registration Requests after the hub stopped:
$(cat "$RUNDIR/s2.regs")"
last_id=$(awk 'END { print $2 }' "$RUNDIR/s2.regs")
awk -v id="$last_id" '$2 == id' "$RUNDIR/s2.regs" >"$RUNDIR/s2.retx"
check "PKT-22: the unanswered request was sent 6 times with one request id" \
    test "$(wc -l <"$RUNDIR/s2.retx")" = 6
check "PKT-22: ... all to the NHS's NBMA" \
    bash -c "awk '\$3 != \"198.51.100.1\" { bad = 1 } END { exit bad }' $RUNDIR/s2.retx"
# the retransmission timer runs every 5 s from the first transmission; a
# busy (emulated) machine delays single sends, so each one is checked
# against its slot, not against the previous one
check "PKT-22: ... transmission k sent 5k s after the first (-0.5/+1.5 s)" \
    awk 'NR == 1 { t0 = $1 } { d = $1 - t0 - 5 * (NR - 1); print "slot " NR - 1 ": " d;
	if (d < -0.5 || d > 1.5) bad = 1 } END { exit bad || NR != 6 }' \
    "$RUNDIR/s2.retx"
check "PEER-04: the timeout came 30 s after the first transmission (not before)" \
    awk -v f="$t_fail" 'NR == 1 { d = f - $1; print "after " d " s";
	exit !(d >= 29.5 && d <= 45) }' "$RUNDIR/s2.retx"
check "PEER-04: no transmission after the timeout (restart in 60-180 s)" \
    awk -v f="$t_fail" '$1 > f { bad = 1 } END { exit bad }' "$RUNDIR/s2.regs"
check "PEER-04: the NHS entry stays, lower-up but no longer up (decided)" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s2) show protocol 10.255.255.1 | grep -Eqx 'Flags:( used)? lower-up'"
check "SCR-12: a single nhs-down, no peer-down for the NHS" \
    bash -c "[ \$(grep -c '^nhs-down ' $RUNDIR/s2.events) = 1 ] &&
	! grep -q '^peer-down .*NHRP_DESTADDR=10.255.255.1 ' $RUNDIR/s2.events"
check "hub continues (SIGCONT)" kill -CONT "$(nhrp_pid hub)"

check "s2 exits 0 on SIGTERM" nhrp_stop s2 TERM 30
check "hub exits 0 on SIGTERM" nhrp_stop hub TERM 30
check "every NHRP packet hub, s2 and s3 sent decodes cleanly (tshark)" \
    nhrp_capture_check wan br0
tap_done

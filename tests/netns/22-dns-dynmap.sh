#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 22-dns-dynmap: two hubs found through "dynamic-map" from a DNS server
# (dnsmasq) in its own namespace on the WAN.  The spokes resolve
# hubs.nhrp.test (two A records) through a per-namespace resolv.conf
# (/etc/netns/<ns>/resolv.conf, bind-mounted by ip netns exec), register
# to both hubs with broadcast registrations and learn each hub's protocol
# address from its reply (PEER-25, PEER-26).  Then an A record disappears
# (DNS-03: nhs-down and peer-down for that hub), the DNS server stops
# (DNS-02: the entries stay), and comes back with both records.  The
# whole WAN is captured: every NHRP packet the four daemons sent decodes
# cleanly in tshark.
#
#   h1    gre1 10.255.255.1  eth0 198.51.100.1
#   h4    gre1 10.255.255.4  eth0 198.51.100.4
#   s2    gre1 10.255.255.2  eth0 198.51.100.2   dynamic-map 10.255.255.0/24 hubs.nhrp.test
#   s3    gre1 10.255.255.3  eth0 198.51.100.3   dynamic-map 10.255.255.0/24 hubs.nhrp.test
#   dns   eth0 198.51.100.53 (no GRE)            dnsmasq

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

nhrp_have_daemon || bail_out "no daemon built at $NHRP_DAEMON"
command -v dnsmasq >/dev/null || bail_out "dnsmasq is not installed"

nhrp_add_node h1 1
nhrp_add_node h4 4
nhrp_add_node s2 2
nhrp_add_node s3 3
nhrp_add_node dns 53 --no-gre

check "capture on the WAN bridge" nhrp_capture_start wan br0
nhrp_capture_from wan br0 h1 h4 s2 s3

# per-namespace resolv.conf, removed again on exit
NETNS_ETC=()
for n in s2 s3; do
	d="/etc/netns/$(nhrp_ns $n)"
	mkdir -p "$d" || bail_out "cannot create $d"
	echo "nameserver 198.51.100.53" >"$d/resolv.conf"
	NETNS_ETC+=("$d")
done
trap 'rc=$?; rm -rf "${NETNS_ETC[@]}"; (exit $rc); cleanup' EXIT

for n in h1 h4; do
	nhrp_conf $n <<'CONF'
interface gre1
	holding-time 60
CONF
done
for n in s2 s3; do
	nhrp_conf $n <<'CONF'
interface gre1
	dynamic-map 10.255.255.0/24 hubs.nhrp.test
	holding-time 20
CONF
done

HOSTS="$RUNDIR/hubs.hosts"
DNS_PID=
dns_start() {
	nhrp_bg dns dnsmasq --keep-in-foreground --no-resolv --no-hosts \
	    --addn-hosts="$HOSTS" --listen-address=198.51.100.53 \
	    --bind-interfaces --user=root --group=root --pid-file= \
	    --log-queries --log-facility=- --local-ttl=0
	DNS_PID=$BG_PID
	poll 10 bash -c "grep -q 'started' $BG_LOG" || { cat "$BG_LOG"; return 1; }
	DNS_LOG=$BG_LOG
}
dns_stop() {
	kill -TERM "$DNS_PID" && wait "$DNS_PID" 2>/dev/null
	return 0
}
printf '198.51.100.1 hubs.nhrp.test\n198.51.100.4 hubs.nhrp.test\n' >"$HOSTS"

ctl() {
	"$NHRP_CTL" -a "$(nhrp_sock "$1")" "${@:2}"
}
# nhs_up SPOKE HUBADDR HUBNBMA: a dynamic-nhs entry for the hub is up
nhs_up() {
	ctl "$1" show | tr '\n' '|' | grep -q \
	    "Type: dynamic-nhs|Protocol-Address: $2/24|NBMA-Address: $3|Flags: [a-z ]*up|"
}
# hub_has HUB ADDR: the hub has ADDR registered
hub_has() {
	ctl "$1" show | tr '\n' '|' | grep -q \
	    "Type: dynamic|Protocol-Address: $2/32|NBMA-Address: [0-9.]*|Flags: [a-z ]*up|"
}
count_nhs() {
	ctl "$1" show | grep -c '^Type: dynamic-nhs'
}

check "dnsmasq starts in the dns namespace" dns_start
check "the spokes' namespace resolv.conf points at it" \
    s2 bash -c "grep -q 198.51.100.53 /etc/resolv.conf && getent ahostsv4 hubs.nhrp.test | grep -q 198.51.100.4"
check "hub h1 starts" nhrp_start h1 "$RUNDIR/h1.conf" -v
check "hub h4 starts" nhrp_start h4 "$RUNDIR/h4.conf" -v
check "s2 starts" nhrp_start s2 "$RUNDIR/s2.conf" -v
check "s3 starts" nhrp_start s3 "$RUNDIR/s3.conf" -v

for s in s2 s3; do
	wait_for 40 "$s: dynamic-nhs for h1 learned 10.255.255.1 and is up" \
	    nhs_up $s 10.255.255.1 198.51.100.1
	wait_for 20 "$s: dynamic-nhs for h4 learned 10.255.255.4 and is up" \
	    nhs_up $s 10.255.255.4 198.51.100.4
done
for h in h1 h4; do
	wait_for 20 "$h: s2 registered" hub_has $h 10.255.255.2
	wait_for 20 "$h: s3 registered" hub_has $h 10.255.255.3
done
check "s2: the dynamic-map entry is shown" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s2) show | tr '\n' '|' | grep -q 'Type: dynamic-map|Protocol-Address: 10.255.255.0/24|Hostname: hubs.nhrp.test|'"
check "s2: nhs-up for both hubs (type dynamic-nhs)" \
    bash -c "grep -q '^nhs-up .*NHRP_DESTADDR=10.255.255.1 .*NHRP_DESTNBMA=198.51.100.1 .*NHRP_TYPE=dynamic-nhs' $RUNDIR/s2.events &&
	grep -q '^nhs-up .*NHRP_DESTADDR=10.255.255.4 .*NHRP_DESTNBMA=198.51.100.4 .*NHRP_TYPE=dynamic-nhs' $RUNDIR/s2.events"
check "dnsmasq answered the spokes' queries" \
    grep -q "query\[A\] hubs.nhrp.test from 198.51.100.2" "$DNS_LOG"
check "h1: broadcast registration accepted (destination rewritten)" \
    grep -q "Received Registration Request from proto src 10.255.255.2 to 10.255.255.255" "$(nhrp_log h1)"

# --- DNS-03: h4's record disappears ------------------------------------------
printf '198.51.100.1 hubs.nhrp.test\n' >"$HOSTS"
check "dnsmasq reloads the hosts file (SIGHUP)" kill -HUP "$DNS_PID"
wait_for 40 "s2: nhs-down for h4 once its A record is gone" \
    nhrp_has_event s2 nhs-down NHRP_DESTADDR=10.255.255.4
wait_for 20 "s2: peer-down for h4 too" \
    nhrp_has_event s2 peer-down NHRP_DESTADDR=10.255.255.4 NHRP_TYPE=dynamic-nhs
check "s2: one dynamic-nhs entry left (h1)" \
    bash -c "[ \$($NHRP_CTL -a $(nhrp_sock s2) show | grep -c '^Type: dynamic-nhs') = 1 ] &&
	$NHRP_CTL -a $(nhrp_sock s2) show | grep -q 'NBMA-Address: 198.51.100.1'"
check_fail "s2: no nhs-down for h1" nhrp_has_event s2 nhs-down NHRP_DESTADDR=10.255.255.1
check "s2: still registered at h1" hub_has h1 10.255.255.2

# --- DNS-02: the DNS server goes away: entries stay ---------------------------
check "dnsmasq stops" dns_stop
wait_for 60 "s2: the refresh fails" \
    grep -q "Failed to resolve 'hubs.nhrp.test'" "$(nhrp_log s2)"
check "s2: h1's dynamic-nhs entry kept across the DNS failure" \
    nhs_up s2 10.255.255.1 198.51.100.1
check_fail "s2: no nhs-down for h1 on the DNS failure" \
    nhrp_has_event s2 nhs-down NHRP_DESTADDR=10.255.255.1

# --- both records back ------------------------------------------------------
printf '198.51.100.1 hubs.nhrp.test\n198.51.100.4 hubs.nhrp.test\n' >"$HOSTS"
check "dnsmasq starts again with both records" dns_start
wait_for 40 "s2: h4 back as a dynamic-nhs entry that is up" \
    nhs_up s2 10.255.255.4 198.51.100.4
check "s2: h1's entry untouched (a single nhs-up for it)" \
    test "$(nhrp_event_count s2 nhs-up NHRP_DESTADDR=10.255.255.1)" = 1

for n in s2 s3 h1 h4; do
	check "$n exits 0 on SIGTERM" nhrp_stop $n TERM 30
done
check "every NHRP packet h1, h4, s2 and s3 sent decodes cleanly (tshark)" \
    nhrp_capture_check wan br0
tap_done

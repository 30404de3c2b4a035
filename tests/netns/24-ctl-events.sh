#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 24-ctl-events: hub + 3 spokes.  opennhrpctl purge / cache lowerdown /
# flush on the hub and on a spoke with the hook events and reasons
# (user-request, lower-down, expired: section 4.4 and decisions), a
# peer-register hook refusing one spoke (CIE code 4), CTL-13 (purging a
# static NHS entry re-runs peer-up and re-registers), SCR-09 (no peer-up
# on refresh), and a dynamic entry expiring when its spoke stops.  The
# whole WAN is captured: every NHRP packet the four daemons sent decodes
# cleanly in tshark.
#
#   hub   gre1 10.255.255.1  eth0 198.51.100.1   hook refuses 10.255.255.4
#   s2    gre1 10.255.255.2  eth0 198.51.100.2   map 10.255.255.1/24 hub register
#   s3    gre1 10.255.255.3  eth0 198.51.100.3   map 10.255.255.1/24 hub register
#   s4    gre1 10.255.255.4  eth0 198.51.100.4   map 10.255.255.1/24 hub register

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

nhrp_have_daemon || bail_out "no daemon built at $NHRP_DAEMON"

nhrp_add_node hub 1
nhrp_add_node s2 2
nhrp_add_node s3 3
nhrp_add_node s4 4

check "capture on the WAN bridge" nhrp_capture_start wan br0
nhrp_capture_from wan br0 hub s2 s3 s4

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 60
CONF
# 30 s holding time: spokes refresh every 11 s, a stopped one expires soon
for n in s2 s3 s4; do
	nhrp_conf $n <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 30
CONF
done

# the hub's hook refuses s4 only
cat >"$RUNDIR/hub.hook-extra" <<'EOF'
#!/bin/sh
[ "$1" = peer-register ] && [ "$NHRP_DESTADDR" = 10.255.255.4 ] && exit 1
exit 0
EOF
chmod 755 "$RUNDIR/hub.hook-extra"

ctl() {
	"$NHRP_CTL" -a "$(nhrp_sock "$1")" "${@:2}"
}

# hub_has ADDR [NBMA]: the hub shows a dynamic entry for ADDR that is up
hub_has() {
	ctl hub show | tr '\n' '|' | grep -q \
	    "Type: dynamic|Protocol-Address: $1/32|NBMA-Address: ${2:-[0-9.]*}|Flags: [a-z ]*up|"
}

# affected NODE N CMD...: the reply is exactly "Status: ok / Entries-Affected: N"
affected() {
	local node=$1 n=$2 out
	shift 2
	out=$(ctl "$node" "$@" | tr '\n' '|')
	[ "$out" = "Status: ok|Entries-Affected: $n|" ] || { echo "reply: $out"; return 1; }
}

check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
for n in s2 s3 s4; do
	check "$n starts" nhrp_start $n "$RUNDIR/$n.conf" -v
done

wait_for 40 "hub: s2 registered" hub_has 10.255.255.2 198.51.100.2
wait_for 40 "hub: s3 registered" hub_has 10.255.255.3 198.51.100.3

# --- peer-register refusing one spoke -------------------------------------
wait_for 40 "s4: registration refused (administratively prohibited)" \
    grep -q "Received Registration Reply from 10.255.255.1: administratively prohibited" \
    "$(nhrp_log s4)"
check "hub: peer-register ran for s4" \
    nhrp_has_event hub peer-register NHRP_DESTADDR=10.255.255.4
check_fail "hub: no entry for the refused s4" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) show | grep -q 'Protocol-Address: 10.255.255.4/'"
check_fail "hub: no peer-up for the refused s4" \
    nhrp_has_event hub peer-up NHRP_DESTADDR=10.255.255.4
check "hub: refusal logged" \
    grep -q "\[10.255.255.4\] Peer registration failed: exitstatus 1" "$(nhrp_log hub)"
check_fail "s4: no nhs-up while refused" nhrp_has_event s4 nhs-up
check_fail "s4: its NHS entry is not up" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s4) show | tr '\n' '|' | grep -q 'Type: static|Protocol-Address: 10.255.255.1/24|NBMA-Address: 198.51.100.1|Flags: [a-z ]*up|'"

# --- SCR-06 / SCR-09: refreshes re-run peer-register, never peer-up ---------
refreshed() {
	[ "$(nhrp_event_count hub peer-register NHRP_DESTADDR=10.255.255.2)" -ge 3 ]
}
wait_for 60 "hub: peer-register again on s2's refreshes" refreshed
check "hub: exactly one peer-up for s2 across refreshes" \
    test "$(nhrp_event_count hub peer-up NHRP_DESTADDR=10.255.255.2)" = 1

# --- purge on the hub: user-request --------------------------------------
check "hub: purge protocol 10.255.255.2 -> Entries-Affected: 1" \
    affected hub 1 purge protocol 10.255.255.2
# polled at once: s2 re-registers on its next refresh (every few seconds),
# which points the neighbour back at it
wait_for 20 "hub: kernel neighbour of s2 no longer points at it" \
    bash -c "! ip -n $(nhrp_ns hub) neigh show dev gre1 10.255.255.2 | grep -Eq 'lladdr .*(REACHABLE|PERMANENT|STALE)'"
wait_for 15 "hub: peer-down user-request for s2" \
    nhrp_has_event hub peer-down NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.2 \
    NHRP_DESTNBMA=198.51.100.2 NHRP_PEER_DOWN_REASON=user-request
wait_for 40 "hub: s2 back with its next refresh" hub_has 10.255.255.2 198.51.100.2
check "hub: peer-up for s2 again after the purge" \
    test "$(nhrp_event_count hub peer-up NHRP_DESTADDR=10.255.255.2)" = 2

# --- cache lowerdown on the hub: lower-down --------------------------------
check "hub: cache lowerdown nbma 198.51.100.3 -> Entries-Affected: 1" \
    affected hub 1 cache lowerdown nbma 198.51.100.3
wait_for 15 "hub: peer-down lower-down for s3" \
    nhrp_has_event hub peer-down NHRP_DESTADDR=10.255.255.3 \
    NHRP_PEER_DOWN_REASON=lower-down
wait_for 40 "hub: s3 back with its next refresh" hub_has 10.255.255.3

# --- flush on the hub: every dynamic entry, user-request -------------------
wait_for 40 "hub: s2 and s3 registered before the flush" \
    bash -c "[ \$($NHRP_CTL -a $(nhrp_sock hub) show | grep -c '^Type: dynamic') = 2 ]"
before=$(nhrp_event_count hub peer-down NHRP_PEER_DOWN_REASON=user-request)
check "hub: flush -> Entries-Affected: 2" affected hub 2 flush
flushed() {
	[ "$(nhrp_event_count hub peer-down NHRP_PEER_DOWN_REASON=user-request)" -ge $((before + 2)) ]
}
wait_for 15 "hub: two peer-down user-request after the flush" flushed
check "hub: flush keeps the local entries" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) show | grep -q 'Type: local'"
check "hub: flush with nothing removable -> Entries-Affected: 0" \
    bash -c "[ \"\$($NHRP_CTL -a $(nhrp_sock hub) flush protocol 10.255.255.77 | tr '\n' '|')\" = 'Status: ok|Entries-Affected: 0|' ]"

# --- CTL-13 on a spoke: purging the static NHS entry -----------------------
wait_for 40 "hub: s2 registered again" hub_has 10.255.255.2
nup=$(nhrp_event_count s2 nhs-up)
pup=$(nhrp_event_count s2 peer-up NHRP_TYPE=static)
check "s2: purge protocol 10.255.255.1 -> Entries-Affected: 1" \
    affected s2 1 purge protocol 10.255.255.1
wait_for 15 "s2: nhs-down user-request for the purged NHS" \
    nhrp_has_event s2 nhs-down NHRP_TYPE=static NHRP_DESTADDR=10.255.255.1 \
    NHRP_PEER_DOWN_REASON=user-request
# one peer's hooks run one after the other: peer-down follows nhs-down
wait_for 15 "s2: peer-down user-request for the purged NHS" \
    nhrp_has_event s2 peer-down NHRP_TYPE=static NHRP_DESTADDR=10.255.255.1 \
    NHRP_PEER_DOWN_REASON=user-request
check "s2: the static entry stays in the cache" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s2) show | grep -q 'Type: static'"
rerun() {
	[ "$(nhrp_event_count s2 peer-up NHRP_TYPE=static)" -gt "$pup" ] &&
	    [ "$(nhrp_event_count s2 nhs-up)" -gt "$nup" ]
}
wait_for 30 "s2: peer-up re-run and nhs-up again (CTL-13)" rerun
s2_up() {
	ctl s2 show | tr '\n' '|' | grep -q \
	    "Type: static|Protocol-Address: 10.255.255.1/24|NBMA-Address: 198.51.100.1|Flags: [a-z ]*up|"
}
wait_for 20 "s2: the NHS entry is up again" s2_up

# lowerdown of the NHS entry on the spoke: reason lower-down
check "s2: cache lowerdown protocol 10.255.255.1 -> Entries-Affected: 1" \
    affected s2 1 cache lowerdown protocol 10.255.255.1
wait_for 15 "s2: nhs-down lower-down" \
    nhrp_has_event s2 nhs-down NHRP_DESTADDR=10.255.255.1 \
    NHRP_PEER_DOWN_REASON=lower-down
wait_for 30 "s2: the NHS entry comes back up after lowerdown" s2_up

check_fail "no reason leaked into up events (hub)" \
    grep -Eq '^(peer-up|nhs-up|peer-register) .*NHRP_PEER_DOWN_REASON' "$RUNDIR/hub.events"
check_fail "no reason leaked into up events (s2)" \
    grep -Eq '^(peer-up|nhs-up|peer-register) .*NHRP_PEER_DOWN_REASON' "$RUNDIR/s2.events"

# --- expiry: a stopped spoke's binding expires at its holding time ----------
wait_for 40 "hub: s3 registered" hub_has 10.255.255.3
check_fail "hub: no expiry while the spokes refresh" \
    nhrp_has_event hub peer-down NHRP_PEER_DOWN_REASON=expired
check "s3 stopped (SIGSTOP)" kill -STOP "$(nhrp_pid s3)"
wait_for 50 "hub: peer-down expired for s3 after its 30 s holding time" \
    nhrp_has_event hub peer-down NHRP_DESTADDR=10.255.255.3 \
    NHRP_PEER_DOWN_REASON=expired
check_fail "hub: s3's entry is gone" hub_has 10.255.255.3
check "s3 continued (SIGCONT)" kill -CONT "$(nhrp_pid s3)"
wait_for 40 "hub: s3 registered again" hub_has 10.255.255.3 198.51.100.3

check "hub still answers" nhrp_ctl hub show
for n in s2 s3 s4 hub; do
	check "$n exits 0 on SIGTERM" nhrp_stop $n TERM 30
done
check "every NHRP packet hub, s2, s3 and s4 sent decodes cleanly (tshark)" \
    nhrp_capture_check wan br0
tap_done

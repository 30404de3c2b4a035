#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 25-signals: hub + 2 spokes, plus a GRE-less node "x" for the daemon's
# own start-up checks.  SIGHUP (removable entries flushed, static kept,
# spokes re-register), SIGUSR1 dump, hub restart and re-registration,
# SIGTERM on a spoke (down hooks, neighbours FAILED, Purge to the NHS,
# exit 0, pid file removed), the pid file (CLI-04/05), a stale admin
# socket replaced (CTL-22) and a live one kept, control clients vanishing
# mid-request/mid-reply (SIG-04).  The whole WAN is captured: every NHRP
# packet hub, s2 and s3 sent (the shutdown purges too) decodes cleanly in
# tshark; x, without GRE, sends none.
#
#   hub   gre1 10.255.255.1  eth0 198.51.100.1   map 10.255.255.9/32 198.51.100.9
#   s2    gre1 10.255.255.2  eth0 198.51.100.2   map 10.255.255.1/24 hub register
#   s3    gre1 10.255.255.3  eth0 198.51.100.3   map 10.255.255.1/24 hub register
#   x     eth0 198.51.100.8 (no GRE)

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

nhrp_have_daemon || bail_out "no daemon built at $NHRP_DAEMON"

nhrp_add_node hub 1
nhrp_add_node s2 2
nhrp_add_node s3 3
nhrp_add_node x 8 --no-gre

check "capture on the WAN bridge" nhrp_capture_start wan br0
nhrp_capture_from wan br0 hub s2 s3

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 60
	map 10.255.255.9/32 198.51.100.9
CONF
for n in s2 s3; do
	nhrp_conf $n <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 24
CONF
done
: | nhrp_conf x

ctl() {
	"$NHRP_CTL" -a "$(nhrp_sock "$1")" "${@:2}"
}

hub_has() {
	ctl hub show | tr '\n' '|' | grep -q \
	    "Type: dynamic|Protocol-Address: $1/32|NBMA-Address: [0-9.]*|Flags: [a-z ]*up|"
}

# --- pid file (CLI-04, CLI-05) ----------------------------------------------
check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
check "hub: the pid file holds the daemon's pid" \
    bash -c "[ \"\$(cat $RUNDIR/hub.pid)\" = $(nhrp_pid hub) ] && [ \$(wc -l <$RUNDIR/hub.pid) = 1 ]"
# a second instance (in x: no GRE to disturb) with the same pid file
second() {
	local rc
	x "$NHRP_DAEMON" -c "$RUNDIR/x.conf" -a "$SOCKDIR/second.sock" \
	    -p "$RUNDIR/hub.pid" -s "$RUNDIR/x.hook" >"$RUNDIR/second.log" 2>&1 &
	local pid=$!
	poll 10 _nhrp_dead $pid || { kill -KILL $pid; echo "second instance runs"; return 1; }
	wait $pid
	rc=$?
	cat "$RUNDIR/second.log"
	[ $rc = 1 ] && grep -q "Unable to open/lock pid file" "$RUNDIR/second.log"
}
check "a second instance with the same pid file exits 1 (locked)" second
check "the first instance's pid file is intact" \
    bash -c "[ \"\$(cat $RUNDIR/hub.pid)\" = $(nhrp_pid hub) ]"
# a second instance with the hub's live admin socket
second_sock() {
	local rc
	x "$NHRP_DAEMON" -c "$RUNDIR/x.conf" -a "$(nhrp_sock hub)" \
	    -p "$RUNDIR/second.pid" -s "$RUNDIR/x.hook" >"$RUNDIR/second2.log" 2>&1 &
	local pid=$!
	poll 10 _nhrp_dead $pid || { kill -KILL $pid; echo "second instance runs"; return 1; }
	wait $pid
	rc=$?
	cat "$RUNDIR/second2.log"
	[ $rc = 6 ] && [ ! -e "$RUNDIR/second.pid" ]
}
check "a second instance on the live admin socket exits 6, no pid file left" second_sock
check "the hub's admin socket still answers" nhrp_ctl hub show

# --- stale admin socket (CTL-22), -p "" (CLI-05) ----------------------------
stale_sock() {
	perl -MSocket -e 'socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
	    bind($s, pack_sockaddr_un($ARGV[0])) or die "bind: $!"' "$(nhrp_sock x)" &&
	    test -S "$(nhrp_sock x)"
}
check "a stale socket file is left at x's admin path" stale_sock
check "x starts over the stale socket, with -p \"\"" \
    nhrp_start x "$RUNDIR/x.conf" -p ""
check "x answers on the replaced socket" \
    bash -c "$NHRP_CTL -a $(nhrp_sock x) show | grep -qx 'Status: ok'"
check "x: no pid file with -p \"\"" test ! -e "$RUNDIR/x.pid"
check "x exits 0 on SIGTERM" nhrp_stop x TERM 20
check "x: the admin socket is unlinked at exit" test ! -e "$(nhrp_sock x)"

check "spoke s2 starts" nhrp_start s2 "$RUNDIR/s2.conf" -v
check "spoke s3 starts" nhrp_start s3 "$RUNDIR/s3.conf" -v
wait_for 40 "hub: s2 registered" hub_has 10.255.255.2
wait_for 40 "hub: s3 registered" hub_has 10.255.255.3

# --- control clients that vanish (SIG-04) -----------------------------------
# connect, send, close at once (RST with SO_LINGER 0), 30 times; then a
# client that stops reading and lingers while others are served
vanish() {
	perl -MSocket -e '
	    for (1..30) {
		socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
		connect($s, pack_sockaddr_un($ARGV[0])) or die "connect: $!";
		syswrite($s, "show\n");
		if ($_ % 2) { sysread($s, my $b, 8); }
		close($s);
	    }' "$(nhrp_sock hub)"
}
check "30 control clients closing mid-request / mid-reply" vanish
stalled() {
	perl -MSocket -e '
	    socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
	    connect($s, pack_sockaddr_un($ARGV[0])) or die "connect: $!";
	    syswrite($s, "sho");
	    sleep 3;' "$(nhrp_sock hub)" &
	local pid=$!
	sleep 0.5
	ctl hub show | grep -qx 'Status: ok'
	local rc=$?
	wait $pid
	return $rc
}
check "hub serves others while a client stalls mid-request" stalled
check "hub alive after vanishing clients" nhrp_alive hub
check "hub still answers show" bash -c "$NHRP_CTL -a $(nhrp_sock hub) show | grep -q 'Protocol-Address: 10.255.255.2/32'"

# --- SIGUSR1 (SIG-03) -------------------------------------------------------
check "hub: SIGUSR1" kill -USR1 "$(nhrp_pid hub)"
wait_for 5 "hub: peer cache dump logged" \
    grep -Eq "Total [0-9]+ peer cache entries, [0-9]+ allocated entries" "$(nhrp_log hub)"
check "hub: the dump lists s2's entry" \
    grep -q "dynamic 10.255.255.2/32 nbma 198.51.100.2 dev gre1" "$(nhrp_log hub)"

# --- SIGHUP (SIG-02) --------------------------------------------------------
check "hub: static entry 10.255.255.9 before SIGHUP" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) show | tr '\n' '|' | grep -q 'Type: static|Protocol-Address: 10.255.255.9/32|NBMA-Address: 198.51.100.9|'"
hup_pid=$(nhrp_pid hub)
up2=$(nhrp_event_count hub peer-up NHRP_DESTADDR=10.255.255.2)
up3=$(nhrp_event_count hub peer-up NHRP_DESTADDR=10.255.255.3)
check "hub: SIGHUP" kill -HUP "$hup_pid"
wait_for 5 "hub: peer-down user-request for s2 and s3 after SIGHUP" \
    bash -c "grep -q '^peer-down .*NHRP_DESTADDR=10.255.255.2 .*NHRP_PEER_DOWN_REASON=user-request' $RUNDIR/hub.events &&
	grep -q '^peer-down .*NHRP_DESTADDR=10.255.255.3 .*NHRP_PEER_DOWN_REASON=user-request' $RUNDIR/hub.events"
check "hub: static and local entries kept" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) show | tr '\n' '|' | grep -q 'Type: static|Protocol-Address: 10.255.255.9/32|' &&
	$NHRP_CTL -a $(nhrp_sock hub) show | grep -q 'Type: local'"
check_fail "hub: no peer-down for the static entry" \
    nhrp_has_event hub peer-down NHRP_DESTADDR=10.255.255.9
check "hub: same process after SIGHUP (no restart)" \
    bash -c "kill -0 $hup_pid && [ \"\$(cat $RUNDIR/hub.pid)\" = $hup_pid ]"
wait_for 30 "hub: s2 registered again after SIGHUP" hub_has 10.255.255.2
wait_for 30 "hub: s3 registered again after SIGHUP" hub_has 10.255.255.3
# (a spoke may refresh right after the signal: the proof that the old
# bindings went is a new peer-up for each)
check "hub: the bindings were removed and created anew (peer-up again)" \
    test "$(nhrp_event_count hub peer-up NHRP_DESTADDR=10.255.255.2)" -gt "$up2" -a \
    "$(nhrp_event_count hub peer-up NHRP_DESTADDR=10.255.255.3)" -gt "$up3"

# --- hub restart -------------------------------------------------------------
check "hub exits 0 on SIGTERM" nhrp_stop hub TERM 30
check "hub: pid file removed" test ! -e "$RUNDIR/hub.pid"
check "hub: down hook for the static entry at shutdown" \
    nhrp_has_event hub peer-down NHRP_DESTADDR=10.255.255.9
: >"$RUNDIR/hub.events"
check "hub restarts" nhrp_start hub "$RUNDIR/hub.conf" -v
# spokes refresh every 24/3+1 = 9 s; the restarted hub takes them
wait_for 30 "hub: s2 re-registered with the restarted hub" hub_has 10.255.255.2
wait_for 30 "hub: s3 re-registered with the restarted hub" hub_has 10.255.255.3
check "hub: peer-up for s2 on the restarted hub" \
    nhrp_has_event hub peer-up NHRP_DESTADDR=10.255.255.2

# --- SIGTERM on a spoke (SIG-01) --------------------------------------------
check "s3: kernel neighbour for the NHS is up before SIGTERM" \
    bash -c "ip -n $(nhrp_ns s3) neigh show dev gre1 10.255.255.1 | grep -q 'lladdr 198.51.100.1'"
s3pid=$(nhrp_pid s3)
t0=$(awk '{print $1}' /proc/uptime)
check "s3 exits 0 on SIGTERM" nhrp_stop s3 TERM 30
check "s3: pid file removed" test ! -e "$RUNDIR/s3.pid"
check "s3: nhs-down and peer-down with user-request at shutdown" \
    bash -c "grep -q '^nhs-down .*NHRP_PEER_DOWN_REASON=user-request' $RUNDIR/s3.events &&
	grep -q '^peer-down .*NHRP_DESTADDR=10.255.255.1 .*NHRP_PEER_DOWN_REASON=user-request' $RUNDIR/s3.events"
check "s3: the NHS neighbour is no longer usable (FAILED or gone)" \
    bash -c "! ip -n $(nhrp_ns s3) neigh show dev gre1 10.255.255.1 | grep -Eq 'lladdr .*(REACHABLE|STALE|PERMANENT|DELAY|PROBE)'"
check "s3: sent a Purge Request to the NHS" \
    grep -q "Sending Purge Request (of protocol address) to 10.255.255.1" "$(nhrp_log s3)"
check "s3: log ends with Exiting" grep -q "Exiting" "$(nhrp_log s3)"
wait_for 5 "hub: s3's binding dropped promptly (Purge, not expiry)" \
    bash -c "! $NHRP_CTL -a $(nhrp_sock hub) show | grep -q 'Protocol-Address: 10.255.255.3/32'"
wait_for 20 "hub: peer-down user-request for s3 (purged, not expired)" \
    nhrp_has_event hub peer-down NHRP_DESTADDR=10.255.255.3 \
    NHRP_PEER_DOWN_REASON=user-request
check "hub: s2 still registered" hub_has 10.255.255.2

# SIGINT behaves as SIGTERM
check "s2 exits 0 on SIGINT" nhrp_stop s2 INT 30
check "s2: pid file removed" test ! -e "$RUNDIR/s2.pid"
check "hub exits 0 on SIGTERM" nhrp_stop hub TERM 30
check "every NHRP packet hub, s2 and s3 sent decodes cleanly (tshark)" \
    nhrp_capture_check wan br0
tap_done

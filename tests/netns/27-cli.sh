#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 27-cli: the daemon's command line and start-up (section 1.1): -V, the
# exact usage text and exit 1, option overrides (last one wins), exit
# codes 4 (configuration) and 6 (admin socket) with the pid file removed,
# -d (the parent returns once the socket answers; the daemon has cwd /,
# umask 0, stdio on /dev/null and its own pid in the pid file), -v debug
# lines.  Runs in one GRE-less namespace.
#
# No NHRP at all: x has no GRE device and every daemon here has an empty
# configuration, so there is no packet to decode.  The capture on x's
# eth0 (GRE only) proves it instead: it must hold zero frames.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

nhrp_have_daemon || bail_out "no daemon built at $NHRP_DAEMON"

nhrp_add_node x 8 --no-gre
check "capture GRE on x's eth0" nhrp_capture_start x eth0
: | nhrp_conf x
D=$NHRP_DAEMON

# the usage text of 1.1, byte for byte
printf '%s\n' \
    'usage: opennhrp [-a admin-socket] [-c config-file] [-s script-file]' \
    '                [-p pid-file] [-d] [-v] [-N]' \
    '       opennhrp -V' \
    '' \
    '	-a admin-socket	specify management interface socket' \
    '	-c config-file	read configuration from config-file' \
    '	-s script-file	use specified script-file for event handling' \
    '	-p pid-file	specify pid-file' \
    '	-d		fork to background after startup' \
    '	-v		verbose logging' \
    '	-N		run no hook scripts: every hook succeeds' \
    '	-V		show version number and exit' \
    '' >"$RUNDIR/usage.want"

# usage_for DESC ARGS...: exit 1, exact usage on stderr, nothing on stdout
usage_for() {
	local rc
	x "$D" "$@" >"$RUNDIR/u.out" 2>"$RUNDIR/u.err" </dev/null
	rc=$?
	[ $rc = 1 ] || { echo "exit $rc"; return 1; }
	[ ! -s "$RUNDIR/u.out" ] || { echo "stdout:"; cat "$RUNDIR/u.out"; return 1; }
	cmp "$RUNDIR/usage.want" "$RUNDIR/u.err" || { diff "$RUNDIR/usage.want" "$RUNDIR/u.err"; return 1; }
}

version() {
	local out
	out=$(cd "$RUNDIR" && "$D" -V 2>"$RUNDIR/v.err") || return 1
	echo "$out"
	[ "$(echo "$out" | wc -l)" = 1 ] && [ ! -s "$RUNDIR/v.err" ] &&
	    echo "$out" | grep -q 'OpenNHRP 0.14.1 compatible' &&
	    { [ -n "$had_pid" ] || [ ! -e /var/run/opennhrp.pid ]; }
}
had_pid=
[ -e /var/run/opennhrp.pid ] && had_pid=1
check "-V: one version line on stdout, exit 0 (CLI-01)" version
check "-V is acted on when reached: -V -z exits 0" \
    bash -c "'$D' -V -z >/dev/null 2>&1"
check "unknown option -z: usage, exit 1 (CLI-02)" usage_for -z
check "grouped flags -dv: usage, exit 1" usage_for -dv
check "long option --help: usage, exit 1" usage_for --help
check "missing value for -c: usage, exit 1" usage_for -c
check "positional argument: usage, exit 1" usage_for foo
check "bad option before -V: usage, exit 1" usage_for -z -V

# CLI-07: missing configuration -> exit 4, its message; the pid file goes
missing_conf() {
	local rc
	x "$D" -c "$RUNDIR/nope.conf" -a "$SOCKDIR/m.sock" -p "$RUNDIR/m.pid" \
	    -s /bin/true >"$RUNDIR/m.log" 2>&1 </dev/null
	rc=$?
	cat "$RUNDIR/m.log"
	[ $rc = 4 ] && grep -q "Unable to open configuration file '$RUNDIR/nope.conf'." "$RUNDIR/m.log" &&
	    [ ! -e "$RUNDIR/m.pid" ]
}
check "missing configuration: message, exit 4, no pid file left" missing_conf
# CLI-03: the last -c wins
last_wins() {
	local rc
	x "$D" -c "$RUNDIR/x.conf" -c "$RUNDIR/nope2.conf" -a "$SOCKDIR/l.sock" \
	    -p "" -s /bin/true >"$RUNDIR/l.log" 2>&1 </dev/null
	rc=$?
	[ $rc = 4 ] && grep -q "nope2.conf" "$RUNDIR/l.log"
}
check "the last -c wins (CLI-03)" last_wins
bad_conf() {
	local rc
	printf 'interface gre1\n\tholding-time\n' >"$RUNDIR/bad.conf"
	x "$D" -c "$RUNDIR/bad.conf" -a "$SOCKDIR/b.sock" -p "$RUNDIR/b.pid" \
	    -s /bin/true >"$RUNDIR/b.log" 2>&1 </dev/null
	rc=$?
	cat "$RUNDIR/b.log"
	[ $rc = 4 ] && [ ! -e "$RUNDIR/b.pid" ]
}
check "configuration error: exit 4, no pid file left" bad_conf
# CLI-07: the admin socket cannot be created -> exit 6
bad_sock() {
	local rc
	x "$D" -c "$RUNDIR/x.conf" -a "$RUNDIR/no/such/dir/s.sock" -p "$RUNDIR/s.pid" \
	    -s /bin/true >"$RUNDIR/s.log" 2>&1 </dev/null
	rc=$?
	cat "$RUNDIR/s.log"
	[ $rc = 6 ] && grep -q "Failed initialize admin socket \[$RUNDIR/no/such/dir/s.sock\]" "$RUNDIR/s.log" &&
	    [ ! -e "$RUNDIR/s.pid" ]
}
check "admin socket path unusable: exit 6, no pid file left" bad_sock

# CLI-06: -d
daemonize() {
	local rc pid
	x "$D" -d -v -c "$RUNDIR/x.conf" -a "$(nhrp_sock x)" -p "$RUNDIR/d.pid" \
	    -s "$RUNDIR/x.hook" >"$RUNDIR/d.out" 2>&1 </dev/null
	rc=$?
	[ $rc = 0 ] || { echo "parent exit $rc"; cat "$RUNDIR/d.out"; return 1; }
	# usable as soon as the parent returned
	"$NHRP_CTL" -a "$(nhrp_sock x)" show | grep -qx 'Status: ok' ||
	    { echo "socket not answering right after -d returned"; return 1; }
	# the pid file is complete when the parent returns (no race)
	pid=$(cat "$RUNDIR/d.pid")
	[ "$(cat "$RUNDIR/d.pid")" = "$pid" ] && [ -n "$pid" ] &&
	    [ "$(wc -c <"$RUNDIR/d.pid")" = $((${#pid} + 1)) ] ||
	    { echo "pid file not written yet when -d returned: '$pid'"; return 1; }
	echo "daemon pid $pid"
	DPID=$pid
	kill -0 "$pid" || return 1
	[ "$(readlink /proc/$pid/cwd)" = / ] || { echo "cwd $(readlink /proc/$pid/cwd)"; return 1; }
	grep -q '^Umask:	0000' /proc/$pid/status || { grep Umask /proc/$pid/status; return 1; }
	for fd in 0 1 2; do
		[ "$(readlink /proc/$pid/fd/$fd)" = /dev/null ] ||
		    { echo "fd $fd -> $(readlink /proc/$pid/fd/$fd)"; return 1; }
	done
	[ "$(awk '/^PPid:/ { print $2 }' /proc/$pid/status)" != "$$" ]
}
DPID=
check "-d: parent exits 0 after init, pid file and socket ready at once, cwd /, umask 0, stdio /dev/null (CLI-06)" daemonize
# a daemonized process is not our child: once it exited it may stay a
# zombie until whatever reaps orphans gets to it
_gone() {
	! kill -0 "$1" 2>/dev/null || grep -q '^State:.*Z' /proc/"$1"/status 2>/dev/null
}
dstop() {
	[ -n "$DPID" ] || return 1
	kill -TERM "$DPID" || return 1
	poll 20 _gone "$DPID" || { echo "still alive"; grep -E '^(State|Sig)' /proc/$DPID/status; cat /proc/$DPID/syscall; kill -KILL "$DPID"; return 1; }
	ls -l "$RUNDIR/d.pid" "$(nhrp_sock x)" 2>&1
	[ ! -e "$RUNDIR/d.pid" ] && [ ! -e "$(nhrp_sock x)" ]
}
check "-d: SIGTERM: gone, pid file and socket removed" dstop

# stop NODE, with a backtrace when it does not exit in 15 s
stop_diag() {
	local pid
	pid=$(nhrp_pid "$1")
	kill -TERM "$pid"
	poll 15 _nhrp_dead "$pid" && { nhrp_stop "$1" TERM 5; return; }
	echo "still alive after 15 s: pid $pid"
	grep -E '^(State|Sig)' /proc/"$pid"/status
	cat /proc/"$pid"/syscall
	ls -l /proc/"$pid"/fd
	gdb -p "$pid" -batch -ex "bt" 2>&1 | tail -8; grep -E '^(State)' /proc/"$pid"/status
	tail -5 "$RUNDIR/$1.log"
	nhrp_stop "$1" TERM 5
}

# CLI-08: -v adds debug lines; without -v there are none
verbose() {
	check_v() {
		nhrp_start x "$RUNDIR/x.conf" "$@" || return 1
		"$NHRP_CTL" -a "$(nhrp_sock x)" show >/dev/null
		stop_diag x
	}
	: >"$RUNDIR/x.log"
	check_v -v || return 1
	grep -q '^Admin: show' "$RUNDIR/x.log" || { echo "no 'Admin: show' with -v"; return 1; }
	: >"$RUNDIR/x.log"
	check_v || return 1
	! grep -q '^Admin: show' "$RUNDIR/x.log" || { echo "'Admin: show' without -v"; return 1; }
	grep -q 'starting' "$RUNDIR/x.log"
}
check "-v adds the debug lines (Admin: ...), none without it (CLI-08)" verbose
check "no GRE (so no NHRP) left x at all: 0 frames captured" \
    test "$(nhrp_capture_frames x eth0)" = 0
tap_done

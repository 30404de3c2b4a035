# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# tests/netns/lib.sh: shared helpers for the real-kernel tests. Source it
# from bash (as root, with GRE available: tests/netns/run.sh takes care of
# both, booting a VM when needed):
#
#	. "$(dirname "$0")/lib.sh"
#	nhrp_add_node hub 1
#	nhrp_add_node spoke 2
#	check "spoke reaches the hub" spoke ping -c1 -W2 10.255.255.1
#	tap_done
#
# Topology. Every node is a network namespace "nhrp-<pid>-<name>"; node
# number N owns 198.51.100.N on the shared WAN and 10.255.255.N on mGRE:
#
#   ┌─────────────────────────────────────────────────────────────────┐
#   │ $NS_WAN (nhrp-<pid>-wan)          br0 198.51.100.254/24         │
#   │      ┌───────────────┬───────────────┬──────────── ...           │
#   │      e1              e2              eN   (veth peers on br0)     │
#   └──────┼───────────────┼───────────────┼──────────────────────────┘
#   ┌──────┼──────┐ ┌──────┼──────┐ ┌──────┼──────┐
#   │ n1   eth0   │ │ n2   eth0   │ │ nN   eth0   │ 198.51.100.N/24
#   │      gre1   │ │      gre1   │ │      gre1   │ 10.255.255.N/24, mGRE
#   │      lan0   │ │             │ │             │ key 1234 ttl 64 local NBMA
#   └──────┼──────┘ └─────────────┘ └─────────────┘
#   ┌──────┼──────┐  nhrp_add_lan n1 192.168.1.0/24: the node gets .1 on lan0
#   │ n1_lan eth0 │  (forwarding on), host namespace "<node>_lan" gets .2 with
#   └─────────────┘  a default route via .1.
#
# Node helpers:
#   nhrp_add_node NAME N [--key K|--no-key] [--dev eth0] [--no-gre]
#		 [--no-forward]
#	creates node NAME (a valid shell identifier) and the wrapper
#	function NAME: `NAME CMD...` runs CMD in its namespace. IPv4
#	forwarding is on (nodes are routers) unless --no-forward.
#   nhrp_add_nodes N		 nodes n1..nN
#   nhrp_add_lan NODE CIDR	 a host behind NODE (wrapper NODE_lan)
#   nhrp_nbma NAME, nhrp_addr NAME, nhrp_ns NAME, nhrp_lan_host NODE,
#   nhrp_lan_router NODE	 print addresses / namespace names
#   nhrp_static_neigh NODE PEER	 permanent gre1 neighbour NODE -> PEER
#   wan CMD...			 run CMD in the WAN namespace
#   nhrp_bg NODE CMD...		 start CMD in the background in NODE
#				 (pid in $BG_PID, output in the file
#				 $BG_LOG; killed by cleanup)
#   nhrp_capture NODE IFACE NAME	 dumpcap to $RUNDIR/NAME.pcap until
#   nhrp_capture_stop NAME	 this is called (or cleanup)
# Daemon helpers:
#   nhrp_conf NODE < text	 write $RUNDIR/NODE.conf
#   nhrp_start NODE [CONF [ARGS...]]
#	start $top_builddir/nhrp/opennhrp in the foreground (as a
#	background job) in NODE with -c CONF (default $RUNDIR/NODE.conf)
#	-a <sock> -p $RUNDIR/NODE.pid -s $RUNDIR/NODE.hook, output to
#	$RUNDIR/NODE.log; waits until the admin socket answers. Returns 1
#	(with the log) when the daemon exits first.
#   nhrp_start_nowait NODE [CONF [ARGS...]]   same without waiting
#   nhrp_ctl NODE ARGS...	 opennhrpctl -a <NODE's socket> ARGS...
#   nhrp_stop NODE [SIG [TIMEOUT]]
#	send SIG (default TERM), wait for the exit (default 60 s) and
#	return the daemon's exit status (SIGKILL and 124 on timeout).
#   nhrp_alive NODE, nhrp_pid NODE, nhrp_log NODE, nhrp_have_daemon
# Hook script: every node's -s script ($RUNDIR/NODE.hook) appends one line
# per event to $RUNDIR/NODE.events:
#	<event> NHRP_A=... NHRP_B=...	 (every NHRP_* variable, sorted)
# and exits with the code in $RUNDIR/NODE.fail-<event> when that file
# exists (empty file: 1), else with the status of $RUNDIR/NODE.hook-extra
# (an executable you provide, run with the same arguments) or 0.
#   nhrp_fail_event NODE EVENT [CODE], nhrp_unfail_event NODE EVENT
#   nhrp_events NODE		 print the events file
#   nhrp_has_event NODE EVENT [NAME=VALUE...]   a matching line exists
#   nhrp_event_count NODE EVENT [NAME=VALUE...] print the number of them
# TAP helpers (one TAP stream per test script):
#   tap_plan N, ok DESC, not_ok DESC, skip DESC REASON, diag TEXT,
#   check DESC CMD...		 ok when CMD succeeds (output shown on failure)
#   check_fail DESC CMD...	 ok when CMD fails
#   poll TIMEOUT CMD...		 silent: retry CMD until it succeeds
#   wait_for TIMEOUT DESC CMD...  poll as a check; fails with DESC on timeout
#   bail_out MSG		 abort the test (cleanup still runs)
#   tap_done			 print the plan, exit 0 / 1
# Timeouts are seconds, multiplied by $NHRP_TIMEOUT_SCALE (default 1).
# `trap cleanup EXIT` kills every daemon and background job and deletes
# every namespace, even when the test fails; logs stay in $RUNDIR.
# NHRP_TEST_VERBOSE=1 echoes every command run in a namespace.

set -u

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir

NHRP_TEST_NAME=$(basename "$0" .sh)
NS_PREFIX="nhrp-$$"
NS_WAN="$NS_PREFIX-wan"
RUNDIR="${NHRP_RUNDIR:-$top_builddir/tests/netns/run}/$NHRP_TEST_NAME"
# Admin sockets live in a short path (sun_path is 108 bytes).
SOCKDIR="/tmp/nhrp-test-$$"
NHRP_DAEMON="${NHRP_DAEMON:-$top_builddir/nhrp/opennhrp}"
NHRP_CTL="${NHRP_CTL:-$top_builddir/nhrp/opennhrpctl}"
PKTIO="${PKTIO:-$top_builddir/tests/netns/pktio}"
NHRP_TIMEOUT_SCALE="${NHRP_TIMEOUT_SCALE:-1}"
NHRP_GRE_KEY=1234

TAP_N=0
TAP_FAILED=0
TAP_PLANNED=
TAP_DONE=
BG_PID=
BG_LOG=
declare -a NODES=() NAMESPACES=() BG_PIDS=()
declare -A NODE_NS=() NODE_IDX=() NODE_PID=() LAN_HOST=() LAN_ROUTER=()
declare -A CAPTURE_PID=()

rm -rf "$RUNDIR"
mkdir -p "$RUNDIR" "$SOCKDIR" || { echo "Bail out! cannot create $RUNDIR"; exit 1; }

# ---- TAP ------------------------------------------------------------------

diag() {
	local l
	while IFS= read -r l; do
		echo "# $l"
	done <<<"$*"
}

ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP ${2:-}"
}

tap_plan() {
	TAP_PLANNED=$1
	echo "1..$1"
}

bail_out() {
	echo "Bail out! $*"
	TAP_DONE=bail
	exit 1
}

# check DESC CMD...: runs CMD in this shell (so helpers may set variables),
# its output goes to a file that is shown only when it fails.
check() {
	local desc=$1 out rc
	shift
	out="$RUNDIR/.check.out"
	"$@" >"$out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "command: $* (exit status $rc)"
		[ -s "$out" ] && diag "$(tail -n 30 "$out")"
	fi
	return $rc
}

check_fail() {
	local desc=$1 out rc
	shift
	out="$RUNDIR/.check.out"
	"$@" >"$out" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	diag "command unexpectedly succeeded: $*"
	[ -s "$out" ] && diag "$(tail -n 30 "$out")"
	return 1
}

# Deadlines follow the monotonic clock (/proc/uptime, 10 ms resolution):
# the VM's realtime clock, which EPOCHREALTIME follows, can jump.
_now_us() {
	local u
	read -r u _ </proc/uptime
	u=${u/./}
	echo $((10#$u * 10000))
}

# poll TIMEOUT CMD...: 0 as soon as CMD succeeds, 1 after TIMEOUT seconds.
poll() {
	local t=$1 deadline
	shift
	deadline=$(awk -v t="$t" -v s="$NHRP_TIMEOUT_SCALE" -v n="$(_now_us)" \
	    'BEGIN { printf "%.0f", n + t * s * 1000000 }')
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(_now_us)" -ge "$deadline" ] && break
		sleep 0.1
	done
	"$@" >/dev/null 2>&1
}

# wait_for TIMEOUT DESC CMD...: a check that polls.
wait_for() {
	local t=$1 desc=$2 out
	shift 2
	if poll "$t" "$@"; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	diag "timed out after ${t}s (x$NHRP_TIMEOUT_SCALE) waiting for: $*"
	out="$RUNDIR/.check.out"
	"$@" >"$out" 2>&1
	[ -s "$out" ] && diag "$(tail -n 30 "$out")"
	return 1
}

tap_done() {
	if [ -z "$TAP_PLANNED" ]; then
		echo "1..$TAP_N"
	elif [ "$TAP_PLANNED" != "$TAP_N" ]; then
		not_ok "planned $TAP_PLANNED checks, ran $((TAP_N - 1))"
	fi
	TAP_DONE=yes
	[ "$TAP_FAILED" -eq 0 ] && exit 0
	exit 1
}

# ---- namespaces -----------------------------------------------------------

_pretty() {
	[ "${NHRP_TEST_VERBOSE:-0}" = 1 ] && echo "[$1] ${*:2}" >&2
	return 0
}

nhrp_ns() {
	if [ "$1" = wan ]; then
		echo "$NS_WAN"
	elif [ -n "${NODE_NS[$1]+x}" ]; then
		echo "${NODE_NS[$1]}"
	else
		echo "lib.sh: no node '$1'" >&2
		return 1
	fi
}

nhrp_exec() {
	local ns
	ns=$(nhrp_ns "$1") || return 1
	_pretty "$@"
	shift
	ip netns exec "$ns" "$@"
}

wan() {
	nhrp_exec wan "$@"
}

_ns_add() {
	ip netns add "$1" || bail_out "ip netns add $1 failed"
	NAMESPACES+=("$1")
	ip -n "$1" link set lo up
}

nhrp_setup_wan() {
	[ -n "${NODE_NS[wan]+x}" ] && return 0
	_ns_add "$NS_WAN"
	NODE_NS[wan]=$NS_WAN
	ip -n "$NS_WAN" link add br0 type bridge || bail_out "no bridge support"
	ip -n "$NS_WAN" addr add 198.51.100.254/24 dev br0
	ip -n "$NS_WAN" link set br0 up
}

nhrp_nbma() {
	echo "198.51.100.${NODE_IDX[$1]}"
}

nhrp_addr() {
	echo "10.255.255.${NODE_IDX[$1]}"
}

_valid_name() {
	[[ "$1" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] && [ "$1" != wan ]
}

nhrp_add_node() {
	local name=$1 idx=$2 key=(key "$NHRP_GRE_KEY") dev=() gre=1 fwd=1 ns
	shift 2
	while [ $# -gt 0 ]; do
		case "$1" in
		--no-forward) fwd=0; shift ;;
		--key) key=(key "$2"); shift 2 ;;
		--no-key) key=(); shift ;;
		--dev) dev=(dev "$2"); shift 2 ;;
		--no-gre) gre=0; shift ;;
		*) bail_out "nhrp_add_node: unknown option $1" ;;
		esac
	done
	_valid_name "$name" || bail_out "nhrp_add_node: bad node name '$name'"
	[[ "$idx" =~ ^[0-9]+$ ]] && [ "$idx" -ge 1 ] && [ "$idx" -le 253 ] ||
	    bail_out "nhrp_add_node: node number must be 1..253"
	[ -z "${NODE_NS[$name]+x}" ] || bail_out "node $name exists"
	nhrp_setup_wan
	ns="$NS_PREFIX-$name"
	_ns_add "$ns"
	NODES+=("$name")
	NODE_NS[$name]=$ns
	NODE_IDX[$name]=$idx
	eval "$name() { nhrp_exec $name \"\$@\"; }"

	ip -n "$NS_WAN" link add "e$idx" type veth peer name eth0 netns "$ns" ||
	    bail_out "veth for $name failed"
	ip -n "$NS_WAN" link set "e$idx" master br0 up
	ip -n "$ns" addr add "198.51.100.$idx/24" dev eth0
	ip -n "$ns" link set eth0 up
	# DMVPN nodes are routers: a hub forwards spoke-to-spoke traffic.
	[ $fwd = 1 ] && ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
	if [ $gre = 1 ]; then
		ip -n "$ns" tunnel add gre1 mode gre "${key[@]}" ttl 64 \
		    local "198.51.100.$idx" "${dev[@]}" ||
		    bail_out "cannot create gre1 in $name (no GRE in this kernel?)"
		ip -n "$ns" addr add "10.255.255.$idx/24" dev gre1
		ip -n "$ns" link set gre1 up
	fi
	_write_hook "$name"
}

nhrp_add_nodes() {
	local i
	for ((i = 1; i <= $1; i++)); do
		nhrp_add_node "n$i" "$i"
	done
}

nhrp_static_neigh() {
	"$1" ip neigh replace "$(nhrp_addr "$2")" lladdr "$(nhrp_nbma "$2")" \
	    dev gre1 nud permanent
}

# _ip4 A.B.C.D -> integer; _ip4s INT -> dotted quad.
_ip4() {
	local IFS=. a b c d
	read -r a b c d <<<"$1"
	echo $(((a << 24) | (b << 16) | (c << 8) | d))
}

_ip4s() {
	echo "$((($1 >> 24) & 255)).$((($1 >> 16) & 255)).$((($1 >> 8) & 255)).$(($1 & 255))"
}

nhrp_add_lan() {
	local node=$1 cidr=$2 net plen mask ns router host
	[ -n "${NODE_NS[$node]+x}" ] || bail_out "nhrp_add_lan: no node $node"
	net=${cidr%/*}
	plen=${cidr#*/}
	[ "$plen" -ge 1 ] && [ "$plen" -le 30 ] || bail_out "nhrp_add_lan: bad prefix $cidr"
	mask=$(((0xffffffff << (32 - plen)) & 0xffffffff))
	net=$(($(_ip4 "$net") & mask))
	router=$(_ip4s $((net + 1)))
	host=$(_ip4s $((net + 2)))
	ns="$NS_PREFIX-${node}_lan"
	_ns_add "$ns"
	NODE_NS[${node}_lan]=$ns
	LAN_ROUTER[$node]=$router
	LAN_HOST[$node]=$host
	eval "${node}_lan() { nhrp_exec ${node}_lan \"\$@\"; }"
	ip -n "${NODE_NS[$node]}" link add lan0 type veth peer name eth0 netns "$ns" ||
	    bail_out "veth for ${node}_lan failed"
	ip -n "${NODE_NS[$node]}" addr add "$router/$plen" dev lan0
	ip -n "${NODE_NS[$node]}" link set lan0 up
	ip netns exec "${NODE_NS[$node]}" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$ns" addr add "$host/$plen" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add default via "$router"
}

nhrp_lan_host() {
	echo "${LAN_HOST[$1]}"
}

nhrp_lan_router() {
	echo "${LAN_ROUTER[$1]}"
}

nhrp_bg() {
	local node=$1 ns log
	shift
	ns=$(nhrp_ns "$node") || return 1
	log="$RUNDIR/$node.bg${#BG_PIDS[@]}.log"
	_pretty "$node" "$@" "&"
	ip netns exec "$ns" "$@" >"$log" 2>&1 &
	BG_PID=$!
	BG_LOG=$log
	BG_PIDS+=("$BG_PID")
}

nhrp_capture() {
	local node=$1 ifc=$2 name=$3 ns f
	ns=$(nhrp_ns "$node") || return 1
	f="$RUNDIR/$name.pcap"
	rm -f "$f"
	ip netns exec "$ns" dumpcap -q -i "$ifc" -w "$f" \
	    >"$RUNDIR/$name.dumpcap.log" 2>&1 &
	CAPTURE_PID[$name]=$!
	BG_PIDS+=("$!")
	poll 40 test -s "$f" || { echo "dumpcap on $node/$ifc did not start"; return 1; }
}

nhrp_capture_stop() {
	local pid=${CAPTURE_PID[$1]:-}
	[ -n "$pid" ] || return 1
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "CAPTURE_PID[$1]"
	return 0
}

# ---- hook script ------------------------------------------------------------

_write_hook() {
	local node=$1 f="$RUNDIR/$1.hook"
	cat >"$f" <<EOF
#!/bin/sh
# Recording hook of node $node (generated by tests/netns/lib.sh).
dir='$RUNDIR'
node='$node'
ev="\$1"
vars=\$(env | grep '^NHRP_' | LC_ALL=C sort | tr '\n' ' ')
printf '%s %s\n' "\$ev" "\${vars% }" >>"\$dir/\$node.events"
if [ -e "\$dir/\$node.fail-\$ev" ]; then
	rc=\$(cat "\$dir/\$node.fail-\$ev")
	exit "\${rc:-1}"
fi
if [ -x "\$dir/\$node.hook-extra" ]; then
	"\$dir/\$node.hook-extra" "\$@"
	exit \$?
fi
exit 0
EOF
	chmod 755 "$f"
	: >"$RUNDIR/$node.events"
}

nhrp_fail_event() {
	echo "${3:-1}" >"$RUNDIR/$1.fail-$2"
}

nhrp_unfail_event() {
	rm -f "$RUNDIR/$1.fail-$2"
}

nhrp_events() {
	cat "$RUNDIR/$1.events"
}

# nhrp_event_count NODE EVENT [NAME=VALUE...]
nhrp_event_count() {
	local node=$1 ev=$2
	shift 2
	awk -v ev="$ev" -v want="$*" '
	BEGIN { n = split(want, w, " ") }
	$1 == ev {
		for (i = 1; i <= n; i++) {
			found = 0
			for (j = 2; j <= NF; j++)
				if ($j == w[i]) found = 1
			if (!found) next
		}
		c++
	}
	END { print c + 0 }' "$RUNDIR/$node.events"
}

nhrp_has_event() {
	[ "$(nhrp_event_count "$@")" -gt 0 ]
}

# ---- daemon -----------------------------------------------------------------

nhrp_have_daemon() {
	[ -x "$NHRP_DAEMON" ] && [ -x "$NHRP_CTL" ] &&
	    "$NHRP_DAEMON" -V >/dev/null 2>&1
}

nhrp_conf() {
	cat >"$RUNDIR/$1.conf"
}

nhrp_sock() {
	echo "$SOCKDIR/$1.sock"
}

nhrp_log() {
	echo "$RUNDIR/$1.log"
}

nhrp_pid() {
	echo "${NODE_PID[$1]:-}"
}

nhrp_alive() {
	local pid=${NODE_PID[$1]:-}
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

nhrp_start_nowait() {
	local node=$1 conf=${2:-$RUNDIR/$1.conf} ns
	shift $(($# >= 2 ? 2 : 1))
	ns=$(nhrp_ns "$node") || return 1
	[ -x "$NHRP_DAEMON" ] || { echo "no daemon at $NHRP_DAEMON"; return 1; }
	if nhrp_alive "$node"; then
		echo "nhrp_start: $node already runs (pid ${NODE_PID[$node]})"
		return 1
	fi
	_pretty "$node" "$NHRP_DAEMON" -c "$conf" "$@"
	echo "=== $(date '+%T') start: opennhrp -c $conf $*" >>"$RUNDIR/$node.log"
	ip netns exec "$ns" "$NHRP_DAEMON" -c "$conf" -a "$(nhrp_sock "$node")" \
	    -p "$RUNDIR/$node.pid" -s "$RUNDIR/$node.hook" "$@" \
	    </dev/null >>"$RUNDIR/$node.log" 2>&1 &
	NODE_PID[$node]=$!
}

nhrp_start() {
	local node=$1
	nhrp_start_nowait "$@" || return 1
	if poll 30 _nhrp_ready "$node"; then
		return 0
	fi
	if nhrp_alive "$node"; then
		echo "opennhrp on $node: admin socket not answering after 30 s"
	else
		wait "${NODE_PID[$node]}"
		echo "opennhrp on $node exited with status $?"
		NODE_PID[$node]=
	fi
	tail -n 30 "$RUNDIR/$node.log"
	return 1
}

_nhrp_ready() {
	nhrp_alive "$1" || return 0	# stop polling: it died
	"$NHRP_CTL" -a "$(nhrp_sock "$1")" show 2>/dev/null | grep -q '^Status:' &&
	    nhrp_alive "$1"
}

nhrp_ctl() {
	local node=$1
	shift
	_pretty "$node" opennhrpctl "$@"
	"$NHRP_CTL" -a "$(nhrp_sock "$node")" "$@"
}

nhrp_stop() {
	local node=$1 sig=${2:-TERM} t=${3:-60} pid rc
	pid=${NODE_PID[$node]:-}
	[ -n "$pid" ] || { echo "nhrp_stop: $node is not running"; return 1; }
	kill -"$sig" "$pid" 2>/dev/null
	if ! poll "$t" _nhrp_dead "$pid"; then
		echo "opennhrp on $node ignored SIG$sig for ${t}s: killing it"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		NODE_PID[$node]=
		return 124
	fi
	wait "$pid"
	rc=$?
	NODE_PID[$node]=
	return $rc
}

_nhrp_dead() {
	! kill -0 "$1" 2>/dev/null
}

_all_dead() {
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && return 1
	done
	return 0
}

# ---- cleanup ------------------------------------------------------------------

cleanup() {
	local rc=$? node pid ns i
	set +e
	if [ -z "$TAP_DONE" ]; then
		not_ok "$NHRP_TEST_NAME ended early (exit status $rc)"
		echo "1..$TAP_N"
		rc=1
	fi
	local pids=()
	for node in "${!NODE_PID[@]}"; do
		pid=${NODE_PID[$node]}
		[ -n "$pid" ] || continue
		kill -TERM "$pid" 2>/dev/null
		pids+=("$pid")
	done
	if [ ${#pids[@]} -gt 0 ] && ! poll 30 _all_dead "${pids[@]}"; then
		for node in "${!NODE_PID[@]}"; do
			pid=${NODE_PID[$node]}
			[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || continue
			echo "# opennhrp on $node still runs 30 s after SIGTERM: killed"
			kill -KILL "$pid" 2>/dev/null
		done
	fi
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	[ ${#BG_PIDS[@]} -gt 0 ] && poll 3 _all_dead "${BG_PIDS[@]}"
	# Whatever else still runs in our namespaces (daemonized helpers).
	for ((i = ${#NAMESPACES[@]} - 1; i >= 0; i--)); do
		ns=${NAMESPACES[$i]}
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	for ((i = ${#NAMESPACES[@]} - 1; i >= 0; i--)); do
		ip netns del "${NAMESPACES[$i]}" 2>/dev/null
	done
	if [ "$TAP_FAILED" -gt 0 ] || [ "$rc" -ne 0 ]; then
		for node in "${NODES[@]}"; do
			[ -s "$RUNDIR/$node.log" ] || continue
			echo "# ---- $RUNDIR/$node.log (last 20 lines)"
			tail -n 20 "$RUNDIR/$node.log" | sed 's/^/#   /'
		done
	fi
	rm -rf "$SOCKDIR"
	exit $rc
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

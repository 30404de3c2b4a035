# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# tests/netns/frr.sh: FRR nhrpd (zebra + nhrpd) as an interop peer in the
# real-kernel tests. Source it after lib.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$(dirname "$0")/frr.sh"
#	frr_require			# whole test skipped without FRR
#	frr_add_node f2 2
#	frr_conf f2 --nhs dynamic --hub 1 --holdtime 30 --shortcut
#	check "FRR spoke starts" frr_start f2
#	wait_for 60 "registered" frr_has f2 "nhs +10.255.255.1 +198.51.100.1"
#
# One zebra and one nhrpd per node namespace, each with its own FRR path
# space (-N <namespace>): sockets, pid files, configs and logs live in
# /run/frr/<namespace>/; frr_stop and the test's cleanup copy the logs to
# $RUNDIR/<node>.{nhrpd,zebra}.log.
#
# Node:
#   frr_add_node NAME N [--key K]
#	a lib.sh node whose gre1 is created the way FRR 8.4 needs it:
#	`ip tunnel add gre1 mode gre key K ttl 64 dev eth0` (no `local`:
#	with `tunnel source eth0` zebra would otherwise re-link the tunnel,
#	drop the key and leave it down) and 10.255.255.N/32 (FRR's form).
# Configuration (writes the node's nhrpd.conf; options in any order):
#   frr_conf NAME [--hub] [--nhs dynamic|static] [--nhs-addr N]
#	[--holdtime S] [--shortcut] [--redirect] [--unique] [--auth SECRET]
#	[--map PROTO NBMA]... [--line 'interface line']...
#	--hub: no NHS (an NHS for others). --nhs dynamic: `ip nhrp nhs dynamic
#	nbma <nbma of node N>`; --nhs static: `ip nhrp nhs <proto N> nbma
#	<nbma N>` plus `ip nhrp map <proto N> <nbma N>`. --nhs-addr N selects
#	the NHS node number (default 1). Defaults: holdtime 60, registration
#	no-unique (unless --unique), network-id 1, tunnel source eth0.
#	--auth writes `ip nhrp authentication SECRET` (FRR >= 9; see
#	frr_has_auth).
# Daemons:
#   frr_start NAME	 start zebra, then nhrpd; waits until vtysh answers
#   frr_stop NAME	 stop both, copy the logs to $RUNDIR
#   frr_vtysh NAME CMD	 vtysh -N <ns> -c CMD (several CMDs: several -c)
#   frr_show NAME	 `show ip nhrp` (cache), frr_nhs NAME `show ip nhrp nhs`
#   frr_has NAME REGEX	 a line of `show ip nhrp` matches the extended REGEX
#   frr_log NAME	 path of nhrpd's log (live, in /run/frr)
#   frr_log_has NAME REGEX   nhrpd's log matches REGEX
# Capabilities:
#   frr_require		 skip the whole test (TAP 1..0 # SKIP) without FRR
#   frr_has_auth		 nhrpd knows `ip nhrp authentication` (FRR 8.4 does
#			 not)
#   frr_version		 print nhrpd's version

FRR_LIBDIR=${FRR_LIBDIR:-/usr/lib/frr}
FRR_VTYSH=${FRR_VTYSH:-vtysh}
FRR_USER=${FRR_USER:-frr}
declare -A FRR_CONF=() FRR_RUNNING=()
declare -a FRR_NODES=()

frr_available() {
	[ -x "$FRR_LIBDIR/zebra" ] && [ -x "$FRR_LIBDIR/nhrpd" ] &&
	    command -v "$FRR_VTYSH" >/dev/null 2>&1 &&
	    id "$FRR_USER" >/dev/null 2>&1
}

frr_require() {
	if ! frr_available; then
		echo "1..0 # SKIP FRR (zebra, nhrpd, vtysh, user $FRR_USER) not installed"
		# shellcheck disable=SC2034 # read by lib.sh's cleanup
		TAP_DONE=skip
		exit 0
	fi
}

frr_version() {
	"$FRR_LIBDIR/nhrpd" --version 2>/dev/null | head -n 1
}

frr_has_auth() {
	grep -aq 'nhrp authentication' "$FRR_LIBDIR/nhrpd" 2>/dev/null
}

_frr_dir() {
	echo "/run/frr/$(nhrp_ns "$1")"
}

frr_add_node() {
	local name=$1 idx=$2 key=$NHRP_GRE_KEY ns
	shift 2
	while [ $# -gt 0 ]; do
		case "$1" in
		--key) key=$2; shift 2 ;;
		*) bail_out "frr_add_node: unknown option $1" ;;
		esac
	done
	nhrp_add_node "$name" "$idx" --no-gre
	ns=$(nhrp_ns "$name")
	ip -n "$ns" tunnel add gre1 mode gre key "$key" ttl 64 dev eth0 ||
	    bail_out "cannot create gre1 in $name (no GRE in this kernel?)"
	ip -n "$ns" addr add "10.255.255.$idx/32" dev gre1
	ip -n "$ns" link set gre1 up
	FRR_NODES+=("$name")
}

frr_conf() {
	local node=$1 hub=0 nhs='' nhsn=1 hold=60 shortcut=0 redirect=0
	local unique=0 auth='' nhs_nbma nhs_proto l
	local -a maps=() lines=()
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--hub) hub=1; shift ;;
		--nhs) nhs=$2; shift 2 ;;
		--nhs-addr) nhsn=$2; shift 2 ;;
		--holdtime) hold=$2; shift 2 ;;
		--shortcut) shortcut=1; shift ;;
		--redirect) redirect=1; shift ;;
		--unique) unique=1; shift ;;
		--auth) auth=$2; shift 2 ;;
		--map) maps+=("$2 $3"); shift 3 ;;
		--line) lines+=("$2"); shift 2 ;;
		*) bail_out "frr_conf: unknown option $1" ;;
		esac
	done
	nhs_nbma="198.51.100.$nhsn"
	nhs_proto="10.255.255.$nhsn"
	{
		echo "frr defaults traditional"
		echo "hostname $node"
		echo "log file $(_frr_dir "$node")/nhrpd.log debugging"
		echo "log timestamp precision 3"
		echo "debug nhrp all"
		echo "!"
		echo "interface gre1"
		echo " ip nhrp network-id 1"
		echo " ip nhrp holdtime $hold"
		[ $unique = 0 ] && echo " ip nhrp registration no-unique"
		[ -n "$auth" ] && echo " ip nhrp authentication $auth"
		if [ $hub = 0 ]; then
			case "$nhs" in
			dynamic)
				echo " ip nhrp nhs dynamic nbma $nhs_nbma" ;;
			static|"")
				echo " ip nhrp map $nhs_proto $nhs_nbma"
				echo " ip nhrp nhs $nhs_proto nbma $nhs_nbma" ;;
			*) bail_out "frr_conf: --nhs dynamic|static" ;;
			esac
		fi
		for l in "${maps[@]}"; do
			echo " ip nhrp map $l"
		done
		[ $shortcut = 1 ] && echo " ip nhrp shortcut"
		[ $redirect = 1 ] && echo " ip nhrp redirect"
		for l in "${lines[@]}"; do
			echo " $l"
		done
		echo " tunnel source eth0"
		echo "exit"
		echo "!"
	} >"$RUNDIR/$node.nhrpd.conf"
	FRR_CONF[$node]=$RUNDIR/$node.nhrpd.conf
}

_frr_ready() {
	"$FRR_VTYSH" -N "$(nhrp_ns "$1")" -c 'show ip nhrp' 2>/dev/null |
	    grep -q '^Iface'
}

_frr_daemon() {
	local node=$1 d=$2 dir ns
	ns=$(nhrp_ns "$node")
	dir=$(_frr_dir "$node")
	ip netns exec "$ns" "$FRR_LIBDIR/$d" -d -N "$ns" -u "$FRR_USER" \
	    -g "$FRR_USER" -P 0 -f "$dir/$d.conf" -i "$dir/$d.pid" \
	    >>"$RUNDIR/$node.frr-start.log" 2>&1
}

frr_start() {
	local node=$1 dir ns
	ns=$(nhrp_ns "$node") || return 1
	[ -n "${FRR_CONF[$node]:-}" ] || { echo "frr_start: no frr_conf for $node"; return 1; }
	dir=$(_frr_dir "$node")
	mkdir -p "$dir"
	cp "${FRR_CONF[$node]}" "$dir/nhrpd.conf"
	cat >"$dir/zebra.conf" <<EOF
frr defaults traditional
hostname $node-zebra
log file $dir/zebra.log informational
!
EOF
	chown -R "$FRR_USER:$FRR_USER" "$dir"
	chmod 755 "$dir"
	echo "=== $(date '+%T') start zebra+nhrpd ($(frr_version))" >>"$RUNDIR/$node.frr-start.log"
	_frr_daemon "$node" zebra || { cat "$RUNDIR/$node.frr-start.log"; return 1; }
	# nhrpd talks to zebra through zserv.api in the path space
	poll 30 test -S "$dir/zserv.api" ||
	    { echo "zebra in $node: no $dir/zserv.api"; return 1; }
	_frr_daemon "$node" nhrpd || { cat "$RUNDIR/$node.frr-start.log"; return 1; }
	FRR_RUNNING[$node]=1
	if ! poll 30 _frr_ready "$node"; then
		echo "nhrpd in $node does not answer vtysh"
		tail -n 20 "$dir/nhrpd.log" 2>/dev/null
		return 1
	fi
	return 0
}

_frr_pid() {
	local f
	f="$(_frr_dir "$1")/$2.pid"
	[ -s "$f" ] && cat "$f"
}

frr_collect() {
	local node=$1 dir d
	dir=$(_frr_dir "$node")
	for d in nhrpd zebra; do
		[ -f "$dir/$d.log" ] && cp "$dir/$d.log" "$RUNDIR/$node.$d.log"
	done
	return 0
}

frr_stop() {
	local node=$1 d pid rc=0
	for d in nhrpd zebra; do
		pid=$(_frr_pid "$node" "$d") || continue
		kill -TERM "$pid" 2>/dev/null || continue
		if ! poll 15 _nhrp_dead "$pid"; then
			echo "$d in $node ignored SIGTERM: killed"
			kill -KILL "$pid" 2>/dev/null
			rc=1
		fi
	done
	unset "FRR_RUNNING[$node]"
	frr_collect "$node"
	return $rc
}

frr_vtysh() {
	local node=$1 c
	local -a args=()
	shift
	for c in "$@"; do
		args+=(-c "$c")
	done
	_pretty "$node" vtysh "$@"
	"$FRR_VTYSH" -N "$(nhrp_ns "$node")" "${args[@]}" 2>/dev/null
}

frr_show() {
	frr_vtysh "$1" 'show ip nhrp'
}

frr_nhs() {
	frr_vtysh "$1" 'show ip nhrp nhs'
}

frr_has() {
	frr_show "$1" | grep -Eq -- "$2"
}

frr_log() {
	echo "$(_frr_dir "$1")/nhrpd.log"
}

frr_log_has() {
	grep -Eq -- "$2" "$(frr_log "$1")" 2>/dev/null
}

# Collect the FRR logs and stop the daemons before lib.sh's cleanup
# removes the namespaces (it keeps the exit status).
_frr_cleanup() {
	local node
	for node in "${!FRR_RUNNING[@]}"; do
		frr_stop "$node" >/dev/null 2>&1
	done
	for node in "${FRR_NODES[@]}"; do
		frr_collect "$node"
		rm -rf "$(_frr_dir "$node")"
	done
}

# shellcheck disable=SC2154 # _frr_rc is set inside the trap
trap '_frr_rc=$?; _frr_cleanup; (exit $_frr_rc); cleanup' EXIT

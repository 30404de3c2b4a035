#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/bench/scale.sh: the hub scale benchmark (issue 7), side by side.
#
#   tests/bench/scale.sh [options]
#
# For each implementation and each spoke count N it builds a fresh pair of
# namespaces (in a throwaway VM when this kernel has no GRE, through
# tests/vm/run.sh):
#
#   lg-hub  eth0 198.18.0.1/24, gre1 (key 1234) 100.64.0.1/10 (FRR: /32),
#           route 198.19.0.0/16 via 198.18.0.2; runs the hub under test
#   lg-spk  eth0 198.18.0.2/24; runs tests/bench/loadgen, which emulates N
#           spokes: NBMA 198.19.0.1.., protocol 100.64.0.2..
#
# and runs the load generator's phases against the hub: reg (cold
# registration wave), refresh, resolve, churn (10% purge + re-register).
# Per phase it records the loadgen summary and the hub's CPU seconds
# (utime+stime from /proc/PID/stat, children separately) and VmRSS, and
# counts the hub's kernel neighbour entries on gre1 after the wave.
# Implementations:
#   ng       nhrp/opennhrp (opennhrp-ng) as a hub with its hooks switched
#            off (-N).  A daemon without -N (its usage text does not list
#            it) runs with a hook program that exits 0 at once ("true" from
#            the static busybox, else /bin/true) and the results say so
#            (ng_hooks=true-prog instead of ng_hooks=off)
#   ng-hook  opennhrp-ng running a real do-nothing hook script
#            ("#!/bin/sh" + "exit 0") for every event; the fork/spawn cost
#            shows as the hub's children CPU
#   frr      FRR nhrpd + zebra (Debian frr) configured as a hub; CPU and RSS
#            are nhrpd's plus zebra's (zebra installs the neighbours)
#   floor    tests/bench/floor, the do-nothing responder
#   IMPL+show  (ng, ng-hook) the same hub while "opennhrpctl show >/dev/null"
#            runs in a loop during the reg and refresh phases; the result
#            lines count the shows and their duration (see --show)
#
# The kernel's neighbour table thresholds (gc_thresh1/2/3, 128/512/1024 by
# default) silently cap a hub at about 1,000 spokes: the benchmark raises
# them (see --gc) and says so; --default-gc leaves them alone to show what
# a hub does above the limit (failure codes per phase, the daemon's
# warning).  Numbers are reported, never asserted.
#
# Options:
#   --full          N = 1000 2000 5000 10000 20000 50000 (default: 1000 2000)
#   --sizes "N..."  spoke counts
#   --impl "..."    implementations, in order (default: "floor ng frr")
#   --modes "..."   phases (default: "reg refresh resolve churn")
#   --window W      outstanding requests (default 256)
#   --holding S     holding time the spokes register with (default 600)
#   --gc T1,T2,T3   neighbour gc thresholds (default 100000,200000,400000)
#   --default-gc    leave the gc thresholds at the kernel's defaults
#                   (128/512/1024): above ~1,000 spokes registrations fail
#                   with code 5; the table counts failures by code
#   --show          also run every ng/ng-hook hub as IMPL+show (in the same
#                   run, right after it): opennhrpctl show in a loop during
#                   reg and refresh
#   --soak SECS     soak instead of the curve: one ng hub, --sizes' first N
#                   spokes (default 5000) registered once, then loops of
#                   churn (10% purge and return) + refresh for SECS seconds;
#                   hub VmRSS and entry count sampled every --sample seconds
#                   (default 60); every registration accounted for at the
#                   end (tests/bench/soak.sh is the short form)
#   --out DIR       results directory (default $top_builddir/tests/bench/results)
#   --builddir DIR  build tree with nhrp/opennhrp and tests/bench/loadgen
#                   (default $top_builddir, or the current directory)
#   --max-secs S    cap on each loadgen phase (default 120 + N/10)
#   --settle S      after each phase, wait up to S seconds for the hub to
#                   go idle (its CPU time stops growing) before the CPU is
#                   read and the next phase starts (default 60)
#   --linger MS     after its last operation loadgen waits up to MS for
#                   answers to requests its spokes gave up on ("late" in
#                   the results; default 1000)
#   --ng-args "..." extra arguments for nhrp/opennhrp (e.g. -v)
#   --form F        registration form the spokes send: opennhrp (default)
#                   or frr (see loadgen -f)
#   --timeout S     VM timeout (default 3600)
#   --table FILE    only print the side-by-side table of a results file
#
# Needs root, ip, the built binaries (make tests/bench/loadgen
# tests/bench/floor nhrp/opennhrp nhrp/opennhrpctl) and, for frr, the
# Debian frr package.

set -u
set -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
SIZES="1000 2000"
IMPLS="floor ng frr"
MODES="reg refresh resolve churn"
WINDOW=256
HOLDING=600
GC="100000,200000,400000"
OUT=
BUILDDIR=${top_builddir:-}
VM_TIMEOUT=3600
MAX_SECS=
SETTLE=60
LINGER=1000
DEFAULT_GC=0
SHOW=0
IMPLS_SET=0
SOAK=0
SAMPLE=60
NG_ARGS=
FORM=opennhrp
INNER=0
TABLE=

usage() {
	sed -n '/^#   tests\/bench/,/^# Needs root/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

ARGS=("$@")
while [ $# -gt 0 ]; do
	case "$1" in
	--full)		SIZES="1000 2000 5000 10000 20000 50000"; shift ;;
	--sizes)	SIZES=$2; shift 2 ;;
	--impl)		IMPLS=$2; IMPLS_SET=1; shift 2 ;;
	--modes)	MODES=$2; shift 2 ;;
	--window)	WINDOW=$2; shift 2 ;;
	--holding)	HOLDING=$2; shift 2 ;;
	--gc)		GC=$2; shift 2 ;;
	--default-gc)	DEFAULT_GC=1; shift ;;
	--show)		SHOW=1; shift ;;
	--soak)		SOAK=$2; shift 2 ;;
	--sample)	SAMPLE=$2; shift 2 ;;
	--out)		OUT=$2; shift 2 ;;
	--builddir)	BUILDDIR=$2; shift 2 ;;
	--timeout)	VM_TIMEOUT=$2; shift 2 ;;
	--max-secs)	MAX_SECS=$2; shift 2 ;;
	--settle)	SETTLE=$2; shift 2 ;;
	--linger)	LINGER=$2; shift 2 ;;
	--ng-args)	NG_ARGS=$2; shift 2 ;;
	--form)		FORM=$2; shift 2 ;;
	--table)	TABLE=$2; shift 2 ;;
	--inner)	INNER=1; shift ;;
	-h|--help)	usage ;;
	*)		echo "scale.sh: unknown option $1" >&2; usage ;;
	esac
done

if [ -z "$BUILDDIR" ]; then
	if [ -x "$PWD/tests/bench/loadgen" ]; then
		BUILDDIR=$PWD
	else
		BUILDDIR=$top_srcdir
	fi
fi
BUILDDIR=$(cd "$BUILDDIR" && pwd) || exit 2
LOADGEN=$BUILDDIR/tests/bench/loadgen
FLOOR=$BUILDDIR/tests/bench/floor
DAEMON=$BUILDDIR/nhrp/opennhrp
CTL=$BUILDDIR/nhrp/opennhrpctl
: "${OUT:=$BUILDDIR/tests/bench/results}"

# ---- the side-by-side table -------------------------------------------------

# print_table FILE: one row per (N, phase), one column group per
# implementation, and the ratios against the floor.
print_table() {
	awk '
	function v(line, key,   i, n, a, kv) {
		n = split(line, a, " ")
		for (i = 1; i <= n; i++) {
			split(a[i], kv, "=")
			if (kv[1] == key)
				return substr(a[i], length(key) + 2)
		}
		return ""
	}
	/^result / {
		impl = v($0, "impl"); n = v($0, "spokes"); m = v($0, "mode")
		k = n SUBSEP m SUBSEP impl
		rate[k] = v($0, "rate"); p50[k] = v($0, "p50_ms")
		p99[k] = v($0, "p99_ms"); cpu[k] = v($0, "hub_cpu_s")
		ccpu[k] = v($0, "hub_child_cpu_s"); ok[k] = v($0, "ok")
		ops[k] = v($0, "ops"); rss[k] = v($0, "rss_per_spoke_b")
		neigh[k] = v($0, "hub_neigh"); fc[k] = v($0, "fail_codes")
		fail[k] = v($0, "fail"); un[k] = v($0, "unanswered")
		unf[k] = v($0, "unfinished"); gcw[k] = v($0, "hub_gc_warn")
		shn[k] = v($0, "show_n"); shf[k] = v($0, "show_fail")
		sh50[k] = v($0, "show_p50_ms"); shmax[k] = v($0, "show_max_ms")
		dup[k] = v($0, "dup"); late[k] = v($0, "late")
		if (!(n in seenn)) { seenn[n] = 1; ns[++nn] = n }
		if (!(impl in seenimpl)) { seenimpl[impl] = 1; impls[++ni] = impl }
		nm = n SUBSEP m
		if (!(nm in seenrow)) { seenrow[nm] = 1; rows[++nr] = nm }
	}
	function ratio(a, b) {
		if (a == "" || b == "" || b + 0 == 0) return "-"
		return sprintf("%.3g", a / b)
	}
	END {
		if (nr == 0) { print "no results"; exit }
		printf "%-6s %-8s", "N", "phase"
		for (i = 1; i <= ni; i++)
			printf " | %-40s", impls[i] " ok/ops rate/s p50ms p99ms cpu_s"
		printf "\n"
		for (r = 1; r <= nr; r++) {
			split(rows[r], nmv, SUBSEP)
			printf "%-6s %-8s", nmv[1], nmv[2]
			for (i = 1; i <= ni; i++) {
				k = rows[r] SUBSEP impls[i]
				if (!(k in rate)) { printf " | %-40s", "-"; continue }
				c = cpu[k]
				if (ccpu[k] != "" && ccpu[k] + 0 > 0)
					c = c "+" ccpu[k]
				printf " | %-40s", sprintf("%s/%s %.0f %.1f %.1f %s",
				    ok[k], ops[k], rate[k], p50[k], p99[k], c)
			}
			printf "\n"
		}
		printf "\nRatios against floor (rate: impl/floor, higher is better; "
		printf "p99 and hub CPU: impl/floor, lower is better)\n"
		printf "%-6s %-8s", "N", "phase"
		for (i = 1; i <= ni; i++)
			if (impls[i] != "floor")
				printf " | %-24s", impls[i] " rate p99 cpu"
		printf "\n"
		for (r = 1; r <= nr; r++) {
			split(rows[r], nmv, SUBSEP)
			printf "%-6s %-8s", nmv[1], nmv[2]
			f = rows[r] SUBSEP "floor"
			for (i = 1; i <= ni; i++) {
				if (impls[i] == "floor") continue
				k = rows[r] SUBSEP impls[i]
				if (!(k in rate) || !(f in rate)) {
					printf " | %-24s", "-"; continue
				}
				printf " | %-24s", ratio(rate[k], rate[f]) " " \
				    ratio(p99[k], p99[f]) " " \
				    ratio(cpu[k] + ccpu[k], cpu[f] + ccpu[f])
			}
			printf "\n"
		}
		printf "\nHub memory and kernel state after the cold wave "
		printf "(RSS growth / registered spoke, neighbour entries on gre1)\n"
		for (r = 1; r <= nr; r++) {
			split(rows[r], nmv, SUBSEP)
			if (nmv[2] != "reg") continue
			printf "%-6s", nmv[1]
			for (i = 1; i <= ni; i++) {
				k = rows[r] SUBSEP impls[i]
				if (!(k in rate)) continue
				printf " | %s %s B/spoke, %s neigh", impls[i],
				    rss[k], neigh[k]
			}
			printf "\n"
		}
		havefrr = 0
		for (i = 1; i <= ni; i++) if (impls[i] == "frr") havefrr = 1
		if (havefrr) {
			printf "\nRatios against frr (rate: impl/frr, higher is better; "
			printf "p99 and hub CPU: impl/frr, lower is better)\n"
			printf "%-6s %-8s", "N", "phase"
			for (i = 1; i <= ni; i++)
				if (impls[i] != "frr")
					printf " | %-24s", impls[i] " rate p99 cpu"
			printf "\n"
			for (r = 1; r <= nr; r++) {
				split(rows[r], nmv, SUBSEP)
				f = rows[r] SUBSEP "frr"
				if (!(f in rate)) continue
				printf "%-6s %-8s", nmv[1], nmv[2]
				for (i = 1; i <= ni; i++) {
					if (impls[i] == "frr") continue
					k = rows[r] SUBSEP impls[i]
					if (!(k in rate)) {
						printf " | %-24s", "-"; continue
					}
					printf " | %-24s", ratio(rate[k], rate[f]) " " \
					    ratio(p99[k], p99[f]) " " \
					    ratio(cpu[k] + ccpu[k], cpu[f] + ccpu[f])
				}
				printf "\n"
			}
		}
		printf "\nCurve per implementation: rate/s and hub CPU us per successful "
		printf "operation (self+children), RSS growth per registered spoke\n"
		printf "%-12s %-6s | %-15s | %-15s | %-15s | %-15s | %s\n", "impl", "N",
		    "reg rate us/op", "refresh", "resolve", "churn", "B/spoke"
		for (i = 1; i <= ni; i++) {
			for (j = 1; j <= nn; j++) {
				kr = ns[j] SUBSEP "reg" SUBSEP impls[i]
				line = sprintf("%-12s %-6s", impls[i], ns[j])
				any = 0
				split("reg refresh resolve churn", ph, " ")
				for (q = 1; q <= 4; q++) {
					k = ns[j] SUBSEP ph[q] SUBSEP impls[i]
					if (!(k in rate)) { line = line sprintf(" | %-15s", "-"); continue }
					any = 1
					us = ok[k] > 0 ? (cpu[k] + ccpu[k]) * 1e6 / ok[k] : 0
					line = line sprintf(" | %-15s", sprintf("%.0f %.0f", rate[k], us))
				}
				line = line sprintf(" | %s", (kr in rss) ? rss[kr] : "-")
				if (any) print line
			}
		}
		hdr = 0
		for (r = 1; r <= nr; r++) {
			for (i = 1; i <= ni; i++) {
				k = rows[r] SUBSEP impls[i]
				if (!(k in rate)) continue
				if ((fc[k] == "" || fc[k] == "-") && un[k] + 0 == 0 && unf[k] + 0 == 0 && gcw[k] + 0 == 0) continue
				if (!hdr) {
					printf "\nNot answered with success (failed replies by CIE code, "
					printf "unanswered after every retry, not finished in time; "
					printf "answered after the spoke gave up (late); "
					printf "gc_thresh lines in the hub log)\n"
					hdr = 1
				}
				split(rows[r], nmv, SUBSEP)
				printf "%-6s %-8s %-12s ok %s/%s fail %s codes %s unanswered %s (late %s) unfinished %s gc-warn %s\n",
				    nmv[1], nmv[2], impls[i], ok[k], ops[k], fail[k], fc[k], un[k], late[k] == "" ? "-" : late[k], unf[k], gcw[k]
			}
		}
		hdr = 0
		for (r = 1; r <= nr; r++) {
			for (i = 1; i <= ni; i++) {
				k = rows[r] SUBSEP impls[i]
				if (!(k in rate) || shn[k] == "") continue
				if (!hdr) {
					printf "\nopennhrpctl show in a loop during the phase "
					printf "(shows done, failed, duration p50/max ms; the same hub "
					printf "without shows in the same run)\n"
					hdr = 1
				}
				split(rows[r], nmv, SUBSEP)
				b = impls[i]; sub(/\+show$/, "", b)
				kb = rows[r] SUBSEP b
				printf "%-6s %-8s %-12s shows %s fail %s p50 %s max %s | ok/ops %s/%s p99 %.1f ms",
				    nmv[1], nmv[2], impls[i], shn[k], shf[k], sh50[k], shmax[k], ok[k], ops[k], p99[k]
				if (kb in rate)
					printf " | without shows %s/%s p99 %.1f ms", ok[kb], ops[kb], p99[kb]
				printf "\n"
			}
		}
	}' "$1"
}

if [ -n "$TABLE" ]; then
	print_table "$TABLE"
	exit 0
fi

# ---- outer: get a kernel with GRE ---------------------------------------------

if [ "$INNER" = 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "scale.sh: needs root" >&2; exit 2; }
	for f in "$LOADGEN" "$FLOOR"; do
		[ -x "$f" ] || { echo "scale.sh: $f not built (make tests/bench/loadgen tests/bench/floor)" >&2; exit 2; }
	done
	mkdir -p "$OUT" || exit 2
	OUT=$(cd "$OUT" && pwd)
	big=0
	for n in $SIZES; do [ "$n" -gt 5000 ] && big=1; done
	if [ "$SOAK" != 0 ]; then
		[ "$SIZES" = "1000 2000" ] && SIZES=5000
		[ "$IMPLS_SET" = 1 ] || IMPLS=ng
		VM_TIMEOUT=$((SOAK + 1800))
	fi
	if [ $big = 1 ]; then
		: "${NHRP_VM_MEM:=6144}"
	else
		: "${NHRP_VM_MEM:=2048}"
	fi
	export NHRP_VM_MEM
	NHRP_BENCH_COMMIT=$(git -C "$top_srcdir" rev-parse --short HEAD 2>/dev/null)$(git -C "$top_srcdir" diff --quiet HEAD -- nhrp libnhrp 2>/dev/null || echo "+dirty")
	export NHRP_BENCH_COMMIT
	exec "$top_srcdir/tests/vm/run.sh" --timeout "$VM_TIMEOUT" \
	    --share "$BUILDDIR" --share "$OUT" -- \
	    bash "$0" --inner --builddir "$BUILDDIR" --out "$OUT" \
	    --sizes "$SIZES" --impl "$IMPLS" --modes "$MODES" \
	    --window "$WINDOW" --holding "$HOLDING" --gc "$GC" \
	    --settle "$SETTLE" ${MAX_SECS:+--max-secs "$MAX_SECS"} \
	    --linger "$LINGER" \
	    --ng-args "$NG_ARGS" --form "$FORM" --soak "$SOAK" \
	    --sample "$SAMPLE" $([ "$DEFAULT_GC" = 1 ] && echo --default-gc) \
	    $([ "$SHOW" = 1 ] && echo --show)
fi

# ---- inner: runs as root where GRE works ---------------------------------------

HUB=lg-hub
SPK=lg-spk
HUB_NBMA=198.18.0.1
HUB_PROTO=100.64.0.1
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RES="$OUT/scale-$STAMP.txt"
LOGDIR="$OUT/scale-$STAMP.logs"
RUNTMP=$(mktemp -d /tmp/scale.XXXXXX)
mkdir -p "$LOGDIR"
HZ=$(getconf CLK_TCK)
IMPL_PIDS=()

say() {
	echo "scale: $*" >&2
}

cleanup() {
	stop_impl
	ip netns del $HUB 2>/dev/null
	ip netns del $SPK 2>/dev/null
	rm -rf "$RUNTMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# cpu_ticks PID: "self children" clock ticks.
cpu_ticks() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo "0 0"; return; }
	s=${s##*) }
	# fields after ")": state=1 ... utime=12 stime=13 cutime=14 cstime=15
	set -- $s
	echo "$((${12} + ${13})) $((${14} + ${15}))"
}

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

# Sums over the implementation's processes.
impl_cpu() {
	local p self=0 child=0 a b
	for p in "${IMPL_PIDS[@]}"; do
		read -r a b <<<"$(cpu_ticks "$p")"
		self=$((self + a))
		child=$((child + b))
	done
	echo "$self $child"
}

impl_rss() {
	local p t=0
	for p in "${IMPL_PIDS[@]}"; do
		t=$((t + $(rss_kb "$p")))
	done
	echo $t
}

impl_alive() {
	local p
	for p in "${IMPL_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || return 1
	done
	[ ${#IMPL_PIDS[@]} -gt 0 ]
}

setup_ns() {
	local impl=$1
	ip netns del $HUB 2>/dev/null
	ip netns del $SPK 2>/dev/null
	ip netns add $HUB && ip netns add $SPK || return 1
	ip -n $HUB link set lo up
	ip -n $SPK link set lo up
	ip -n $HUB link add eth0 type veth peer name eth0 netns $SPK || return 1
	ip -n $HUB addr add $HUB_NBMA/24 dev eth0
	ip -n $SPK addr add 198.18.0.2/24 dev eth0
	ip -n $HUB link set eth0 up
	ip -n $SPK link set eth0 up
	ip -n $HUB route add 198.19.0.0/16 via 198.18.0.2 dev eth0
	# the spoke side must not forward or answer the hub's GRE itself
	ip netns exec $SPK sysctl -qw net.ipv4.ip_forward=0
	if [ "$impl" = frr ]; then
		# FRR 8.4: tunnel bound to eth0, no local (see vm-rig.md)
		ip -n $HUB tunnel add gre1 mode gre key 1234 ttl 64 dev eth0 ||
		    return 1
		ip -n $HUB addr add $HUB_PROTO/32 dev gre1
	else
		ip -n $HUB tunnel add gre1 mode gre key 1234 ttl 64 \
		    local $HUB_NBMA || return 1
		ip -n $HUB addr add $HUB_PROTO/10 dev gre1
	fi
	ip -n $HUB link set gre1 up
	# warm the ARP entry both ways so the first wave does not wait for it
	ip netns exec $SPK ping -c 1 -W 2 $HUB_NBMA >/dev/null 2>&1
	return 0
}

start_impl() {
	local impl=$1 log=$2 i
	IMPL_PIDS=()
	case "$impl" in
	floor)
		ip netns exec $HUB "$FLOOR" -i gre1 -A $HUB_PROTO -N $HUB_NBMA \
		    -t "$HOLDING" </dev/null >"$log" 2>&1 &
		IMPL_PIDS=($!)
		for i in $(seq 100); do
			grep -q 'ready' "$log" 2>/dev/null && return 0
			impl_alive || return 1
			sleep 0.1
		done
		return 1
		;;
	ng|ng-hook)
		[ -x "$DAEMON" ] || { say "no $DAEMON"; return 1; }
		local hookargs
		if [ "$impl" = ng-hook ]; then
			hookargs=(-s "$RUNTMP/hook.sh")
		elif [ "$NG_HAS_N" = 1 ]; then
			hookargs=(-N)
		else
			hookargs=(-s "$NG_HOOK")
		fi
		cat >"$RUNTMP/ng.conf" <<EOF
interface gre1
	holding-time $HOLDING
EOF
		ip netns exec $HUB "$DAEMON" -c "$RUNTMP/ng.conf" \
		    -a "$RUNTMP/ng.sock" -p "$RUNTMP/ng.pid" "${hookargs[@]}" \
		    $NG_ARGS </dev/null >"$log" 2>&1 &
		IMPL_PIDS=($!)
		for i in $(seq 300); do
			"$CTL" -a "$RUNTMP/ng.sock" show 2>/dev/null |
			    grep -q '^Status: ok' && return 0
			impl_alive || return 1
			sleep 0.1
		done
		return 1
		;;
	frr)
		[ -x /usr/lib/frr/nhrpd ] || { say "no /usr/lib/frr/nhrpd (apt-get install frr)"; return 1; }
		local d=/run/frr/$HUB c=$RUNTMP/frr
		mkdir -p "$d" "$c"
		chown frr:frr "$d" "$c" 2>/dev/null
		chmod 755 "$RUNTMP"
		cat >"$c/zebra.conf" <<EOF
hostname lg-hub
log file $d/zebra.log
EOF
		cat >"$c/nhrpd.conf" <<EOF
hostname lg-hub
log file $d/nhrpd.log
interface gre1
 ip nhrp network-id 1
 ip nhrp registration no-unique
 ip nhrp holdtime $HOLDING
 ip nhrp shortcut
 tunnel source eth0
exit
EOF
		chown frr:frr "$c"/*.conf 2>/dev/null
		ip netns exec $HUB /usr/lib/frr/zebra -d -N $HUB -u frr -g frr \
		    -P 0 -f "$c/zebra.conf" -i "$d/zebra.pid" >"$log" 2>&1 ||
		    return 1
		for i in $(seq 100); do
			[ -s "$d/zebra.pid" ] && break
			sleep 0.1
		done
		ip netns exec $HUB /usr/lib/frr/nhrpd -d -N $HUB -u frr -g frr \
		    -P 0 -f "$c/nhrpd.conf" -i "$d/nhrpd.pid" >>"$log" 2>&1 ||
		    return 1
		for i in $(seq 100); do
			[ -s "$d/nhrpd.pid" ] && break
			sleep 0.1
		done
		IMPL_PIDS=($(cat "$d/nhrpd.pid") $(cat "$d/zebra.pid"))
		impl_alive || return 1
		# let nhrpd learn gre1 from zebra
		for i in $(seq 100); do
			vtysh -N $HUB -c 'show ip nhrp' >/dev/null 2>&1 && break
			sleep 0.2
		done
		sleep 2
		return 0
		;;
	esac
	return 1
}

stop_impl() {
	local p i
	[ ${#IMPL_PIDS[@]} -gt 0 ] || return 0
	for p in "${IMPL_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for i in $(seq 100); do
		impl_alive_any || break
		sleep 0.1
	done
	for p in "${IMPL_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	IMPL_PIDS=()
	if [ -d "/run/frr/$HUB" ]; then
		local f
		for f in "/run/frr/$HUB"/*.log; do
			[ -f "$f" ] && cp "$f" "$LOGDIR/frr-${f##*/}"
		done
		rm -rf "/run/frr/$HUB"
	fi
}

impl_alive_any() {
	local p
	for p in "${IMPL_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}

# wait_idle: up to SETTLE seconds until the hub's CPU time (self and
# children) grows by at most 1 tick in 2 s; prints the seconds waited.
wait_idle() {
	local t=0 a b prev cur
	read -r a b <<<"$(impl_cpu)"
	prev=$((a + b))
	while [ "$t" -lt "$SETTLE" ]; do
		sleep 2
		t=$((t + 2))
		read -r a b <<<"$(impl_cpu)"
		cur=$((a + b))
		[ $((cur - prev)) -le 1 ] && break
		prev=$cur
	done
	echo "$t"
}

# show_loop SOCK OUTFILE STOPFILE: "opennhrpctl show >/dev/null" in a loop
# until STOPFILE exists; one line "duration_us exit_status" per show.
show_loop() {
	local sock=$1 outf=$2 stopf=$3 t0 t1 rc
	while [ ! -e "$stopf" ]; do
		t0=${EPOCHREALTIME/./}
		"$CTL" -a "$sock" show >/dev/null 2>&1
		rc=$?
		t1=${EPOCHREALTIME/./}
		echo "$((t1 - t0)) $rc" >>"$outf"
	done
}

# show_summary FILE: "show_n=.. show_fail=.. show_p50_ms=.. show_max_ms=.."
show_summary() {
	if [ ! -s "$1" ]; then
		echo "show_n=0 show_fail=0 show_p50_ms=0 show_max_ms=0"
		return
	fi
	sort -n "$1" | awk '
	{ d[NR] = $1; if ($2 != 0) f++ }
	END {
		printf "show_n=%d show_fail=%d show_p50_ms=%.1f show_max_ms=%.1f\n",
		    NR, f, d[int((NR + 1) / 2)] / 1000, d[NR] / 1000
	}'
}

# ng_hooks IMPL: how the hub runs its hooks
ng_hooks() {
	case "$1" in
	ng)		[ "$NG_HAS_N" = 1 ] && echo off || echo true-prog ;;
	ng-hook)	echo sh-script ;;
	*)		echo - ;;
	esac
}

# run_phase IMPL BASE N MODE LOG SHOW: one loadgen phase; appends a result
# line to RES.  Sets PHASE_LINE to loadgen's summary line.
run_phase() {
	local impl=$1 base=$2 n=$3 mode=$4 log=$5 show=$6
	local self0 child0 self1 child1 cpu ccpu out rc settle r1 neigh line
	local rssps showf stopf showpid=0 showsum="" gcw timeout_s
	timeout_s=${MAX_SECS:-$((120 + n / 10))}
	read -r self0 child0 <<<"$(impl_cpu)"
	out="$LOGDIR/$impl-$n-$mode.loadgen"
	if [ "$show" = 1 ] && { [ "$mode" = reg ] || [ "$mode" = refresh ]; }; then
		showf="$RUNTMP/show-$n-$mode"
		stopf="$RUNTMP/show-stop"
		rm -f "$showf" "$stopf"
		show_loop "$RUNTMP/ng.sock" "$showf" "$stopf" &
		showpid=$!
	fi
	ip netns exec $SPK "$LOADGEN" -i eth0 -H $HUB_NBMA -A $HUB_PROTO \
	    -n "$n" -w "$WINDOW" -t "$HOLDING" -D "$timeout_s" -f "$FORM" \
	    -L "$LINGER" -l "$impl" "$mode" >"$out" 2>&1
	rc=$?
	if [ "$showpid" != 0 ]; then
		touch "$stopf"
		wait "$showpid"
		showsum=$(show_summary "$showf")
		cp "$showf" "$LOGDIR/$impl-$n-$mode.shows"
	fi
	settle=$(wait_idle)
	read -r self1 child1 <<<"$(impl_cpu)"
	cpu=$(awk -v a="$self0" -v b="$self1" -v hz="$HZ" \
	    'BEGIN { printf "%.2f", (b - a) / hz }')
	ccpu=$(awk -v a="$child0" -v b="$child1" -v hz="$HZ" \
	    'BEGIN { printf "%.2f", (b - a) / hz }')
	r1=$(impl_rss)
	neigh=$(ip -n $HUB neigh show dev gre1 2>/dev/null | grep -c lladdr)
	gcw=$(grep -ci 'gc_thresh' "$log" 2>/dev/null)
	line=$(grep '^loadgen ' "$out" | tail -n 1)
	PHASE_LINE=$line
	if [ -z "$line" ]; then
		say "$impl N=$n $mode: loadgen failed (rc $rc)"
		tail -n 5 "$out" >&2
		return 1
	fi
	# RSS growth per spoke the hub holds after the wave (its
	# neighbour entries: late replies count, the spoke gave up)
	rssps=0
	if [ "$mode" = reg ]; then
		rssps=$(awk -v a="$R0" -v b="$r1" -v n="$neigh" \
		    'BEGIN { if (n > 0) printf "%.0f", (b - a) * 1024 / n; else print 0 }')
	fi
	echo "result impl=$impl base=$base hooks=$(ng_hooks "$base")" \
	    "hub_cpu_s=$cpu hub_child_cpu_s=$ccpu hub_rss_kb_before=$R0" \
	    "hub_rss_kb=$r1 rss_per_spoke_b=$rssps hub_neigh=$neigh" \
	    "settle_s=$settle hub_gc_warn=${gcw:-0} gc=$GC_DESC" \
	    "hub_alive=$(impl_alive && echo 1 || echo 0) $showsum" \
	    "${line#loadgen }" >>"$RES"
	say "$impl N=$n $mode: $(echo "$line" | tr ' ' '\n' |
	    grep -E '^(ops|ok|fail|unanswered|rate|p50_ms|p99_ms|purge_ok|fail_codes)=' |
	    tr '\n' ' ')hub_cpu=${cpu}s+${ccpu}s neigh=$neigh settle=${settle}s $showsum"
	return 0
}

# run_one IMPL N: every phase against a fresh hub.
run_one() {
	local impl=$1 n=$2 base show=0 mode log
	base=${impl%+show}
	[ "$base" != "$impl" ] && show=1
	# the hub logs to the VM's tmpfs: writing it to the 9p share would
	# charge the share's latency to the hub; copied to LOGDIR at the end
	log="$RUNTMP/$impl-$n.hub.log"
	setup_ns "$base" || { say "$impl N=$n: namespace setup failed"; return 1; }
	if ! start_impl "$base" "$log"; then
		say "$impl N=$n: hub did not start (log: $log)"
		tail -n 20 "$log" >&2
		stop_impl
		return 1
	fi
	R0=$(impl_rss)
	for mode in $MODES; do
		run_phase "$impl" "$base" "$n" "$mode" "$log" "$show"
		impl_alive || { say "$impl died during $mode"; break; }
	done
	case "$base" in
	ng|ng-hook)
		"$CTL" -a "$RUNTMP/ng.sock" show 2>/dev/null |
		    grep -c '^Type: dynamic' >"$LOGDIR/$impl-$n.dynamic-count"
		;;
	esac
	stop_impl
	cp "$log" "$LOGDIR/" 2>/dev/null
	ip netns exec $SPK true
	ip netns del $HUB
	ip netns del $SPK
}

# ng_entries: dynamic entries in the ng hub's cache (0 for other hubs)
ng_entries() {
	case "$1" in
	ng|ng-hook)
		"$CTL" -a "$RUNTMP/ng.sock" show 2>/dev/null |
		    grep -c '^Type: dynamic'
		;;
	*)	echo 0 ;;
	esac
}

# soak_sampler IMPL T0 FILE: every SAMPLE seconds one line
# "sample t_s=.. rss_kb=.. neigh=.. entries=.." until killed.
soak_sampler() {
	local impl=$1 t0=$2 f=$3 t
	while :; do
		t=$(( ${EPOCHSECONDS} - t0 ))
		echo "sample t_s=$t rss_kb=$(impl_rss) neigh=$(ip -n $HUB neigh show dev gre1 2>/dev/null | grep -c lladdr) entries=$(ng_entries "$impl")" >>"$f"
		sleep "$SAMPLE"
	done
}

# soak IMPL N: churn + refresh loops for SOAK seconds against one hub.
soak() {
	local impl=$1 n=$2 log t0 end loops=0 mode samp sp k
	local -A tot=()
	log="$RUNTMP/$impl-$n.hub.log"
	setup_ns "$impl" || { say "soak: namespace setup failed"; return 1; }
	start_impl "$impl" "$log" || { say "soak: hub did not start"; tail -n 20 "$log" >&2; return 1; }
	R0=$(impl_rss)
	samp="$LOGDIR/soak.samples"
	say "soak: $impl, $n spokes, $SOAK s of churn + refresh loops, sample every $SAMPLE s"
	echo "# soak impl=$impl spokes=$n secs=$SOAK sample=$SAMPLE start=$(date -u +%FT%TZ)" >>"$RES"
	run_phase "$impl" "$impl" "$n" reg "$log" 0
	acc() {
		local kv
		for kv in $PHASE_LINE; do
			case "$kv" in
			ops=*|ok=*|fail=*|unanswered=*|unfinished=*|purge_ok=*|purge_fail=*|retrans=*|dup=*|errind=*)
				k=${kv%%=*}
				tot[$k]=$(( ${tot[$k]:-0} + ${kv#*=} ))
				;;
			esac
		done
	}
	acc
	t0=$EPOCHSECONDS
	end=$((t0 + SOAK))
	soak_sampler "$impl" "$t0" "$samp" &
	sp=$!
	while [ "$EPOCHSECONDS" -lt "$end" ]; do
		for mode in churn refresh; do
			run_phase "$impl" "$impl" "$n" "$mode" "$log" 0 && acc
			impl_alive || break 2
		done
		loops=$((loops + 1))
		[ $((loops % 10)) = 0 ] && say "soak: $loops loops, $(( EPOCHSECONDS - t0 )) s, ok ${tot[ok]:-0}/${tot[ops]:-0}, rss $(impl_rss) kB"
	done
	kill "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	echo "sample t_s=$(( EPOCHSECONDS - t0 )) rss_kb=$(impl_rss) neigh=$(ip -n $HUB neigh show dev gre1 2>/dev/null | grep -c lladdr) entries=$(ng_entries "$impl")" >>"$samp"
	cat "$samp" >>"$RES"
	awk -v loops="$loops" -v alive="$(impl_alive && echo 1 || echo 0)" \
	    -v ops="${tot[ops]:-0}" -v ok="${tot[ok]:-0}" -v fail="${tot[fail]:-0}" \
	    -v un="${tot[unanswered]:-0}" -v unf="${tot[unfinished]:-0}" \
	    -v pok="${tot[purge_ok]:-0}" -v pf="${tot[purge_fail]:-0}" \
	    -v rt="${tot[retrans]:-0}" -v dup="${tot[dup]:-0}" -v ei="${tot[errind]:-0}" \
	    -v impl="$impl" -v n="$n" '
	/^sample / {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (cnt == 0) { first = v["rss_kb"]; efirst = v["entries"]; nfirst = v["neigh"] }
		last = v["rss_kb"]; elast = v["entries"]; nlast = v["neigh"]; tl = v["t_s"]
		if (v["rss_kb"] > max) max = v["rss_kb"]
		cnt++
	}
	END {
		printf "soak impl=%s spokes=%d secs=%d loops=%d registrations=%d ok=%d fail=%d unanswered=%d unfinished=%d accounted=%s purge_ok=%d purge_fail=%d retrans=%d dup=%d errind=%d samples=%d rss_first_kb=%d rss_last_kb=%d rss_max_kb=%d entries_first=%d entries_last=%d neigh_first=%d neigh_last=%d hub_alive=%d\n",
		    impl, n, tl, loops, ops, ok, fail, un, unf,
		    (ops == ok + fail + un + unf) ? "yes" : "NO", pok, pf, rt, dup, ei,
		    cnt, first, last, max, efirst, elast, nfirst, nlast, alive
	}' "$samp" | tee -a "$RES"
	stop_impl
	cp "$log" "$LOGDIR/" 2>/dev/null
	ip netns del $HUB
	ip netns del $SPK
}

# The ng hub's hooks: -N when the daemon has it, else a program that exits 0
# at once; ng-hook's do-nothing shell script.
pick_hook() {
	local bb usage
	NG_HAS_N=0
	# the usage text (opennhrp exits non-zero after printing it)
	usage=$("$DAEMON" -h 2>&1)
	case "$usage" in
	*"[-N]"*|*" -N"*) NG_HAS_N=1 ;;
	esac
	printf '#!/bin/sh\nexit 0\n' >"$RUNTMP/hook.sh"
	chmod 755 "$RUNTMP/hook.sh"
	NG_HOOK=/bin/true
	NG_HOOK_DESC="/bin/true"
	bb=$(command -v busybox) || return 0
	case "$(LC_ALL=C ldd "$bb" 2>&1)" in
	*"not a dynamic executable"*|*"statically linked"*)
		ln -sf "$bb" "$RUNTMP/true"
		NG_HOOK=$RUNTMP/true
		NG_HOOK_DESC="static busybox true"
		;;
	esac
}

main() {
	local t1 t2 t3 impl n list=""
	pick_hook
	IFS=, read -r t1 t2 t3 <<<"$GC"
	if [ "$DEFAULT_GC" = 1 ]; then
		GC_DESC=default
		say "leaving the kernel neighbour table limits at" \
		    "gc_thresh1/2/3 $(sysctl -n net.ipv4.neigh.default.gc_thresh1)/$(sysctl -n net.ipv4.neigh.default.gc_thresh2)/$(sysctl -n net.ipv4.neigh.default.gc_thresh3)" \
		    "(--default-gc): above gc_thresh3 the kernel refuses new neighbours"
		t1=$(sysctl -n net.ipv4.neigh.default.gc_thresh1)
		t2=$(sysctl -n net.ipv4.neigh.default.gc_thresh2)
		t3=$(sysctl -n net.ipv4.neigh.default.gc_thresh3)
	else
		GC_DESC=raised
		say "raising the kernel neighbour table limits for the benchmark:" \
		    "gc_thresh1/2/3 $(sysctl -n net.ipv4.neigh.default.gc_thresh1)/$(sysctl -n net.ipv4.neigh.default.gc_thresh2)/$(sysctl -n net.ipv4.neigh.default.gc_thresh3)" \
		    "-> $t1/$t2/$t3 (a real hub needs the same: the defaults cap it at ~1,000 spokes)"
		sysctl -qw net.ipv4.neigh.default.gc_thresh1="$t1" \
		    net.ipv4.neigh.default.gc_thresh2="$t2" \
		    net.ipv4.neigh.default.gc_thresh3="$t3" || say "could not set gc_thresh"
	fi
	for impl in $IMPLS; do
		list="$list $impl"
		if [ "$SHOW" = 1 ]; then
			case "$impl" in
			ng|ng-hook) list="$list $impl+show" ;;
			esac
		fi
	done
	{
		echo "# scale benchmark $STAMP"
		echo "# kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print $2 " kB" }' /proc/meminfo), vm=${NHRP_IN_VM:-0}"
		echo "# cpu $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
		echo "# gc_thresh $t1/$t2/$t3 ($GC_DESC) window=$WINDOW holding=$HOLDING modes=$MODES impl=$list"
		if [ "$NG_HAS_N" = 1 ]; then
			echo "# ng: $("$DAEMON" -V 2>/dev/null | head -n 1), hooks off (-N); ng-hook: #!/bin/sh exit 0"
		else
			echo "# ng: $("$DAEMON" -V 2>/dev/null | head -n 1), no -N: hook program $NG_HOOK_DESC; ng-hook: #!/bin/sh exit 0"
		fi
		echo "# ng commit: ${NHRP_BENCH_COMMIT:-unknown}"
		echo "# frr: $(dpkg-query -W -f '${Version}' frr 2>/dev/null)"
	} >>"$RES"
	if [ "$SOAK" != 0 ]; then
		set -- $SIZES
		soak "${IMPLS%% *}" "$1"
		say "results: $RES, logs: $LOGDIR"
		return
	fi
	for n in $SIZES; do
		for impl in $list; do
			say "=== $impl N=$n"
			run_one "$impl" "$n"
		done
	done
	echo
	print_table "$RES"
	echo
	say "results: $RES, logs: $LOGDIR"
}

main

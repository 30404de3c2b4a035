#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/netns/run.sh [--allow-skip] [TEST...]
#
# Runs the real-kernel tests (every tests/netns/[0-9][0-9]-*.sh, or the ones
# named) in ONE environment: directly when this kernel has GRE, otherwise in
# ONE throwaway VM (tests/vm/run.sh). Prints a single TAP stream, then a
# final line "N passed, N failed" counting checks. Exits non-zero when a
# check failed, when the VM failed, or when no check ran at all.
#
# Needs root. Without root it fails, unless --allow-skip (or
# NHRP_NETNS_ALLOW_SKIP=1) is given, which prints "1..0 # SKIP" instead:
# only for make-check-style callers; run-all.sh and CI never skip.
#
# Environment: top_builddir (default: the current directory when it is a
# configured build tree, else the source tree), NHRP_NETNS_TEST_TIMEOUT
# (seconds per test, default 900), everything tests/vm/run.sh reads.

set -u
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
if [ -z "${top_builddir:-}" ]; then
	if [ -f ./config.status ] && [ -f ./Makefile ]; then
		top_builddir=$(pwd)
	else
		top_builddir=$top_srcdir
	fi
fi
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir top_builddir

ALLOW_SKIP=${NHRP_NETNS_ALLOW_SKIP:-0}
INNER=0
TESTS=()
while [ $# -gt 0 ]; do
	case "$1" in
	--allow-skip) ALLOW_SKIP=1; shift ;;
	--inner) INNER=1; shift ;;
	-h|--help) sed -n '3,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) TESTS+=("$1"); shift ;;
	esac
done

# ---- inside the environment: run each test, renumber into one stream ------

fail_extra() {
	N=$((N + 1))
	FAILED=$((FAILED + 1))
	echo "not ok $N - $*"
}

# run_one TEST: runs it, prints its checks renumbered, updates N/PASSED/FAILED.
run_one() {
	local t=$1 name line st rest rc=none n=0 planned= bailed=0 fail0=$FAILED
	name=$(basename "$t" .sh)
	echo "# ---- $name"
	while IFS= read -r line; do
		case "$line" in
		"__RC__ "*)
			rc=${line#__RC__ }
			;;
		"ok "*|"not ok "*)
			if [ "${line#not ok}" != "$line" ]; then
				st="not ok"
			else
				st=ok
			fi
			rest=${line#"$st"}
			rest=${rest# }
			rest=${rest#"${rest%%[!0-9]*}"}
			rest=${rest# }
			rest=${rest#- }
			N=$((N + 1))
			n=$((n + 1))
			if [ "$st" = ok ]; then
				PASSED=$((PASSED + 1))
			else
				FAILED=$((FAILED + 1))
			fi
			echo "$st $N - $name: $rest"
			;;
		1..*)
			planned=${line#1..}
			planned=${planned%% *}
			;;
		"Bail out!"*)
			bailed=1
			echo "# $name: $line"
			;;
		"") ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done < <(cd "$top_builddir" || exit
	    timeout -k 10 "$TEST_TIMEOUT" bash "$t" </dev/null 2>&1
	    st=$?
	    echo
	    echo "__RC__ $st")
	[ "$bailed" = 1 ] && fail_extra "$name: bailed out"
	if [ -z "$planned" ]; then
		fail_extra "$name: no TAP plan (the script died?)"
	elif [ "$planned" != "$n" ]; then
		fail_extra "$name: planned $planned checks, ran $n"
	fi
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		fail_extra "$name: timed out after $TEST_TIMEOUT s"
	elif [ "$rc" != 0 ] && [ "$FAILED" = "$fail0" ]; then
		fail_extra "$name: exited with status $rc"
	fi
}

TEST_TIMEOUT=${NHRP_NETNS_TEST_TIMEOUT:-900}

if [ "$INNER" = 1 ]; then
	N=0 PASSED=0 FAILED=0
	echo "# kernel $(uname -r)${NHRP_IN_VM:+ (in the VM)}"
	# The outer run.sh prints the plan, from the summary file that is
	# kept current after each test (so a dying VM still leaves counts).
	echo "0 0 0" >"${NHRP_NETNS_SUMMARY:?}"
	for t in "${TESTS[@]}"; do
		run_one "$t"
		echo "$N $PASSED $FAILED" >"$NHRP_NETNS_SUMMARY"
	done
	exit 0
fi

# ---- outside: check prerequisites, enter the environment once ---------------

summary() {
	echo "$1 passed, $2 failed"
}

if [ "$(id -u)" != 0 ]; then
	if [ "$ALLOW_SKIP" = 1 ]; then
		echo "1..0 # SKIP the real-kernel tests need root"
		exit 0
	fi
	echo "not ok 1 - the real-kernel tests need root (run as root, or pass --allow-skip)"
	echo "1..1"
	summary 0 1
	exit 1
fi

# Resolve the test list to absolute paths.
if [ ${#TESTS[@]} -eq 0 ]; then
	for t in "$here"/[0-9][0-9]-*.sh; do
		[ -e "$t" ] && TESTS+=("$t")
	done
else
	for i in "${!TESTS[@]}"; do
		t=${TESTS[$i]}
		if [ -f "$t" ]; then
			t=$(cd "$(dirname "$t")" && pwd)/$(basename "$t")
		elif [ -f "$here/$t" ]; then
			t=$here/$t
		elif [ -f "$here/$t.sh" ]; then
			t=$here/$t.sh
		else
			echo "not ok 1 - no such test: $t"
			echo "1..1"
			summary 0 1
			exit 1
		fi
		TESTS[$i]=$t
	done
fi
if [ ${#TESTS[@]} -eq 0 ]; then
	echo "not ok 1 - no tests found in $here"
	echo "1..1"
	summary 0 1
	exit 1
fi

# pktio is a check program: build it when it is missing.
if [ ! -x "$top_builddir/tests/netns/pktio" ] && [ -f "$top_builddir/Makefile" ]; then
	make -C "$top_builddir" tests/netns/pktio >&2 ||
	    echo "# warning: could not build tests/netns/pktio" >&2
fi

mkdir -p "$top_builddir/tests/netns/run"
NHRP_NETNS_SUMMARY="$top_builddir/tests/netns/run/summary.$$"
export NHRP_NETNS_SUMMARY
rm -f "$NHRP_NETNS_SUMMARY"

start=$(date +%s)
"$top_srcdir/tests/vm/run.sh" --share "$top_builddir" -- \
    bash "$here/run.sh" --inner "${TESTS[@]}"
rc=$?
end=$(date +%s)

n=0 passed=0 failed=0
if [ -f "$NHRP_NETNS_SUMMARY" ]; then
	read -r n passed failed <"$NHRP_NETNS_SUMMARY"
	rm -f "$NHRP_NETNS_SUMMARY"
fi
if [ "$rc" != 0 ]; then
	n=$((n + 1))
	if [ "$rc" = 125 ]; then
		echo "not ok $n - the VM failed (see the messages above)"
	else
		echo "not ok $n - the test environment exited with status $rc"
	fi
	failed=$((failed + 1))
fi
if [ $((passed + failed)) -eq 0 ]; then
	n=$((n + 1))
	echo "not ok $n - no real-kernel check ran"
	failed=1
fi
echo "1..$n"
echo "# real-kernel tests: $((end - start)) s wall time"
summary "$passed" "$failed"
[ "$failed" -eq 0 ]

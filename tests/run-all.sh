#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/run-all.sh: THE test command. On a fresh Debian 12 machine, as root:
#
#	tests/run-all.sh
#
# Stages: install the dependencies, ./autogen.sh, configure --enable-werror,
# make, make check, make distcheck, a second build with --enable-sanitizers
# running make check, then the real-kernel tests (tests/netns/run.sh, in a
# throwaway VM when this kernel has no GRE). Prints the wall time of each
# stage and the total, then "N passed, N failed" (stages). Exits non-zero
# when any stage failed, including when the real-kernel tests did not run.
#
# Environment: NHRP_BUILD_ROOT (build directories, default <tree>/_build;
# wiped at the start), NHRP_VERBOSE=1 (stream every stage's output instead
# of showing the tail of a failing stage), MAKEFLAGS (default -j<nproc>).
set -u
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
BUILD_ROOT=${NHRP_BUILD_ROOT:-$top/_build}
LOGS=$BUILD_ROOT/logs
export MAKEFLAGS=${MAKEFLAGS:--j$(nproc 2>/dev/null || echo 2)}

declare -A RESULT=()
STAGES=()
PASSED=0
FAILED=0
T0=$(date +%s)

fmt_time() {
	printf '%d:%02d' $(($1 / 60)) $(($1 % 60))
}

# stage NAME "DEPS" CMD...: runs CMD unless a stage in DEPS failed.
stage() {
	local name=$1 deps=$2 d t1 t2 rc log
	shift 2
	STAGES+=("$name")
	for d in $deps; do
		if [ "${RESULT[$d]}" != ok ]; then
			RESULT[$name]="not run ($d failed)"
			FAILED=$((FAILED + 1))
			printf '=== %-12s NOT RUN: %s failed\n' "$name" "$d"
			return 1
		fi
	done
	log="$LOGS/$name.log"
	printf '=== %-12s ...\n' "$name"
	t1=$(date +%s)
	if [ "${NHRP_VERBOSE:-0}" = 1 ] || [ "$name" = netns ]; then
		"$@" 2>&1 | tee "$log"
	else
		"$@" >"$log" 2>&1
	fi
	rc=$?
	t2=$(date +%s)
	if [ $rc -eq 0 ]; then
		RESULT[$name]=ok
		PASSED=$((PASSED + 1))
		printf '=== %-12s ok     %s\n' "$name" "$(fmt_time $((t2 - t1)))"
	else
		RESULT[$name]="FAILED (status $rc)"
		FAILED=$((FAILED + 1))
		if [ "${NHRP_VERBOSE:-0}" != 1 ] && [ "$name" != netns ]; then
			echo "--- last 60 lines of $log:"
			tail -n 60 "$log"
			echo "---"
		fi
		printf '=== %-12s FAILED %s (status %d, log %s)\n' "$name" \
		    "$(fmt_time $((t2 - t1)))" "$rc" "$log"
	fi
	TIMES[$name]=$((t2 - t1))
	return $rc
}
declare -A TIMES=()

run_autogen() {
	# Serialise with other builds of a shared tree.
	if command -v flock >/dev/null; then
		flock /tmp/nhrp-autogen.lock ./autogen.sh
	else
		./autogen.sh
	fi
}

configure_in() (
	local dir=$1
	shift
	rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" && "$top/configure" "$@"
)

cd "$top" || exit 1
rm -rf "$BUILD_ROOT"
mkdir -p "$LOGS" || exit 1
echo "opennhrp-ng run-all: tree $top, builds in $BUILD_ROOT, $(uname -r), $(nproc) CPUs, MAKEFLAGS=$MAKEFLAGS"

W=$BUILD_ROOT/werror
S=$BUILD_ROOT/sanitizers
stage deps "" "$top/tests/install-deps.sh"
stage autogen "deps" run_autogen
stage configure "autogen" configure_in "$W" --enable-werror
stage make "configure" make -C "$W"
stage check "make" make -C "$W" check
stage distcheck "make" make -C "$W" distcheck
stage san-config "autogen" configure_in "$S" --enable-sanitizers --enable-werror
stage san-check "san-config" make -C "$S" check
stage deb "make" make -C "$W" deb
stage netns "make" env top_srcdir="$top" top_builddir="$W" \
    bash "$top/tests/netns/run.sh"

T1=$(date +%s)
echo
echo "=== summary"
for s in "${STAGES[@]}"; do
	if [ -n "${TIMES[$s]:-}" ]; then
		printf '  %-12s %-28s %s\n' "$s" "${RESULT[$s]}" "$(fmt_time "${TIMES[$s]}")"
	else
		printf '  %-12s %s\n' "$s" "${RESULT[$s]}"
	fi
done
printf '  %-12s %-28s %s\n' total "" "$(fmt_time $((T1 - T0)))"
if [ "${RESULT[netns]}" != ok ]; then
	echo "the real-kernel tests did not pass (or did not run): this is a failure"
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]

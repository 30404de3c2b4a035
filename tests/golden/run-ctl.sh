#!/bin/sh
# run-ctl.sh - golden tests of the admin replies (TAP).
#
# For every tests/golden/ctl/NAME.in (a ctl-driver script: the cache
# state, a fixed clock, and the requests), ctl-driver's output must equal
# NAME.out byte for byte.  A mismatch prints the diff.  The .out files are
# written from section 3 of the behaviour spec (and decisions.md), never
# from what the code prints, so there is no update mode.

: "${top_srcdir:=.}"
: "${top_builddir:=.}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
drv="$top_builddir/tests/golden/ctl-driver"
dir="$top_srcdir/tests/golden/ctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-ctl.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ ! -x "$drv" ]; then
	echo "1..0 # SKIP $drv not built"
	exit 0
fi

n=0
for in in "$dir"/*.in; do
	name=$(basename "$in" .in)
	n=$((n + 1))
	if [ ! -f "$dir/$name.out" ]; then
		echo "not ok $n - $name: no $name.out"
		continue
	fi
	if ! "$drv" "$in" >"$tmp/out" 2>"$tmp/err"; then
		echo "not ok $n - $name: ctl-driver failed"
		sed 's/^/# /' "$tmp/err"
		continue
	fi
	if cmp -s "$dir/$name.out" "$tmp/out"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name: reply differs (- expected, + got)"
		diff -u "$dir/$name.out" "$tmp/out" | sed 's/^/# /'
	fi
done
echo "1..$n"

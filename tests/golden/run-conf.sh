#!/bin/sh
# run-conf.sh - golden tests of the opennhrp.conf parser and printer (TAP).
#
# For every tests/golden/conf/NAME.conf, "conf-check -v NAME.conf" is run
# from that directory (so messages name the file without its path):
#   NAME.ok   expected canonical output; its presence means exit 0
#   NAME.err  expected stderr (errors, or warnings next to a NAME.ok);
#             without NAME.ok the exit status must be 4
# Every NAME.ok must re-parse to itself (round trip), and every
# contrib/examples/*.conf must be valid and print stably.
# UPDATE=1 rewrites NAME.ok / NAME.err from the current output.

: "${top_srcdir:=.}"
: "${top_builddir:=.}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
check="$top_builddir/tests/golden/conf-check"
dir="$top_srcdir/tests/golden/conf"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-conf.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for f in "$@"; do
		sed 's/^/# /' "$f"
	done
}

if [ ! -x "$check" ]; then
	echo "1..0 # SKIP $check not built"
	exit 0
fi

# compare FILE-EXPECTED FILE-GOT: empty diff, or the diff in $tmp/diff
same() {
	if [ -f "$1" ]; then
		diff -u "$1" "$2" >"$tmp/diff" 2>&1
	else
		diff -u /dev/null "$2" >"$tmp/diff" 2>&1
	fi
}

for conf in "$dir"/*.conf; do
	name=$(basename "$conf" .conf)
	(cd "$dir" && "$check" -v "$name.conf") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ -n "$UPDATE" ]; then
		rm -f "$dir/$name.ok" "$dir/$name.err"
		[ $rc -eq 0 ] && cp "$tmp/out" "$dir/$name.ok"
		[ -s "$tmp/err" ] && cp "$tmp/err" "$dir/$name.err"
	fi
	if [ -f "$dir/$name.ok" ]; then
		want=0
	else
		want=4
	fi
	if [ $rc -ne $want ]; then
		echo "# exit status $rc, expected $want" >"$tmp/diff"
		not_ok "$name: exit status" "$tmp/diff" "$tmp/err"
		continue
	fi
	if same "$dir/$name.ok" "$tmp/out"; then
		ok "$name: output"
	else
		not_ok "$name: output" "$tmp/diff"
	fi
	if same "$dir/$name.err" "$tmp/err"; then
		ok "$name: messages"
	else
		not_ok "$name: messages" "$tmp/diff"
	fi
done

# round trip: the canonical form parses back to itself
for want in "$dir"/*.ok; do
	name=$(basename "$want" .ok)
	cp "$want" "$tmp/rt.conf"
	"$check" -v "$tmp/rt.conf" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 0 ] && same "$want" "$tmp/out"; then
		ok "$name: round trip"
	else
		echo "# exit status $rc" >>"$tmp/diff"
		not_ok "$name: round trip" "$tmp/diff" "$tmp/err"
	fi
done

# the shipped examples are valid, and their canonical form is stable
for conf in "$top_srcdir"/contrib/examples/*.conf; do
	[ -f "$conf" ] || continue
	name="example $(basename "$conf")"
	"$check" -v "$conf" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	"$check" -v "$tmp/out" >"$tmp/out2" 2>>"$tmp/err"
	rc2=$?
	if [ $rc -eq 0 ] && [ $rc2 -eq 0 ] && same "$tmp/out" "$tmp/out2"; then
		ok "$name"
	else
		echo "# exit status $rc, $rc2" >>"$tmp/diff"
		not_ok "$name" "$tmp/diff" "$tmp/err"
	fi
done

# a missing file: exit 4 and the reason
(cd "$tmp" && "$check" missing.conf) >"$tmp/out" 2>"$tmp/err"
rc=$?
echo "missing.conf: Unable to open configuration file: No such file or directory" >"$tmp/want"
if [ $rc -eq 4 ] && same "$tmp/want" "$tmp/err"; then
	ok "missing file"
else
	echo "# exit status $rc" >>"$tmp/diff"
	not_ok "missing file" "$tmp/diff"
fi

echo "1..$n"
[ $failed -eq 0 ]

#!/bin/sh
# man-check.sh - the manual pages are lint-clean and complete (TAP).
#
# 1. "mandoc -Tlint -Wwarning" is clean on every man/*.5 and man/*.8
#    (skipped without mandoc).
# 2. Every keyword of the configuration parser ("conf-check --keywords")
#    has an item in man/opennhrp.conf.5 (an "Ic KEYWORD" macro).
# 3. For every man/keywords/PAGE.list that exists (PAGE = a page's file
#    name without its section, e.g. opennhrpctl.list for opennhrpctl.8),
#    every entry appears in that page: one entry a line, '#' comments and
#    blank lines ignored.  An entry is looked for as a whole word, or as a
#    phrase when it holds spaces, in the rendered text (mandoc -Tascii) or,
#    without mandoc, in the page source.

: "${top_srcdir:=.}"
: "${top_builddir:=.}"
: "${MANDOC:=$(command -v mandoc 2>/dev/null)}"
man="$top_srcdir/man"
check="$top_builddir/tests/golden/conf-check"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/man-check.XXXXXX") || exit 99
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
	[ -n "$2" ] && sed 's/^/# /' "$2"
}
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

for page in "$man"/*.5 "$man"/*.8; do
	[ -f "$page" ] || continue
	base=$(basename "$page")
	if [ -z "$MANDOC" ]; then
		skip "mandoc lint $base" "mandoc not found"
		continue
	fi
	"$MANDOC" -Tlint -Wwarning "$page" >"$tmp/lint" 2>&1
	if [ $? -eq 0 ] && [ ! -s "$tmp/lint" ]; then
		ok "mandoc lint $base"
	else
		not_ok "mandoc lint $base" "$tmp/lint"
	fi
done

# text PAGE: the words of the page, one per line, punctuation stripped
text() {
	if [ -n "$MANDOC" ]; then
		"$MANDOC" -Tascii "$1" 2>/dev/null | sed 's/.\x08//g'
	else
		sed -e 's/^\.[A-Za-z][A-Za-z]* *//' -e 's/\\-/-/g' "$1"
	fi | tr -s ' \t' '\n\n' | sed -e 's/^[][(),.;:"'\''`]*//' \
	    -e 's/[][(),.;:"'\''`]*$//' | sort -u
}
# flat PAGE: the text on one line, single spaces (for phrases)
flat() {
	if [ -n "$MANDOC" ]; then
		"$MANDOC" -Tascii "$1" 2>/dev/null | sed 's/.\x08//g'
	else
		sed -e 's/^\.[A-Za-z][A-Za-z]* *//' -e 's/\\-/-/g' "$1"
	fi | tr -s ' \t\n' '   '
}

conf5="$man/opennhrp.conf.5"
if [ ! -x "$check" ]; then
	skip "config keywords documented" "$check not built"
elif ! "$check" --keywords >"$tmp/kw" || [ ! -s "$tmp/kw" ]; then
	not_ok "conf-check --keywords"
else
	: >"$tmp/missing"
	while read -r kw; do
		grep -E -q "(^|[[:space:]])Ic[[:space:]]+$kw([[:space:]]|\$)" \
		    "$conf5" || echo "$kw" >>"$tmp/missing"
	done <"$tmp/kw"
	if [ -s "$tmp/missing" ]; then
		not_ok "every config keyword in opennhrp.conf.5 (Ic)" \
		    "$tmp/missing"
	else
		ok "every config keyword in opennhrp.conf.5 (Ic)"
	fi
fi

for list in "$man"/keywords/*.list; do
	[ -f "$list" ] || continue
	name=$(basename "$list" .list)
	page=
	for p in "$man/$name".[1-9]; do
		[ -f "$p" ] && page=$p
	done
	if [ -z "$page" ]; then
		not_ok "keywords/$name.list: no page man/$name.N"
		continue
	fi
	text "$page" >"$tmp/words"
	flat "$page" >"$tmp/flat"
	: >"$tmp/missing"
	sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$list" |
	while IFS= read -r entry; do
		[ -n "$entry" ] || continue
		case $entry in
		*' '*)	grep -F -q -- "$entry" "$tmp/flat" ;;
		*)	grep -F -x -q -- "$entry" "$tmp/words" ;;
		esac || echo "$entry" >>"$tmp/missing"
	done
	if [ -s "$tmp/missing" ]; then
		not_ok "every entry of keywords/$name.list in $(basename "$page")" \
		    "$tmp/missing"
	else
		ok "every entry of keywords/$name.list in $(basename "$page")"
	fi
done

echo "1..$n"
[ $failed -eq 0 ]

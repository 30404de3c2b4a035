#!/bin/sh
# ctl.sh - opennhrpctl: usage, exit codes, -a anywhere, the exact request
# bytes, verbatim replies, and the real admin socket end to end
# (behaviour spec 1.3; CTL-01, CTL-02, CTL-03).  TAP output.

: "${top_builddir:=.}"
CTL=$top_builddir/nhrp/opennhrpctl
SRV=$top_builddir/tests/admin/ctl_server

T=$(mktemp -d "${TMPDIR:-/tmp}/nhrp-ctl.XXXXXX") || exit 99
cleanup() {
	if [ -s "$T/admin.pid" ]; then
		kill "$(cat "$T/admin.pid")" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
notok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
}
# check DESCRIPTION COMMAND...: ok when COMMAND succeeds
check() {
	d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}
# same FILE TEXT: FILE holds exactly TEXT (printf format)
same() {
	printf '%b' "$2" > "$T/want"
	if cmp -s "$1" "$T/want"; then
		return 0
	fi
	echo "# got:"; od -c "$1" | sed 's/^/#   /' | head -20
	echo "# expected:"; od -c "$T/want" | sed 's/^/#   /' | head -20
	return 1
}
# run ARGS...: runs opennhrpctl, status in $rc, output in $T/out, $T/err
run() {
	"$CTL" "$@" > "$T/out" 2> "$T/err"
	rc=$?
}

S=$T/s.sock

# --- usage (CTL-01) ---------------------------------------------------
run
check "no words: exit 1" [ "$rc" = 1 ]
check "no words: usage on stderr" \
    same "$T/err" "usage: $CTL [-a admin-socket] <command>\n"
check "no words: nothing on stdout" [ ! -s "$T/out" ]

run -a "$S"
check "-a only: usage, exit 1" [ "$rc" = 1 ]
check "-a only: usage text" \
    same "$T/err" "usage: $CTL [-a admin-socket] <command>\n"

for opt in -x -h -- -A -v; do
	run "$opt" show
	check "$opt: usage, exit 1" [ "$rc" = 1 ]
	check "$opt: usage text" \
	    same "$T/err" "usage: $CTL [-a admin-socket] <command>\n"
done
run show -a
check "-a without a value: usage, exit 1" [ "$rc" = 1 ]
run show -z
check "-z after the words: usage, exit 1" [ "$rc" = 1 ]

# --- connect failure (CTL-03) ------------------------------------------
run -a "$T/nope" show
check "no daemon: exit 1" [ "$rc" = 1 ]
check "no daemon: message and blank line" same "$T/err" \
    "Failed to connect to opennhrp daemon [$T/nope]: No such file or directory.\n\n"
check "no daemon: nothing on stdout" [ ! -s "$T/out" ]
: > "$T/notsock"
run -a "$T/notsock" show
check "not a socket: exit 1" [ "$rc" = 1 ]
check "not a socket: message" same "$T/err" \
    "Failed to connect to opennhrp daemon [$T/notsock]: Connection refused.\n\n"

# The default path is the configured one.
defpath=$(sed -n 's/^#define NHRP_ADMIN_SOCKET "\(.*\)"$/\1/p' \
    "$top_builddir/config.h")
if [ -n "$defpath" ] && [ ! -e "$defpath" ]; then
	run show
	check "default socket path used" same "$T/err" \
	    "Failed to connect to opennhrp daemon [$defpath]: No such file or directory.\n\n"
else
	ok "default socket path used # SKIP $defpath exists"
fi

# --- exact request bytes, verbatim reply (CTL-02) -----------------------
# rawreq REPLY-TEXT ARGS...: serves one request with the fake server
rawreq() {
	printf '%b' "$1" > "$T/reply"
	shift
	rm -f "$T/req"
	"$SRV" raw "$S" "$T/req" "$T/reply" || return 1
	run "$@"
}

rawreq 'Status: ok\n\n' -a "$S" cache show nbma 1.2.3.4
check "request: words joined + newline" same "$T/req" \
    'cache show nbma 1.2.3.4\n'
check "request: exit 0" [ "$rc" = 0 ]
check "request: reply verbatim" same "$T/out" 'Status: ok\n\n'
check "request: nothing on stderr" [ ! -s "$T/err" ]

rawreq 'x' cache -a "$S" show
check "-a between words" same "$T/req" 'cache show\n'
rawreq 'x' show nbma 1.2.3.4 -a "$S"
check "-a at the end" same "$T/req" 'show nbma 1.2.3.4\n'
rawreq 'x' -a "$T/other" show -a "$S"
check "-a twice: the last wins" same "$T/req" 'show\n'
rawreq 'x' -a "$S" show "nbma  1.2.3.4" "" end
check "spaces inside an argument sent verbatim" same "$T/req" \
    'show nbma  1.2.3.4  end\n'
rawreq 'x' -a "$S" "" show
check "empty first word keeps its separator" same "$T/req" ' show\n'
rawreq 'x' -a "$S" -abc - show
check "3-char option and lone dash are words" same "$T/req" '-abc - show\n'

rawreq 'Status: failed\nReason: syntax-error\nNear-Keyword: '"'"'foo'"'"'\n' \
    -a "$S" show foo 1.2.3.4
check "failed status: exit 0" [ "$rc" = 0 ]
check "failed status: reply verbatim" same "$T/out" \
    'Status: failed\nReason: syntax-error\nNear-Keyword: '"'"'foo'"'"'\n'

rawreq '' -a "$S" flush
check "empty reply: exit 0" [ "$rc" = 0 ]
check "empty reply: no output" [ ! -s "$T/out" ]

long=$(printf '%02000d' 0)
rawreq 'x' -a "$S" show "$long"
check "long request sent whole (no 1023-byte cut)" same "$T/req" \
    "show $long\n"

# --- receive error (CTL-03) --------------------------------------------
"$SRV" reset "$S"
run -a "$S" show
check "reset by server: exit 2" [ "$rc" = 2 ]
check "reset by server: message" grep -q '^Failed to send request: .*\.$' \
    "$T/err"

# --- closed stdout ---------------------------------------------------------
"$SRV" big "$S" 4000000
{ "$CTL" -a "$S" show 2> "$T/err"; echo $? > "$T/rc"; } | head -c 10 \
    > "$T/out"
check "reader gone (| head): exit 0" [ "$(cat "$T/rc")" = 0 ]
check "reader gone: no error text" [ ! -s "$T/err" ]
check "reader gone: head got its bytes" same "$T/out" 'xxxxxxxxxx'
"$SRV" big "$S" 4000000
run -a "$S" show
check "big reply copied whole" [ "$(wc -c < "$T/out")" -eq 4000000 ]

# --- the real admin socket ---------------------------------------------
if "$SRV" admin "$S" "$T/admin.pid"; then
	run -a "$S" Cache Show nbma 1.2.3.4 local-nbma 5.6.7.8
	check "admin: exit 0" [ "$rc" = 0 ]
	check "admin: dispatched" same "$T/out" \
	    'Status: ok\ncmd=show args=[ nbma 1.2.3.4 local-nbma 5.6.7.8]\n'
	run -a "$S" bogus
	check "admin: unrecognized, exit 0" [ "$rc" = 0 ]
	check "admin: unrecognized text" same "$T/out" \
	    'Status: error\nReason: unrecognized command\n'
	run -a "$S" cache lowerdown
	check "admin: lowerdown" same "$T/out" \
	    'Status: ok\ncmd=cache lowerdown args=[]\n'
	# 5 + 505 + newline = 511 bytes: served; one more byte: no reply
	a505=$(printf '%0505d' 0)
	run -a "$S" show "$a505"
	check "admin: 511-byte request served" same "$T/out" \
	    "Status: ok\ncmd=show args=[ $a505]\n"
	run -a "$S" show "${a505}0"
	check "admin: 512-byte request, no reply" [ ! -s "$T/out" ]
	run -a "$S" show
	check "admin: still serving" same "$T/out" 'Status: ok\ncmd=show args=[]\n'
	kill "$(cat "$T/admin.pid")"
	i=0
	while [ -e "$S" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check "admin: socket removed at shutdown" [ ! -e "$S" ]
	: > "$T/admin.pid"
else
	notok "admin: server started"
fi

echo "1..$n"
[ "$failed" = 0 ]

#!/bin/sh
# example-script.sh - the shipped scripts/opennhrp-script runs the
# expected commands for every event (TAP).  ip, logger and swanctl are
# stubs that log their arguments; nothing touches the system.

: "${top_srcdir:=.}"
script="$top_srcdir/scripts/opennhrp-script"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/example-script.XXXXXX") || exit 99
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
		[ -f "$f" ] && sed 's/^/#   /' "$f"
	done
}
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

mkdir "$tmp/bin"
for cmd in ip logger swanctl; do
	cat > "$tmp/bin/$cmd" <<STUB
#!/bin/sh
echo "$cmd \$*" >> "$tmp/log"
if [ "$cmd \$1 \$2" = "ip -o -4" ]; then
	echo "198.51.100.3 from 192.0.2.1 via 192.0.2.254 dev eth0 uid 0 \\\\    cache "
fi
[ -e "$tmp/fail.$cmd" ] && exit 2
exit 0
STUB
	chmod 755 "$tmp/bin/$cmd"
done

# run SCRIPT EVENT VAR=value...: the log and the exit status
run() {
	s=$1
	ev=$2
	shift 2
	: > "$tmp/log"
	env -i PATH="$tmp/bin:/usr/bin:/bin" "$@" "$s" "$ev" \
	    > "$tmp/out" 2>&1
	echo $? > "$tmp/rc"
}

# check NAME RC EXPECTED-LOG
check() {
	printf '%s' "$3" > "$tmp/expect"
	[ -n "$3" ] && echo >> "$tmp/expect"
	echo "$2" > "$tmp/rc.expect"
	if cmp -s "$tmp/log" "$tmp/expect" && cmp -s "$tmp/rc" "$tmp/rc.expect"
	then
		ok "$1"
	else
		{
			echo "exit $(cat "$tmp/rc"), expected $2; log:"
			cat "$tmp/log" "$tmp/out"
			echo "expected:"
			cat "$tmp/expect"
		} > "$tmp/diag"
		not_ok "$1" "$tmp/diag"
	fi
}

if sh -n "$script"; then ok "sh -n"; else not_ok "sh -n"; fi
if command -v checkbashisms >/dev/null 2>&1; then
	if checkbashisms "$script" > "$tmp/cb" 2>&1; then
		ok "checkbashisms"
	else
		not_ok "checkbashisms" "$tmp/cb"
	fi
else
	skip "checkbashisms" "not installed"
fi
if command -v shellcheck >/dev/null 2>&1; then
	if shellcheck -s sh "$script" > "$tmp/sc" 2>&1; then
		ok "shellcheck -s sh"
	else
		not_ok "shellcheck -s sh" "$tmp/sc"
	fi
else
	skip "shellcheck" "not installed"
fi
if [ -x "$script" ]; then ok "executable"; else not_ok "executable"; fi

peer="NHRP_TYPE=dynamic NHRP_SRCADDR=10.255.255.1 NHRP_SRCNBMA=192.0.2.1
NHRP_DESTADDR=10.255.255.3 NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.3
NHRP_INTERFACE=gre1 NHRP_GRE_KEY=0"
route="NHRP_TYPE=shortcut-route NHRP_DESTADDR=192.168.3.0
NHRP_DESTPREFIX=24 NHRP_NEXTHOP=10.255.255.3 NHRP_INTERFACE=gre1
NHRP_GRE_KEY=0"

run "$script" interface-up NHRP_TYPE=INTERFACE NHRP_INTERFACE=gre1 NHRP_GRE_KEY=7
check "interface-up flushes proto 42 routes and neighbours" 0 \
"ip route flush proto 42 dev gre1
ip neigh flush dev gre1"

# shellcheck disable=SC2086
run "$script" peer-register $peer
check "peer-register accepts" 0 ""

# shellcheck disable=SC2086
run "$script" peer-up $peer
check "peer-up without MTU does nothing" 0 ""

# shellcheck disable=SC2086
run "$script" peer-up $peer NHRP_DESTMTU=1400
check "peer-up installs the MTU route towards the NBMA address" 0 \
"ip -o -4 route get 198.51.100.3 from 192.0.2.1
ip route replace 198.51.100.3/32 proto 42 mtu 1400 dev eth0 via 192.0.2.254"

# shellcheck disable=SC2086
run "$script" peer-down $peer NHRP_DESTMTU=1400 NHRP_PEER_DOWN_REASON=expired
check "peer-down removes the MTU route" 0 \
"ip route del 198.51.100.3/32 proto 42"

# shellcheck disable=SC2086
run "$script" route-up $route
check "route-up replaces the shortcut route" 0 \
"ip route replace 192.168.3.0/24 proto 42 via 10.255.255.3 dev gre1 table main"

: > "$tmp/fail.ip"
# shellcheck disable=SC2086
run "$script" route-up $route
check "route-up fails when ip fails" 1 \
"ip route replace 192.168.3.0/24 proto 42 via 10.255.255.3 dev gre1 table main"
rm -f "$tmp/fail.ip"

# shellcheck disable=SC2086
run "$script" route-down $route NHRP_PEER_DOWN_REASON=expired
check "route-down deletes the shortcut route" 0 \
"ip route del 192.168.3.0/24 proto 42 table main"

# shellcheck disable=SC2086
run "$script" nhs-up $peer
check "nhs-up logs" 0 \
"logger -t opennhrp-script -p daemon.notice -- nhs-up 10.255.255.3 (nbma 198.51.100.3) on gre1"

run "$script" some-future-event NHRP_TYPE=static
check "unknown events are accepted" 0 ""

# the commented IPsec part, switched on
sed 's/^#IPSEC_CONN=/IPSEC_CONN=/' "$script" > "$tmp/ipsec-script"
chmod 755 "$tmp/ipsec-script"
# shellcheck disable=SC2086
run "$tmp/ipsec-script" peer-up $peer
check "peer-up initiates IPsec" 0 \
"swanctl --initiate --child dmvpn-198.51.100.3 --timeout 15"

: > "$tmp/fail.swanctl"
# shellcheck disable=SC2086
run "$tmp/ipsec-script" peer-up $peer
check "peer-up fails when IPsec fails" 1 \
"swanctl --initiate --child dmvpn-198.51.100.3 --timeout 15
logger -t opennhrp-script -p daemon.notice -- peer-up 10.255.255.3: IPsec to 198.51.100.3 failed"
rm -f "$tmp/fail.swanctl"

# shellcheck disable=SC2086
run "$tmp/ipsec-script" peer-down $peer NHRP_PEER_DOWN_REASON=user-request
check "peer-down terminates IPsec" 0 \
"swanctl --terminate --ike dmvpn-198.51.100.3 --force"

# shellcheck disable=SC2086
run "$tmp/ipsec-script" peer-down $peer NHRP_PEER_DOWN_REASON=lower-down
check "peer-down after lower-down leaves IPsec alone" 0 ""

echo "1..$n"
[ "$failed" -eq 0 ]

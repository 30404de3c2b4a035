#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 26-malformed: an authentication-configured hub and spoke, and an
# injector node "x" (no daemon) that sends crafted NHRP packets to the hub
# with tests/netns/pktio: truncated, bad checksum, unknown compulsory
# extension 0x7fff, 200 extensions, wrong and missing authentication,
# garbage, hop count 0 in transit.  The hub must keep serving, answer with
# the Error Indications RFC 2332 asks for (captured on x), register a
# well-formed packet afterwards, and keep the real spoke registered.
# The whole WAN is captured: every NHRP packet the hub and s2 sent decodes
# cleanly in tshark (x's crafted ones are decoded, not judged).
#
#   hub   gre1 10.255.255.1  eth0 198.51.100.1   cisco-authentication secret12
#   s2    gre1 10.255.255.2  eth0 198.51.100.2   map 10.255.255.1/24 hub register
#   x     gre1 10.255.255.9  eth0 198.51.100.9   injector

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

nhrp_have_daemon || bail_out "no daemon built at $NHRP_DAEMON"
[ -x "$PKTIO" ] || bail_out "no pktio at $PKTIO"

nhrp_add_node hub 1
nhrp_add_node s2 2
nhrp_add_node x 9

check "capture on the WAN bridge" nhrp_capture_start wan br0
nhrp_capture_from wan br0 hub s2

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 60
	cisco-authentication secret12
CONF
nhrp_conf s2 <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	cisco-authentication secret12
	holding-time 30
CONF

# ---- packet builder -------------------------------------------------------

hexip() {
	local IFS=. a b c d
	read -r a b c d <<<"$1"
	printf '%02x%02x%02x%02x' "$a" "$b" "$c" "$d"
}

# RFC 1071 checksum of a hex string (odd length padded with a zero byte)
cksum_hex() {
	local h=$1 sum=0 i
	((${#h} % 4)) && h="${h}00"
	for ((i = 0; i < ${#h}; i += 4)); do
		sum=$((sum + 16#${h:i:4}))
	done
	while ((sum >> 16)); do
		sum=$(((sum & 0xffff) + (sum >> 16)))
	done
	printf '%04x' $((~sum & 0xffff))
}

# cie CODE PREFIX HOLD NBMA PROTO
cie() {
	printf '%02x%02x00000000%04x04000400%s%s' "$1" "$2" "$3" \
	    "$(hexip "$4")" "$(hexip "$5")"
}

# ext TYPE HEXVALUE  (TYPE includes the compulsory bit)
ext() {
	printf '%04x%04x%s' "$1" $((${#2} / 2)) "$2"
}

AUTH=$(ext 0x8007 "00000001$(printf secret12 | od -An -tx1 | tr -d ' \n')")

# pkt TYPE FLAGS REQID SRC_NBMA SRC_PROTO DST_PROTO CIES EXTS [HOP]
# prints the packet in hex with sizes, extension offset and checksum set;
# EXTS (may be empty) gets the End extension appended
pkt() {
	local type=$1 flags=$2 id=$3 sn=$4 sp=$5 dp=$6 cies=$7 exts=$8 hop=${9:-16}
	local mand body hdr p total off=0
	mand=$(printf '0404%04x%08x%s%s%s%s' "$flags" "$id" "$(hexip "$sn")" \
	    "$(hexip "$sp")" "$(hexip "$dp")" "$cies")
	body=$((20 + ${#mand} / 2))
	exts="${exts}80000000"
	off=$body
	total=$((body + ${#exts} / 2))
	hdr=$(printf '000108000000000000%02x%04x0000%04x01%02x0400' "$hop" \
	    "$total" "$off" "$type")
	p="$hdr$mand$exts"
	echo "${p:0:24}$(cksum_hex "$p")${p:28}"
}

# fixck HEX: HEX with its checksum recomputed
fixck() {
	local z="${1:0:24}0000${1:28}"
	echo "${1:0:24}$(cksum_hex "$z")${1:28}"
}

# a Registration Request from x for ADDR (unique, NAT extension), with EXTS
# in front of the standard ones
regreq() {
	local addr=$1 extra=${2:-} id=${3:-1}
	pkt 3 0x8002 "$id" 198.51.100.9 "$addr" 10.255.255.1 \
	    "$(cie 0 255 60 198.51.100.9 "$addr")" \
	    "${extra}$(ext 0x8004 '')$(ext 0x8005 '')$(ext 0x8003 '')$(ext 0x0009 '')"
}

# inject HEX: x sends HEX to the hub's NBMA on gre1
inject() {
	x "$PKTIO" send gre1 198.51.100.1 "$1"
}

# inject_expect NAME HEX TYPE [CODE]: inject HEX while x listens; the first
# NHRP packet back must have type TYPE (and error/CIE code CODE)
inject_expect() {
	local name=$1 hex=$2 type=$3 code=${4:-} log data pid
	nhrp_bg x "$PKTIO" recv gre1 10 1
	pid=$BG_PID log=$BG_LOG
	poll 20 grep -q '^ready' "$log" || { echo "pktio recv did not start"; return 1; }
	inject "$hex" || return 1
	wait "$pid" || { echo "no answer to $name"; cat "$log"; return 1; }
	data=$(sed -n 's/.* data //p' "$log")
	cp "$log" "$RUNDIR/answer-$name.log"
	[ "${data:34:2}" = "$(printf %02x "$type")" ] ||
	    { echo "answer type ${data:34:2}, want $type: $data"; return 1; }
	[ -z "$code" ] && return 0
	if [ "$type" = 7 ]; then
		# Error Indication: error code at bytes 24-25
		[ "$((16#${data:48:4}))" = "$code" ] ||
		    { echo "error code $((16#${data:48:4})), want $code"; return 1; }
	else
		# Registration Reply: first CIE code right after the mandatory part
		[ "$((16#${data:80:2}))" = "$code" ] ||
		    { echo "CIE code $((16#${data:80:2})), want $code"; return 1; }
	fi
}

# inject_silent NAME HEX: nothing comes back within 3 s
inject_silent() {
	local name=$1 hex=$2 log pid
	nhrp_bg x "$PKTIO" recv gre1 3 1
	pid=$BG_PID log=$BG_LOG
	poll 20 grep -q '^ready' "$log" || { echo "pktio recv did not start"; return 1; }
	inject "$hex" || return 1
	if wait "$pid"; then
		echo "unexpected answer to $name:"
		cat "$log"
		return 1
	fi
	return 0
}

ctl() {
	"$NHRP_CTL" -a "$(nhrp_sock "$1")" "${@:2}"
}

hub_has() {
	ctl hub show | tr '\n' '|' | grep -q \
	    "Type: dynamic|Protocol-Address: $1/32|NBMA-Address: ${2:-[0-9.]*}|Flags: [a-z ]*up|"
}

# ---- the run ------------------------------------------------------------------

check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
check "s2 starts" nhrp_start s2 "$RUNDIR/s2.conf" -v
wait_for 40 "hub: s2 registered with authentication" hub_has 10.255.255.2 198.51.100.2

GOOD=$(regreq 10.255.255.20 "$AUTH" 20)
check "builder: a well-formed request with auth is accepted (code 0)" \
    inject_expect good "$GOOD" 4 0
wait_for 10 "hub: 10.255.255.20 registered from the injector" \
    hub_has 10.255.255.20 198.51.100.9

# truncated: the good packet cut in the middle of its CIE
check "truncated packet: no answer" inject_silent truncated "${GOOD:0:90}"
# bad checksum: flip the checksum
BAD=$(regreq 10.255.255.21 "$AUTH" 21)
BAD="${BAD:0:24}$(printf %04x $(((16#${BAD:24:4} + 1) & 0xffff)))${BAD:28}"
check "bad checksum: dropped silently" inject_silent badcksum "$BAD"
check_fail "bad checksum: nothing registered" hub_has 10.255.255.21
# unknown compulsory extension 0x7fff: Error Indication 1 (Unrecognized Extension)
check "extension 0x7fff with the compulsory bit: Error Indication 1" \
    inject_expect compulsory "$(regreq 10.255.255.22 "$AUTH$(ext 0xffff 61626364)" 22)" 7 1
check_fail "compulsory extension: nothing registered" hub_has 10.255.255.22
# 200 non-compulsory vendor extensions (types 0x1000..0x10c7), then auth
many=
for ((i = 0; i < 200; i++)); do
	many+=$(ext $((0x1000 + i)) '')
done
check "200 unknown non-compulsory extensions: accepted (code 0)" \
    inject_expect many "$(regreq 10.255.255.23 "$many$AUTH" 23)" 4 0
wait_for 10 "hub: 10.255.255.23 registered from the 200-extension packet" \
    hub_has 10.255.255.23
# authentication
WRONG=$(ext 0x8007 "00000001$(printf secret13 | od -An -tx1 | tr -d ' \n')")
check "wrong secret: Error Indication 11 (Authentication Failure)" \
    inject_expect wrongauth "$(regreq 10.255.255.24 "$WRONG" 24)" 7 11
check "missing authentication: Error Indication 11" \
    inject_expect noauth "$(regreq 10.255.255.25 '' 25)" 7 11
check_fail "bad authentication: nothing registered" \
    bash -c "$NHRP_CTL -a $(nhrp_sock hub) show | grep -Eq 'Protocol-Address: 10.255.255.2[45]/'"
check "hub: bad authentication logged" \
    grep -q "Dropping packet from 198.51.100.9 with bad authentication" "$(nhrp_log hub)"
# garbage
check "garbage (64 random bytes): no answer" \
    inject_silent garbage "$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n')"
check "garbage (1 byte): no answer" inject_silent byte 00
check "garbage (version 2 header): no answer" \
    inject_silent version "$(fixck "$(regreq 10.255.255.26 "$AUTH" 26 |
	sed 's/^\(.\{32\}\)01/\102/')")"
# a Resolution Request for an unknown destination in transit with hop 0:
# Error Indication 15 (Hop Count Exceeded)
check "transit packet with hop count 0: Error Indication 15" \
    inject_expect hop0 "$(pkt 1 0xc002 27 198.51.100.9 10.255.255.9 10.255.255.77 \
	"$(cie 0 0 60 0.0.0.0 0.0.0.0)" "$AUTH$(ext 0x8004 '')$(ext 0x8005 '')$(ext 0x8003 '')" 0)" 7 15
# a reply nobody asked for: Error Indication 10 (Invalid Resolution Reply)
check "unsolicited Resolution Reply: Error Indication 10" \
    inject_expect unsolicited "$(pkt 2 0xd002 99 198.51.100.9 10.255.255.1 10.255.255.9 \
	"$(cie 0 32 60 198.51.100.9 10.255.255.9)" "$AUTH$(ext 0x8004 '')$(ext 0x8005 '')$(ext 0x8003 '')")" 7 10

check "hub alive after the injections" nhrp_alive hub
check "hub: show still works" bash -c "$NHRP_CTL -a $(nhrp_sock hub) show | grep -qx 'Status: ok'"
check "a well-formed registration still succeeds afterwards" \
    inject_expect good2 "$(regreq 10.255.255.28 "$AUTH" 28)" 4 0
wait_for 10 "hub: 10.255.255.28 registered" hub_has 10.255.255.28
check "hub: s2 still registered" hub_has 10.255.255.2 198.51.100.2
check "hub: malformed packets logged as such" \
    grep -q "Failed to unmarshall packet from 198.51.100.9" "$(nhrp_log hub)"
check "hub: bad checksum logged" \
    grep -q "Bad checksum in packet from 198.51.100.9" "$(nhrp_log hub)"

check "s2 exits 0 on SIGTERM" nhrp_stop s2 TERM 30
check "hub exits 0 on SIGTERM" nhrp_stop hub TERM 30
check "every NHRP packet the hub and s2 sent decodes cleanly (tshark)" \
    nhrp_capture_check wan br0
tap_done

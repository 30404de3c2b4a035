#!/bin/sh
# tshark-check.sh - Wireshark cross-check of the codec's output (TAP).
#
# tshark_gen builds one packet of every type (CIEs, Cisco NAT extension,
# authentication, transit records, Error Indications with the offending
# packet and the 16 bytes of padding, a Traffic Indication, a
# vendor-private extension) into a pcap; tshark must decode every field as
# built, find every checksum good, and report nothing malformed and no
# expert warning except the two complaints it makes about every Error
# Indication (also about upstream's, see tests/data/captures/README.md s4):
# "Extensions not allowed per RFC2332 section 5.2.7" and
# "Unknown Data (16 bytes)".
set -u
: "${top_builddir:=.}"
: "${TSHARK:=}"
if [ -z "$TSHARK" ]; then
	TSHARK=$(command -v tshark 2>/dev/null || true)
fi
if [ -z "$TSHARK" ] || [ ! -x "$TSHARK" ]; then
	echo "1..0 # SKIP tshark not found"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tshark-check.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
pcap=$tmp/codec.pcap
# keep tshark away from the user's profile
HOME=$tmp
export HOME

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

if ! "$top_builddir/tests/codec/tshark_gen" "$pcap"; then
	echo "Bail out! tshark_gen failed"
	exit 1
fi

fields="frame.number nhrp.hdr.op.type nhrp.hdr.hopcnt nhrp.flags nhrp.reqid
nhrp.src.nbma.addr nhrp.src.prot.addr nhrp.dst.prot.addr
nhrp.hdr.chksum.status nhrp.err.code nhrp.code nhrp.prefix nhrp.mtu
nhrp.htime nhrp.client.nbma.addr nhrp.client.prot.addr nhrp.ext.type
nhrp.ext.c nhrp.auth_ext.spi nhrp.auth_ext.data nhrp.vendor_ext.id
nhrp.hdr.pktsz nhrp.hdr.extoff ip.src ip.dst"
args=""
for f in $fields; do
	args="$args -e $f"
done
# shellcheck disable=SC2086
"$TSHARK" -r "$pcap" -T fields -E separator='|' -E occurrence=a \
    -E aggregator=, $args > "$tmp/table" 2> "$tmp/err"
if [ ! -s "$tmp/table" ]; then
	echo "Bail out! tshark decoded nothing: $(head -c 300 "$tmp/err")"
	exit 1
fi

# check FRAME FIELD EXPECTED
check() {
	col=0
	i=0
	for f in $fields; do
		i=$((i + 1))
		[ "$f" = "$2" ] && col=$i
	done
	got=$(awk -F'|' -v fr="$1" -v c="$col" '$1 == fr { print $c }' \
	    "$tmp/table")
	if [ "$got" = "$3" ]; then
		ok "frame $1 $2 = $3"
	else
		notok "frame $1 $2 = '$got', expected '$3'"
	fi
}

nframes=$(wc -l < "$tmp/table")
if [ "$nframes" -eq 10 ]; then ok "10 frames"; else notok "10 frames ($nframes)"; fi

# every frame: checksum good (1), also the embedded ones
for fr in 1 2 3 4 5 6 8 10; do
	check $fr nhrp.hdr.chksum.status 1
done
check 7 nhrp.hdr.chksum.status 1,1
check 9 nhrp.hdr.chksum.status 1,1

# 1 Resolution Request
check 1 nhrp.hdr.op.type 1
check 1 nhrp.hdr.hopcnt 16
check 1 nhrp.flags 0xc002
check 1 nhrp.reqid 0x11223344
check 1 nhrp.src.nbma.addr 198.51.100.2
check 1 nhrp.src.prot.addr 10.255.255.2
check 1 nhrp.dst.prot.addr 192.168.3.10
check 1 nhrp.htime 30
check 1 nhrp.ext.type 0x0004,0x0005,0x0003,0x0009,0x0000
check 1 nhrp.ext.c 1,1,1,0,1
check 1 nhrp.hdr.pktsz 72
check 1 nhrp.hdr.extoff 52

# 2 Resolution Reply with transit, responder and NAT records
check 2 nhrp.hdr.op.type 2
check 2 nhrp.hdr.hopcnt 15
check 2 nhrp.flags 0xe002
check 2 nhrp.code 0,0,0,0,0
check 2 nhrp.prefix 24,0,0,0,0
check 2 nhrp.mtu 1400,0,0,0,0
check 2 nhrp.htime 7200,30,30,30,0
check 2 nhrp.client.nbma.addr \
    198.51.100.3,198.51.100.1,198.51.100.1,198.51.100.3,198.51.100.10
check 2 nhrp.client.prot.addr \
    10.255.255.3,10.255.255.1,10.255.255.1,10.255.255.3,10.255.255.3
check 2 nhrp.ext.type 0x0004,0x0005,0x0003,0x0009,0x0000

# 3 Registration Request with NAT CIE and authentication (odd length)
check 3 nhrp.hdr.op.type 3
check 3 nhrp.flags 0x8002
check 3 nhrp.reqid 0x00000001
check 3 nhrp.prefix 255,32
check 3 nhrp.htime 7200,0
check 3 nhrp.client.nbma.addr 198.51.100.1
check 3 nhrp.client.prot.addr 10.255.255.1
check 3 nhrp.ext.type 0x0004,0x0005,0x0003,0x0009,0x0007,0x0000
check 3 nhrp.ext.c 1,1,1,0,1,1
check 3 nhrp.auth_ext.spi 1
check 3 nhrp.auth_ext.data 657437
check 3 nhrp.hdr.pktsz 107

# 4 Registration Reply, code 14, NAT extension with two CIEs
check 4 nhrp.hdr.op.type 4
check 4 nhrp.code 14,0,0,0
check 4 nhrp.client.nbma.addr 198.51.100.1,198.51.100.1,198.51.100.10
check 4 nhrp.client.prot.addr 10.255.255.1,10.255.255.1,10.255.255.2
check 4 nhrp.auth_ext.data 65743738

# 5 Purge Request, N flag
check 5 nhrp.hdr.op.type 5
check 5 nhrp.flags 0x8000
check 5 nhrp.prefix 24
check 5 nhrp.client.prot.addr 192.168.2.0
check 5 nhrp.ext.type 0x0004,0x0005,0x0003,0x0000

# 6 Purge Reply
check 6 nhrp.hdr.op.type 6
check 6 nhrp.flags 0x0000
check 6 nhrp.prefix 24,32,0
check 6 nhrp.client.prot.addr 192.168.2.0,192.168.2.1,10.255.255.1

# 7 Error Indication: outer header, then the embedded Resolution Request
check 7 nhrp.hdr.op.type 7,1
check 7 nhrp.hdr.hopcnt 1,16
check 7 nhrp.err.code 6
check 7 nhrp.src.nbma.addr 198.51.100.1,198.51.100.2
check 7 nhrp.src.prot.addr 10.255.255.1,10.255.255.2
check 7 nhrp.dst.prot.addr 10.255.255.2,192.168.3.10
check 7 nhrp.reqid 0x11223344
check 7 nhrp.ext.type 0x0004,0x0005,0x0003,0x0009,0x0000,0x0004,0x0000
check 7 nhrp.hdr.pktsz 136,72

# 8 Traffic Indication with the original IP packet
check 8 nhrp.hdr.op.type 8
check 8 nhrp.hdr.hopcnt 1
check 8 nhrp.dst.prot.addr 192.168.2.10
check 8 ip.src 192.168.2.10
check 8 ip.dst 192.168.3.10
check 8 nhrp.ext.type 0x0004,0x0000
check 8 nhrp.hdr.pktsz 116
check 8 nhrp.hdr.extoff 108

# 9 Error Indication: Authentication Failure, with our own token
check 9 nhrp.hdr.op.type 7,1
check 9 nhrp.err.code 11
check 9 nhrp.ext.type 0x0004,0x0005,0x0003,0x0009,0x0000,0x0004,0x0007,0x0000
check 9 nhrp.auth_ext.data 65743738

# 10 Registration Request, FRR-like, vendor-private extension
check 10 nhrp.hdr.op.type 3
check 10 nhrp.flags 0x0002
check 10 nhrp.prefix 32
check 10 nhrp.mtu 1400
check 10 nhrp.ext.type 0x0004,0x0005,0x0003,0x0008,0x0000
check 10 nhrp.ext.c 1,1,1,0,1
check 10 nhrp.vendor_ext.id 12

# Nothing malformed, no expert warning, except on the two Error Indications
flagged=$("$TSHARK" -r "$pcap" -T fields -e frame.number \
    -Y '_ws.malformed || _ws.expert.severity >= warning' 2>/dev/null |
    tr '\n' ' ')
if [ "$flagged" = "7 9 " ]; then
	ok "only the Error Indications (7, 9) are flagged"
else
	notok "flagged frames: '$flagged', expected '7 9 '"
fi
"$TSHARK" -r "$pcap" -q -z expert 2>/dev/null |
    awk '/^ *[0-9]+ +[A-Za-z]+ +[A-Za-z0-9]+ +/ { $1 = $1; print }' |
    sort > "$tmp/expert"
cat > "$tmp/expert.want" <<'EOT'
2 Malformed NHRP Extensions not allowed per RFC2332 section 5.2.7
2 Malformed NHRP Unknown Data (16 bytes)
EOT
if cmp -s "$tmp/expert" "$tmp/expert.want"; then
	ok "expert info: exactly the two known Error Indication complaints"
else
	notok "expert info differs"
	sed 's/^/# /' "$tmp/expert"
fi
# and nothing else of any severity from the expert system
others=$("$TSHARK" -r "$pcap" -q -z expert 2>/dev/null |
    grep -E '^(Warnings|Notes|Chats|Comments) \(' || true)
if [ -z "$others" ]; then
	ok "no warnings, notes or chats"
else
	notok "expert: $others"
fi

echo "1..$n"
[ "$failed" -eq 0 ]

# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# tests/netns/wireshark.sh: capture a node's NHRP traffic during a test and
# check with Wireshark's dissector (tshark) that nothing OUR daemon sent is
# malformed or carries an expert warning or error. Source it after lib.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$(dirname "$0")/wireshark.sh"
#	nhrp_add_node hub 1 ...
#	nhrp_capture_start hub			# before the daemons start
#	...the scenario...
#	check "hub: every NHRP packet it sent decodes cleanly" \
#	    nhrp_capture_check hub
#
#   nhrp_capture_start NODE [IFACE]
#	dumpcap on NODE's IFACE (default eth0, kernel filter `ip proto 47`;
#	gre1 also works) into $RUNDIR/wire-NODE-IFACE.pcapng. Returns 1 when
#	dumpcap does not start.
#   nhrp_capture_check NODE [IFACE] [MIN]
#	stops that capture, decodes it ($RUNDIR/wire-NODE-IFACE.txt) and
#	fails unless at least MIN (default 1) NHRP packets sent by NODE were
#	seen and none of them is malformed or has an expert message of
#	severity warning or error. "Sent by NODE": on eth0 the outer IPv4
#	source is NODE's NBMA address (or one of nhrp_capture_from's
#	senders); on gre1 the cooked-capture packet type is "outgoing".
#	Packets other nodes sent (FRR's, injected ones) are decoded but not
#	judged. Prints one line per NHRP packet NODE sent (for the log) and
#	the offending expert messages on failure.
#	The one exception: an Error Indication (type 7) may carry exactly
#	"Extensions not allowed per RFC2332 section 5.2.7" and "Unknown Data
#	(16 bytes)": our Error Indications carry the Forward Transit
#	extension and 16 zero bytes after End as OpenNHRP and Cisco IOS do
#	(see doc/interop.md and captures/README.md s4); tshark 4.0 reads RFC
#	2332 5.2.7 strictly. Any other message on an Error Indication fails.
#   nhrp_capture_check NODE IFACE MIN EI_QUOTED_REGEX
#	as above, and also allows, on Error Indications only, expert
#	messages matching the extended regex EI_QUOTED_REGEX: an Error
#	Indication quotes the offending packet and tshark decodes (and
#	judges) the quoted packet too, so a test that injects a malformed
#	packet names what tshark will say about it (e.g. "Bad checksum").
#   nhrp_capture_check NODE IFACE MIN EI_QUOTED_REGEX ECHO_FILTER
#	as above, and also allows messages matching EI_QUOTED_REGEX on the
#	packets NODE sent that match the display filter ECHO_FILTER: answers
#	that carry bytes the test injected (a reply keeps the request's
#	extensions, unknown ones included: spec 6.6), so tshark
#	judges what the test wrote. Name them as narrowly as possible (e.g.
#	the source protocol address of one injected request).
#   nhrp_capture_from NODE IFACE SENDER...
#	judge, in the capture NODE/IFACE, the NHRP packets whose outer IPv4
#	source is one of SENDER (a node name: its NBMA address; or a dotted
#	IPv4 address) instead of NODE's own. For a capture of the whole WAN
#	(NODE "wan", IFACE br0: every node's GRE crosses that bridge once)
#	name every node that runs our daemon; name an address of its own for
#	a node that moves or sits behind NAT. With MIN >= 1, each SENDER must
#	have sent at least one NHRP packet too. Call it before the check.
#   nhrp_capture_frames NODE IFACE
#	stops that capture and prints how many frames it holds (a scenario
#	that must put no GRE on the wire checks for 0).
#   nhrp_capture_have	 dumpcap and tshark are installed
# TSHARK (make check sets it) overrides the tshark binary.

NHRP_TSHARK=${TSHARK:-tshark}
[ -n "$NHRP_TSHARK" ] || NHRP_TSHARK=tshark
declare -A WIRE_PID=() WIRE_FROM=()

nhrp_capture_have() {
	command -v dumpcap >/dev/null 2>&1 &&
	    command -v "$NHRP_TSHARK" >/dev/null 2>&1
}

_wire_file() {
	echo "$RUNDIR/wire-$1-$2"
}

_wire_started() {
	# dumpcap prints "Capturing on" once the socket is up
	grep -q 'Capturing on' "$1.dumpcap.log" 2>/dev/null
}

nhrp_capture_start() {
	local node=$1 ifc=${2:-eth0} ns f
	local -a filt=()
	ns=$(nhrp_ns "$node") || return 1
	nhrp_capture_have || { echo "dumpcap/tshark not installed"; return 1; }
	f=$(_wire_file "$node" "$ifc")
	rm -f "$f.pcapng" "$f.txt"
	[ "$ifc" = gre1 ] || filt=(-f "ip proto 47")
	ip netns exec "$ns" dumpcap -i "$ifc" "${filt[@]}" -w "$f.pcapng" \
	    >"$f.dumpcap.log" 2>&1 &
	WIRE_PID[$node/$ifc]=$!
	BG_PIDS+=("$!")
	if ! poll 30 _wire_started "$f"; then
		echo "dumpcap on $node/$ifc did not start:"
		cat "$f.dumpcap.log"
		return 1
	fi
	return 0
}

_wire_stop() {
	local key=$1 pid
	pid=${WIRE_PID[$key]:-}
	[ -n "$pid" ] || return 0
	kill -INT "$pid" 2>/dev/null
	poll 10 _nhrp_dead "$pid" || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "WIRE_PID[$key]"
}

# The verdict, from tshark's fields (one line per frame; tab separated;
# multi-valued fields joined with '|'):
#   frame, NHRP types (outer first), expert severities, expert messages
_wire_judge() {
	awk -F'\t' -v min="$1" -v quoted="${2:-}" -v from="${3:-}" \
	    -v echoes="${4:-}" '
	BEGIN {
		warn = 6291456		# PI_WARN (0x00600000)
		ei_ok["Extensions not allowed per RFC2332 section 5.2.7"] = 1
		ei_ok["Unknown Data (16 bytes)"] = 1
		n = 0; bad = 0
		nfrom = split(from, senders, " ")
		necho = split(echoes, e, " ")
		for (i = 1; i <= necho; i++)
			echo[e[i]] = 1
	}
	{
		split($2, src, "|")
		split($3, types, "|")
		nsev = split($4, sev, "|")
		split($5, msg, "|")
		n++
		sent[src[1]]++
		line = sprintf("frame %s type %s", $1, types[1])
		if (nfrom > 1)
			line = line " from " src[1]
		if ($1 in echo)
			line = line " (echoes injected bytes)"
		problems = ""
		for (i = 1; i <= nsev; i++) {
			if (sev[i] + 0 < warn)
				continue
			if (types[1] == 7 && (msg[i] in ei_ok))
				continue
			if ((types[1] == 7 || ($1 in echo)) && quoted != "" &&
			    msg[i] ~ quoted)
				continue
			problems = problems " [" msg[i] "]"
		}
		if (problems != "") {
			bad++
			print "BAD " line ":" problems
		} else
			print "ok  " line
	}
	END {
		print n " NHRP packets sent, " bad " with problems"
		if (n < min) {
			print "expected at least " min " packets"
			exit 1
		}
		for (i = 1; i <= nfrom && min > 0; i++) {
			if (sent[senders[i]] > 0)
				continue
			print "no NHRP packet from " senders[i]
			bad++
		}
		exit (bad > 0 ? 1 : 0)
	}'
}

nhrp_capture_check() {
	local node=$1 ifc=${2:-eth0} min=${3:-1} quoted=${4:-} echo=${5:-}
	local f sel a from echoes=
	f=$(_wire_file "$node" "$ifc")
	_wire_stop "$node/$ifc"
	[ -s "$f.pcapng" ] || { echo "no capture $f.pcapng"; return 1; }
	from=${WIRE_FROM[$node/$ifc]:-}
	if [ -n "$from" ]; then
		# the outer header's source (a Traffic Indication quotes an
		# IP packet: tshark decodes its header too)
		sel=
		for a in $from; do
			sel="$sel${sel:+ || }ip.src#1 == $a"
		done
		sel="nhrp && ($sel)"
	elif [ "$ifc" = gre1 ]; then
		sel="nhrp && sll.pkttype == 4"
	elif [ "$node" = wan ]; then
		echo "a capture of the whole WAN needs nhrp_capture_from"
		return 1
	else
		from=$(nhrp_nbma "$node")
		sel="nhrp && ip.src#1 == $from"
	fi
	# the full decode, for humans
	"$NHRP_TSHARK" -r "$f.pcapng" -V -Y nhrp >"$f.txt" 2>/dev/null
	if [ -n "$echo" ]; then
		echoes=$("$NHRP_TSHARK" -r "$f.pcapng" -Y "($sel) && ($echo)" \
		    -T fields -e frame.number 2>"$f.tshark.err" | tr '\n' ' ') ||
		    { cat "$f.tshark.err"; return 1; }
	fi
	"$NHRP_TSHARK" -r "$f.pcapng" -Y "$sel" -T fields -E separator=/t \
	    -E occurrence=a -E aggregator='|' -e frame.number -e ip.src \
	    -e nhrp.hdr.op.type -e _ws.expert.severity -e _ws.expert.message \
	    2>"$f.tshark.err" | _wire_judge "$min" "$quoted" "$from" "$echoes" |
	    tee "$f.verdict"
	return "${PIPESTATUS[1]}"
}

nhrp_capture_from() {
	local node=$1 ifc=$2 s list=
	shift 2
	for s in "$@"; do
		if [[ "$s" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
			list="$list $s"
		elif nhrp_ns "$s" >/dev/null && [ "$s" != wan ]; then
			list="$list $(nhrp_nbma "$s")"
		else
			echo "nhrp_capture_from: '$s' is neither a node nor an address"
			return 1
		fi
	done
	[ -n "$list" ] || { echo "nhrp_capture_from: no sender"; return 1; }
	WIRE_FROM[$node/$ifc]=${list# }
}

nhrp_capture_frames() {
	local f
	f=$(_wire_file "$1" "$2")
	_wire_stop "$1/$2"
	[ -s "$f.pcapng" ] || { echo "no capture $f.pcapng"; return 1; }
	"$NHRP_TSHARK" -r "$f.pcapng" -T fields -e frame.number 2>/dev/null |
	    wc -l
}

# Stop captures still running when the test ends (lib.sh's cleanup kills
# background jobs too, but dumpcap should flush its file first).
_wire_cleanup() {
	local k
	for k in "${!WIRE_PID[@]}"; do
		_wire_stop "$k"
	done
}

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 34-kernel-misc: kernel-facing odds and ends, end to end.
#  - CLI-07: exit 5 (kernel interface: no CAP_NET_RAW for the packet
#    socket) and exit 8 (daemonize: /dev/null cannot be opened), each
#    leaving no pid file and no admin socket behind. Exit 7 is not used
#    (opennhrp(8)); exit 3 cannot be provoked without fault injection.
#  - KRN-07: s4's gre1 has no local and no link: its own NBMA towards the
#    hub is the route's preferred source (198.51.100.104, not the
#    interface's primary 198.51.100.4), seen in NHRP_SRCNBMA, in the hub's
#    binding (no NAT detected) and by the local-nbma selector (CTL-20).
#  - CTL-16: update nbma moves s4's dynamic-nhs entry (inside its prefix
#    only).
#  - MC-03: "multicast 10.255.255.2" on the hub copies its multicast to s2
#    only.
#  - RDR-05: s2 ignores a Traffic Indication whose original source is not
#    one of its local entries (no Resolution Request follows), and acts on
#    the same indication about its own address.
#  - KRN-09: deleting s2's gre1 clears it in interface show; re-creating it
#    (with another key) runs interface-up again with the new key.
#
#   hub   gre1 10.255.255.1  eth0 198.51.100.1   multicast 10.255.255.2
#   s2    gre1 10.255.255.2  eth0 198.51.100.2   map 10.255.255.1/24 198.51.100.1 register, shortcut
#   s4    gre1 10.255.255.4  eth0 198.51.100.4 + .104 (gre1 without local)
#                                                dynamic-map 10.255.255.0/24 198.51.100.1
#   x     gre1 10.255.255.9  eth0 198.51.100.9   injector, CLI runs (no daemon)
#
# The whole WAN is captured: every NHRP packet hub, s2 and s4 (from
# 198.51.100.104, the only address it sends from) sent decodes cleanly in
# tshark. x is not judged: its NHRP packets are the two crafted Traffic
# Indications, and its CLI-07 daemons exit before sending anything (checked:
# exactly 2 NHRP packets from x, none from s4's primary 198.51.100.4).

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

nhrp_have_daemon || bail_out "no daemon built at $NHRP_DAEMON"
[ -x "$PKTIO" ] || bail_out "no pktio at $PKTIO"
PROBE="${CAPTURE_PROBE:-$top_builddir/tests/sysdep/capture-probe}"
[ -x "$PROBE" ] || make -C "$top_builddir" tests/sysdep/capture-probe >&2 ||
    bail_out "no $PROBE"

nhrp_add_node hub 1
nhrp_add_node s2 2
nhrp_add_node s4 4 --no-gre
nhrp_add_node x 9

# s4: GRE without local/link; the hub is reached from a secondary address
s4 ip addr add 198.51.100.104/24 dev eth0
s4 ip route add 198.51.100.1/32 dev eth0 src 198.51.100.104
s4 ip tunnel add gre1 mode gre key "$NHRP_GRE_KEY" ttl 64 ||
    bail_out "cannot create s4's gre1"
s4 ip addr add 10.255.255.4/24 dev gre1
s4 ip link set gre1 up

check "capture on the WAN bridge" nhrp_capture_start wan br0
nhrp_capture_from wan br0 hub s2 198.51.100.104

nhrp_conf hub <<'CONF'
interface gre1
	holding-time 60
	multicast 10.255.255.2
CONF
nhrp_conf s2 <<'CONF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 60
	shortcut
CONF
nhrp_conf s4 <<'CONF'
interface gre1
	dynamic-map 10.255.255.0/24 198.51.100.1
	holding-time 60
CONF
nhrp_conf x <<'CONF'
interface gre1
	holding-time 60
CONF

# ---- CLI-07: exit codes 5 and 8 ----------------------------------------------
# run_x OUT CMD...: a daemon in x, with its files in $RUNDIR/cli-*
run_x() {
	local out=$1
	shift
	rm -f "$RUNDIR/cli.pid" "$SOCKDIR/cli.sock"
	x timeout 30 "$@" -c "$RUNDIR/x.conf" -a "$SOCKDIR/cli.sock" \
	    -p "$RUNDIR/cli.pid" -s "$RUNDIR/x.hook" >"$RUNDIR/$out" 2>&1
}
left_nothing() {
	[ ! -e "$RUNDIR/cli.pid" ] && [ ! -e "$SOCKDIR/cli.sock" ]
}
run_x cli5.log setpriv --bounding-set -net_raw --inh-caps -net_raw \
    "$NHRP_DAEMON"
rc=$?
check "CLI-07: no CAP_NET_RAW (kernel interface): exit 5 ($rc)" test $rc = 5
check "CLI-07: ... with the kernel interface message" \
    grep -q "Failed to initialize kernel interface" "$RUNDIR/cli5.log"
check "CLI-07: ... no pid file or admin socket left" left_nothing
: >"$RUNDIR/null"
run_x cli8.log unshare -m bash -c "mount --bind $RUNDIR/null /dev/null &&
	mount -o remount,bind,ro /dev/null && exec \"\$0\" -d \"\$@\"" \
    "$NHRP_DAEMON"
rc=$?
check "CLI-07: -d without a usable /dev/null (daemonize): exit 8 ($rc)" \
    test $rc = 8
check "CLI-07: ... with the daemonize message" \
    grep -q "Failed to daemonize. Exit." "$RUNDIR/cli8.log"
check "CLI-07: ... no pid file or admin socket left" left_nothing

# ---- start -----------------------------------------------------------------
block() {	# block NODE ARGS...: one line per block, fields "|"-separated
	local node=$1
	shift
	nhrp_ctl "$node" "$@" | awk 'BEGIN { RS = ""; FS = "\n" }
	    NR > 1 { s = $1; for (i = 2; i <= NF; i++) s = s "|" $i; print s "|" }'
}
has() {		# has NODE PATTERN: a show block matches
	block "$1" show | grep -q -- "$2"
}
count() {	# count NODE ARGS...: blocks in the output
	nhrp_ctl "$@" | grep -c '^Type:'
}
check "hub starts" nhrp_start hub "$RUNDIR/hub.conf" -v
check "s2 starts" nhrp_start s2 "$RUNDIR/s2.conf" -v
check "s4 starts" nhrp_start s4 "$RUNDIR/s4.conf" -v
wait_for 40 "hub: s2 registered" \
    has hub "Type: dynamic|Protocol-Address: 10.255.255.2/32|NBMA-Address: 198.51.100.2|Flags: [a-z ]*up|"

# ---- KRN-07 / CTL-20 ----------------------------------------------------------
wait_for 40 "KRN-07: hub: s4 registered from the route's preferred source" \
    has hub "Type: dynamic|Protocol-Address: 10.255.255.4/32|NBMA-Address: 198.51.100.104|Flags: [a-z ]*up|"
check "KRN-07: hub: ... which s4 also claimed (no NAT detected)" \
    bash -c "! $NHRP_CTL -a $(nhrp_sock hub) show protocol 10.255.255.4 | grep -q NBMA-NAT-OA"
wait_for 20 "KRN-07: s4: dynamic-nhs for the hub is up" \
    has s4 "Type: dynamic-nhs|Protocol-Address: 10.255.255.1/24|NBMA-Address: 198.51.100.1|Flags: [a-z ]*up|"
check "KRN-07: s4: nhs-up with NHRP_SRCNBMA = the preferred source" \
    nhrp_has_event s4 nhs-up NHRP_DESTNBMA=198.51.100.1 \
    NHRP_SRCNBMA=198.51.100.104
check "KRN-07: s4: interface show has no NBMA-Address for gre1" \
    bash -c "! $NHRP_CTL -a $(nhrp_sock s4) interface show | grep -q NBMA-Address"
check "CTL-20: s4: local-nbma 198.51.100.104 selects the NHS entry" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s4) show local-nbma 198.51.100.104 | grep -q 'Type: dynamic-nhs'"
check "CTL-20: s4: local-nbma 198.51.100.4 (the primary address) selects nothing" \
    test "$(count s4 show local-nbma 198.51.100.4)" = 0
n_all=$(count hub show)
n_mine=$(count hub show local-nbma 198.51.100.1)
check "CTL-20: hub: local-nbma 198.51.100.1 selects its entries ($n_mine of $n_all)" \
    test "$n_mine" -ge 2
check "CTL-20: hub: local-nbma 198.51.100.99 selects nothing" \
    test "$(count hub show local-nbma 198.51.100.99)" = 0

# ---- CTL-16: update nbma --------------------------------------------------
check "CTL-16: update nbma outside the prefix: counted, entry unchanged" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s4) update nbma 198.51.100.1 10.9.9.9 | tr '\n' '|' | grep -qx 'Status: ok|Entries-Affected: 1|' &&
	$NHRP_CTL -a $(nhrp_sock s4) show | tr '\n' '|' | grep -q 'Type: dynamic-nhs|Protocol-Address: 10.255.255.1/24|'"
check "CTL-16: update nbma 198.51.100.1 10.255.255.42: Entries-Affected: 1" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s4) update nbma 198.51.100.1 10.255.255.42 | tr '\n' '|' | grep -qx 'Status: ok|Entries-Affected: 1|'"
check "CTL-16: the dynamic-nhs entry moved to 10.255.255.42" \
    has s4 "Type: dynamic-nhs|Protocol-Address: 10.255.255.42/24|NBMA-Address: 198.51.100.1|"
check "CTL-16: update nbma for an unknown NBMA affects nothing" \
    bash -c "$NHRP_CTL -a $(nhrp_sock s4) update nbma 198.51.100.7 10.255.255.43 | tr '\n' '|' | grep -qx 'Status: ok|Entries-Affected: 0|'"

# ---- MC-03: multicast A.B.C.D ---------------------------------------------
sniff() {
	nhrp_bg "$1" "$PROBE" sniff gre1 "$2"
	eval "SNIFF_$1=\$BG_LOG"
	poll 30 grep -q '^ready' "$BG_LOG" || { echo "sniffer on $1 did not start"; return 1; }
}
got() {	# got NODE DST LEN FROM: such packets NODE received (LEN = UDP payload)
	local log
	eval "log=\$SNIFF_$1"
	grep -Ec "^sniff pkttype=[0-9]+ nbma=$4 len=$(($3 + 28)) src=[0-9.]+ dst=$2\$" "$log"
}
check "sniffer on s2" sniff s2 90
check "sniffer on s4" sniff s4 90
check "hub sends 3 multicast datagrams out of gre1" \
    hub "$PROBE" udp-mcast gre1 224.0.0.5 120 3
got_ge() {	# got_ge N NODE DST LEN FROM
	[ "$(got "${@:2}")" -ge "$1" ]
}
wait_for 20 "MC-03: s2 (multicast 10.255.255.2) received the 3 packets" \
    got_ge 3 s2 224.0.0.5 120 198.51.100.1
sleep 1
check "MC-03: ... each once" test "$(got s2 224.0.0.5 120 198.51.100.1)" = 3
check "MC-03: s4 (registered, not listed) received none" \
    test "$(got s4 224.0.0.5 120 198.51.100.1)" = 0

# ---- RDR-05: Traffic Indications about foreign sources -------------------------
hexip() {
	local IFS=. a b c d
	read -r a b c d <<<"$1"
	printf '%02x%02x%02x%02x' "$a" "$b" "$c" "$d"
}
cksum_hex() {	# RFC 1071 over a hex string
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
# indication SRC DST: a Traffic Indication from x about a packet SRC -> DST
# (header destination = SRC, as the NHS sends it), Forward Transit + End
indication() {
	local src=$1 dst=$2 mand exts body total hdr p
	mand="0404000000000000$(hexip 198.51.100.9)$(hexip 10.255.255.9)$(hexip "$src")"
	mand="${mand}450000540000400040010000$(hexip "$src")$(hexip "$dst")0800f7ff00000000"
	exts="8004000080000000"
	body=$((20 + ${#mand} / 2))
	total=$((body + ${#exts} / 2))
	hdr=$(printf '000108000000000000%02x%04x0000%04x01%02x0400' 16 \
	    "$total" "$body" 8)
	p="$hdr$mand$exts"
	echo "${p:0:24}$(cksum_hex "$p")${p:28}"
}
inject() {
	x "$PKTIO" send gre1 198.51.100.2 "$1"
}
s2log=$(nhrp_log s2)
check "RDR-05: inject an indication about 192.168.77.7 -> 10.255.255.77 at s2" \
    inject "$(indication 192.168.77.7 10.255.255.77)"
sleep 3
check_fail "RDR-05: s2 did not act on it (no 'Traffic Indication ... about packet to 10.255.255.77')" \
    grep -q "about packet to 10.255.255.77" "$s2log"
check_fail "RDR-05: ... and sent no Resolution Request for 10.255.255.77" \
    grep -q "Sending Resolution Request to 10.255.255.77" "$s2log"
check "RDR-05: inject the same indication about s2's own address" \
    inject "$(indication 10.255.255.2 10.255.255.78)"
wait_for 10 "RDR-05: s2 acts on that one (a Resolution Request for 10.255.255.78)" \
    bash -c "grep -q 'Traffic Indication from proto src 10.255.255.9; about packet to 10.255.255.78' $s2log &&
	grep -q 'Sending Resolution Request to 10.255.255.78' $s2log"

# ---- KRN-09: gre1 deleted and re-created ----------------------------------
gre1_block() {	# the interface show block of s2's gre1, one field a line
	nhrp_ctl s2 interface show |
	    awk 'BEGIN { RS = ""; ORS = "\n" } /^Interface: gre1\n/'
}
gre1_cleared() {
	local b
	b=$(gre1_block)
	echo "$b"
	echo "$b" | grep -qx 'Index: 0' && ! echo "$b" | grep -q 'Protocol-Address:' &&
	    ! echo "$b" | grep -q 'NBMA-Address:'
}
check "KRN-09: s2: gre1 deleted" s2 ip link del gre1
wait_for 10 "KRN-09: s2: interface show: gre1 has index 0, no addresses" \
    gre1_cleared
check "KRN-09: s2 still answers" nhrp_ctl s2 show
n_up=$(nhrp_event_count s2 interface-up NHRP_INTERFACE=gre1)
check "KRN-09: s2: gre1 re-created with key 4321" \
    bash -c "ip -n $(nhrp_ns s2) tunnel add gre1 mode gre key 4321 ttl 64 local 198.51.100.2 &&
	ip -n $(nhrp_ns s2) addr add 10.255.255.2/24 dev gre1 && ip -n $(nhrp_ns s2) link set gre1 up"
wait_for 20 "KRN-09: interface-up again, with the new key" \
    nhrp_has_event s2 interface-up NHRP_INTERFACE=gre1 NHRP_GRE_KEY=4321
check "KRN-09: ... one more interface-up than before ($n_up)" \
    test "$(nhrp_event_count s2 interface-up NHRP_INTERFACE=gre1)" -gt "$n_up"
gre1_back() {
	gre1_block | tr '\n' '|' | grep -q 'Interface: gre1|Index: [1-9][0-9]*|Protocol-Address: 10.255.255.2/24|.*GRE-Key: 4321|.*NBMA-Address: 198.51.100.2|'
}
wait_for 10 "KRN-09: interface show: index, address, key and NBMA back" \
    gre1_back

for n in s2 s4 hub; do
	check "$n exits 0 on SIGTERM" nhrp_stop $n TERM 30
done
check "every NHRP packet hub, s2 and s4 sent decodes cleanly (tshark)" \
    nhrp_capture_check wan br0
nhrp_from() {	# ADDR: how many NHRP packets the WAN capture holds from ADDR
	"$NHRP_TSHARK" -r "$RUNDIR/wire-wan-br0.pcapng" \
	    -Y "nhrp && ip.src#1 == $1" -T fields -e frame.number | wc -l
}
check "x sent exactly the 2 injected NHRP packets ($(nhrp_from 198.51.100.9))" \
    test "$(nhrp_from 198.51.100.9)" = 2
check "s4 sent no NHRP from its primary 198.51.100.4 ($(nhrp_from 198.51.100.4))" \
    test "$(nhrp_from 198.51.100.4)" = 0
tap_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 50-alpine: the Alpine Linux reference DMVPN setup (the wiki page this
# project started from, ../shared/seed/alpine-dmvpn-wiki.txt) end to end:
# two hubs and three spokes, opennhrp + the hub script from that page +
# BGP, plus one spoke whose certificate does not match its tunnel address.
#
#   h1   gre1 10.255.255.1   eth0 198.51.100.1   AS 65000  hub (redirect)
#   h2   gre1 10.255.255.2   eth0 198.51.100.2   AS 65000  hub (redirect)
#   s11  gre1 10.255.255.11  eth0 198.51.100.11  AS 65011  lan0 192.168.11.1/24
#   s12  gre1 10.255.255.12  eth0 198.51.100.12  AS 65012  lan0 192.168.12.1/24
#   s13  gre1 10.255.255.13  eth0 198.51.100.13  AS 65013  lan0 192.168.13.1/24
#						(also announces 10.99.13.0/24,
#						 which its certificate lacks)
#   s14  gre1 10.255.255.14  eth0 198.51.100.14  certificate says GRE=10.255.255.99
#   dns  eth0 198.51.100.53 (no GRE): dnsmasq, hub.example.com = two A records
#	 (198.51.100.1, 198.51.100.2)
#
# Spokes: "dynamic-map 10.255.255.0/24 hub.example.com", shortcut, redirect,
# non-caching; lan0 is a shortcut-destination. Their hook (alpine/spoke-hook,
# behind lib.sh's recording hook) installs shortcut routes into table 42
# (nhrp_shortcut), looked up before main by an ip rule. FRR zebra + bgpd: AS
# 650NN, both hubs as neighbours, the LAN announced.
# Hubs: shortcut, redirect, non-caching; FRR zebra + bgpd with AS 65000 and
# the peer-group "leaf" (next-hop-self, so spoke-to-spoke traffic crosses a
# hub and is redirected: DMVPN phase 3) but no spoke neighbours: the hub
# script adds each spoke at its registration. The hubs do not map each other
# (every spoke registers with both; with a hub-to-hub map each hub's script
# would treat the other hub as a spoke needing a certificate).
#
# How the unchanged hub script (alpine/hub-opennhrp-script, a byte-for-byte
# copy of ../shared/seed/hub-opennhrp-script, checked with cmp when that
# exists) gets what it needs: each hub's opennhrp runs in its own mount
# namespace inside its netns (alpine/hub-ns.sh), where
#   - /bin/sh is bash (accepts "200>"; Debian's dash does not; Debian's
#     busybox ash would run its own "ip", whose "route flush proto 42 dev
#     gre1" flushes the connected route too),
#   - /usr/sbin/openssl (before /usr/bin in the hooks' PATH) is
#     alpine/openssl-compat: OpenSSL 3 with the subject printed in the old
#     /C=../OU=GRE=10.255.255.11/OU=AS=65011/OU=NET=192.168.11.0/24 form
#     (OpenSSL 3 prints "OU = GRE=...", even -nameopt compat has no slashes),
#   - /usr/sbin/racoonctl is alpine/racoonctl: get-cert prints the DER
#     certificate made here for the spoke whose NBMA address is asked for;
#     establish-sa and delete-sa succeed and are logged. IPsec itself is not
#     emulated: there are no SAs, the GRE traffic is clear. The test is about
#     opennhrp + the hook + bgpd.
#   - /dev/log is a busybox syslogd writing $RUNDIR/hN.priv/syslog,
#   - /run/frr is the hub's FRR path space (its bgpd runs with -N <netns>),
#     so the script's plain "vtysh -d bgpd" configures that hub's bgpd,
#   - /var/lock is per hub, /etc/iproute2/rt_tables names 42-44.
# Certificates: a test CA and one EC certificate per spoke, made with openssl
# here, subject /C=FI/O=opennhrp-ng test/OU=GRE=<tunnel addr>/OU=AS=<AS>/
# OU=NET=<lan>/CN=<name>.
#
# Checks: the script copy is the seed; the script's openssl/racoonctl
# pipeline in a hub's namespace yields GRE=/AS=/NET=; /bin/sh there accepts
# 200>; every good spoke registers with both hubs (hook: "authenticated"),
# becomes an Established BGP neighbour of both with its prefix-list, its LAN
# reaches the hubs' and the other spokes' kernel tables through BGP (s13's
# uncertified prefix is received but filtered); s14 is refused (code 4 administratively
# prohibited, DENIED in the hubs' syslog, no cache entry, no BGP neighbour);
# a ping s11 LAN -> s12 LAN works, the hub redirects, s11 gets a
# shortcut-route (route-up, table 42) and the traffic then bypasses the hubs
# (their gre1 receive counters stand still); everything exits 0 on SIGTERM.
# The whole WAN is captured: every NHRP packet the six opennhrp daemons (h1,
# h2, s11-s14) sent decodes cleanly in tshark (the BGP sessions cross the
# tunnels too, as GRE-carried TCP: not NHRP, not judged).

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/frr.sh"
. "$(dirname "$0")/wireshark.sh"

ALP="$top_srcdir/tests/netns/alpine"
SEED="$top_srcdir/../shared/seed/hub-opennhrp-script"

nhrp_have_daemon || bail_out "no daemon built at $NHRP_DAEMON"
if [ ! -x "$FRR_LIBDIR/bgpd" ] || [ ! -x "$FRR_LIBDIR/zebra" ] ||
    ! command -v "$FRR_VTYSH" >/dev/null || ! id "$FRR_USER" >/dev/null 2>&1; then
	echo "1..0 # SKIP FRR (zebra, bgpd, vtysh, user $FRR_USER) not installed"
	TAP_DONE=skip
	exit 0
fi
for c in dnsmasq openssl unshare nsenter flock busybox; do
	command -v $c >/dev/null || bail_out "$c is not installed"
done

HUBS="h1 h2"
SPOKES="s11 s12 s13"
declare -A AS=([h1]=65000 [h2]=65000 [s11]=65011 [s12]=65012 [s13]=65013 [s14]=65014)

nhrp_add_node h1 1
nhrp_add_node h2 2
for s in $SPOKES s14; do
	nhrp_add_node $s "${s#s}"
done
for s in $SPOKES; do
	nhrp_add_lan $s "192.168.${s#s}.0/24"
done
nhrp_add_node dns 53 --no-gre

check "capture on the WAN bridge" nhrp_capture_start wan br0
nhrp_capture_from wan br0 $HUBS $SPOKES s14

# per-namespace resolv.conf for the spokes, removed again on exit
NETNS_ETC=()
for s in $SPOKES s14; do
	d="/etc/netns/$(nhrp_ns $s)"
	mkdir -p "$d" || bail_out "cannot create $d"
	echo "nameserver 198.51.100.53" >"$d/resolv.conf"
	NETNS_ETC+=("$d")
done

# stop bgpd (it logs to RUNDIR) before frr.sh/lib.sh tear everything down
alp_cleanup() {
	local n pid
	for n in "${FRR_NODES[@]}"; do
		pid=$(cat "$(_frr_dir "$n")/bgpd.pid" 2>/dev/null) &&
		    kill -TERM "$pid" 2>/dev/null
	done
	rm -rf "${NETNS_ETC[@]}"
}
trap '_alp_rc=$?; alp_cleanup; _frr_cleanup; (exit $_alp_rc); cleanup' EXIT

# ---- certificates -----------------------------------------------------------
CERTS="$RUNDIR/certs"
mkdir -p "$CERTS"
mkcert() {	# NAME NBMA GRE AS NET
	local subj
	subj="/C=FI/O=opennhrp-ng test/OU=GRE=$3/OU=AS=$4/OU=NET=${5//\//\\/}/CN=$1"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$CERTS/$1.key" -out "$CERTS/$1.csr" -subj "$subj" &&
	openssl x509 -req -in "$CERTS/$1.csr" -CA "$CERTS/ca.pem" \
	    -CAkey "$CERTS/ca.key" -set_serial "${4}" -days 30 \
	    -outform der -out "$CERTS/$2.der"
}
mkcerts() {
	local s
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$CERTS/ca.key" -out "$CERTS/ca.pem" -days 30 \
	    -subj "/C=FI/O=opennhrp-ng test/CN=DMVPN test CA" || return 1
	for s in $SPOKES; do
		mkcert $s "$(nhrp_nbma $s)" "$(nhrp_addr $s)" "${AS[$s]}" \
		    "192.168.${s#s}.0/24" || return 1
	done
	# s14's certificate is for another tunnel address
	mkcert s14 "$(nhrp_nbma s14)" 10.255.255.99 "${AS[s14]}" 192.168.14.0/24
}

if [ -f "$SEED" ]; then
	check "alpine/hub-opennhrp-script is the seed script, unchanged" \
	    cmp "$ALP/hub-opennhrp-script" "$SEED"
else
	skip "alpine/hub-opennhrp-script is the seed script" "no $SEED here"
fi
check "test CA and per-spoke certificates (OU=GRE=, OU=AS=, OU=NET=)" mkcerts

# ---- DNS --------------------------------------------------------------------
printf '198.51.100.1 hub.example.com\n198.51.100.2 hub.example.com\n' \
    >"$RUNDIR/hubs.hosts"
dns_start() {
	nhrp_bg dns dnsmasq --keep-in-foreground --no-resolv --no-hosts \
	    --addn-hosts="$RUNDIR/hubs.hosts" --listen-address=198.51.100.53 \
	    --bind-interfaces --user=root --group=root --pid-file= \
	    --log-queries --log-facility=- --local-ttl=0
	poll 10 grep -q started "$BG_LOG" || { cat "$BG_LOG"; return 1; }
}
check "dnsmasq serves hub.example.com (two A records)" dns_start
check "a spoke resolves hub.example.com to both hubs" \
    s11 bash -c "getent ahostsv4 hub.example.com | grep -q 198.51.100.1 &&
	getent ahostsv4 hub.example.com | grep -q 198.51.100.2"

# ---- configuration ------------------------------------------------------------
for h in $HUBS; do
	nhrp_conf $h <<'CONF'
interface gre1
	shortcut
	redirect
	non-caching
CONF
	cat >"$RUNDIR/$h.bgpd.conf" <<EOF
frr defaults traditional
hostname $h
log file $RUNDIR/$h.bgpd.log informational
!
router bgp 65000
 bgp router-id $(nhrp_addr $h)
 no bgp ebgp-requires-policy
 ! the spokes: added by opennhrp-script at their registration
 neighbor leaf peer-group
 neighbor leaf timers connect 5
 neighbor leaf advertisement-interval 0
 !
 address-family ipv4 unicast
  neighbor leaf next-hop-self
  neighbor leaf soft-reconfiguration inbound
 exit-address-family
exit
!
EOF
	# the Alpine page's "up" commands: shortcut and MTU tables
	$h ip rule add pref 42 table 42
	$h ip rule add pref 43 table 43
done
for s in $SPOKES s14; do
	{
		cat <<'CONF'
interface gre1
	dynamic-map 10.255.255.0/24 hub.example.com
	shortcut
	redirect
	non-caching
CONF
		[ $s != s14 ] && printf 'interface lan0\n\tshortcut-destination\n'
	} | nhrp_conf $s
	cp "$ALP/spoke-hook" "$RUNDIR/$s.hook-extra"
	$s ip rule add pref 42 table 42
done
for s in $SPOKES; do
	{
		cat <<EOF
frr defaults traditional
hostname $s
log file $RUNDIR/$s.bgpd.log informational
!
router bgp ${AS[$s]}
 bgp router-id $(nhrp_addr $s)
 no bgp ebgp-requires-policy
 neighbor hubs peer-group
 neighbor hubs remote-as 65000
 neighbor hubs timers connect 5
 neighbor hubs advertisement-interval 0
 neighbor 10.255.255.1 peer-group hubs
 neighbor 10.255.255.2 peer-group hubs
 !
 address-family ipv4 unicast
  network 192.168.${s#s}.0/24
EOF
		[ $s = s13 ] && echo "  network 10.99.13.0/24"
		cat <<EOF
 exit-address-family
exit
!
EOF
	} >"$RUNDIR/$s.bgpd.conf"
done
s13 ip route add blackhole 10.99.13.0/24

# ---- FRR: zebra + bgpd per node, in FRR path space /run/frr/<netns> ---------
# vtysh is expensive in the emulated VM: predicates that run it pause
# after a failure, so that polling them does not starve the daemons
bgp_ready() {
	"$FRR_VTYSH" -N "$(nhrp_ns "$1")" -d bgpd -c 'show running-config' \
	    2>/dev/null | grep -q '^router bgp' || { sleep 1; return 1; }
}
bgp_start() {
	local node=$1 dir
	dir=$(_frr_dir "$node")
	mkdir -p "$dir"
	cp "$RUNDIR/$node.bgpd.conf" "$dir/bgpd.conf"
	: >"$RUNDIR/$node.bgpd.log"
	chown "$FRR_USER:$FRR_USER" "$RUNDIR/$node.bgpd.log"
	cat >"$dir/zebra.conf" <<EOF
frr defaults traditional
hostname $node-zebra
log file $dir/zebra.log informational
!
EOF
	chown -R "$FRR_USER:$FRR_USER" "$dir"
	chmod 755 "$dir"
	FRR_NODES+=("$node")
	FRR_RUNNING[$node]=1
	_frr_daemon "$node" zebra || { cat "$RUNDIR/$node.frr-start.log"; return 1; }
	poll 30 test -S "$dir/zserv.api" || { echo "no zserv.api"; return 1; }
	_frr_daemon "$node" bgpd || { cat "$RUNDIR/$node.frr-start.log"; return 1; }
	poll 30 bgp_ready "$node" || { echo "bgpd does not answer"; return 1; }
}
bgp() {
	local node=$1 c
	local -a a=()
	shift
	for c in "$@"; do
		a+=(-c "$c")
	done
	"$FRR_VTYSH" -N "$(nhrp_ns "$node")" "${a[@]}" 2>/dev/null
}

for h in $HUBS; do
	check "$h: zebra + bgpd (AS 65000, peer-group leaf) start" bgp_start $h
done

# ---- hubs: opennhrp in their own mount namespace -----------------------------
for h in $HUBS; do
	mkdir -p "$RUNDIR/$h.priv"
	cat >"$RUNDIR/$h.daemon" <<EOF
#!/bin/sh
exec unshare -m --propagation private '$ALP/hub-ns.sh' '$RUNDIR/$h.priv' \\
    '$(_frr_dir $h)' '$CERTS' '$NHRP_DAEMON' "\$@"
EOF
	chmod 755 "$RUNDIR/$h.daemon"
done
REAL_DAEMON=$NHRP_DAEMON
for h in $HUBS; do
	NHRP_DAEMON="$RUNDIR/$h.daemon"
	check "$h: opennhrp starts with the hub script (-s alpine/hub-opennhrp-script)" \
	    nhrp_start $h "$RUNDIR/$h.conf" -v
	NHRP_DAEMON=$REAL_DAEMON
done

# hub_ns HUB CMD...: CMD in the hub daemon's network and mount namespaces
hub_ns() {
	local pid
	pid=$(nhrp_pid "$1") || return 1
	[ -n "$pid" ] || return 1
	shift
	nsenter -t "$pid" -m -n "$@"
}
ou_fields() {
	hub_ns h1 /bin/sh -c "racoonctl get-cert inet 198.51.100.1 $1 |
	    openssl x509 -inform der -text -noout |
	    egrep -o '/OU=[^/]*(/[0-9]+)?' | cut -b 5-"
}
check "h1's namespace: the script's openssl/racoonctl pipeline gives GRE=, AS=, NET=" \
    test "$(ou_fields 198.51.100.11 | tr '\n' ' ')" = \
    "GRE=10.255.255.11 AS=65011 NET=192.168.11.0/24 "
check "h1's namespace: /bin/sh accepts 200> (and flock on /var/lock)" \
    hub_ns h1 /bin/sh -c '( flock -x 200 && echo locked ) 200>/var/lock/opennhrp-script.lock'
plain_vtysh() {	# HUB: the script's "vtysh -d bgpd" reaches that hub's bgpd
	hub_ns "$1" vtysh -d bgpd -c 'show running-config' |
	    grep -q "^ bgp router-id $(nhrp_addr "$1")\$"
}
for h in $HUBS; do
	check "$h's namespace: plain 'vtysh -d bgpd' reaches $h's own bgpd" \
	    plain_vtysh $h
done

# ---- spokes -----------------------------------------------------------------
for s in $SPOKES s14; do
	check "$s: opennhrp starts (dynamic-map hub.example.com)" \
	    nhrp_start $s "$RUNDIR/$s.conf" -v
done

hub_has() {	# HUB ADDR: a registered, up dynamic entry
	nhrp_ctl "$1" show | tr '\n' '|' | grep -q \
	    "Type: dynamic|Protocol-Address: $2/32|NBMA-Address: [0-9.]*|Flags: [a-z ]*up|"
}
syslog_has() {
	grep -q -- "$2" "$RUNDIR/$1.priv/syslog"
}
sas_requested() {	# HUB
	local s log="$RUNDIR/$1.priv/racoonctl.log" me
	me=$(nhrp_nbma "$1")
	for s in $SPOKES; do
		grep -qx "racoonctl establish-sa -w isakmp inet $me $(nhrp_nbma $s)" "$log" &&
		grep -qx "racoonctl establish-sa -w esp inet $me $(nhrp_nbma $s) gre" "$log" ||
		    return 1
	done
}
for h in $HUBS; do
	for s in $SPOKES; do
		wait_for 120 "$h: $s registered" hub_has $h "$(nhrp_addr $s)"
		check "$h: the script logged $s's registration as authenticated" \
		    syslog_has $h "GRE registration of $(nhrp_addr $s) to $(nhrp_nbma $s) authenticated"
	done
	check "$h: peer-up asked racoonctl for the spokes' ISAKMP and ESP SAs" \
	    sas_requested $h
done
# A spoke whose request timed out while a hub's peer-register hook was still
# running (slow vtysh in a loaded VM) drops the late reply and registers
# again 60-180 s later: wait for both nhs-up before BGP needs the tunnel.
for s in $SPOKES; do
	for h in $HUBS; do
		wait_for 200 "$s: nhs-up for $h" \
		    nhrp_has_event $s nhs-up NHRP_DESTADDR="$(nhrp_addr $h)"
	done
done
# the spokes' bgpd starts once both hubs' scripts have configured them
for s in $SPOKES; do
	check "$s: zebra + bgpd (AS ${AS[$s]}, both hubs as neighbours) start" \
	    bgp_start $s
done

# ---- the refused spoke -----------------------------------------------------------
wait_for 60 "s14: registration refused (administratively prohibited)" \
    grep -Eq "Received Registration Reply from [0-9.]+: administratively prohibited" \
    "$(nhrp_log s14)"
for h in $HUBS; do
	wait_for 30 "$h: the script logged s14's registration DENIED" \
	    syslog_has $h "GRE registration of 10.255.255.14 to 198.51.100.14 DENIED"
	check_fail "$h: no cache entry for s14" \
	    bash -c "$NHRP_CTL -a $(nhrp_sock $h) show | grep -q 'Protocol-Address: 10.255.255.14/'"
done
check_fail "s14: no nhs-up" nhrp_has_event s14 nhs-up

# ---- BGP --------------------------------------------------------------------
established() {	# NODE PEER
	bgp "$1" "show ip bgp neighbors $2" | grep -q 'BGP state = Established' ||
	    { sleep 1; return 1; }
}
kroute() {	# NODE PREFIX VIA: a kernel route learned through BGP
	ip -n "$(nhrp_ns "$1")" route show "$2" proto bgp | grep -Eq "via $3 "
}
for h in $HUBS; do
	for s in $SPOKES; do
		wait_for 120 "$h: BGP neighbour $s ($(nhrp_addr $s), AS ${AS[$s]}) Established" \
		    established $h "$(nhrp_addr $s)"
	done
	check "$h: show bgp summary lists the three spokes, not s14" \
	    bash -c "out=\$($FRR_VTYSH -N $(nhrp_ns $h) -c 'show bgp summary');
		for a in 11 12 13; do echo \"\$out\" | grep -Eq \"^10.255.255.\$a +4 +650\$a \" || exit 1; done
		! echo \"\$out\" | grep -q 10.255.255.14"
	check "$h: the script made prefix-lists from the NET= fields" \
	    bash -c "$FRR_VTYSH -N $(nhrp_ns $h) -c 'show running-config' | grep -q 'ip prefix-list net-65012-in seq 5 permit 192.168.12.0/24 le 26'"
	check_fail "$h: s14 never became a BGP neighbour" \
	    bash -c "$FRR_VTYSH -N $(nhrp_ns $h) -c 'show running-config' | grep -q 'neighbor 10.255.255.14'"
	for s in $SPOKES; do
		wait_for 30 "$h: kernel route to $s's LAN via BGP" \
		    kroute $h "192.168.${s#s}.0/24" "$(nhrp_addr $s)"
	done
	check "$h: s13 announced 10.99.13.0/24 (not in its certificate)" \
	    bash -c "$FRR_VTYSH -N $(nhrp_ns $h) -c 'show ip bgp neighbors 10.255.255.13 received-routes' | grep -q 10.99.13.0/24"
	check_fail "$h: ... and the script's prefix-list filtered it out" \
	    bash -c "$FRR_VTYSH -N $(nhrp_ns $h) -c 'show ip bgp' | grep -q 10.99.13.0"
done
for s in $SPOKES; do
	for o in $SPOKES; do
		[ $s = $o ] && continue
		wait_for 30 "$s: kernel route to $o's LAN via a hub (BGP)" \
		    kroute $s "192.168.${o#s}.0/24" "10.255.255.[12]"
	done
done

# ---- spoke to spoke: redirect and shortcut -----------------------------------------
hubs_rx() {
	echo $(($(h1 cat /sys/class/net/gre1/statistics/rx_packets) +
	    $(h2 cat /sys/class/net/gre1/statistics/rx_packets)))
}
shows() {	# NODE PATTERN (grep BRE on the show output, newlines as |)
	nhrp_ctl "$1" show | tr '\n' '|' | grep -q -- "$2"
}
rx0=$(hubs_rx)
nhrp_bg s11_lan ping -i 0.2 -W 2 192.168.12.2
PINGLOG=$BG_LOG
wait_for 30 "s11's LAN reaches s12's LAN (first through a hub)" \
    grep -q "bytes from 192.168.12.2" "$PINGLOG"
wait_for 30 "a hub sent s11 a Traffic Indication (redirect)" \
    bash -c "grep -q 'Sending Traffic Indication about packet from 192.168.11.2 to 192.168.12.2' $(nhrp_log h1) $(nhrp_log h2)"
wait_for 40 "s11: shortcut-route 192.168.12.0/24 via 10.255.255.12 is up" \
    shows s11 "Type: shortcut-route|Protocol-Address: 192.168.12.0/24|Next-hop-Address: 10.255.255.12|Flags: up"
check "s11: route-up for it" \
    nhrp_has_event s11 route-up NHRP_TYPE=shortcut-route \
    NHRP_DESTADDR=192.168.12.0 NHRP_DESTPREFIX=24 NHRP_NEXTHOP=10.255.255.12
# (filtered by protocol number: Debian's rt_protos prints 42 as "babel")
check "s11: the hook put it in table 42 (nhrp_shortcut)" \
    bash -c "ip -n $(nhrp_ns s11) route show table 42 proto 42 | grep -Eq '^192.168.12.0/24 via 10.255.255.12 dev gre1( |$)'"
wait_for 40 "s12: the reverse shortcut 192.168.11.0/24 via 10.255.255.11" \
    shows s12 "Type: shortcut-route|Protocol-Address: 192.168.11.0/24|Next-hop-Address: 10.255.255.11|Flags: up"
sleep 2
rx1=$(hubs_rx)
n1=$(grep -c "bytes from" "$PINGLOG")
sleep 5
rx2=$(hubs_rx)
n2=$(grep -c "bytes from" "$PINGLOG")
diag "hubs' gre1 rx: $rx0 at start, $rx1 -> $rx2 over 5 s while $((n2 - n1)) echo replies arrived"
check "the ping goes on ($((n2 - n1)) replies in 5 s)" test $((n2 - n1)) -ge 8
# through a hub, every echo request or reply would add to its counter
check "the hubs received fewer packets than half the replies (direct path): $((rx2 - rx1))" \
    test $((2 * (rx2 - rx1))) -lt $((n2 - n1))
check "before the shortcut the ping crossed a hub" test $((rx1 - rx0)) -ge 2

# ---- shutdown -----------------------------------------------------------------
for s in $SPOKES s14; do
	check "$s exits 0 on SIGTERM" nhrp_stop $s TERM 30
done
for h in $HUBS; do
	check "$h exits 0 on SIGTERM" nhrp_stop $h TERM 30
done
check "every NHRP packet h1, h2, s11, s12, s13 and s14 sent decodes cleanly (tshark)" \
    nhrp_capture_check wan br0
tap_done

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2016 # code for other shells in single quotes
#
# tests/contrib/check.sh: checks of contrib/ (TAP).
#  - every shell file parses (sh, dash, busybox ash when present) and is
#    clean for shellcheck (when installed);
#  - the systemd unit passes systemd-analyze verify (when installed) and
#    has the settings the init contract needs;
#  - the sysctl snippet raises gc_thresh1/2/3 in order;
#  - the OpenRC script, sourced with stub OpenRC helpers, builds the right
#    command line, and flush/dump/checkconfig send the right signals;
#  - the APKBUILD defines the package and its package() installs the
#    OpenRC and /etc files (with a stub make);
#  - the Debian directory is consistent with the tree;
#  - the packaged opennhrp.conf parses (as installed, and uncommented);
#  - the hub and spoke hook scripts, run with stub ip/swanctl/vtysh/logger
#    for each event, make exactly the expected calls and exit codes.

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
C=$top_srcdir/contrib

T=$(mktemp -d "${TMPDIR:-/tmp}/contrib-check.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT INT TERM

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $*"
}
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}
# check DESC CMD...: ok when CMD succeeds, its output as diagnostics if not
check() {
	_d=$1
	shift
	if _out=$("$@" 2>&1); then
		ok "$_d"
	else
		not_ok "$_d"
		diag "$_out"
	fi
}
# same FILE-EXPECTED FILE-GOT DESC
same() {
	if cmp -s "$1" "$2"; then
		ok "$3"
	else
		not_ok "$3"
		diag "$(diff -u "$1" "$2")"
	fi
}

version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' \
    "$top_srcdir/configure.ac")

# ---- syntax and shellcheck -------------------------------------------------

SH_FILES="contrib/openrc/opennhrp.initd contrib/openrc/opennhrp.confd
contrib/hooks/opennhrp-script.hub contrib/hooks/opennhrp-script.spoke
contrib/build-deb.sh contrib/alpine/APKBUILD contrib/debian/opennhrp.postinst
contrib/debian/opennhrp.default tests/contrib/check.sh"

for f in $SH_FILES; do
	check "sh -n $f" sh -n "$top_srcdir/$f"
	if command -v dash >/dev/null 2>&1; then
		check "dash -n $f" dash -n "$top_srcdir/$f"
	fi
	if command -v busybox >/dev/null 2>&1; then
		check "busybox ash -n $f" busybox sh -n "$top_srcdir/$f"
	fi
done
check "bash -n tests/netns/40-package.sh" \
    bash -n "$top_srcdir/tests/netns/40-package.sh"

for f in $SH_FILES tests/netns/40-package.sh; do
	if ! command -v shellcheck >/dev/null 2>&1; then
		skip "shellcheck $f" "shellcheck is not installed"
		continue
	fi
	case "$f" in
	*.confd | *.default) opts="-s sh -e SC2034" ;;
	*APKBUILD) opts="-s sh -e SC2034,SC2154" ;;
	*40-package.sh) opts="-s bash -e SC1091,SC2154" ;;
	*) opts="-s sh" ;;
	esac
	# shellcheck disable=SC2086
	check "shellcheck $f" shellcheck $opts "$top_srcdir/$f"
done

for f in $SH_FILES; do
	case "$f" in
	*.confd | *.default | *APKBUILD) continue ;;
	esac
	check "$f is executable" test -x "$top_srcdir/$f"
done

# ---- systemd unit ------------------------------------------------------------

U=$C/systemd/opennhrp.service
for want in '^Type=forking$' '^PIDFile=/run/opennhrp.pid$' \
    '^ExecStart=/usr/sbin/opennhrp -d -p /run/opennhrp.pid \$OPENNHRP_OPTS$' \
    '^Restart=on-failure$' '^EnvironmentFile=-/etc/default/opennhrp$' \
    '^KillMode=mixed$' '^WantedBy=multi-user.target$'; do
	check "unit: $want" grep -q "$want" "$U"
done
check "unit: no ExecReload (SIGHUP flushes, it does not reload)" \
    sh -c "! grep -q '^ExecReload' '$U'"
for bad in CapabilityBoundingSet RestrictAddressFamilies \
    ProtectKernelTunables PrivateNetwork 'ProtectSystem=strict' \
    'ProtectSystem=full' PrivateDevices; do
	check "unit: no $bad (the daemon or its hooks need it)" \
	    sh -c "! grep -q '^$bad' '$U'"
done
if command -v systemd-analyze >/dev/null 2>&1; then
	# verify needs the executable to exist: point it at a stand-in
	mkdir -p "$T/unit"
	printf '#!/bin/sh\nexit 0\n' >"$T/unit/opennhrp"
	chmod 755 "$T/unit/opennhrp"
	sed "s|/usr/sbin/opennhrp|$T/unit/opennhrp|g" "$U" \
	    >"$T/unit/opennhrp.service"
	check "systemd-analyze verify opennhrp.service" \
	    systemd-analyze verify --man=no "$T/unit/opennhrp.service"
else
	skip "systemd-analyze verify opennhrp.service" "no systemd-analyze"
fi

# ---- sysctl snippet -------------------------------------------------------------

S=$C/sysctl/60-opennhrp.conf
sysctl_ok() {
	awk -F '[ \t]*=[ \t]*' '
	/^[ \t]*(#|$)/ { next }
	{
		if ($1 !~ /^net\.ipv4\.neigh\.default\.gc_thresh[123]$/ ||
		    $2 !~ /^[0-9]+$/) {
			print "unexpected line: " $0
			bad = 1
		}
		v[substr($1, length($1))] = $2 + 0
	}
	END {
		if (bad)
			exit 1
		if (!(v[1] >= 50000 && v[2] > v[1] && v[3] > v[2])) {
			print "want 50000 <= gc_thresh1 < gc_thresh2 < gc_thresh3"
			exit 1
		}
	}' "$S"
}
check "sysctl: gc_thresh1 >= 50000 < gc_thresh2 < gc_thresh3, nothing else" \
    sysctl_ok

# ---- OpenRC -------------------------------------------------------------------------

mkdir -p "$T/openrc/bin"
cat >"$T/openrc/bin/start-stop-daemon" <<'EOF'
#!/bin/sh
echo "start-stop-daemon $*" >>"$RC_LOG"
EOF
cat >"$T/openrc/bin/opennhrp" <<'EOF'
#!/bin/sh
echo "opennhrp $*" >>"$RC_LOG"
EOF
chmod 755 "$T/openrc/bin/"*
# openrc_eval OPTS CODE: source the conf.d file, then the init script with
# stub OpenRC helpers, then run CODE
openrc_eval() {
	env -i PATH="$T/openrc/bin:/usr/bin:/bin" RC_LOG="$T/openrc/log" \
	    C="$C" T="$T" OPTS="$1" CODE="$2" sh -c '
		ebegin() { :; }
		eend() { return "${1:-0}"; }
		. "$C/openrc/opennhrp.confd" || exit 1
		[ -n "$OPTS" ] && OPENNHRP_OPTS=$OPTS
		. "$C/openrc/opennhrp.initd" || exit 1
		eval "$CODE"'
}
got=$(openrc_eval "" 'echo "$command|$command_args|$pidfile|$OPENNHRP_OPTS|$retry"')
want='/usr/sbin/opennhrp|-d -p /var/run/opennhrp.pid |/var/run/opennhrp.pid||TERM/90/KILL/5'
if [ "$got" = "$want" ]; then
	ok "openrc: default command line"
else
	not_ok "openrc: default command line"
	diag "got:  $got" "want: $want"
fi
got=$(openrc_eval "-v -c /etc/opennhrp/hub.conf" 'echo "$command_args"')
check "openrc: OPENNHRP_OPTS appended ($got)" \
    test "$got" = "-d -p /var/run/opennhrp.pid -v -c /etc/opennhrp/hub.conf"
got=$(openrc_eval "" 'echo "$extra_commands|$extra_started_commands"; for f in depend start_pre checkconfig flush dump; do command -v $f; done | tr "\n" " "')
check "openrc: extra commands and functions" test "$got" = \
    "checkconfig|flush dump
depend start_pre checkconfig flush dump "
: >"$T/openrc/log"
openrc_eval "-c /x.conf" 'command=opennhrp; checkconfig; flush; dump' \
    >/dev/null 2>&1
cat >"$T/openrc/want" <<'EOF'
opennhrp -n -c /x.conf
start-stop-daemon --signal HUP --pidfile /var/run/opennhrp.pid
start-stop-daemon --signal USR1 --pidfile /var/run/opennhrp.pid
EOF
same "$T/openrc/want" "$T/openrc/log" \
    "openrc: checkconfig runs opennhrp -n, flush sends HUP, dump USR1"
check "openrc: says there is no reload" grep -q 'no "reload"' \
    "$C/openrc/opennhrp.initd"
check "openrc and systemd files point at the sysctl snippet" \
    grep -q 60-opennhrp.conf "$C/openrc/opennhrp.initd" \
    "$C/openrc/opennhrp.confd" "$U"

# ---- APKBUILD ---------------------------------------------------------------------

A=$C/alpine/APKBUILD
got=$(env -i PATH=/usr/bin:/bin srcdir=/src pkgdir=/pkg sh -c '
	. "$1" || exit 1
	echo "$pkgname $pkgver $builddir"
	echo "$subpackages"
	for f in build check package; do command -v $f; done | tr "\n" " "' sh "$A")
want="opennhrp $version /src/opennhrp-ng-$version
opennhrp-doc opennhrp-openrc
build check package "
if [ "$got" = "$want" ]; then
	ok "APKBUILD: pkgname, pkgver = configure.ac's $version, functions"
else
	not_ok "APKBUILD: pkgname, pkgver = configure.ac's $version, functions"
	diag "got:" "$got" "want:" "$want"
fi
# package() against a copy of the needed files, with a stub make
mkdir -p "$T/apk/bin" "$T/apk/src/contrib"
printf '#!/bin/sh\necho "make $*" >>"$T/apk/make.log"\n' >"$T/apk/bin/make"
chmod 755 "$T/apk/bin/make"
cp -R "$C/openrc" "$C/sysctl" "$C/hooks" "$C/swanctl" "$C/frr" \
    "$C/examples" "$C/README.md" "$T/apk/src/contrib/"
cp "$C/opennhrp.conf.head" "$T/apk/src/contrib/opennhrp.conf"
mkdir -p "$T/apk/src/scripts"
cp "$top_srcdir/scripts/opennhrp-script" "$T/apk/src/scripts/"
(cd "$T/apk/src" && env -i PATH="$T/apk/bin:/usr/bin:/bin" T="$T" \
    srcdir="$T/apk" pkgdir="$T/apk/pkg" sh -c '. "$1" && set -e && package' \
    sh "$A") >"$T/apk/out" 2>&1
rc=$?
check "APKBUILD: package() succeeds" sh -c "[ $rc = 0 ] || { cat '$T/apk/out'; exit 1; }"
check "APKBUILD: package() runs make DESTDIR=... install" \
    grep -qx "make DESTDIR=$T/apk/pkg install" "$T/apk/make.log"
for f in 755:etc/init.d/opennhrp 644:etc/conf.d/opennhrp \
    644:etc/opennhrp/opennhrp.conf 755:etc/opennhrp/opennhrp-script \
    644:usr/lib/sysctl.d/60-opennhrp.conf \
    755:usr/share/doc/opennhrp/examples/hooks/opennhrp-script.hub \
    644:usr/share/doc/opennhrp/examples/swanctl/hub.swanctl.conf; do
	mode=${f%%:*}
	p=${f#*:}
	check "APKBUILD: installs /$p mode $mode" \
	    test "$(stat -c %a "$T/apk/pkg/$p" 2>&1)" = "$mode"
done

# ---- Debian ------------------------------------------------------------------------------

D=$C/debian
check "debian: binary package opennhrp" grep -qx 'Package: opennhrp' \
    "$D/control"
check "debian: debhelper compat 13" grep -q 'debhelper-compat (= 13)' \
    "$D/control"
check "debian: rules is executable" test -x "$D/rules"
got=$(sed -n '1s/^opennhrp (\([^)]*\)).*/\1/p' "$D/changelog")
check "debian: changelog version $got = 1:$version (configure.ac)" \
    test "$got" = "1:$version"
if command -v dpkg-parsechangelog >/dev/null 2>&1; then
	check "debian: dpkg-parsechangelog reads the changelog" \
	    dpkg-parsechangelog -l "$D/changelog" -S Version
fi
missing=
for p in $(cat "$D/opennhrp.examples" "$D/opennhrp.docs") \
    scripts/opennhrp-script contrib/sysctl/60-opennhrp.conf \
    contrib/systemd/opennhrp.service contrib/opennhrp.conf.head; do
	[ -e "$top_srcdir/$p" ] || missing="$missing $p"
done
check "debian: every file it installs exists${missing:+ (missing:$missing)}" \
    test -z "$missing"
check "debian: the .deb build copies the unit in" \
    grep -q 'cp contrib/systemd/opennhrp.service debian/opennhrp.service' \
    "$D/rules"

# ---- the packaged opennhrp.conf --------------------------------------------------

PC=$top_builddir/contrib/opennhrp.conf
if [ -f "$PC" ] && [ -x "$top_builddir/nhrp/opennhrp" ]; then
	check "packaged opennhrp.conf: every line commented" \
	    sh -c "! grep -v '^#' '$PC'"
	check "packaged opennhrp.conf parses (opennhrp -n)" \
	    "$top_builddir/nhrp/opennhrp" -n -c "$PC"
	sed -n '/^# ---- a spoke/,/^# ---- a hub/p' "$PC" |
	    sed -e 's/^#$//' -e t -e 's/^#\([^ ]\)/\1/' >"$T/spoke.conf"
	sed -n '/^# ---- a hub/,$p' "$PC" |
	    sed -e 's/^#$//' -e t -e 's/^#\([^ ]\)/\1/' >"$T/hub.conf"
	check "packaged opennhrp.conf: uncommented spoke example parses" \
	    "$top_builddir/nhrp/opennhrp" -n -c "$T/spoke.conf"
	check "packaged opennhrp.conf: uncommented hub example parses" \
	    "$top_builddir/nhrp/opennhrp" -n -c "$T/hub.conf"
	check "uncommented spoke example = contrib/examples/spoke.conf" \
	    sh -c "sed 1d '$T/spoke.conf' | sed '\$d' | sed '\$d' | cmp -s - '$C/examples/spoke.conf'"
else
	skip "packaged opennhrp.conf" "not built ($PC, nhrp/opennhrp)"
fi

# ---- hook scripts with stub commands -------------------------------------------------

B=$T/hook/bin
mkdir -p "$B"
for cmd in ip swanctl vtysh logger; do
	cat >"$B/$cmd" <<'EOF'
#!/bin/sh
# stub: logs "name|arg|arg..."
name=${0##*/}
{
	printf '%s' "$name"
	printf '|%s' "$@"
	printf '\n'
} >>"$STUB_LOG"
case "$name $*" in
"ip -o -4 route get "*)
	echo "$5 via 198.51.100.254 dev eth0 src 198.51.100.2 uid 0 \\    cache"
	;;
"ip rule del "*)
	exit 2
	;;
"swanctl --list-sas"*)
	[ -f "$STUB_SAS" ] && cat "$STUB_SAS"
	;;
"swanctl --initiate"*)
	exit "${STUB_INITIATE_RC:-0}"
	;;
esac
exit 0
EOF
	chmod 755 "$B/$cmd"
done
HOOK_SH="sh"
command -v dash >/dev/null 2>&1 && HOOK_SH=dash

LOG=$T/hook/calls
GOT=$T/hook/got
WANT=$T/hook/want
SAS=$T/hook/sas
# hook SCRIPT EVENT [NAME=VALUE...]: runs the hook like the daemon does
# (only NHRP_* plus PATH, and the test's settings); $rc is its status,
# $GOT its calls without logger, $LOG every call
hook() {
	_s=$1
	_e=$2
	shift 2
	: >"$LOG"
	env -i PATH="$B:/usr/sbin:/usr/bin:/sbin:/bin" STUB_LOG="$LOG" \
	    STUB_SAS="$SAS" LOCK_FILE="$T/hook/lock" \
	    SWANCTL_PEER_DIR="$T/hook/swanctl" BGP_STATE_DIR="$T/hook/bgp" \
	    ALLOW_FILE="$T/hook/allow" "$@" \
	    "$HOOK_SH" "$C/hooks/opennhrp-script.$_s" "$_e" >"$T/hook/out" 2>&1
	rc=$?
	grep -v '^logger|' "$LOG" >"$GOT"
}
# expect DESC STATUS: compares status and $GOT with the calls on stdin
expect() {
	cat >"$WANT"
	if [ "$rc" = "$2" ] && cmp -s "$WANT" "$GOT"; then
		ok "$1"
		return
	fi
	not_ok "$1"
	diag "exit status $rc (want $2)"
	diag "$(diff -u "$WANT" "$GOT")"
	[ -s "$T/hook/out" ] && diag "$(cat "$T/hook/out")"
}
logged() {
	grep '^logger|' "$LOG" | grep -q "$1"
}

IF="NHRP_INTERFACE=gre1 NHRP_GRE_KEY=1234"
SPOKE="NHRP_SRCADDR=10.255.255.2 NHRP_SRCNBMA=198.51.100.2 $IF"
HUB="NHRP_SRCADDR=10.255.255.1 NHRP_SRCNBMA=198.51.100.1 $IF"

for role in spoke hub; do
	# shellcheck disable=SC2086
	hook $role interface-up NHRP_TYPE=INTERFACE $IF
	expect "$role interface-up: flush, ip rules for tables 42 and 43" 0 <<'EOF'
ip|route|flush|table|42|proto|42|dev|gre1
ip|route|flush|table|43|proto|42
ip|neigh|flush|dev|gre1
ip|rule|del|pref|42
ip|rule|add|pref|42|lookup|42
ip|rule|del|pref|43
ip|rule|add|pref|43|lookup|43
EOF
	# shellcheck disable=SC2086
	hook $role route-up NHRP_TYPE=shortcut-route NHRP_DESTADDR=192.168.3.0 \
	    NHRP_DESTPREFIX=24 NHRP_NEXTHOP=10.255.255.3 $SPOKE
	expect "$role route-up: shortcut route in table 42" 0 <<'EOF'
ip|route|replace|192.168.3.0/24|proto|42|via|10.255.255.3|dev|gre1|table|42
EOF
	# shellcheck disable=SC2086
	hook $role route-down NHRP_TYPE=shortcut-route \
	    NHRP_DESTADDR=192.168.3.0 NHRP_DESTPREFIX=24 \
	    NHRP_NEXTHOP=10.255.255.3 NHRP_PEER_DOWN_REASON=expired $SPOKE
	expect "$role route-down: shortcut route removed" 0 <<'EOF'
ip|route|del|192.168.3.0/24|proto|42|table|42
EOF
	# shellcheck disable=SC2086
	hook $role nhs-up NHRP_TYPE=static NHRP_DESTADDR=10.255.255.1 \
	    NHRP_DESTPREFIX=24 NHRP_DESTNBMA=198.51.100.1 $SPOKE
	expect "$role nhs-up: logged only" 0 </dev/null
	check "$role nhs-up: the log line names the NHS" logged 'nhs-up 10.255.255.1'
	hook $role some-future-event
	expect "$role: an unknown event is accepted, no calls" 0 </dev/null
done

# spoke: peer-up towards the hub, no SA yet: generate, load, initiate
rm -f "$SAS"
# shellcheck disable=SC2086
hook spoke peer-up NHRP_TYPE=static NHRP_DESTADDR=10.255.255.1 \
    NHRP_DESTPREFIX=24 NHRP_DESTNBMA=198.51.100.1 $SPOKE
expect "spoke peer-up (hub, no SA): load and initiate dmvpn-198.51.100.1" 0 <<'EOF'
swanctl|--list-sas|--noblock
swanctl|--load-conns
swanctl|--initiate|--ike|dmvpn-198.51.100.1|--child|dmvpn|--timeout|20
EOF
printf 'connections {\n\tdmvpn-198.51.100.1 : dmvpn {\n\t\tremote_addrs = 198.51.100.1\n\t}\n}\n' \
    >"$WANT"
same "$WANT" "$T/hook/swanctl/dmvpn-198.51.100.1.conf" \
    "spoke peer-up: the generated connection inherits from dmvpn"

cat >"$SAS" <<'EOF'
dmvpn-198.51.100.1: #7, ESTABLISHED, IKEv2, 8a1b2c3d4e5f6071_i* 1122334455667788_r
  local  'C=DE, O=Example, CN=spoke2' @ 198.51.100.2[4500]
  remote 'C=DE, O=Example, CN=hub1' @ 198.51.100.1[4500]
  AES_GCM_16-256/PRF_HMAC_SHA2_384/ECP_384
  established 12s ago, rekeying in 13972s
  dmvpn: #9, reqid 1, INSTALLED, TRANSPORT, ESP:AES_GCM_16-256
dmvpn: #8, CONNECTING, IKEv2, 0102030405060708_i 0000000000000000_r
  local  'C=DE, O=Example, CN=spoke2' @ 198.51.100.2[500]
  remote '%any' @ 198.51.100.4[500]
dmvpn: #3, ESTABLISHED, IKEv2, 0a0b0c0d0e0f0102_i 0203040506070809_r*
  local  'C=DE, O=Example, CN=spoke2' @ 198.51.100.2[4500]
  remote 'C=DE, O=Example, CN=spoke3' @ 198.51.100.3[4500]
  dmvpn: #4, reqid 2, INSTALLED, TRANSPORT, ESP:AES_GCM_16-256
EOF
# shellcheck disable=SC2086
hook spoke peer-up NHRP_TYPE=cached NHRP_DESTADDR=10.255.255.3 \
    NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.3 NHRP_DESTMTU=1400 $SPOKE
expect "spoke peer-up (spoke3 initiated already, mtu 1400): MTU route only" 0 <<'EOF'
swanctl|--list-sas|--noblock
ip|-o|-4|route|get|198.51.100.3|from|198.51.100.2
ip|route|replace|198.51.100.3/32|dev|eth0|via|198.51.100.254|proto|42|mtu|1400|table|43
EOF
# shellcheck disable=SC2086
hook spoke peer-up NHRP_TYPE=cached NHRP_DESTADDR=10.255.255.4 \
    NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.4 STUB_INITIATE_RC=1 $SPOKE
expect "spoke peer-up: IKE fails (SA only connecting) -> exit 1" 1 <<'EOF'
swanctl|--list-sas|--noblock
swanctl|--load-conns
swanctl|--initiate|--ike|dmvpn-198.51.100.4|--child|dmvpn|--timeout|20
EOF
check "spoke peer-up failure is logged" logged 'no IPsec SA with 198.51.100.4'
# shellcheck disable=SC2086
hook spoke peer-up NHRP_TYPE=cached NHRP_DESTADDR=10.255.255.5 \
    NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.5 IPSEC=no $SPOKE
expect "spoke peer-up with IPSEC=no: no swanctl" 0 </dev/null
# shellcheck disable=SC2086
hook spoke peer-down NHRP_TYPE=static NHRP_DESTADDR=10.255.255.1 \
    NHRP_DESTPREFIX=24 NHRP_DESTNBMA=198.51.100.1 \
    NHRP_PEER_DOWN_REASON=user-request $SPOKE
expect "spoke peer-down (user-request): terminate SA #7, unload" 0 <<'EOF'
swanctl|--list-sas|--noblock
swanctl|--terminate|--ike-id|7|--force|--timeout|10
swanctl|--load-conns
ip|route|del|198.51.100.1/32|proto|42|table|43
EOF
check "spoke peer-down: generated connection removed" \
    test ! -e "$T/hook/swanctl/dmvpn-198.51.100.1.conf"
# shellcheck disable=SC2086
hook spoke peer-down NHRP_TYPE=cached NHRP_DESTADDR=10.255.255.3 \
    NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.3 NHRP_DESTMTU=1400 \
    NHRP_PEER_DOWN_REASON=lower-down $SPOKE
expect "spoke peer-down (lower-down): IPsec left alone, MTU route removed" 0 <<'EOF'
ip|route|del|198.51.100.3/32|proto|42|table|43
EOF
# shellcheck disable=SC2086
hook spoke peer-register NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.9 \
    NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.9 $SPOKE
expect "spoke peer-register: refused (a spoke is no NHS)" 1 </dev/null

# hub: peer-register against the allow-list and the IKE identity
cat >"$T/hook/allow" <<'EOF'
# tunnel-address  AS     networks                        IKE identity

10.255.255.2      65002  192.168.2.0/24,192.168.22.0/32  C=DE, O=Example, CN=spoke2
10.255.255.3      65003  192.168.3.0/24                  C=DE,   O=Example,  CN=spoke3
10.255.255.4      65004  -                               *
10.255.255.6      6500x  -                               *
EOF
cat >"$SAS" <<'EOF'
dmvpn: #3, ESTABLISHED, IKEv2, 0a0b0c0d0e0f0102_i 0203040506070809_r*
  local  'C=DE, O=Example, CN=hub1' @ 198.51.100.1[4500]
  remote 'C=DE, O=Example, CN=spoke2' @ 198.51.100.2[4500]
  dmvpn: #4, reqid 2, INSTALLED, TRANSPORT, ESP:AES_GCM_16-256
dmvpn: #5, ESTABLISHED, IKEv2, 1a0b0c0d0e0f0102_i 1203040506070809_r*
  local  'C=DE, O=Example, CN=hub1' @ 198.51.100.1[4500]
  remote 'C=DE, O=Example, CN=mallory' @ 198.51.100.7[4500]
EOF
REG2="NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.2 NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.2"
# shellcheck disable=SC2086
hook hub peer-register $REG2 $HUB
expect "hub peer-register spoke2: identity matches, BGP neighbour added" 0 <<'EOF'
swanctl|--list-sas|--noblock
vtysh|-d|bgpd|-c|configure terminal|-c|ip prefix-list nhrp-10.255.255.2-in seq 5 permit 192.168.2.0/24 le 32|-c|ip prefix-list nhrp-10.255.255.2-in seq 10 permit 192.168.22.0/32|-c|router bgp 65000|-c|neighbor 10.255.255.2 remote-as 65002|-c|neighbor 10.255.255.2 peer-group spokes|-c|address-family ipv4 unicast|-c|neighbor 10.255.255.2 prefix-list nhrp-10.255.255.2-in in
EOF
cp "$GOT" "$T/hook/vtysh-add"
check "hub peer-register: authorised, logged to auth" \
    logged 'auth.info|--|registration of 10.255.255.2 from 198.51.100.2 authorised'
# shellcheck disable=SC2086
hook hub peer-register $REG2 $HUB
expect "hub peer-register refresh: no vtysh" 0 <<'EOF'
swanctl|--list-sas|--noblock
EOF
# shellcheck disable=SC2086
hook hub peer-register NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.2 \
    NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.7 $HUB
expect "hub peer-register: spoke2's address from mallory's SA -> refused" 1 <<'EOF'
swanctl|--list-sas|--noblock
EOF
check "hub peer-register refusal logged (auth.err, DENIED)" \
    logged "auth.err|--|registration of 10.255.255.2 from 198.51.100.7 DENIED: IKE identity 'C=DE, O=Example, CN=mallory' is not 'C=DE, O=Example, CN=spoke2'"
# shellcheck disable=SC2086
hook hub peer-register NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.3 \
    NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.3 $HUB
expect "hub peer-register spoke3: no IKE SA -> refused" 1 <<'EOF'
swanctl|--list-sas|--noblock
EOF
# shellcheck disable=SC2086
hook hub peer-register NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.9 \
    NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.9 $HUB
expect "hub peer-register: address not in the allow-list -> refused" 1 </dev/null
# shellcheck disable=SC2086
hook hub peer-register NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.2 \
    NHRP_DESTPREFIX=24 NHRP_DESTNBMA=198.51.100.2 $HUB
expect "hub peer-register: a /24 registration -> refused" 1 </dev/null
# shellcheck disable=SC2086
hook hub peer-register NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.6 \
    NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.6 $HUB
expect "hub peer-register: bad AS in the allow-list -> refused" 1 </dev/null
# shellcheck disable=SC2086
hook hub peer-register NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.4 \
    NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.4 $HUB
expect "hub peer-register '*' entry: no IPsec check, deny-all prefix-list" 0 <<'EOF'
vtysh|-d|bgpd|-c|configure terminal|-c|ip prefix-list nhrp-10.255.255.4-in seq 5 deny any|-c|router bgp 65000|-c|neighbor 10.255.255.4 remote-as 65004|-c|neighbor 10.255.255.4 peer-group spokes|-c|address-family ipv4 unicast|-c|neighbor 10.255.255.4 prefix-list nhrp-10.255.255.4-in in
EOF
# shellcheck disable=SC2086
hook hub peer-register $REG2 BGP_NEIGHBORS=no BGP_STATE_DIR="$T/hook/nobgp" $HUB
expect "hub peer-register with BGP_NEIGHBORS=no: no vtysh" 0 <<'EOF'
swanctl|--list-sas|--noblock
EOF

# shellcheck disable=SC2086
hook hub peer-up $REG2 NHRP_DESTMTU=1400 $HUB
expect "hub peer-up spoke2: SA exists, MTU route" 0 <<'EOF'
swanctl|--list-sas|--noblock
ip|-o|-4|route|get|198.51.100.2|from|198.51.100.1
ip|route|replace|198.51.100.2/32|dev|eth0|via|198.51.100.254|proto|42|mtu|1400|table|43
EOF
# shellcheck disable=SC2086
hook hub peer-up NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.4 \
    NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.4 $HUB
expect "hub peer-up without an SA -> exit 1, no initiation" 1 <<'EOF'
swanctl|--list-sas|--noblock
EOF
# shellcheck disable=SC2086
hook hub peer-up NHRP_TYPE=static NHRP_DESTADDR=10.255.255.254 \
    NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.254 $HUB
expect "hub peer-up static (second hub): initiated" 0 <<'EOF'
swanctl|--list-sas|--noblock
swanctl|--load-conns
swanctl|--initiate|--ike|dmvpn-198.51.100.254|--child|dmvpn|--timeout|20
EOF
# shellcheck disable=SC2086
hook hub peer-down NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.2 \
    NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.9 \
    NHRP_PEER_DOWN_REASON=expired $HUB
expect "hub peer-down of an old binding (other NBMA): BGP neighbour kept" 0 <<'EOF'
swanctl|--list-sas|--noblock
ip|route|del|198.51.100.9/32|proto|42|table|43
EOF
# shellcheck disable=SC2086
hook hub peer-down $REG2 NHRP_PEER_DOWN_REASON=expired $HUB
expect "hub peer-down spoke2 (expired): SA terminated, BGP neighbour removed" 0 <<'EOF'
swanctl|--list-sas|--noblock
swanctl|--terminate|--ike-id|3|--force|--timeout|10
ip|route|del|198.51.100.2/32|proto|42|table|43
vtysh|-d|bgpd|-c|configure terminal|-c|router bgp 65000|-c|no neighbor 10.255.255.2|-c|exit|-c|no ip prefix-list nhrp-10.255.255.2-in
EOF
cp "$GOT" "$T/hook/vtysh-del"
check "hub peer-down: BGP state forgotten" \
    test ! -e "$T/hook/bgp/10.255.255.2"
# shellcheck disable=SC2086
hook hub peer-register $REG2 $HUB
check "hub peer-register after peer-down adds the neighbour again" \
    grep -q '^vtysh|' "$GOT"

# ---- FRR configurations and the hook's vtysh commands --------------------------------

# vtysh_lines FILE: the -c commands of the vtysh calls in a stub log
vtysh_lines() {
	awk -F '|' '$1 == "vtysh" {
		for (i = 2; i < NF; i++)
			if ($i == "-c" && $(i + 1) != "configure terminal")
				print $(i + 1)
	}' "$1"
}
if command -v vtysh >/dev/null 2>&1; then
	for f in hub spoke; do
		check "vtysh --dryrun accepts contrib/frr/$f.frr.conf" \
		    vtysh --dryrun -f "$C/frr/$f.frr.conf"
	done
	{
		cat "$C/frr/hub.frr.conf"
		vtysh_lines "$T/hook/vtysh-add"
		echo "exit"
		vtysh_lines "$T/hook/vtysh-del"
	} >"$T/frr-hook.conf"
	check "vtysh --dryrun accepts the commands the hub hook sends" \
	    sh -c "grep -q 'neighbor 10.255.255.2 prefix-list' '$T/frr-hook.conf' &&
		grep -q 'no neighbor 10.255.255.2' '$T/frr-hook.conf' &&
		vtysh --dryrun -f '$T/frr-hook.conf'"
else
	skip "vtysh --dryrun of the FRR examples and hook commands" "no vtysh"
fi

# ---- swanctl examples ------------------------------------------------------------------

for f in hub spoke; do
	check "swanctl/$f.swanctl.conf: braces balance, dmvpn template in transport mode for GRE" \
	    awk '
		{ line = $0; sub(/#.*/, "", line)
		  o += gsub(/\{/, "{", line); c += gsub(/\}/, "}", line) }
		/^\tdmvpn \{/ { tmpl = 1 }
		/remote_addrs = %any/ { any = 1 }
		/mode = transport/ { tr = 1 }
		/local_ts = dynamic\[gre\]/ { ts = 1 }
		/^include \/var\/run\/opennhrp-swanctl\/\*\.conf$/ { inc = 1 }
		END { exit !(o == c && tmpl && any && tr && ts && inc) }' \
	    "$C/swanctl/$f.swanctl.conf"
done

echo "1..$n"
[ "$failed" -eq 0 ]

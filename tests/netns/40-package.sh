#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 40-package: the Debian package "opennhrp" (contrib/debian/) installs as a
# drop-in and its daemon runs with the packaged files.
#
# The .deb is $NHRP_DEB, else the newest $top_builddir/contrib/deb/opennhrp_*.deb:
# build it on the host before the VM boots with "make deb" in the build
# tree (about a minute).  Building it inside the VM
# takes longer than the test timeout under TCG emulation, so that happens
# only with NHRP_DEB_BUILD=1.  A .deb older than the sources is used, with a
# warning.
#
# dpkg -i changes the system, so it runs only in the throwaway VM of
# tests/vm/run.sh (NHRP_IN_VM=1), or where NHRP_PACKAGE_INSTALL=1 says the
# machine may be changed; elsewhere the install checks are skipped.
#
# Then: status and version, the files and conffiles, the sysctl limits
# raised by postinst, `opennhrp -V`, `opennhrp -n` on the packaged config;
# `/usr/sbin/opennhrp -d` with the default paths (packaged opennhrp.conf
# and opennhrp-script) in a namespace with gre1: the parent exits 0, the
# pid file and /var/run/opennhrp.socket appear, `opennhrpctl show` answers;
# then with a hub configuration a spoke (the build tree's daemon) registers
# through the packaged hook script; SIGTERM stops it; dpkg -r keeps the
# conffiles, dpkg -P removes them.
#
# NHRP on the wire: the packaged hub answers s2's registrations. The whole
# WAN is captured from before the packaged daemon's first start: every NHRP
# packet the packaged hub and s2 sent decodes cleanly in tshark (without a
# build tree daemon there is no spoke, and the capture must hold no GRE).

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wireshark.sh"

PKG_PID=/var/run/opennhrp.pid
PKG_SOCK=/var/run/opennhrp.socket
version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' \
    "$top_srcdir/configure.ac")

# ---- the .deb ------------------------------------------------------------------

# deb_stale DEB: prints up to 3 source files newer than DEB
deb_stale() {
	find "$top_srcdir/configure.ac" "$top_srcdir/Makefile.am" \
	    "$top_srcdir/nhrp" "$top_srcdir/libnhrp" "$top_srcdir/scripts" \
	    "$top_srcdir/man" "$top_srcdir/contrib" -type f -newer "$1" \
	    2>/dev/null | head -n 3
}

build_deb() {
	local out
	out=$(sh "$top_srcdir/contrib/build-deb.sh" \
	    -o "$top_builddir/contrib/deb" "$top_srcdir" \
	    2>"$RUNDIR/build-deb.log") || {
		tail -n 30 "$RUNDIR/build-deb.log"
		return 1
	}
	DEB=$(echo "$out" | tail -n 1)
	[ -f "$DEB" ]
}

DEB=${NHRP_DEB:-}
if [ -z "$DEB" ]; then
	for f in "$top_builddir"/contrib/deb/opennhrp_*.deb; do
		[ -f "$f" ] || continue
		if [ -z "$DEB" ] || [ "$f" -nt "$DEB" ]; then
			DEB=$f
		fi
	done
fi
if [ -n "$DEB" ]; then
	check "the Debian package exists: $DEB" test -f "$DEB" ||
	    bail_out "no Debian package"
	stale=$(deb_stale "$DEB")
	[ -n "$stale" ] && diag "warning: $DEB is older than" "$stale" \
	    "(run \"make deb\" in $top_builddir to test the current tree)"
elif [ "${NHRP_DEB_BUILD:-0}" = 1 ]; then
	check "contrib/build-deb.sh builds the package" build_deb ||
	    bail_out "no Debian package"
else
	not_ok "no Debian package in $top_builddir/contrib/deb: run \"make deb\" there before tests/netns/run.sh (or set NHRP_DEB, or NHRP_DEB_BUILD=1 to build it here, slowly)"
	tap_done
fi

check "the package is called opennhrp, version 1:$version" \
    test "$(dpkg-deb -f "$DEB" Package Version | tr '\n' ' ')" = \
    "Package: opennhrp Version: 1:$version "

if [ "${NHRP_IN_VM:-0}" != 1 ] && [ "${NHRP_PACKAGE_INSTALL:-0}" != 1 ]; then
	skip "install the package" "not in a throwaway VM (set NHRP_PACKAGE_INSTALL=1 to allow dpkg -i here)"
	tap_done
fi

# ---- install -----------------------------------------------------------------------

if [ -e "$PKG_SOCK" ] || [ -e "$PKG_PID" ]; then
	diag "removing a stale $PKG_SOCK / $PKG_PID"
	rm -f "$PKG_SOCK" "$PKG_PID"
fi
check "dpkg -i installs it" dpkg -i "$DEB" ||
    bail_out "the package does not install"
check "dpkg: opennhrp 1:$version is installed" \
    test "$(dpkg-query -W -f='${Status} ${Version}' opennhrp)" = \
    "install ok installed 1:$version"

files_ok() {
	local f bad=0
	for f in x:/usr/sbin/opennhrp x:/usr/sbin/opennhrpctl \
	    x:/etc/opennhrp/opennhrp-script f:/etc/opennhrp/opennhrp.conf \
	    f:/etc/default/opennhrp f:/lib/systemd/system/opennhrp.service \
	    f:/usr/lib/sysctl.d/60-opennhrp.conf \
	    f:/usr/share/man/man8/opennhrp.8.gz \
	    f:/usr/share/man/man8/opennhrpctl.8.gz \
	    f:/usr/share/man/man8/opennhrp-script.8.gz \
	    f:/usr/share/man/man5/opennhrp.conf.5.gz \
	    x:/usr/share/doc/opennhrp/examples/hooks/opennhrp-script.hub \
	    f:/usr/share/doc/opennhrp/examples/swanctl/spoke.swanctl.conf; do
		if ! test -"${f%%:*}" "${f#*:}"; then
			echo "missing or wrong mode: ${f#*:}"
			bad=1
		fi
	done
	return $bad
}
check "binaries, /etc files, unit, sysctl snippet, man pages, examples" \
    files_ok
conffiles_ok() {
	local c
	c=$(dpkg-query -W -f='${Conffiles}' opennhrp)
	echo "$c"
	echo "$c" | grep -q ' /etc/opennhrp/opennhrp.conf ' &&
	    echo "$c" | grep -q ' /etc/opennhrp/opennhrp-script ' &&
	    echo "$c" | grep -q ' /etc/default/opennhrp '
}
check "opennhrp.conf, opennhrp-script and /etc/default/opennhrp are conffiles" \
    conffiles_ok
check "the unit runs opennhrp -d -p /run/opennhrp.pid (Type=forking)" \
    bash -c "grep -qx 'Type=forking' /lib/systemd/system/opennhrp.service &&
	grep -q '^ExecStart=/usr/sbin/opennhrp -d -p /run/opennhrp.pid' /lib/systemd/system/opennhrp.service"
check "postinst raised net.ipv4.neigh.default.gc_thresh3 (>= 262144)" \
    test "$(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3)" -ge 262144
check "opennhrp -V: $(/usr/sbin/opennhrp -V 2>&1)" \
    bash -c "/usr/sbin/opennhrp -V | grep -qx 'opennhrp-ng $version (OpenNHRP 0.14.1 compatible)'"
check "the packaged opennhrp.conf is valid and configures nothing" \
    bash -c "/usr/sbin/opennhrp -n -c /etc/opennhrp/opennhrp.conf &&
	! grep -v '^#' /etc/opennhrp/opennhrp.conf"

# ---- run it with the packaged files -----------------------------------------------------

nhrp_add_node hub 1
check "capture on the WAN bridge" nhrp_capture_start wan br0

pkg_pid() {
	local p
	read -r p <"$PKG_PID" 2>/dev/null || return 1
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"
}
pkg_ready() {
	pkg_pid >/dev/null &&
	    /usr/sbin/opennhrpctl show 2>/dev/null | grep -q '^Status: ok'
}
# pkg_start: /usr/sbin/opennhrp -d with every default path, in the hub
pkg_start() {
	local rc
	hub /usr/sbin/opennhrp -d </dev/null >"$RUNDIR/pkg-start.log" 2>&1
	rc=$?
	cat "$RUNDIR/pkg-start.log"
	if [ $rc != 0 ]; then
		echo "opennhrp -d exited with status $rc"
		return 1
	fi
	if ! poll 30 pkg_ready; then
		echo "no pid file or no answer on $PKG_SOCK after 30 s"
		ls -l "$PKG_PID" "$PKG_SOCK" 2>&1
		return 1
	fi
}
pkg_stop() {
	local p
	p=$(pkg_pid) || { echo "not running"; return 1; }
	kill -TERM "$p"
	if ! poll 60 _nhrp_dead "$p"; then
		echo "still running 60 s after SIGTERM: killed"
		kill -KILL "$p"
		return 1
	fi
}

if ! check "opennhrp -d starts with the packaged config and script (parent exits 0, admin socket answers)" \
    pkg_start; then
	diag "the daemon does not start yet: the checks that need it fail below"
fi
check "pid file $PKG_PID holds the daemon's pid" pkg_pid
check "opennhrpctl show (default socket $PKG_SOCK): Status: ok" \
    bash -c "/usr/sbin/opennhrpctl show | head -n 1 | grep -qx 'Status: ok'"
check "SIGTERM stops it" pkg_stop
check "pid file removed at exit" test ! -e "$PKG_PID"

# A hub configuration in the packaged conffile; a spoke (build tree daemon)
# registers; the packaged hook script accepts it.
cat >/etc/opennhrp/opennhrp.conf <<'EOF'
interface gre1
	holding-time 60
	multicast dynamic
	redirect
EOF
nhrp_add_node s2 2
nhrp_capture_from wan br0 hub s2
nhrp_conf s2 <<'EOF'
interface gre1
	map 10.255.255.1/24 198.51.100.1 register
	holding-time 60
EOF
check "opennhrp -d starts with a hub configuration" pkg_start
check "interface show: gre1 configured with key 1234" \
    bash -c "/usr/sbin/opennhrpctl interface show | tr '\n' '|' |
	grep -q 'Interface: gre1|Index: [0-9]*|Protocol-Address: 10.255.255.1/24|.*GRE-Key: 1234|'"
if nhrp_have_daemon; then
	check "spoke s2 (build tree daemon) starts" nhrp_start s2
	hub_has_s2() {
		/usr/sbin/opennhrpctl show | tr '\n' '|' |
		    grep -q 'Type: dynamic|Protocol-Address: 10.255.255.2/32|NBMA-Address: 198.51.100.2|Flags: [a-z ]*up'
	}
	wait_for 60 "the packaged hub accepts s2's registration (packaged hook script)" \
	    hub_has_s2
	check "s2 reaches the hub over gre1" s2 ping -c 1 -W 5 10.255.255.1
	check "s2 exits on SIGTERM" nhrp_stop s2 TERM 60
else
	skip "spoke registers with the packaged hub" "no daemon in $top_builddir"
fi
check "SIGTERM stops the hub" pkg_stop
check "pid file removed at exit" test ! -e "$PKG_PID"
if nhrp_have_daemon; then
	check "every NHRP packet the packaged hub and s2 sent decodes cleanly (tshark)" \
	    nhrp_capture_check wan br0
else
	check "no spoke, so no GRE (no NHRP) on the WAN: 0 frames captured" \
	    test "$(nhrp_capture_frames wan br0)" = 0
fi

# ---- remove, purge ----------------------------------------------------------------------

check "dpkg -r removes the programs, keeps the conffiles" \
    bash -c "dpkg -r opennhrp && test ! -e /usr/sbin/opennhrp &&
	test -f /etc/opennhrp/opennhrp.conf && test -f /etc/opennhrp/opennhrp-script"
check "dpkg -P removes the conffiles" \
    bash -c "dpkg -P opennhrp && test ! -e /etc/opennhrp/opennhrp.conf &&
	test ! -e /etc/default/opennhrp"

tap_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# contrib/demo.sh: THE demo command. On a fresh Debian 12 machine, as root:
#
#	contrib/demo.sh
#
# Installs the dependencies, builds opennhrp-ng, then (inside a throwaway VM
# when this kernel has no GRE) builds a hub and two spokes in network
# namespaces on a shared WAN, starts opennhrp on each with the configs in
# contrib/demo/, waits until both spokes registered with the hub, pings
# spoke to spoke over the tunnel and prints every node's `opennhrpctl show`
# and `opennhrpctl interface show`.
#
#	  spoke1 10.255.255.2 ═╗                    ╔═ spoke2 10.255.255.3
#	  eth0 198.51.100.2 ───╫──── wan br0 ───────╫─── eth0 198.51.100.3
#	                       ╚═ hub 10.255.255.1 ═╝
#	                          eth0 198.51.100.1     (mGRE gre1, key 1234)
#
# Environment: NHRP_DEMO_BUILD (build directory, default <tree>/_build/demo),
# NHRP_DEMO_SKIP_DEPS=1 (do not run tests/install-deps.sh).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" != --inner ]; then
	build=${NHRP_DEMO_BUILD:-$top/_build/demo}
	if [ "${NHRP_DEMO_SKIP_DEPS:-0}" != 1 ]; then
		"$top/tests/install-deps.sh" || exit 1
	fi
	if [ ! -x "$top/configure" ]; then
		(cd "$top" && ./autogen.sh) || exit 1
	fi
	mkdir -p "$build" || exit 1
	if [ ! -f "$build/Makefile" ]; then
		(cd "$build" && "$top/configure") || exit 1
	fi
	echo "demo: building in $build"
	make -C "$build" -j"$(nproc)" -s || {
		echo "demo: the full build failed; trying the daemon alone" >&2
		make -C "$build" -s nhrp/opennhrp nhrp/opennhrpctl
	}
	export top_srcdir=$top top_builddir=$build
	exec "$top/tests/vm/run.sh" --share "$build" -- bash "$0" --inner
fi

# ---- inside (root, GRE available) -------------------------------------------
. "$top/tests/netns/lib.sh"
TAP_DONE=demo		# plain output, not TAP

say() {
	printf '\n### %s\n' "$*"
}

nhrp_add_node hub 1
nhrp_add_node spoke1 2
nhrp_add_node spoke2 3

topology() {
	local n
	for n in hub spoke1 spoke2; do
		say "$n: ip addr / ip neigh"
		"$n" ip -brief addr show
		"$n" ip neigh show dev gre1
	done
}

if ! nhrp_have_daemon; then
	say "the opennhrp daemon is not built yet ($NHRP_DAEMON -V failed)"
	echo "Showing the topology it will run on, with static neighbour entries"
	echo "instead of NHRP."
	for a in hub spoke1 spoke2; do
		for b in hub spoke1 spoke2; do
			[ "$a" = "$b" ] || nhrp_static_neigh "$a" "$b"
		done
	done
	topology
	say "spoke1 -> spoke2 over mGRE (static entries)"
	spoke1 ping -c3 -i0.3 -W5 10.255.255.3
	exit $?
fi

say "$("$NHRP_DAEMON" -V)"
nhrp_start hub "$top/contrib/demo/hub.conf" -v || exit 1
nhrp_start spoke1 "$top/contrib/demo/spoke.conf" -v || exit 1
nhrp_start spoke2 "$top/contrib/demo/spoke.conf" -v || exit 1

registered() {
	[ "$(nhrp_ctl hub show | grep -c '^Type: dynamic')" -ge 2 ]
}
say "waiting for both spokes to register with the hub"
if ! poll 90 registered; then
	echo "demo: the spokes did not register within 90 s" >&2
	nhrp_ctl hub show
	tail -n 30 "$(nhrp_log hub)" "$(nhrp_log spoke1)"
	exit 1
fi
echo "both spokes registered"

say "spoke1 -> spoke2 (10.255.255.3)"
spoke1 ping -c5 -i0.5 -W5 10.255.255.3
rc=$?

for n in hub spoke1 spoke2; do
	say "$n: opennhrpctl show"
	nhrp_ctl "$n" show
	say "$n: opennhrpctl interface show"
	nhrp_ctl "$n" interface show
done
topology
say "hook events seen by spoke1"
nhrp_events spoke1
exit $rc

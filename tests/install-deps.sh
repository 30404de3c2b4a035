#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/install-deps.sh: install everything the build and ALL the tests need
# on Debian 12 (bookworm), as root. Idempotent: when every package is
# already installed it does nothing (no apt-get update, no network).
#
#   tests/install-deps.sh           install what is missing
#   tests/install-deps.sh --list    print the package list
#   tests/install-deps.sh --check   exit 1 when something is missing
#
# THE package list: add new test or build dependencies here, nowhere else.
set -eu

PACKAGES="
	autoconf automake libtool pkg-config make gcc clang libclang-rt-14-dev
	libmnl-dev libev-dev libc-ares-dev libssl-dev
	mandoc git ca-certificates xz-utils bsdextrautils
	qemu-system-x86 busybox-static kmod
	iproute2 iputils-ping procps psmisc nftables tcpdump tshark
	dnsmasq frr
	debhelper dpkg-dev shellcheck gdb
"

missing() {
	for p in $PACKAGES; do
		s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) || s=
		[ "$s" = "install ok installed" ] || echo "$p"
	done
}

case "${1:-}" in
--list)
	for p in $PACKAGES; do echo "$p"; done
	exit 0
	;;
--check)
	m=$(missing)
	[ -z "$m" ] && exit 0
	echo "missing packages:" $m >&2
	exit 1
	;;
"") ;;
*)
	echo "usage: $0 [--list|--check]" >&2
	exit 2
	;;
esac

m=$(missing)
if [ -z "$m" ]; then
	echo "install-deps: all $(echo $PACKAGES | wc -w) packages are installed"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root to install:" $m >&2
	exit 1
fi
echo "install-deps: installing" $m
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture: answer no.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
    debconf-set-selections 2>/dev/null || true
apt-get update -q
apt-get install -y -q --no-install-recommends $m
echo "install-deps: done"

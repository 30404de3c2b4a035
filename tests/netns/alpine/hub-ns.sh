#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/netns/alpine/hub-ns.sh PRIV FRRDIR CERTS DAEMON ARGS...
#
# Runs an Alpine-style hub's opennhrp (DAEMON ARGS... -s hub-opennhrp-script)
# in a private mount namespace that gives the UNCHANGED hub script what it
# expects from an Alpine box. Call it as
#	ip netns exec NS unshare -m --propagation private hub-ns.sh ...
# (50-alpine.sh does, through nhrp_start). Nothing is changed outside the
# hub's own mount namespace, except creating the directory /var/lock points
# to when it is missing (the VM's /run is an empty tmpfs).
#
#   /bin/sh	    bash mounted over it: it accepts the script's "200>" (a
#		    descriptor above 9; Debian's dash does not). Not Debian's
#		    busybox ash: it is built to prefer its own applets, and
#		    its "ip route flush proto 42 dev gre1" (interface-up)
#		    flushes every route of gre1, the connected one included;
#		    on Alpine the script runs iproute2's ip.
#   /usr/sbin	    a tmpfs with symbolic links to every original entry plus
#		    racoonctl (the stub in this directory, certificates from
#		    CERTS/<nbma>.der, calls logged to PRIV/racoonctl.log) and
#		    openssl (openssl-compat: OpenSSL 3's x509 -text with the
#		    subject in the old /OU=... form). /usr/sbin comes first in
#		    the PATH the daemon gives its hooks.
#   /dev	    a tmpfs with links to the original entries, plus /dev/log
#		    from a busybox syslogd writing PRIV/syslog (the script's
#		    "logger" lines: authenticated / DENIED).
#   /run/frr	    FRRDIR (this hub's FRR path space, /run/frr/<netns>):
#		    the script's plain "vtysh -d bgpd" reaches this hub's bgpd.
#   /var/lock	    PRIV/lock (the script's flock file, per hub).
#   /etc/iproute2   a copy with rt_tables naming 42 nhrp_shortcut,
#		    43 nhrp_mtu and 44 quagga, as the Alpine page adds.

set -eu
[ $# -ge 4 ] || { echo "usage: $0 PRIV FRRDIR CERTS DAEMON ARGS..." >&2; exit 2; }
priv=$1 frrdir=$2 certs=$3 daemon=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
mnt=$priv/mnt

mkdir -p "$mnt" "$priv/lock"
mount -t tmpfs -o mode=755 alpine-hub "$mnt"

# shadow DIR: DIR becomes a tmpfs whose entries link to the original ones
# (still reachable through a bind mount in $mnt/orig/DIR).
shadow() {
	local dir=$1 save=$mnt/orig$1
	mkdir -p "$save"
	mount --rbind "$dir" "$save"
	mount -t tmpfs -o mode=755 alpine-hub "$dir"
	# one ln for all entries: forks are slow in the emulated VM
	shopt -s dotglob nullglob
	set -- "$save"/*
	shopt -u dotglob nullglob
	[ $# -eq 0 ] || ln -s "$@" "$dir/"
}

# /bin/sh
mount --bind "$(command -v bash)" /bin/sh
bb=$(command -v busybox || true)

# /usr/sbin: racoonctl and openssl
real_openssl=$(command -v openssl)
shadow /usr/sbin
rm -f /usr/sbin/racoonctl /usr/sbin/openssl
cat >/usr/sbin/racoonctl <<LAUNCH
#!/bin/sh
RACOON_STUB_CERTS='$certs' RACOON_STUB_LOG='$priv/racoonctl.log' exec '$here/racoonctl' "\$@"
LAUNCH
cat >/usr/sbin/openssl <<LAUNCH
#!/bin/sh
OPENSSL_REAL='$real_openssl' exec '$here/openssl-compat' "\$@"
LAUNCH
chmod 755 /usr/sbin/racoonctl /usr/sbin/openssl

# /dev/log
shadow /dev
rm -f /dev/log
: >"$priv/syslog"
if [ -n "$bb" ]; then
	"$bb" syslogd -O "$priv/syslog"
	for _ in $(seq 50); do
		[ -S /dev/log ] && break
		sleep 0.1
	done
	[ -S /dev/log ] || { echo "hub-ns: syslogd did not create /dev/log" >&2; exit 1; }
fi

# /run/frr
[ -d "$frrdir" ] || { echo "hub-ns: no FRR directory $frrdir" >&2; exit 1; }
mount --bind "$frrdir" /run/frr

# /var/lock
lock=$(readlink -f /var/lock)
[ -d "$lock" ] || mkdir -p "$lock"
mount --bind "$priv/lock" "$lock"

# /etc/iproute2/rt_tables
if [ -d /etc/iproute2 ]; then
	mkdir -p "$mnt/iproute2"
	cp -a /etc/iproute2/. "$mnt/iproute2/"
	if [ ! -f "$mnt/iproute2/rt_tables" ] && [ -f /usr/share/iproute2/rt_tables ]; then
		cp /usr/share/iproute2/rt_tables "$mnt/iproute2/rt_tables"
	fi
	printf '42\tnhrp_shortcut\n43\tnhrp_mtu\n44\tquagga\n' >>"$mnt/iproute2/rt_tables"
	mount --bind "$mnt/iproute2" /etc/iproute2
fi

exec "$daemon" "$@" -s "$here/hub-opennhrp-script"

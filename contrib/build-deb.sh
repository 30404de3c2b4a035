#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# contrib/build-deb.sh [-o OUTDIR] [--check] [SRCDIR]
#
# Builds the Debian binary package "opennhrp" (opennhrp-ng as a drop-in for
# Debian's OpenNHRP package) from the source tree SRCDIR (default: the tree
# this script belongs to).  The tree stays the upstream tree: it is copied
# to a temporary directory (under $TMPDIR), contrib/debian/ becomes debian/
# there, and "dpkg-buildpackage -us -uc -b" runs in the copy.  The .deb and
# .buildinfo/.changes files go to OUTDIR (default: the current directory);
# the path of the .deb is printed last on stdout.
#
# "make check" does not run in the package build unless --check is given
# (DEB_BUILD_OPTIONS=nocheck; the full suite runs on its own).
#
# Needs (Debian 12): dpkg-dev debhelper (which brings dh-autoreconf),
# fakeroot is not needed (Rules-Requires-Root: no), plus the build
# dependencies of contrib/debian/control.

set -eu

usage() {
	echo "usage: $0 [-o OUTDIR] [--check] [SRCDIR]" >&2
	exit 2
}

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
out=$(pwd)
check=0
while [ $# -gt 0 ]; do
	case "$1" in
	-o)
		[ $# -ge 2 ] || usage
		out=$2
		shift 2
		;;
	--check)
		check=1
		shift
		;;
	-h | --help)
		sed -n '3,19p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*) usage ;;
	*)
		src=$(cd "$1" && pwd)
		shift
		;;
	esac
done

for tool in dpkg-buildpackage dh; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "build-deb: $tool is missing: apt-get install dpkg-dev debhelper" >&2
		exit 1
	fi
done
if [ ! -f "$src/configure.ac" ] || [ ! -d "$src/contrib/debian" ]; then
	echo "build-deb: $src is not an opennhrp-ng source tree" >&2
	exit 1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/opennhrp-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# The source files only: no git data, no build trees or generated files
# (dh_autoreconf regenerates configure), no test run output.
tree="$work/opennhrp"
mkdir "$tree"
(cd "$src" && tar -cf - \
    --exclude=.git --exclude=./build --exclude=./_build \
    --exclude=autom4te.cache \
    --exclude=./configure --exclude='./configure~' --exclude='*.in~' \
    --exclude=./config.status --exclude=./config.log --exclude=./Makefile \
    --exclude=./config.h --exclude=./stamp-h1 \
    --exclude='*.o' --exclude='*.a' --exclude=.deps --exclude=.dirstamp \
    --exclude=./tests/netns/run --exclude=./tests/vm/cache \
    --exclude=./contrib/deb \
    .) | (cd "$tree" && tar -xf -)
rm -rf "$tree/debian"
cp -R "$src/contrib/debian" "$tree/debian"

opts="parallel=${NHRP_DEB_JOBS:-2} noautodbgsym"
[ "$check" = 1 ] || opts="$opts nocheck"
echo "build-deb: building in $tree (DEB_BUILD_OPTIONS=$opts)" >&2
(cd "$tree" && DEB_BUILD_OPTIONS="$opts" dpkg-buildpackage -us -uc -b) >&2

deb=
for f in "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes; do
	[ -e "$f" ] || continue
	cp "$f" "$out/"
	case "$f" in
	*/opennhrp_*.deb) deb="$out/$(basename "$f")" ;;
	esac
done
if [ -z "$deb" ]; then
	echo "build-deb: no .deb was produced" >&2
	exit 1
fi
echo "$deb"

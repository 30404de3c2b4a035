#!/bin/sh
# replay.sh TARGET [FILE|DIR...] - replays a fuzz target's corpus (or the
# given inputs, e.g. a crash file) through the plain-main replay binary
# tests/fuzz/replay_TARGET built by make check (driver.c).  TAP output.
# top_builddir/top_srcdir default to the current directory / the script's
# source tree.
set -eu
if [ $# -lt 1 ]; then
	echo "usage: $0 TARGET [FILE|DIR...]" >&2
	exit 2
fi
target=$1
shift
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
bin="$top_builddir/tests/fuzz/replay_$target"
if [ ! -x "$bin" ]; then
	echo "Bail out! $bin not built (make check builds it)"
	exit 1
fi
export top_srcdir
if [ $# -eq 0 ]; then
	exec "$bin" "$top_srcdir/tests/fuzz/corpus/$target"
fi
exec "$bin" "$@"

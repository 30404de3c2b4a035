#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/bench/soak.sh: the churn soak of the scale benchmark (issue 7).
#
#   tests/bench/soak.sh [SECS [SPOKES]] [scale.sh options]
#
# One opennhrp-ng hub (hooks off with -N when the daemon has it), SPOKES
# emulated spokes (default 5000) registered once, then loops of churn (10%
# of the spokes purge their binding and register again) and refresh (every
# spoke registers again) for SECS seconds (default 3600).  Hub VmRSS, its
# kernel neighbour entries and its dynamic cache entries are sampled every
# minute.  At the end every registration is accounted for
# (registrations = ok + fail + unanswered + unfinished; a good run has
# nothing unanswered or unfinished) and RSS first/last/max is printed.
#
# This is "scale.sh --soak SECS --sizes SPOKES"; further options go to
# scale.sh (e.g. --impl floor, --sample 30, --holding 600).  Results:
# tests/bench/results/scale-STAMP.txt ("sample ..." lines and one
# "soak ..." summary line).  Numbers are reported, never asserted.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
secs=3600
spokes=5000
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
	secs=$1
	shift
fi
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
	spokes=$1
	shift
fi
exec bash "$here/scale.sh" --soak "$secs" --sizes "$spokes" "$@"

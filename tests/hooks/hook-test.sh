#!/bin/sh
# Hook used by tests/unit/test_script: what it does depends on the event.
# Results go to files in $NHRP_TESTDIR (passed as an NHRP_* variable,
# because the runner passes nothing else but PATH).
d=$NHRP_TESTDIR
case "$1" in
env)
	# the environment exactly as execve() received it
	tr '\0' '\n' < /proc/$$/environ > "$d/env.out"
	printf '%s\n' "$0" "$1" "$#" > "$d/args.out"
	;;
exit)
	exit "$NHRP_CODE"
	;;
signal)
	kill -USR1 $$
	sleep 5
	;;
sleep)
	echo $$ > "$d/pid.$NHRP_TAG.tmp" && mv "$d/pid.$NHRP_TAG.tmp" "$d/pid.$NHRP_TAG"
	exec sleep 30
	;;
stubborn)
	trap '' TERM
	echo $$ > "$d/pid.$NHRP_TAG.tmp" && mv "$d/pid.$NHRP_TAG.tmp" "$d/pid.$NHRP_TAG"
	exec sleep 30
	;;
fds)
	# ls gets exactly our descriptors plus its own directory handle
	exec ls /proc/self/fd > "$d/fds.out"
	;;
sigs)
	exec grep -E '^Sig(Blk|Ign):' /proc/self/status > "$d/sigs.out"
	;;
mark)
	echo $$ > "$d/mark.$NHRP_TAG"
	;;
order)
	echo "$NHRP_TAG" >> "$d/order.out"
	;;
keyed)
	echo "start $NHRP_TAG" >> "$d/keyed.out"
	sleep 1
	echo "end $NHRP_TAG" >> "$d/keyed.out"
	;;
conc)
	: > "$d/alive.$$"
	set -- "$d"/alive.*
	echo $# >> "$d/count.out"
	sleep 1
	rm -f "$d/alive.$$"
	;;
*)
	exit 99
	;;
esac
exit 0

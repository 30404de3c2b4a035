#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/vm/run.sh: run a command where GRE tunnels work.
#
#   tests/vm/run.sh [options] -- CMD ARGS...
#
# When this kernel can create a GRE device, CMD runs directly. Otherwise a
# throwaway VM boots (Debian's stock kernel, qemu) over the host's own root
# file system, read-only, with a tmpfs overlay on top: same binaries, same
# paths. The git top-level (or the current directory), the build directory
# and every --share DIR are shared read-write at the same paths. CMD runs in
# the same working directory with PATH, top_srcdir, top_builddir, CI, LANG,
# every NHRP_* variable and every --env NAME.
#
# Exit status: CMD's own status. 125 means the VM itself failed (it could not
# start, died, hung past the timeout or never reported a status); a message
# on stderr says which. A VM failure is never a pass or a skip.
#
# Options:
#   --share DIR     also share DIR read-write (repeatable)
#   --env NAME      also pass the variable NAME (repeatable)
#   --timeout SEC   kill the VM after SEC seconds (default $NHRP_VM_TIMEOUT or 2400)
#   --vm            always use the VM (same as NHRP_VM=always)
#   --no-vm         never use the VM (same as NHRP_VM=never)
#   --probe         print "direct" or "vm" and exit
#   --prepare       only fetch and cache the kernel
#
# Environment: NHRP_VM=auto|always|never, NHRP_VM_CACHE (kernel cache,
# default /var/cache/opennhrp-ng/vm), NHRP_VM_MEM (MiB, default 1536),
# NHRP_VM_CPUS (default 2), NHRP_VM_TIMEOUT, NHRP_VM_KERNEL (package version
# such as 6.1.0-56-amd64; default: what linux-image-amd64 depends on).

set -u
set -o pipefail

VM_FAIL=125
CACHE=${NHRP_VM_CACHE:-/var/cache/opennhrp-ng/vm}
MEM=${NHRP_VM_MEM:-1536}
CPUS=${NHRP_VM_CPUS:-2}
TIMEOUT=${NHRP_VM_TIMEOUT:-2400}
MODE=${NHRP_VM:-auto}
SHARES=()
ENVS=()
ACTION=run
FETCH_TMP=

# Modules the initramfs loads to reach the root file system, and the ones
# loaded afterwards from the cached module tree.
INITRD_MODS="virtio_pci virtio_console 9pnet_virtio 9p overlay"
LATE_MODS="ip_gre veth bridge af_packet tun dummy"

die() {
	echo "vm/run.sh: $*" >&2
	[ -n "${FETCH_TMP:-}" ] && rm -rf "$FETCH_TMP"
	exit "$VM_FAIL"
}

msg() {
	echo "vm/run.sh: $*" >&2
}

usage() {
	sed -n '/^#   tests\/vm/,/^# Environment/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--share)	[ $# -ge 2 ] || usage; SHARES+=("$2"); shift 2 ;;
	--env)		[ $# -ge 2 ] || usage; ENVS+=("$2"); shift 2 ;;
	--timeout)	[ $# -ge 2 ] || usage; TIMEOUT=$2; shift 2 ;;
	--vm)		MODE=always; shift ;;
	--no-vm)	MODE=never; shift ;;
	--probe)	ACTION=probe; shift ;;
	--prepare)	ACTION=prepare; shift ;;
	--)		shift; break ;;
	-h|--help)	usage ;;
	*)		break ;;
	esac
done

# can_gre: 0 when this kernel creates a GRE device in a fresh namespace.
can_gre() {
	local ns="nhrp-probe-$$" rc=1

	[ "$(id -u)" = 0 ] || return 1
	command -v ip >/dev/null || return 1
	modprobe -q ip_gre 2>/dev/null
	ip netns add "$ns" 2>/dev/null || return 1
	if ip -n "$ns" tunnel add probe0 mode gre key 1 ttl 64 \
	    local 192.0.2.1 2>/dev/null; then
		rc=0
	fi
	ip netns del "$ns" 2>/dev/null
	return $rc
}

# kernel_version: the linux-image flavour to boot.
kernel_version() {
	local v

	if [ -n "${NHRP_VM_KERNEL:-}" ]; then
		echo "$NHRP_VM_KERNEL"
		return 0
	fi
	v=$(apt-cache depends linux-image-amd64 2>/dev/null |
	    sed -n 's/^ *Depends: linux-image-\(.*-amd64\)$/\1/p' | head -n 1)
	if [ -z "$v" ]; then
		# No package lists (fresh container): use what is cached,
		# or refresh the lists once.
		v=$(ls -1 "$CACHE" 2>/dev/null | grep -- '-amd64$' |
		    sort -V | tail -n 1)
		if [ -z "$v" ] && [ "$(id -u)" = 0 ]; then
			apt-get update -qq >&2 || true
			v=$(apt-cache depends linux-image-amd64 2>/dev/null |
			    sed -n 's/^ *Depends: linux-image-\(.*-amd64\)$/\1/p' |
			    head -n 1)
		fi
	fi
	[ -n "$v" ] || return 1
	echo "$v"
}

# fetch_kernel KVER: fill $CACHE/KVER (once per machine, under a lock).
fetch_kernel() {
	local kver=$1 dir="$CACHE/$1" tmp deb off

	[ -f "$dir/.complete" ] && return 0
	mkdir -p "$CACHE" || die "cannot create kernel cache $CACHE (set NHRP_VM_CACHE)"
	exec 9>"$CACHE/.lock"
	flock 9
	if [ -f "$dir/.complete" ]; then
		exec 9>&-
		return 0
	fi
	msg "fetching linux-image-$kver into $dir (once per machine)"
	tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX") || die "mktemp failed"
	chmod 755 "$tmp"
	FETCH_TMP=$tmp
	# apt drops privileges to _apt for downloads.
	chown _apt "$tmp" 2>/dev/null
	(cd "$tmp" && apt-get download -q "linux-image-$kver" >&2) ||
	    die "apt-get download linux-image-$kver failed"
	deb=$(ls "$tmp"/linux-image-*.deb | head -n 1)
	dpkg -x "$deb" "$tmp/root" || die "dpkg -x $deb failed"
	rm -f "$deb"
	chown "$(id -u)" "$tmp" 2>/dev/null
	depmod -b "$tmp/root" "$kver" || die "depmod failed"
	# Boot the uncompressed ELF: qemu takes the PVH entry point and the
	# guest skips decompression (seconds under TCG).
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$tmp/root/boot/vmlinuz-$kver" |
	    head -n 1 | cut -d: -f1)
	[ -n "$off" ] || die "no xz payload in vmlinuz-$kver"
	tail -c +$((off + 1)) "$tmp/root/boot/vmlinuz-$kver" |
	    xz -dcq >"$tmp/vmlinux" 2>/dev/null
	[ "$(head -c 4 "$tmp/vmlinux" | od -An -c | tr -d ' ')" = \
	    '177ELF' ] || die "could not extract vmlinux from vmlinuz-$kver"
	rm -rf "$dir"
	mv "$tmp" "$dir" || die "mv $tmp $dir failed"
	touch "$dir/.complete"
	FETCH_TMP=
	exec 9>&-
	msg "kernel cached in $dir"
}

# build_initrd KVER OUT: busybox + the modules to reach the root + /init.
build_initrd() {
	local kver=$1 out=$2 root="$CACHE/$1/root" stage m line ko n=0

	stage=$(mktemp -d "$WORK/initrd.XXXXXX")
	mkdir -p "$stage/bin" "$stage/mod" "$stage/proc" "$stage/sys" \
	    "$stage/dev" "$stage/lower" "$stage/upper" "$stage/newroot"
	cp "$(command -v busybox)" "$stage/bin/busybox" ||
	    die "busybox not found (install busybox-static)"
	file_is_static "$stage/bin/busybox" ||
	    die "busybox is not static (install busybox-static)"
	: >"$stage/mod/order"
	for m in $INITRD_MODS; do
		while read -r line; do
			case "$line" in
			insmod\ *) ;;
			*) continue ;;
			esac
			ko=${line#insmod }
			ko=${ko%% *}
			grep -qxF "$(basename "$ko")" "$stage/mod/order.names" \
			    2>/dev/null && continue
			n=$((n + 1))
			case "$ko" in
			*.xz)	xz -dc "$ko" >"$stage/mod/$n.ko" ;;
			*.zst)	zstd -dcq "$ko" >"$stage/mod/$n.ko" ;;
			*.gz)	gzip -dc "$ko" >"$stage/mod/$n.ko" ;;
			*)	cp "$ko" "$stage/mod/$n.ko" ;;
			esac || die "cannot copy $ko"
			basename "$ko" >>"$stage/mod/order.names"
			echo "$n.ko" >>"$stage/mod/order"
		done < <(modprobe -d "$root" -S "$kver" --show-depends "$m" ||
		    die "modprobe --show-depends $m failed")
	done
	cat >"$stage/init" <<'EOF'
#!/bin/busybox sh
# PID 1 of the throwaway VM: mount the host root read-only with a tmpfs
# overlay, mount the shares, then run stage 2 from the control share.
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev
for m in $($B cat /mod/order); do
	$B insmod /mod/$m || echo "init: insmod $m failed" >&2
done
o=trans=virtio,version=9p2000.L,msize=512000,cache=loose
fail() {
	echo "init: $*" >&2
	$B sync
	echo o >/proc/sysrq-trigger
	$B sleep 60
}
$B mount -t 9p -o $o,ro hostroot /lower || fail "cannot mount host root"
$B mount -t tmpfs -o mode=755 tmpfs /upper
$B mkdir -p /upper/u /upper/w
$B mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w \
    overlay /newroot || fail "cannot mount overlay"
$B mkdir -p /newroot/run/nhrp-vm
$B mount -t 9p -o $o nhrpctl /newroot/run/nhrp-vm ||
    fail "cannot mount control share"
i=0
while read -r dir; do
	$B mkdir -p "/newroot$dir"
	$B mount -t 9p -o $o "share$i" "/newroot$dir" ||
	    fail "cannot mount share $dir"
	i=$((i + 1))
done </newroot/run/nhrp-vm/shares
$B mount --move /dev /newroot/dev
$B umount /proc /sys
exec $B switch_root /newroot /bin/bash /run/nhrp-vm/stage2
EOF
	chmod 755 "$stage/init"
	(cd "$stage" && find . | "$stage/bin/busybox" cpio -o -H newc 2>/dev/null |
	    gzip -1 >"$out") || die "cannot build the initramfs"
	rm -rf "$stage"
}

file_is_static() {
	local out

	out=$(LC_ALL=C ldd "$1" 2>&1)
	case "$out" in
	*"not a dynamic executable"*|*"statically linked"*) return 0 ;;
	esac
	return 1
}

# stage2 script, run by bash in the guest after switch_root.
write_stage2() {
	cat >"$1" <<'EOF'
# Stage 2 (guest, root = overlay of the host root).
ctl=/run/nhrp-vm
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /var/tmp 2>/dev/null
# /run is a fresh tmpfs too; keep the control share visible.
mount -t tmpfs -o mode=755 tmpfs /mnt
mkdir -p /mnt/ctl
mount --move $ctl /mnt/ctl
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p $ctl
mount --move /mnt/ctl $ctl
umount /mnt
ln -sf /proc/self/fd /dev/fd 2>/dev/null
kver=$(uname -r)
if [ -d "$(cat $ctl/moddir)" ]; then
	mkdir -p /lib/modules/$kver
	mount --bind "$(cat $ctl/moddir)" /lib/modules/$kver
fi
port() {
	local p
	for p in /sys/class/virtio-ports/*; do
		if [ "$(cat $p/name 2>/dev/null)" = "$1" ]; then
			echo /dev/${p##*/}
			return 0
		fi
	done
	echo /dev/console
}
out=$(port nhrp.stdout)
err=$(port nhrp.stderr)
for m in $(cat $ctl/late_mods); do
	modprobe -q $m 2>/dev/null
done
ip link set lo up
hostname nhrp-vm
sysctl -qw kernel.panic_on_oops=1 2>/dev/null
echo "$(cut -d' ' -f1 /proc/uptime)" >$ctl/boot_seconds
(
	. $ctl/env
	cd "$NHRP_VM_CWD" || exit 125
	unset NHRP_VM_CWD
	exec "${NHRP_VM_CMD[@]}"
) <$ctl/stdin >"$out" 2>"$err"
rc=$?
echo $rc >$ctl/status.tmp
mv $ctl/status.tmp $ctl/status
sync
echo o >/proc/sysrq-trigger
sleep 60
EOF
}

add_share() {
	local d s

	d=$(cd "$1" 2>/dev/null && pwd -P) || die "cannot share $1: no such directory"
	for s in "${SHARE_DIRS[@]}"; do
		case "$d/" in
		"$s"/*) return 0 ;;
		esac
	done
	# Drop shares that the new one contains.
	local keep=()
	for s in "${SHARE_DIRS[@]}"; do
		case "$s/" in
		"$d"/*) ;;
		*) keep+=("$s") ;;
		esac
	done
	SHARE_DIRS=("${keep[@]}" "$d")
}

run_vm() {
	local kver qemu accel rc status start end name i d v

	kver=$(kernel_version) ||
	    die "cannot find the kernel version (apt-cache depends linux-image-amd64 failed; set NHRP_VM_KERNEL)"
	fetch_kernel "$kver"
	qemu=$(command -v qemu-system-x86_64) ||
	    die "qemu-system-x86_64 not found (install qemu-system-x86)"

	WORK=$(mktemp -d "${TMPDIR:-/tmp}/nhrp-vm.XXXXXX") || die "mktemp failed"
	trap 'cleanup_vm' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	mkdir -p "$WORK/ctl"
	build_initrd "$kver" "$WORK/initrd.gz"
	write_stage2 "$WORK/ctl/stage2"
	echo "$CACHE/$kver/root/lib/modules/$kver" >"$WORK/ctl/moddir"
	echo "$LATE_MODS" >"$WORK/ctl/late_mods"
	: >"$WORK/ctl/stdin"

	SHARE_DIRS=()
	d=$(git rev-parse --show-toplevel 2>/dev/null) || d=$PWD
	add_share "$d"
	add_share "$PWD"
	for v in top_builddir top_srcdir; do
		[ -n "${!v:-}" ] && [ -d "${!v}" ] && add_share "${!v}"
	done
	for d in "${SHARES[@]}"; do
		add_share "$d"
	done
	printf '%s\n' "${SHARE_DIRS[@]}" >"$WORK/ctl/shares"

	{
		for name in PATH top_srcdir top_builddir CI LANG LC_ALL TERM \
		    $(compgen -v NHRP_) "${ENVS[@]}"; do
			case "$name" in
			NHRP_VM|NHRP_VM_*) continue ;;
			esac
			[ -n "${!name+x}" ] || continue
			printf 'export %s=%q\n' "$name" "${!name}"
		done
		echo "export HOME=/root NHRP_IN_VM=1"
		printf 'NHRP_VM_CWD=%q\n' "$(pwd -P)"
		printf 'NHRP_VM_CMD=('
		printf '%q ' "$@"
		printf ')\n'
	} >"$WORK/ctl/env"

	if [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; then
		if [ -w /dev/kvm ]; then
			accel=(-accel kvm -cpu host)
		else
			accel=(-accel tcg -cpu max)
		fi
	else
		accel=(-accel tcg -cpu max)
	fi

	local args=(
		-nodefaults -no-user-config -nographic -no-reboot
		-machine pc "${accel[@]}" -smp "$CPUS" -m "$MEM"
		-kernel "$CACHE/$kver/vmlinux" -initrd "$WORK/initrd.gz"
		-append "console=ttyS0 panic=-1 loglevel=4 quiet rdinit=/init"
		-serial "file:$WORK/console.log"
		-fsdev "local,id=fsroot,path=/,security_model=none,readonly=on,multidevs=remap"
		-device "virtio-9p-pci,fsdev=fsroot,mount_tag=hostroot"
		-fsdev "local,id=fsctl,path=$WORK/ctl,security_model=none,multidevs=remap"
		-device "virtio-9p-pci,fsdev=fsctl,mount_tag=nhrpctl"
		-device virtio-serial-pci,id=vser
		-chardev "file,id=cout,path=$WORK/out.fifo"
		-device "virtserialport,bus=vser.0,chardev=cout,name=nhrp.stdout"
		-chardev "file,id=cerr,path=$WORK/err.fifo"
		-device "virtserialport,bus=vser.0,chardev=cerr,name=nhrp.stderr"
	)
	i=0
	for d in "${SHARE_DIRS[@]}"; do
		args+=(-fsdev "local,id=fs$i,path=$d,security_model=none,multidevs=remap"
		    -device "virtio-9p-pci,fsdev=fs$i,mount_tag=share$i")
		i=$((i + 1))
	done

	mkfifo "$WORK/out.fifo" "$WORK/err.fifo" || die "mkfifo failed"
	cat "$WORK/out.fifo" &
	CAT_OUT=$!
	cat "$WORK/err.fifo" >&2 &
	CAT_ERR=$!

	start=$(date +%s.%N)
	timeout -k 10 "$TIMEOUT" "$qemu" "${args[@]}" </dev/null \
	    >"$WORK/qemu.log" 2>&1 &
	QEMU=$!
	wait "$QEMU"
	rc=$?
	QEMU=
	end=$(date +%s.%N)
	wait "$CAT_OUT" "$CAT_ERR" 2>/dev/null
	CAT_OUT= CAT_ERR=

	status=
	[ -f "$WORK/ctl/status" ] && status=$(cat "$WORK/ctl/status")
	if [ -f "$WORK/ctl/boot_seconds" ]; then
		msg "VM ($kver, ${accel[1]}, $CPUS vCPU, $MEM MiB): booted in $(cat "$WORK/ctl/boot_seconds") s, total $(echo "$end - $start" | awk '{ printf "%.1f", $1 - $3 }' 2>/dev/null || echo "$end $start") s"
	fi
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		msg "FAILURE: the VM hung: killed after the ${TIMEOUT} s timeout (NHRP_VM_TIMEOUT / --timeout)"
		show_console
		exit "$VM_FAIL"
	fi
	if [ -z "$status" ]; then
		msg "FAILURE: the VM stopped (qemu status $rc) without reporting the command's exit status"
		show_console
		exit "$VM_FAIL"
	fi
	exit "$status"
}

show_console() {
	if [ -s "$WORK/qemu.log" ]; then
		msg "qemu said:"
		sed 's/^/  | /' "$WORK/qemu.log" >&2
	fi
	if [ -s "$WORK/console.log" ]; then
		msg "last lines of the guest console:"
		tail -n 40 "$WORK/console.log" | sed 's/^/  | /' >&2
	fi
}

cleanup_vm() {
	[ -n "${QEMU:-}" ] && kill "$QEMU" 2>/dev/null
	[ -n "${CAT_OUT:-}" ] && kill "$CAT_OUT" 2>/dev/null
	[ -n "${CAT_ERR:-}" ] && kill "$CAT_ERR" 2>/dev/null
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
}

case "$ACTION" in
probe)
	case "$MODE" in
	always) echo vm ;;
	never) echo direct ;;
	*) if can_gre; then echo direct; else echo vm; fi ;;
	esac
	exit 0
	;;
prepare)
	kver=$(kernel_version) || die "cannot find the kernel version"
	fetch_kernel "$kver"
	exit 0
	;;
esac

[ $# -gt 0 ] || usage

case "$MODE" in
never)	exec "$@" ;;
always)	run_vm "$@" ;;
auto)
	if can_gre; then
		exec "$@"
	fi
	run_vm "$@"
	;;
*)	die "NHRP_VM must be auto, always or never (got '$MODE')" ;;
esac

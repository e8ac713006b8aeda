#!/usr/bin/env bash
# Builds the OFFLINE libvirt box for the lab VMs from Debian packages only:
#   debootstrap bookworm (from this machine's apt mirror) + the Debian cloud kernel (ipip, vxlan
#   modules) + systemd, ssh, sudo + everything vm/provision.sh installs, baked in
#   -> a raw disk with GRUB -> qcow2 -> simplecni-bookworm.box (metadata.json, Vagrantfile, box.img)
#
#   sudo bash vm/build-box.sh            # build, or reuse the cached box when its inputs are unchanged
#   sudo bash vm/build-box.sh --force    # build again
#
# Env: SIMPLECNI_BOX_CACHE   output dir      (default /var/cache/simplecni-lab/box)
#      SIMPLECNI_APT_MIRROR  Debian mirror   (default: the one in /etc/apt/sources.list*)
#      SIMPLECNI_BOX_WORK    scratch dir     (default: a new dir under /var/tmp, removed at exit)
# Prints the box file's path as its last line.
#
# Touches nothing in this machine's network namespace: debootstrap/apt only download, and the one
# VM boot (GRUB install) runs with no network card inside a network namespace made and removed here.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${SIMPLECNI_BOX_CACHE:-/var/cache/simplecni-lab/box}"
BOX_NAME=simplecni-bookworm
BOX="$CACHE/$BOX_NAME.box"
SUITE=bookworm
DISK_GB=8
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

say() { printf '[build-box] %s\n' "$*" >&2; }
die() { printf '[build-box] error: %s\n' "$*" >&2; exit 1; }

[[ $EUID -eq 0 ]] || die "needs root (debootstrap, chroot and mkfs do). Run: sudo bash vm/build-box.sh"
[[ "$(uname -m)" == x86_64 ]] || die "builds an amd64 box and must run on an x86_64 machine (this is $(uname -m))"

# Packages baked into the box. Keep in sync with vm/provision.sh (it checks for these and skips apt
# when they are all present, which is what makes the box usable offline).
# shellcheck source=vm/box/packages.sh
source "$HERE/box/packages.sh"

# The configured Debian mirror: the URIs of the deb822 stanza (or sources.list line) for $SUITE;
# security updates from the stanza whose suite is $SUITE-security.
mirror_for() { # $1 = suite regex, $2 = "security" or "main"
  local m=""
  m=$(awk -v want="$2" 'BEGIN{RS=""} /Suites:/ {
        sec = ($0 ~ /Suites:[^\n]*-security/); if ((want=="security") != sec) next
        if ($0 !~ /Suites:[^\n]*bookworm/) next
        if (match($0, /URIs:[ \t]*[^ \t\n]+/)) { u=substr($0,RSTART,RLENGTH); sub(/URIs:[ \t]*/,"",u); print u; exit } }' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  if [[ -z "$m" && -f /etc/apt/sources.list ]]; then
    m=$(awk -v want="$2" '$1=="deb" { sec = ($0 ~ /-security/); if ((want=="security") != sec) next
          for (i=2;i<=NF;i++) if ($i ~ /^(https?|file):/ && $(i+1) ~ /^bookworm/) { print $i; exit } }' /etc/apt/sources.list)
  fi
  echo "$m"
}
MIRROR="${SIMPLECNI_APT_MIRROR:-$(mirror_for "$SUITE" main)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${SIMPLECNI_APT_SECURITY_MIRROR:-$(mirror_for "$SUITE" security)}"
SECURITY_MIRROR="${SECURITY_MIRROR:-${MIRROR%/debian}/debian-security}"

# ---- cache: reuse the box when every input is the same ---------------------------------------------
VAGRANT_PUB="$(ls /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub 2>/dev/null | head -n1 || true)"
[[ -n "$VAGRANT_PUB" ]] || die "Vagrant's insecure public key was not found (package vagrant): apt-get install -y vagrant"
INPUTS="$( { cat "$0" "$HERE"/box/*; echo "$MIRROR $SECURITY_MIRROR $SUITE $DISK_GB"; cat "$VAGRANT_PUB"; } | sha256sum | cut -d' ' -f1)"
if [[ $FORCE -eq 0 && -f "$BOX" && "$(cat "$CACHE/inputs.sha256" 2>/dev/null)" == "$INPUTS" ]]; then
  say "cached box is up to date: $BOX"
  echo "$BOX"
  exit 0
fi

for tool in debootstrap qemu-img qemu-system-x86_64 sfdisk mkfs.ext4 ip; do
  command -v "$tool" >/dev/null || die "missing $tool: apt-get install -y debootstrap qemu-utils qemu-system-x86 fdisk e2fsprogs iproute2"
done

# ---- scratch space, cleaned up on any exit ---------------------------------------------------------
WORK="${SIMPLECNI_BOX_WORK:-$(mktemp -d /var/tmp/simplecni-box.XXXXXX)}"
ROOT="$WORK/rootfs"
NETNS="cnilab-vm-boxbuild-$$"
QEMU_PID=""
cleanup() {
  local rc=$?
  set +e
  [[ -n "$QEMU_PID" ]] && kill "$QEMU_PID" 2>/dev/null
  for m in dev/pts dev proc sys run; do
    mountpoint -q "$ROOT/$m" 2>/dev/null && umount -l "$ROOT/$m"
  done
  ip netns list 2>/dev/null | grep -qx "$NETNS" && ip netns del "$NETNS"
  if [[ -z "${SIMPLECNI_BOX_KEEP_WORK:-}" ]]; then rm -rf --one-file-system "$WORK"; else say "kept $WORK"; fi
  [[ $rc -ne 0 ]] && say "FAILED (exit $rc); nothing was left mounted, no namespace left behind"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK" "$CACHE"
T0=$SECONDS

# ---- 1. root filesystem ----------------------------------------------------------------------------
say "debootstrap $SUITE from $MIRROR"
debootstrap --variant=minbase --include="$(IFS=,; echo "${BOOTSTRAP_PKGS[*]}")" "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
  { tail -20 "$WORK/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
say "debootstrap done ($((SECONDS - T0)) s)"

cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
# No services start while building (the chroot is not a running system).
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
mount -t proc proc "$ROOT/proc"
mount -t sysfs sysfs "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
mount -t devpts devpts "$ROOT/dev/pts"
mount -t tmpfs tmpfs "$ROOT/run"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
in_root() { DEBIAN_FRONTEND=noninteractive LC_ALL=C chroot "$ROOT" "$@"; }
say "apt: ${BOX_PKGS[*]}"
in_root apt-get update -qq >"$WORK/apt.log" 2>&1 || { tail -20 "$WORK/apt.log" >&2; die "apt-get update in the chroot failed"; }
in_root apt-get -y -qq -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade >>"$WORK/apt.log" 2>&1 ||
  { tail -20 "$WORK/apt.log" >&2; die "apt-get dist-upgrade in the chroot failed"; }
in_root apt-get install -y -qq --no-install-recommends "${BOX_PKGS[@]}" >>"$WORK/apt.log" 2>&1 ||
  { tail -20 "$WORK/apt.log" >&2; die "apt-get install in the chroot failed"; }
# Keep only the newest kernel (dist-upgrade may have added one).
KVER="$(ls "$ROOT/lib/modules" | sort -V | tail -n1)"
for k in $(ls "$ROOT/lib/modules"); do
  [[ "$k" == "$KVER" ]] || in_root apt-get purge -y -qq "linux-image-$k" >>"$WORK/apt.log" 2>&1 || true
done
say "packages done ($((SECONDS - T0)) s); kernel $KVER"

# ---- 2. configuration: vagrant user, ssh, network, boot --------------------------------------------
bash "$HERE/box/configure-rootfs.sh" "$ROOT" "$VAGRANT_PUB"
in_root apt-get clean
rm -f "$ROOT/usr/sbin/policy-rc.d" "$ROOT/etc/resolv.conf"
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/tmp/* "$ROOT"/var/log/*.log
for m in dev/pts dev proc sys run; do umount -l "$ROOT/$m"; done

# ---- 3. disk: one ext4 partition at 1 MiB, written straight from the rootfs -------------------------
say "disk image"
RAW="$WORK/disk.raw"
truncate -s "${DISK_GB}G" "$RAW"
echo 'start=2048, type=83, bootable' | sfdisk -q "$RAW"
UUID="$(cat /proc/sys/kernel/random/uuid)"
sed -i "s/@ROOT_UUID@/$UUID/" "$ROOT/etc/fstab"
# mkfs writes the filesystem at the partition's offset: no loop device, no mount
mkfs.ext4 -q -F -L simplecni-root -U "$UUID" -E offset=$((2048 * 512)) -d "$ROOT" "$RAW" "$((DISK_GB * 1024 - 1))M"

# ---- 4. GRUB: boot the disk once (no NIC, inside a throwaway netns) and let it install its loader --
say "boot once to install GRUB (QEMU TCG, no network)"
cp "$ROOT/boot/vmlinuz-$KVER" "$ROOT/boot/initrd.img-$KVER" "$WORK/"
ip netns add "$NETNS"
ACCEL=tcg
timeout 600 ip netns exec "$NETNS" qemu-system-x86_64 -accel "$ACCEL" -m 768 -smp 1 -nographic -no-reboot -nic none \
  -drive "file=$RAW,format=raw,if=virtio" \
  -kernel "$WORK/vmlinuz-$KVER" -initrd "$WORK/initrd.img-$KVER" \
  -append "root=UUID=$UUID rw console=ttyS0 panic=-1 init=/usr/local/sbin/simplecni-grub-setup" \
  </dev/null >"$WORK/grub-boot.log" 2>&1 &
QEMU_PID=$!
wait "$QEMU_PID" || true
QEMU_PID=""
ip netns del "$NETNS"
grep -q 'SIMPLECNI-GRUB-OK' "$WORK/grub-boot.log" || { tail -30 "$WORK/grub-boot.log" >&2; die "GRUB install inside the VM failed (serial log above)"; }
say "GRUB installed ($((SECONDS - T0)) s)"

# ---- 5. the box --------------------------------------------------------------------------------------
say "qcow2 + box"
qemu-img convert -O qcow2 "$RAW" "$WORK/box.img"
rm -f "$RAW"
cat >"$WORK/metadata.json" <<EOF
{"provider": "libvirt", "format": "qcow2", "virtual_size": $DISK_GB}
EOF
cp "$HERE/box/Vagrantfile.box" "$WORK/Vagrantfile"
cat >"$WORK/info.json" <<EOF
{"name": "$BOX_NAME", "built": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "kernel": "$KVER", "mirror": "$MIRROR", "packages": "$(IFS=' '; echo "${BOX_PKGS[*]}")"}
EOF
tar -C "$WORK" -czf "$BOX.tmp" metadata.json Vagrantfile info.json box.img
mv "$BOX.tmp" "$BOX"
echo "$INPUTS" >"$CACHE/inputs.sha256"
cp "$WORK/info.json" "$CACHE/info.json"
say "built $BOX ($(du -h "$BOX" | cut -f1)) in $((SECONDS - T0)) s"
echo "$BOX"

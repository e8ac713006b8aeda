#!/usr/bin/env bash
# Configures a debootstrapped rootfs as a Vagrant base box: the vagrant user with Vagrant's insecure
# key and NOPASSWD sudo, sshd, eth0 by DHCP, fresh host keys and machine-id on first boot, the
# kernel modules the labs use, and a one-shot init that installs GRUB (run by vm/build-box.sh).
#   configure-rootfs.sh ROOTFS VAGRANT_PUB
set -euo pipefail
ROOT="$1"
PUB="$2"
in_root() { DEBIAN_FRONTEND=noninteractive LC_ALL=C chroot "$ROOT" "$@"; }

echo simplecni >"$ROOT/etc/hostname"
cat >"$ROOT/etc/hosts" <<'H'
127.0.0.1	localhost
127.0.1.1	simplecni
::1	localhost ip6-localhost ip6-loopback
H
cat >"$ROOT/etc/fstab" <<'F'
UUID=@ROOT_UUID@	/	ext4	errors=remount-ro	0	1
F

# vagrant user: password "vagrant", the insecure key (Vagrant swaps in its own on first `up`).
in_root id vagrant >/dev/null 2>&1 || in_root useradd -m -s /bin/bash -G sudo vagrant
echo 'vagrant:vagrant' | in_root chpasswd
install -d -m 700 "$ROOT/home/vagrant/.ssh"
install -m 600 "$PUB" "$ROOT/home/vagrant/.ssh/authorized_keys"
in_root chown -R vagrant:vagrant /home/vagrant/.ssh
echo 'vagrant ALL=(ALL) NOPASSWD: ALL' >"$ROOT/etc/sudoers.d/vagrant"
chmod 440 "$ROOT/etc/sudoers.d/vagrant"

# sshd: no DNS lookups (the VMs are offline), host keys made on first boot (each VM its own).
echo 'UseDNS no' >"$ROOT/etc/ssh/sshd_config.d/simplecni.conf"
rm -f "$ROOT"/etc/ssh/ssh_host_*
cat >"$ROOT/etc/systemd/system/ssh-hostkeys.service" <<'U'
[Unit]
Description=Generate this VM's own SSH host keys
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
U
in_root systemctl enable ssh-hostkeys.service >/dev/null 2>&1
: >"$ROOT/etc/machine-id"
rm -f "$ROOT/var/lib/dbus/machine-id"

# Network: classic names (eth0 = Vagrant's management NIC, eth1/eth2 = the lab segments, as in
# vm/topology.json); eth0 by DHCP; Vagrant adds eth1/eth2 to /etc/network/interfaces itself.
cat >"$ROOT/etc/network/interfaces" <<'N'
source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback

allow-hotplug eth0
iface eth0 inet dhcp
N
mkdir -p "$ROOT/etc/network/interfaces.d"

# The modules the labs use, loaded at boot (the ipip module creates the fallback device tunl0).
printf '%s\n' ipip vxlan bridge veth >"$ROOT/etc/modules-load.d/simplecni-lab.conf"

# GRUB: serial + VGA console, classic NIC names, quick boot.
cat >"$ROOT/etc/default/grub" <<'G'
GRUB_DEFAULT=0
GRUB_TIMEOUT=1
GRUB_DISTRIBUTOR=Debian
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200n8 net.ifnames=0 biosdevname=0"
GRUB_TERMINAL="console serial"
GRUB_SERIAL_COMMAND="serial --speed=115200"
G
echo 'grub-pc grub-pc/install_devices multiselect /dev/vda' | in_root debconf-set-selections

# One-shot init for build-box.sh's single boot: install GRUB on the boot disk, then power off.
cat >"$ROOT/usr/local/sbin/simplecni-grub-setup" <<'S'
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /run
if grub-install --target=i386-pc /dev/vda && update-grub; then
  rm -f /usr/local/sbin/simplecni-grub-setup
  sync
  echo SIMPLECNI-GRUB-OK
else
  echo SIMPLECNI-GRUB-FAILED
fi
mount -o remount,ro / ; sync
echo o >/proc/sysrq-trigger
sleep 30
S
chmod 755 "$ROOT/usr/local/sbin/simplecni-grub-setup"

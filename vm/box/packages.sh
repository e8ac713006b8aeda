# shellcheck shell=bash
# Debian packages of the lab VMs. Sourced by vm/build-box.sh (baked into the offline box) and by
# vm/provision.sh (installed with apt when missing; apt is skipped when all are present).

# What debootstrap puts in first: a bootable, reachable system.
BOOTSTRAP_PKGS=(systemd-sysv udev openssh-server sudo ifupdown isc-dhcp-client iproute2 netbase kmod
  linux-image-cloud-amd64 iputils-ping ca-certificates)

# What the labs need on every node (provision.sh checks exactly these).
LAB_PKGS=(nodejs iproute2 tcpdump iperf3 containerd iputils-ping procps util-linux less ethtool nftables netcat-openbsd)

# The offline box also carries the boot loader and a few comforts.
BOX_PKGS=("${LAB_PKGS[@]}" grub-pc bash-completion vim-tiny dbus)

#!/usr/bin/env bash
# libvirt (and Vagrant) inside a network namespace of their own, so the VMs' networks, dnsmasq,
# NAT rules and ssh never touch this machine's own network namespace.
#
#   sudo bash vm/libvirt-netns.sh up                 # netns + virtlogd + libvirtd + storage pool
#   sudo bash vm/libvirt-netns.sh vagrant up ...     # vagrant (this repo's Vagrantfile) inside it
#   sudo bash vm/libvirt-netns.sh exec CMD ...       # any command inside it, with the same env
#   sudo bash vm/libvirt-netns.sh ssh-config [NODE]  # `vagrant ssh-config`, for ssh from inside the netns
#   sudo bash vm/libvirt-netns.sh status
#   sudo bash vm/libvirt-netns.sh down [--purge]     # stop exactly what `up` started, delete the netns
#                                                    # (--purge also drops the cached box + base volume)
# Env: SIMPLECNI_VM_NS (netns name, default cnilab-vm; must start with cnilab-vm),
#      SIMPLECNI_VM_DATA (default /var/cache/simplecni-lab/vm: VAGRANT_HOME, storage pool, .vagrant state).
#
# Hard rule: nothing here configures this machine's own network namespace. Every address, route,
# bridge, firewall rule and sysctl is made inside the netns by libvirt, and dies with it.
set -euo pipefail

NS="${SIMPLECNI_VM_NS:-cnilab-vm}"
[[ "$NS" == cnilab-vm* ]] || { echo "SIMPLECNI_VM_NS must start with cnilab-vm" >&2; exit 2; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
RUN="/run/$NS"                                          # pid files, daemon logs (tmpfs)
DATA="${SIMPLECNI_VM_DATA:-/var/cache/simplecni-lab/vm}" # survives: VAGRANT_HOME (boxes), pool (base volume)
POOL="$NS"                                              # libvirt storage pool (transient, a dir under DATA)
MGMT_NET="$NS-mgmt"
MGMT_ADDR="${SIMPLECNI_VM_MGMT_ADDR:-192.168.123.0/24}"

say() { printf '[libvirt-netns] %s\n' "$*" >&2; }
die() { printf '[libvirt-netns] error: %s\n' "$*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "needs root (network namespaces and libvirtd do). Run it with sudo."

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$NS"; }
pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
in_ns() { ip netns exec "$NS" "$@"; }
virsh_ns() { in_ns virsh -q -c qemu:///system "$@"; }

vm_env() {
  export VAGRANT_HOME="$DATA/vagrant.d"
  export VAGRANT_DOTFILE_PATH="${VAGRANT_DOTFILE_PATH:-$DATA/dotvagrant}"
  export VAGRANT_DEFAULT_PROVIDER=libvirt
  export VAGRANT_CHECKPOINT_DISABLE=1
  export VAGRANT_BOX_UPDATE_CHECK_DISABLE=1
  export LIBVIRT_DEFAULT_URI=qemu:///system
  export SIMPLECNI_LIBVIRT_POOL="$POOL"
  export SIMPLECNI_LIBVIRT_MGMT_NET="$MGMT_NET"
  export SIMPLECNI_LIBVIRT_MGMT_ADDR="$MGMT_ADDR"
  export SIMPLECNI_NET_PREFIX="${SIMPLECNI_NET_PREFIX:-$NS}"
  export SIMPLECNI_VM_STAGE="${SIMPLECNI_VM_STAGE:-$VAGRANT_DOTFILE_PATH/simplecni-stage}"
}

cmd_up() {
  for t in libvirtd virtlogd virsh vagrant qemu-system-x86_64; do
    command -v "$t" >/dev/null || die "missing $t: apt-get install -y vagrant vagrant-libvirt libvirt-daemon-system qemu-system-x86 qemu-utils"
  done
  if pid_alive "$RUN/libvirtd.pid"; then say "already up (libvirtd pid $(cat "$RUN/libvirtd.pid") in netns $NS)"; return 0; fi
  # libvirtd's socket (/run/libvirt) is shared with this machine: refuse to start a second libvirtd.
  if [[ -S /run/libvirt/libvirt-sock ]] && virsh -c qemu:///system -q version >/dev/null 2>&1; then
    die "another libvirtd is already running on this machine (/run/libvirt/libvirt-sock answers); stop it first"
  fi
  mkdir -p "$RUN" "$DATA/pool" "$DATA/vagrant.d"
  chmod 755 "$DATA" "$DATA/pool"
  if ! ns_exists; then
    ip netns add "$NS"
    echo "$NS" >"$RUN/netns-created"
  fi
  ip -n "$NS" link set lo up
  in_ns virtlogd -d -p "$RUN/virtlogd.pid"
  in_ns libvirtd -d -p "$RUN/libvirtd.pid"
  for _ in $(seq 1 100); do virsh_ns version >/dev/null 2>&1 && break; sleep 0.2; done
  virsh_ns version >/dev/null 2>&1 || die "libvirtd did not answer (see journal / $RUN)"
  # The distro's "default" NAT network (virbr0) is not needed: stop it if libvirt autostarted it.
  virsh_ns net-list --name | grep -qx default && virsh_ns net-destroy default >/dev/null
  if ! virsh_ns pool-list --all --name | grep -qx "$POOL"; then
    virsh_ns pool-create-as "$POOL" dir --target "$DATA/pool" >/dev/null
  fi
  say "up: netns $NS, libvirtd pid $(cat "$RUN/libvirtd.pid"), virtlogd pid $(cat "$RUN/virtlogd.pid"), pool $POOL ($DATA/pool)"
}

stop_pid() { # PIDFILE NAME
  local f="$1" pid
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    say "stopped $2 (pid $pid)"
  fi
  rm -f "$f"
}

cmd_down() {
  local purge=0
  [[ "${1:-}" == "--purge" ]] && purge=1
  if ns_exists && pid_alive "$RUN/libvirtd.pid"; then
    # VMs left running (a test killed midway): destroy them, then stop networks (their dnsmasq).
    for d in $(virsh_ns list --name 2>/dev/null); do virsh_ns destroy "$d" >/dev/null 2>&1 || true; done
    for n in $(virsh_ns net-list --name 2>/dev/null); do virsh_ns net-destroy "$n" >/dev/null 2>&1 || true; done
    virsh_ns pool-destroy "$POOL" >/dev/null 2>&1 || true
  fi
  stop_pid "$RUN/libvirtd.pid" libvirtd
  stop_pid "$RUN/virtlogd.pid" virtlogd
  if ns_exists; then
    # Anything still running in the netns was started by this script's daemons (dnsmasq, qemu).
    for pid in $(ip netns pids "$NS"); do
      say "stopping leftover $(ps -o comm= -p "$pid" 2>/dev/null || echo process) (pid $pid) in $NS"
      kill "$pid" 2>/dev/null || true
    done
    sleep 0.5
    for pid in $(ip netns pids "$NS"); do kill -9 "$pid" 2>/dev/null || true; done
    if [[ -f "$RUN/netns-created" ]]; then ip netns del "$NS"; say "deleted netns $NS"; fi
  fi
  rm -rf "$RUN"
  if [[ $purge -eq 1 ]]; then
    rm -rf --one-file-system "$DATA"
    say "purged $DATA"
  fi
}

case "${1:-}" in
  up) cmd_up ;;
  down) shift; cmd_down "$@" ;;
  exec)
    shift
    ns_exists || die "netns $NS is not up: run \`$0 up\` first"
    vm_env
    cd "$REPO"
    exec ip netns exec "$NS" "$@"
    ;;
  vagrant)
    shift
    ns_exists || die "netns $NS is not up: run \`$0 up\` first"
    vm_env
    cd "$REPO"
    exec ip netns exec "$NS" vagrant "$@"
    ;;
  ssh-config)
    shift
    vm_env
    cd "$REPO"
    exec ip netns exec "$NS" vagrant ssh-config "$@"
    ;;
  status)
    if ns_exists; then echo "netns $NS: present"; else echo "netns $NS: absent"; fi
    for d in libvirtd virtlogd; do
      if pid_alive "$RUN/$d.pid"; then echo "$d: pid $(cat "$RUN/$d.pid")"; else echo "$d: not running"; fi
    done
    if pid_alive "$RUN/libvirtd.pid"; then virsh_ns list --all; virsh_ns net-list --all; fi
    ;;
  *) sed -n '2,17p' "$0" >&2; exit 2 ;;
esac

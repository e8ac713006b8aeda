#!/usr/bin/env bash
# The VM test tier (npm run test:vm): the real thing, on real Debian kernels.
#   1. Debian packages it needs (apt, when root and missing)
#   2. the offline box (vm/build-box.sh; cached) and `vagrant box add`
#   3. libvirt inside a network namespace of its own (vm/libvirt-netns.sh), `vagrant up` of the topology
#   4. for each mode host-gw, ipip, vxlan: `simplecni-node apply --mode M` on every worker, a pod on
#      each worker made by calling the plugin directly (CNI ADD), pod-to-pod pings
#      (host-gw: node1<->node2 only, node3 unreachable; ipip/vxlan: every pair, node3 across the router),
#      tcpdump on node1's underlay NIC proving IPIP (ip proto 4) / VXLAN (udp 8472) encapsulation
#   5. records the kernel's own outputs for ipip and vxlan: into /var/cache/simplecni-lab/vm/fixtures/,
#      or over the committed ones in test/fixtures/kernel/ with SIMPLECNI_VM_RECORD=1 (SIMPLECNI_VM_FIXTURES=0 skips)
#   6. `vagrant destroy -f` and everything else it made, also on failure
#
#   sudo bash vm/test-vm.sh
# Env: SIMPLECNI_VM_KEEP=1     leave the VMs and the netns up at the end (then: vm/libvirt-netns.sh vagrant destroy -f; vm/libvirt-netns.sh down)
#      SIMPLECNI_VM_REUSE=1    use VMs already up (vm/libvirt-netns.sh vagrant up): no box, no up, no destroy
#      SIMPLECNI_VM_MODES      modes to test (default "host-gw ipip vxlan")
#      SIMPLECNI_VM_MEMORY     MiB per VM (default 512)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
NSCTL="$HERE/libvirt-netns.sh"
BOX_NAME="simplecni/bookworm-offline"
MODES="${SIMPLECNI_VM_MODES:-host-gw ipip vxlan}"
export SIMPLECNI_VM_NS="${SIMPLECNI_VM_NS:-cnilab-vm}"
export SIMPLECNI_VM_DATA="${SIMPLECNI_VM_DATA:-/var/cache/simplecni-lab/vm}"
export VAGRANT_DOTFILE_PATH="$SIMPLECNI_VM_DATA/dotvagrant"
export SIMPLECNI_VM_BOX="$BOX_NAME"
export SIMPLECNI_VM_MEMORY="${SIMPLECNI_VM_MEMORY:-512}"
export SIMPLECNI_VM_CPUS=1
SSH_CFG="$SIMPLECNI_VM_DATA/ssh-config"
# The committed fixtures are what the simulated kernel's tests compare with: overwrite them only when asked.
if [[ "${SIMPLECNI_VM_RECORD:-}" == 1 ]]; then FIXTURES="$REPO/test/fixtures/kernel"; else FIXTURES="$SIMPLECNI_VM_DATA/fixtures"; fi

T_START=$SECONDS
PHASES=()
PHASE="" PHASE_T0=0
phase() {
  local now=$SECONDS
  [[ -n "$PHASE" ]] && PHASES+=("$(printf '%-44s %5d s' "$PHASE" $((now - PHASE_T0)))")
  PHASE="$1" PHASE_T0=$now
  [[ -n "$1" ]] && printf '\n=== %s\n' "$1"
}
ok() { printf '  \xe2\x9c\x93 %s\n' "$*"; }
fail() { printf '  \xe2\x9c\x97 %s\n' "$*"; FAILED=$((FAILED + 1)); }
die() { printf '[test-vm] error: %s\n' "$*" >&2; exit 1; }
FAILED=0

[[ $EUID -eq 0 ]] || die "needs root (it installs packages, builds a box with debootstrap, runs libvirtd in a network namespace). Run: sudo npm run test:vm"
[[ "$(uname -m)" == x86_64 ]] || die "the offline box is amd64: run this tier on an x86_64 Linux machine"

UP=0
cleanup() {
  local rc=$?
  set +e
  phase "cleanup"
  if [[ -n "${SIMPLECNI_VM_KEEP:-}${SIMPLECNI_VM_REUSE:-}" ]]; then
    for s in "$SIMPLECNI_VM_DATA"/ssh-*.sock; do [[ -S "$s" ]] && ip netns exec "$SIMPLECNI_VM_NS" ssh -o "ControlPath=$s" -O exit x >/dev/null 2>&1; done
    echo "SIMPLECNI_VM_KEEP set: VMs and netns $SIMPLECNI_VM_NS left up. Remove with:"
    echo "  sudo VAGRANT_DOTFILE_PATH=$VAGRANT_DOTFILE_PATH bash vm/libvirt-netns.sh vagrant destroy -f && sudo bash vm/libvirt-netns.sh down"
  else
    for s in "$SIMPLECNI_VM_DATA"/ssh-*.sock; do [[ -S "$s" ]] && ip netns exec "$SIMPLECNI_VM_NS" ssh -o "ControlPath=$s" -O exit x >/dev/null 2>&1; done
    if [[ $UP -eq 1 ]]; then bash "$NSCTL" vagrant destroy -f 2>&1 | sed 's/^/  /'; fi
    bash "$NSCTL" down 2>&1 | sed 's/^/  /'
    rm -rf "$VAGRANT_DOTFILE_PATH" "$SSH_CFG"
  fi
  phase ""
  echo
  echo "=== times"
  for p in "${PHASES[@]}"; do echo "  $p"; done
  printf '  %-44s %5d s\n' "TOTAL" $((SECONDS - T_START))
  if [[ $rc -eq 0 && $FAILED -eq 0 ]]; then echo "VM tier: PASS"; else echo "VM tier: FAIL (exit $rc, $FAILED failed check(s))"; [[ $rc -eq 0 ]] && rc=1; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. packages ------------------------------------------------------------------------------------------
phase "packages"
need=()
for p in vagrant vagrant-libvirt libvirt-daemon-system qemu-system-x86 qemu-utils debootstrap fdisk e2fsprogs iproute2 openssh-client; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [[ ${#need[@]} -gt 0 ]]; then
  echo "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; }
fi
ok "vagrant $(vagrant --version 2>/dev/null | awk '{print $2}'), libvirtd $(libvirtd --version | awk '{print $NF}'), $(qemu-system-x86_64 --version | head -n1)"
for b in simplecni simplecni-ipam simplecni-node; do
  [[ -f "$REPO/dist/$b.cjs" ]] || { echo "dist/$b.cjs missing: npm run build"; (cd "$REPO" && npm run build >/dev/null); break; }
done

if [[ -z "${SIMPLECNI_VM_REUSE:-}" ]]; then
# ---- 2. box -------------------------------------------------------------------------------------------------
phase "box (build or reuse)"
BOX_FILE="$(bash "$HERE/build-box.sh" | tail -n1)"
BOX_SUM="$(cat "$(dirname "$BOX_FILE")/inputs.sha256")"
ok "box $BOX_FILE ($(du -h "$BOX_FILE" | cut -f1))"

# ---- 3. libvirt in its netns, vagrant up ----------------------------------------------------------------------
phase "libvirtd in netns $SIMPLECNI_VM_NS"
bash "$NSCTL" up
if [[ "$(cat "$SIMPLECNI_VM_DATA/box-added.sha256" 2>/dev/null)" != "$BOX_SUM" ]]; then
  bash "$NSCTL" vagrant box add --force --name "$BOX_NAME" "$BOX_FILE" 2>&1 | tr '\r' '\n' | grep -v -e 'Progress:' -e '^\s*$' | sed -u 's/^/  /'
  # a new box: drop the old base volume from the pool (vagrant-libvirt would reuse it by name)
  bash "$NSCTL" exec sh -c "virsh -q vol-list ${SIMPLECNI_VM_NS} | awk '/simplecni-VAGRANTSLASH-bookworm-offline/ {print \$1}' | xargs -r -n1 virsh -q vol-delete --pool ${SIMPLECNI_VM_NS}" || true
  echo "$BOX_SUM" >"$SIMPLECNI_VM_DATA/box-added.sha256"
fi
ok "box $BOX_NAME added"

phase "vagrant up (4 VMs, TCG)"
UP=1
bash "$NSCTL" vagrant up --provider=libvirt 2>&1 | tr '\r' '\n' | grep --line-buffered -v -e 'Progress:' -e '^\s*$' | sed -u 's/^/  /' ||
  die "vagrant up failed"
fi
bash "$NSCTL" vagrant ssh-config >"$SSH_CFG" 2>/dev/null
ok "vagrant ssh-config: $(grep -c '^Host ' "$SSH_CFG") VMs"

# ---- helpers: ssh to a node (inside the netns) -------------------------------------------------------------
# One ssh connection per node, reused (ControlMaster): a new ssh handshake costs seconds on an emulated CPU.
SSH_OPTS=(-F "$SSH_CFG" -o LogLevel=ERROR -o ControlMaster=auto -o "ControlPath=$SIMPLECNI_VM_DATA/ssh-%h.sock" -o ControlPersist=900)
on() { # NODE CMD...  (runs as root on the node)
  local n="$1"; shift
  ip netns exec "$SIMPLECNI_VM_NS" ssh "${SSH_OPTS[@]}" "$n" "sudo $(printf '%q ' "$@")"
}
on_script() { # NODE  (script on stdin, run by bash as root)
  ip netns exec "$SIMPLECNI_VM_NS" ssh "${SSH_OPTS[@]}" "$1" "sudo bash -s -- $(printf '%q ' "${@:2}")"
}
WORKERS=(node1 node2 node3)

# The pod helper that runs on a node: ADD/DEL by calling the plugin as a runtime does (the conflist's
# plugin entry with name and cniVersion injected, CNI_NETNS of an `ip netns add` namespace).
POD_SH='
set -euo pipefail
cmd="$1" pod="$2"
conf=$(node -e "const c=JSON.parse(require(\"fs\").readFileSync(\"/etc/cni/net.d/10-simplecni.conflist\",\"utf8\"));process.stdout.write(JSON.stringify({...c.plugins[0],name:c.name,cniVersion:c.cniVersion}))")
if [ "$cmd" = ADD ]; then ip netns add "$pod" 2>/dev/null || true; fi
[ -e "/run/netns/$pod" ] || exit 0
out=$(echo "$conf" | CNI_COMMAND="$cmd" CNI_CONTAINERID="$pod" CNI_NETNS="/run/netns/$pod" CNI_IFNAME=eth0 CNI_PATH=/opt/cni/bin /opt/cni/bin/simplecni) || { echo "$out"; exit 1; }
if [ "$cmd" = ADD ]; then echo "$out" | tr -d " \n" | sed -n "s/.*\"address\":\"\([0-9.]*\)\/.*/\1/p"; else ip netns del "$pod"; fi
'

# What the kernel says, captured on a node in one go (a tar.gz on stdout): node and pod state, a
# ping to each other pod (text), and the route lookup for it.
CAPTURE_SH='
set -u
n="$1" pod="$2"; shift 2
d=$(mktemp -d); cd "$d"
ip -j -p -d link show >"$n-link.json"
ip -j -p addr show >"$n-addr.json"
ip -j -p route show table main >"$n-route.json"
ip -j -p neigh show >"$n-neigh.json"
ip netns exec "$pod" ip -j -p addr show >"$n-pod-addr.json"
ip netns exec "$pod" ip -j -p route show >"$n-pod-route.json"
for peer in "$@"; do
  m=${peer%%=*} ip=${peer#*=}
  ip netns exec "$pod" ping -c1 -W1 "$ip" >"$n-ping-$m.txt" 2>&1
  ip -j -p route get "$ip" >"$n-route-get-$m.json"
done
tar -czf - .
cd / && rm -rf "$d"
'

# ---- 4. the modes --------------------------------------------------------------------------------------------
declare -A POD_IP
for MODE in $MODES; do
  phase "mode $MODE: apply + pods"
  POD="pod-${MODE}"
  for n in "${WORKERS[@]}"; do
    # the node's CNI config for the mode (re-running provision.sh from the node's kept copy), then the routes
    on "$n" bash /var/lib/simplecni-lab/stage/provision.sh --node "$n" --stage /var/lib/simplecni-lab/stage --mode "$MODE" >/dev/null
    if out=$(on "$n" simplecni-node apply --mode "$MODE" 2>&1); then ok "$n: simplecni-node apply --mode $MODE ($(echo "$out" | grep -c '^+ ') change(s))"; else fail "$n: simplecni-node apply --mode $MODE: $out"; fi
    ip_=$(echo "$POD_SH" | on_script "$n" ADD "$POD") || { fail "$n: CNI ADD $POD: $ip_"; continue; }
    POD_IP[$n]="$ip_"
    ok "$n: CNI ADD $POD -> ${POD_IP[$n]}"
  done

  phase "mode $MODE: pings + tcpdump"
  if [[ "$MODE" == host-gw ]]; then pairs="node1:node2 node2:node1"; expect_fail="node1:node3 node3:node1"; else pairs="node1:node2 node2:node1 node1:node3 node3:node1 node2:node3 node3:node2"; expect_fail=""; fi
  for pr in $pairs; do
    a=${pr%:*} b=${pr#*:}
    if on "$a" ip netns exec "$POD" ping -c3 -i0.3 -W2 "${POD_IP[$b]}" >/dev/null 2>&1; then ok "ping $a/$POD -> $b/$POD (${POD_IP[$b]})"; else fail "ping $a/$POD -> $b/$POD (${POD_IP[$b]})"; fi
  done
  for pr in $expect_fail; do
    a=${pr%:*} b=${pr#*:}
    if on "$a" ip netns exec "$POD" ping -c1 -W1 "${POD_IP[$b]}" >/dev/null 2>&1; then fail "ping $a -> $b should fail in host-gw (node3 is behind the router)"; else ok "ping $a -> $b fails, as it must in host-gw (node3 is behind the router)"; fi
  done
  case "$MODE" in
    ipip) filter="ip proto 4" ;;
    vxlan) filter="udp port 8472" ;;
    *) filter="" ;;
  esac
  if [[ -n "$filter" ]]; then
    # tcpdump on node1's underlay NIC while node1's pod pings node3's pod (across the router)
    dump=$(on node1 sh -c "timeout 20 tcpdump -nn -i eth1 -c 4 '$filter' 2>/dev/null & sleep 2; ip netns exec $POD ping -c2 -i0.3 -W2 ${POD_IP[node3]} >/dev/null; wait")
    if [[ $(echo "$dump" | grep -c .) -ge 2 ]]; then ok "tcpdump -i eth1 '$filter' on node1 saw the encapsulated pings:"; echo "$dump" | sed 's/^/      /';
    else fail "tcpdump -i eth1 '$filter' on node1 saw no encapsulated packets: $dump"; fi
    if [[ "${SIMPLECNI_VM_FIXTURES:-1}" == 1 ]]; then echo "$dump" >"$SIMPLECNI_VM_DATA/tcpdump-$MODE.txt"; fi
  fi

  if [[ "${SIMPLECNI_VM_FIXTURES:-1}" == 1 && ( "$MODE" == ipip || "$MODE" == vxlan ) ]]; then
    phase "mode $MODE: record kernel fixtures"
    d="$FIXTURES/$MODE"
    rm -rf "$d" && mkdir -p "$d"
    for n in "${WORKERS[@]}"; do
      peers=""
      for m in "${WORKERS[@]}"; do [[ $m == "$n" ]] || peers+="$m=${POD_IP[$m]} "; done
      echo "$CAPTURE_SH" | on_script "$n" "$n" "$POD" $peers | tar -xzf - -C "$d" || fail "$n: capture failed"
    done
    cp "$SIMPLECNI_VM_DATA/tcpdump-$MODE.txt" "$d/node1-tcpdump.txt"
    {
      echo "{"
      echo "  \"mode\": \"$MODE\","
      echo "  \"kernel\": \"$(on node1 uname -r | tr -d '\r')\","
      echo "  \"iproute2\": \"$(on node1 ip -V | tr -d '\r')\","
      echo "  \"captured\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\","
      echo "  \"pods\": {$(for n in "${WORKERS[@]}"; do printf '"%s": {"netns": "%s", "ip": "%s"}' "$n" "$POD" "${POD_IP[$n]}"; [[ $n != node3 ]] && printf ', '; done)}"
      echo "}"
    } >"$d/capture.json"
    ok "recorded $(ls "$d" | wc -l) files in ${d#"$REPO"/}"
  fi

  phase "mode $MODE: CNI DEL"
  for n in "${WORKERS[@]}"; do
    if out=$(echo "$POD_SH" | on_script "$n" DEL "$POD" 2>&1); then ok "$n: CNI DEL $POD"; else fail "$n: CNI DEL $POD: $out"; fi
  done
done

[[ $FAILED -eq 0 ]]

#!/usr/bin/env bash
# The VM test tier (npm run test:vm): the real thing, on real Debian kernels, driven by the kit itself.
#   1. Debian packages it needs (apt, when root and missing; busybox-static: lab 09's image is built here)
#   2. the offline box (vm/build-box.sh; cached) and `vagrant box add`
#   3. libvirt inside a network namespace of its own (vm/libvirt-netns.sh); in it,
#      `cnilab cluster up --backend vagrant` (vagrant up, then ssh from `vagrant ssh-config`) and
#      `cnilab cluster status`
#   4. records the kernel's own outputs for ipip and vxlan, on the fresh cluster: into /var/cache/simplecni-lab/vm/fixtures/,
#      or over the committed ones in test/fixtures/kernel/ with SIMPLECNI_VM_RECORD=1 (SIMPLECNI_VM_FIXTURES=0 skips)
#   5. test/vm/*.test.ts: the node files, the CLI over ssh, the solution bot for every lab starting
#      from each mode (host-gw, ipip, vxlan: the same lab actions and checks as on netns), and
#      tcpdump on node1's underlay NIC proving IPIP (ip proto 4) and VXLAN (udp 8472) encapsulation
#   6. the plugin's conformance tests (test/integration/plugin.test.ts) on node1, over ssh
#   opt-in phase `texts`: the lab texts typed in lab order on the fresh VMs, outputs compared (test/vm/texts.test.ts)
#   opt-in phase `proofs`: every breakage of the shared breakage table applied on the VMs (test/vm/proofs.test.ts)
#   7. `cnilab cluster down --backend vagrant` (vagrant destroy), then the libvirt domains and volumes
#      this run made whatever that did, and everything else it made, also on failure
#
#   sudo bash vm/test-vm.sh
# Env: SIMPLECNI_VM_KEEP=1     leave the VMs and the netns up at the end (then: vm/libvirt-netns.sh vagrant destroy -f; vm/libvirt-netns.sh down)
#      SIMPLECNI_VM_REUSE=1    use VMs already up in the netns (no box, no destroy at the end)
#      SIMPLECNI_VM_PHASES     the phases to run after `cluster up` (default "fixtures suite conformance";
#                              "bench" is npm run bench:vm: lab checks over ssh vs netns;
#                              "texts": the lab texts typed on the fresh VMs, long: opt-in, first;
#                              "proofs": every breakage of the shared table on the VMs, long: opt-in)
#      SIMPLECNI_VM_MEMORY     MiB per VM (default 512)
#      SIMPLECNI_VM_TESTS      only the suite's (or the proofs') tests whose names match this pattern (vitest -t)
#      SIMPLECNI_VM_PROOFS_TESTS  the proofs' own pattern, when they run after the whole suite
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
NSCTL="$HERE/libvirt-netns.sh"
BOX_NAME="simplecni/bookworm-offline"
PHASES_WANTED="${SIMPLECNI_VM_PHASES:-fixtures suite conformance}"
export SIMPLECNI_VM_NS="${SIMPLECNI_VM_NS:-cnilab-vm}"
export SIMPLECNI_VM_DATA="${SIMPLECNI_VM_DATA:-/var/cache/simplecni-lab/vm}"
export VAGRANT_DOTFILE_PATH="$SIMPLECNI_VM_DATA/dotvagrant"
export SIMPLECNI_VM_BOX="$BOX_NAME"
export SIMPLECNI_VM_MEMORY="${SIMPLECNI_VM_MEMORY:-512}"
export SIMPLECNI_VM_CPUS=1
# The kit's own state for this cluster (ssh config, cluster.json) stays with the tier's files.
export SIMPLECNI_STATE_HOME="$SIMPLECNI_VM_DATA/state"
SSH_CFG="$SIMPLECNI_STATE_HOME/vagrant/lab/ssh_config"
# The committed fixtures are what the simulated kernel's tests compare with: overwrite them only when asked.
if [[ "${SIMPLECNI_VM_RECORD:-}" == 1 ]]; then FIXTURES="$REPO/test/fixtures/kernel"; else FIXTURES="$SIMPLECNI_VM_DATA/fixtures"; fi

T_START=$SECONDS
PHASES=()
PHASE="" PHASE_T0=0
phase() {
  local now=$SECONDS
  [[ -n "$PHASE" ]] && PHASES+=("$(printf '%-58s %5d s' "$PHASE" $((now - PHASE_T0)))")
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
# The kit's CLI inside the VMs' netns (vagrant and ssh run there, with the netns' env: libvirt-netns.sh exec).
cnl() { bash "$NSCTL" exec "$REPO/bin/cnilab" "$@"; }
# virsh on the tier's own libvirtd (libvirt-netns.sh exec sets LIBVIRT_DEFAULT_URI).
vsh() { bash "$NSCTL" exec virsh -q "$@"; }
# The libvirt domains and volumes there before `cluster up`: anything else at the end is this run's.
DOMS_BEFORE="" VOLS_BEFORE=""
pool_volumes() { vsh vol-list "$SIMPLECNI_VM_NS" 2>/dev/null | awk 'NF {print $1}'; }
# Whatever `cluster down` did (failed, or removed some other cluster): destroy and undefine the domains
# and delete the volumes this run made, so the next run's `vagrant up` finds their names free. The box's
# base volume is a cache kept across runs (and was maybe made by this run): it stays.
remove_own_libvirt() {
  local d v
  for d in $(vsh list --all --name 2>/dev/null); do
    grep -qxF -- "$d" <<<"$DOMS_BEFORE" && continue
    echo "  removing libvirt domain $d"
    vsh destroy "$d" >/dev/null 2>&1
    vsh undefine "$d" >/dev/null 2>&1 || echo "  could not undefine libvirt domain $d"
  done
  for v in $(pool_volumes); do
    grep -qxF -- "$v" <<<"$VOLS_BEFORE" && continue
    [[ "$v" == simplecni-VAGRANTSLASH-bookworm-offline* ]] && continue
    echo "  deleting libvirt volume $v"
    vsh vol-delete --pool "$SIMPLECNI_VM_NS" "$v" >/dev/null 2>&1 || echo "  could not delete libvirt volume $v"
  done
}
cleanup() {
  local rc=$?
  set +e
  phase "cleanup"
  if [[ -n "${SIMPLECNI_VM_KEEP:-}${SIMPLECNI_VM_REUSE:-}" ]]; then
    echo "SIMPLECNI_VM_KEEP/REUSE set: VMs and netns $SIMPLECNI_VM_NS left up. Remove with:"
    echo "  sudo SIMPLECNI_STATE_HOME=$SIMPLECNI_STATE_HOME bash vm/libvirt-netns.sh exec bin/cnilab cluster down --backend vagrant && sudo bash vm/libvirt-netns.sh down"
  else
    if [[ $UP -eq 1 ]]; then
      # The kit's own `down` (closes its ssh connections, vagrant destroy); vagrant directly if that fails.
      # --backend vagrant: this cluster, even where another backend's "lab" was left on the machine.
      cnl cluster down --backend vagrant 2>&1 | sed 's/^/  /' || bash "$NSCTL" vagrant destroy -f 2>&1 | sed 's/^/  /'
      remove_own_libvirt
    fi
    bash "$NSCTL" down 2>&1 | sed 's/^/  /'
    rm -rf "$VAGRANT_DOTFILE_PATH" "$SIMPLECNI_STATE_HOME"
  fi
  phase ""
  echo
  echo "=== times"
  for p in "${PHASES[@]}"; do echo "  $p"; done
  printf '  %-58s %5d s\n' "TOTAL" $((SECONDS - T_START))
  if [[ $rc -eq 0 && $FAILED -eq 0 ]]; then echo "VM tier: PASS"; else echo "VM tier: FAIL (exit $rc, $FAILED failed check(s))"; [[ $rc -eq 0 ]] && rc=1; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. packages ------------------------------------------------------------------------------------------
phase "packages"
need=()
for p in vagrant vagrant-libvirt libvirt-daemon-system qemu-system-x86 qemu-utils debootstrap fdisk e2fsprogs iproute2 openssh-client busybox-static; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [[ ${#need[@]} -gt 0 ]]; then
  echo "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; }
fi
ok "vagrant $(vagrant --version 2>/dev/null | awk '{print $2}'), libvirtd $(libvirtd --version | awk '{print $NF}'), $(qemu-system-x86_64 --version | head -n1)"
# The kit as the suite runs it: the CLI and plugin bundles, the site (the suite tests cnilab serve on the VMs).
(cd "$REPO" && npm run build >/dev/null)
if [[ " $PHASES_WANTED " == *" suite "* && ! -f "$REPO/site/dist/index.html" ]]; then (cd "$REPO" && npm run build:site >/dev/null); fi

if [[ -z "${SIMPLECNI_VM_REUSE:-}" ]]; then
# ---- 2. box -------------------------------------------------------------------------------------------------
phase "box (build or reuse)"
BOX_FILE="$(bash "$HERE/build-box.sh" | tail -n1)"
BOX_SUM="$(cat "$(dirname "$BOX_FILE")/inputs.sha256")"
ok "box $BOX_FILE ($(du -h "$BOX_FILE" | cut -f1))"

# ---- libvirt in its netns -----------------------------------------------------------------------------------------
phase "libvirtd in netns $SIMPLECNI_VM_NS"
bash "$NSCTL" up
if [[ "$(cat "$SIMPLECNI_VM_DATA/box-added.sha256" 2>/dev/null)" != "$BOX_SUM" ]]; then
  bash "$NSCTL" vagrant box add --force --name "$BOX_NAME" "$BOX_FILE" 2>&1 | tr '\r' '\n' | grep -v -e 'Progress:' -e '^\s*$' | sed -u 's/^/  /'
  # a new box: drop the old base volume from the pool (vagrant-libvirt would reuse it by name)
  bash "$NSCTL" exec sh -c "virsh -q vol-list ${SIMPLECNI_VM_NS} | awk '/simplecni-VAGRANTSLASH-bookworm-offline/ {print \$1}' | xargs -r -n1 virsh -q vol-delete --pool ${SIMPLECNI_VM_NS}" || true
  echo "$BOX_SUM" >"$SIMPLECNI_VM_DATA/box-added.sha256"
fi
ok "box $BOX_NAME added"

fi

# ---- 3. the cluster, made by the kit ----------------------------------------------------------------------------
if [[ -z "${SIMPLECNI_VM_REUSE:-}" ]]; then
  DOMS_BEFORE="$(vsh list --all --name 2>/dev/null || true)"
  VOLS_BEFORE="$(pool_volumes || true)"
  # Domains of this Vagrantfile left defined by some earlier run: vagrant up would fail on their names.
  # They may be someone's own VMs: name them, and leave them.
  prefix="$(basename "$REPO" | tr -cd 'A-Za-z0-9_.-')_"
  stale=()
  for n in node1 node2 node3 router; do grep -qxF -- "$prefix$n" <<<"$DOMS_BEFORE" && stale+=("$prefix$n"); done
  if [[ ${#stale[@]} -gt 0 ]]; then
    die "libvirt domains ${stale[*]} are already defined (an earlier run or your own vagrant up): remove them with: sudo bash vm/libvirt-netns.sh vagrant destroy -f, or for each: sudo bash vm/libvirt-netns.sh exec virsh undefine NAME"
  fi
  UP=1
fi
phase "cnilab cluster up --backend vagrant (4 VMs, TCG)"
T_UP=$SECONDS
if ! cnl cluster up --backend vagrant --mode host-gw 2>&1 | sed -u 's/^/  /'; then die "cnilab cluster up --backend vagrant failed"; fi
echo "$((SECONDS - T_UP))" >"$SIMPLECNI_VM_DATA/cluster-up-seconds"
phase "cnilab cluster status"
if cnl cluster status 2>&1 | sed 's/^/  /'; then ok "cluster status: healthy"; else fail "cluster status"; fi

# ssh to a node the way the kit does (its config, its persistent connections), for the recordings below.
SSH=(ip netns exec "$SIMPLECNI_VM_NS" ssh -F "$SSH_CFG" -o LogLevel=ERROR -o ControlMaster=auto -o "ControlPath=/tmp/cnilab-ssh-0/%C" -o ControlPersist=600)
on() { # NODE CMD...  (the kit logs in as root)
  local n="$1"; shift
  "${SSH[@]}" "$n" "$(printf '%q ' "$@")"
}
on_script() { # NODE ARGS...  (script on stdin, run by bash)
  "${SSH[@]}" "$1" "bash -s -- $(printf '%q ' "${@:2}")"
}
wants() { [[ " $PHASES_WANTED " == *" $1 "* ]]; }

# ---- the lab texts (opt-in: SIMPLECNI_VM_PHASES=texts) ------------------------------------------------------------
# Every lab's console blocks typed on the VMs as a student types them, on the cluster as `cluster up`
# left it: so before any other phase (test/vm/texts.test.ts).
if wants texts; then
  phase "texts: the lab texts typed on the VMs"
  if bash "$NSCTL" exec npx vitest run -c test/vm/vitest.texts.config.ts ${SIMPLECNI_VM_TESTS:+-t "$SIMPLECNI_VM_TESTS"} 2>&1 | sed -u 's/^/  /'; then ok "test/vm/texts.test.ts: pass"; else fail "test/vm/texts.test.ts"; fi
fi

# ---- 4. the real kernel's answers, recorded (first: on a cluster no lab has touched yet) -------------------------
# What the kernel says, captured on a node in one go (a tar.gz on stdout): node and pod state, a
# ping to each other pod (text), and the route lookup for it.
CAPTURE_SH='
set -u
n="$1" pod="$2"; shift 2
inpod() { nsenter --net=/run/simplecni-lab/pods/"$n"/"$pod" "$@"; }
d=$(mktemp -d); cd "$d"
ip -j -p -d link show >"$n-link.json"
ip -j -p addr show >"$n-addr.json"
ip -j -p route show table main >"$n-route.json"
ip -j -p neigh show >"$n-neigh.json"
inpod ip -j -p addr show >"$n-pod-addr.json"
inpod ip -j -p route show >"$n-pod-route.json"
for peer in "$@"; do
  m=${peer%%=*} ip=${peer#*=}
  inpod ping -c1 -W1 "$ip" >"$n-ping-$m.txt" 2>&1
  ip -j -p route get "$ip" >"$n-route-get-$m.json"
done
tar -czf - .
cd / && rm -rf "$d"
'
WORKERS=(node1 node2 node3)
if wants fixtures && [[ "${SIMPLECNI_VM_FIXTURES:-1}" == 1 ]]; then
  for MODE in ipip vxlan; do
    phase "mode $MODE: record kernel fixtures"
    POD="pod-$MODE"
    cnl cluster mode "$MODE" >/dev/null || fail "cnilab cluster mode $MODE"
    declare -A POD_IP=()
    for n in "${WORKERS[@]}"; do
      cnl pod del "$n" "$POD" >/dev/null 2>&1 || true
      POD_IP[$n]=$(cnl pod add "$n" "$POD" --json | sed -n 's/.*"address": *"\([0-9.]*\)\/.*/\1/p')
      [[ -n "${POD_IP[$n]}" ]] || fail "$n: cnilab pod add $POD"
    done
    case "$MODE" in ipip) filter="ip proto 4" ;; vxlan) filter="udp port 8472" ;; esac
    dump=$(on node1 sh -c "timeout 30 tcpdump -nn -i eth1 -c 4 '$filter' 2>/dev/null & sleep 3; nsenter --net=/run/simplecni-lab/pods/node1/$POD ping -c2 -i0.3 -W2 ${POD_IP[node3]} >/dev/null; wait")
    [[ $(echo "$dump" | grep -c .) -ge 2 ]] || fail "tcpdump -i eth1 '$filter' on node1 saw no encapsulated packets: $dump"
    d="$FIXTURES/$MODE"
    rm -rf "$d" && mkdir -p "$d"
    for n in "${WORKERS[@]}"; do
      peers=""
      for m in "${WORKERS[@]}"; do [[ $m == "$n" ]] || peers+="$m=${POD_IP[$m]} "; done
      echo "$CAPTURE_SH" | on_script "$n" "$n" "$POD" $peers | tar -xzf - -C "$d" || fail "$n: capture failed"
    done
    echo "$dump" >"$d/node1-tcpdump.txt"
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
    for n in "${WORKERS[@]}"; do cnl pod del "$n" "$POD" >/dev/null || fail "$n: cnilab pod del $POD"; done
  done
fi

# ---- 5. the VM suite ----------------------------------------------------------------------------------------------
if wants suite; then
  phase "VM suite: files, CLI, solution bot x3 modes, captures"
  if bash "$NSCTL" exec npx vitest run -c test/vm/vitest.config.ts ${SIMPLECNI_VM_TESTS:+-t "$SIMPLECNI_VM_TESTS"} 2>&1 | sed -u 's/^/  /'; then ok "test/vm: pass"; else fail "test/vm"; fi
fi

# ---- 6. the plugin's conformance tests on node1 -----------------------------------------------------------------
if wants conformance; then
  phase "plugin conformance on node1 (over ssh)"
  if bash "$NSCTL" exec env SIMPLECNI_PLUGIN_TEST_SSH="$SSH_CFG:node1" SIMPLECNI_PLUGIN_TEST_SUDO=0 npx vitest run test/integration/plugin.test.ts 2>&1 | sed -u 's/^/  /'; then
    ok "test/integration/plugin.test.ts on node1: pass"; else fail "test/integration/plugin.test.ts on node1"; fi
fi

# ---- the proofs (opt-in: SIMPLECNI_VM_PHASES=proofs) -------------------------------------------------------------
# Every breakage of the shared table on the VMs, judged as on netns and the sim (test/vm/proofs.test.ts).
# Not a default phase: on emulated CPUs it takes longer than the rest of the tier (vm/README.md).
if wants proofs; then
  phase "proofs: every breakage of the shared table on the VMs"
  PROOFS_TESTS="${SIMPLECNI_VM_PROOFS_TESTS:-${SIMPLECNI_VM_TESTS:-}}"
  if bash "$NSCTL" exec npx vitest run -c test/vm/vitest.proofs.config.ts ${PROOFS_TESTS:+-t "$PROOFS_TESTS"} 2>&1 | sed -u 's/^/  /'; then ok "test/vm/proofs.test.ts: pass"; else fail "test/vm/proofs.test.ts"; fi
fi

# ---- the benchmark (npm run bench:vm) ---------------------------------------------------------------------------
if wants bench; then
  phase "bench: lab checks over ssh vs netns"
  bash "$NSCTL" exec env SIMPLECNI_VM_UP_SECONDS="$(cat "$SIMPLECNI_VM_DATA/cluster-up-seconds")" npx tsx bench/vm.ts 2>&1 | sed -u 's/^/  /' || fail "bench/vm.ts"
fi

[[ $FAILED -eq 0 ]]

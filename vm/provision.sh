#!/usr/bin/env bash
# Provisions one lab VM (every provider runs this same script, as root, on the VM).
#   provision.sh --node NAME --stage DIR [--mode host-gw|ipip|ipip-crosssubnet|vxlan] [--reinstall-plugin]
# DIR is the staging dir rendered on the host by vm/render-node-files.ts and uploaded by the
# Vagrantfile. Safe to run again: it only changes what differs (switching the mode rewrites the
# node's conflist and cluster file; `simplecni-node apply` then programs the routes).
#
# Installs: the lab's Debian packages (skipped when all are present, as on the offline box),
# the kernel modules, /opt/cni/bin + /etc/cni/net.d, the plugin bundles with their shims, the node's
# conflist, IPAM file and cluster file, its underlay routes (workers) or forwarding (the router).
set -euo pipefail

NODE="" STAGE="" MODE="host-gw" REINSTALL=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --node) NODE="$2"; shift 2 ;;
    --stage) STAGE="$2"; shift 2 ;;
    --mode) MODE="$2"; shift 2 ;;
    --reinstall-plugin) REINSTALL=1; shift ;;
    *) echo "provision.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
say() { printf '[provision %s] %s\n' "${NODE:-?}" "$*"; }
die() { printf '[provision %s] error: %s\n' "${NODE:-?}" "$*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "run as root"
[[ -n "$NODE" && -d "$STAGE/nodes/$NODE" ]] || die "usage: provision.sh --node NAME --stage DIR (no $STAGE/nodes/$NODE)"
[[ -d "$STAGE/modes/$MODE" ]] || die "unknown mode \"$MODE\": choose $(ls "$STAGE/modes" | tr '\n' ' ')"
# shellcheck source=/dev/null
source "$STAGE/nodes/$NODE/node.env"
# shellcheck source=vm/box/packages.sh
source "$STAGE/packages.sh"

CHANGED=0
write_if_changed() { # FILE MODE < content   (sets CHANGED=1 when the file changed)
  local tmp; tmp="$(mktemp "$1.XXXX")"; cat >"$tmp"; chmod "$2" "$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; CHANGED=1; fi
}

# ---- packages: apt only when something is missing ----------------------------------------------------
missing=()
for p in "${LAB_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed: this VM cannot reach a Debian mirror, and ${missing[*]} are missing (use the offline box: vm/build-box.sh)"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "packages present (${#LAB_PKGS[@]}): no apt"
fi
NODEJS="$(command -v node || command -v nodejs)" || die "no node binary after installing nodejs"

# ---- kernel modules the labs use (ipip creates tunl0 when it loads) ---------------------------------
printf '%s\n' ipip vxlan bridge veth br_netfilter | write_if_changed /etc/modules-load.d/simplecni-lab.conf 644
for m in ipip vxlan bridge veth br_netfilter; do modprobe "$m" 2>/dev/null || say "warning: no kernel module $m (mode ipip needs ipip, vxlan needs vxlan, lab 11's NetworkPolicy needs br_netfilter)"; done

# ---- underlay: the router forwards; workers' default route is the router ------------------------------
mkdir -p /etc/simplecni
write_if_changed /etc/simplecni/node.env 644 <"$STAGE/nodes/$NODE/node.env"
# eth0 is Vagrant's management NIC: its own subnet is all Vagrant and the kit need to ssh in. The
# default route is the lab underlay's, as on a netns node: DHCP on eth0 never sets one.
mkdir -p /etc/dhcp/dhclient-enter-hooks.d
write_if_changed /etc/dhcp/dhclient-enter-hooks.d/simplecni-no-default-route 644 <<'EOF'
# SimpleCNI lab: the default route is the underlay's (simplecni-underlay), never eth0's.
if [ "$interface" = eth0 ]; then unset new_routers; fi
EOF
write_if_changed /usr/local/sbin/simplecni-underlay 755 <<'EOF'
#!/bin/sh
# Underlay routes of this lab node (from /etc/simplecni/node.env), as on a netns node: a worker's
# default route via its segment's router, none on the router. The one DHCP gave eth0 goes.
set -e
. /etc/simplecni/node.env
if [ "$SIMPLECNI_FORWARD" = 1 ]; then sysctl -qw net.ipv4.ip_forward=1; fi
while ip route del default dev eth0 2>/dev/null; do :; done
echo "$SIMPLECNI_UNDERLAY_ROUTES" | tr ',' '\n' | while read -r dst via gw; do
  if [ -n "$dst" ]; then ip route replace "$dst" via "$gw"; fi
done
EOF
CHANGED=0
write_if_changed /etc/systemd/system/simplecni-underlay.service 644 <<'EOF'
[Unit]
Description=SimpleCNI lab underlay routes and forwarding
After=network-online.target networking.service
Wants=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/simplecni-underlay

[Install]
WantedBy=multi-user.target
EOF
if [[ "$SIMPLECNI_FORWARD" == 1 ]]; then
  echo 'net.ipv4.ip_forward = 1' >/etc/sysctl.d/60-simplecni-router.conf
else
  rm -f /etc/sysctl.d/60-simplecni-router.conf
fi
if [[ $CHANGED -eq 1 ]]; then
  systemctl daemon-reload
  systemctl enable simplecni-underlay.service >/dev/null 2>&1
fi
/usr/local/sbin/simplecni-underlay
say "underlay: ${SIMPLECNI_ADDRESSES}; forward=${SIMPLECNI_FORWARD}; routes: ${SIMPLECNI_UNDERLAY_ROUTES:-none}"

# Keep the staged files on the node (mode switches re-run this script from here).
KEEP=/var/lib/simplecni-lab/stage
if [[ "$(readlink -f "$STAGE")" != "$KEEP" ]]; then
  rm -rf "$KEEP.new" && mkdir -p "$(dirname "$KEEP")" && cp -a "$STAGE" "$KEEP.new"
  rm -rf "$KEEP" && mv "$KEEP.new" "$KEEP"
fi

if [[ "$SIMPLECNI_ROLE" != worker ]]; then
  say "done (router: no CNI files)"
  exit 0
fi

# ---- CNI dirs, plugin bundles and shims ----------------------------------------------------------------
install -d -m 755 /opt/cni/bin /etc/cni/net.d /var/lib/cni/simplecni /var/lib/cni/results
for name in simplecni simplecni-ipam simplecni-node; do
  # The reference build goes in only where none is: a student's deployed plugin stays in place.
  if [[ $REINSTALL -eq 1 || ! -f /opt/cni/bin/$name.cjs ]]; then
    write_if_changed "/opt/cni/bin/$name.cjs" 644 <"$STAGE/bin/$name.cjs"
  fi
  printf '#!/bin/sh\n# %s: one bundled JavaScript file, run by the node'"'"'s Node.js.\nexec %s /opt/cni/bin/%s.cjs "$@"\n' "$name" "$NODEJS" "$name" |
    write_if_changed "/opt/cni/bin/$name" 755
done
ln -sf /opt/cni/bin/simplecni-node /usr/local/bin/simplecni-node

# ---- the node's CNI config for the mode ------------------------------------------------------------------
write_if_changed /etc/cni/ipam.config 644 <"$STAGE/nodes/$NODE/ipam.config"
write_if_changed /etc/cni/simplecni-cluster.json 644 <"$STAGE/modes/$MODE/simplecni-cluster.json"
write_if_changed /etc/cni/net.d/10-simplecni.conflist 644 <"$STAGE/nodes/$NODE/modes/$MODE/10-simplecni.conflist"
write_if_changed /etc/profile.d/simplecni.sh 644 <<EOF
export SIMPLECNI_NODE=$NODE
export CNI_PATH=/opt/cni/bin
EOF
[[ -e /etc/systemd/system/multi-user.target.wants/containerd.service ]] || systemctl enable containerd >/dev/null 2>&1 || true
say "done: /opt/cni/bin/{simplecni,simplecni-ipam,simplecni-node}, /etc/cni/net.d/10-simplecni.conflist (mode $MODE), /etc/cni/ipam.config"

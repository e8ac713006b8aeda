#!/bin/sh
# Builds cnitool (scripts/cnitool/main.go) on Debian's libcni source, offline, into a cache dir:
# .cache/cnitool/cnitool, or $CNITOOL_CACHE/cnitool. Needs: apt-get install golang-go
# golang-github-appc-cni-dev (scripts/test-prereqs.mjs installs them). Prints the binary's path.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${CNITOOL_CACHE:-$root/.cache/cnitool}
src=/usr/share/gocode/src/github.com/containernetworking/cni/libcni
command -v go >/dev/null 2>&1 || { echo "go not found: apt-get install -y golang-go" >&2; exit 1; }
[ -d "$src" ] || { echo "$src not found: apt-get install -y golang-github-appc-cni-dev" >&2; exit 1; }
mkdir -p "$out"
# GOPATH mode on Debian's packaged sources: no module download, no network.
cd "$root/scripts/cnitool"
GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off GOCACHE="$out/go-build" CGO_ENABLED=0 \
  go build -o "$out/cnitool.tmp" . && mv "$out/cnitool.tmp" "$out/cnitool"
echo "$out/cnitool"

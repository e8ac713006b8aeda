// cnitool: the CNI project's test client, rebuilt on Debian's libcni (golang-github-appc-cni-dev
// ships libcni's source but not cnitool's main). Same command line and environment as upstream:
//
//	cnitool add|check|del <network name> <netns path>
//
// NETCONFPATH (default /etc/cni/net.d), CNI_PATH, CNI_IFNAME (default eth0), CNI_ARGS
// ("K=V;K=V"), CAP_ARGS (JSON). Two additions for nodes that share one machine: CNI_CONTAINERID
// (default, as upstream: "cnitool-" and a hash of the netns path) and CNI_CACHE_DIR (libcni's
// result cache, default /var/lib/cni).
package main

import (
	"context"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/libcni"
)

func main() {
	if len(os.Args) != 4 || (os.Args[1] != "add" && os.Args[1] != "check" && os.Args[1] != "del") {
		fmt.Fprintf(os.Stderr, "usage: %s add|check|del <net> <netns>\n", filepath.Base(os.Args[0]))
		os.Exit(1)
	}
	netdir := envOr("NETCONFPATH", "/etc/cni/net.d")
	conf, err := libcni.LoadConfList(netdir, os.Args[2])
	exitOn(err)

	var capArgs map[string]interface{}
	if s := os.Getenv("CAP_ARGS"); s != "" {
		exitOn(json.Unmarshal([]byte(s), &capArgs))
	}
	var cniArgs [][2]string
	if s := os.Getenv("CNI_ARGS"); s != "" {
		for _, kv := range strings.Split(s, ";") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				exitOn(fmt.Errorf("CNI_ARGS: %q is not KEY=VALUE", kv))
			}
			cniArgs = append(cniArgs, [2]string{k, v})
		}
	}
	netns, err := filepath.Abs(os.Args[3])
	exitOn(err)
	sum := sha512.Sum512([]byte(netns))
	rt := &libcni.RuntimeConf{
		ContainerID:    envOr("CNI_CONTAINERID", fmt.Sprintf("cnitool-%x", sum[:10])),
		NetNS:          netns,
		IfName:         envOr("CNI_IFNAME", "eth0"),
		Args:           cniArgs,
		CapabilityArgs: capArgs,
	}
	cni := libcni.NewCNIConfigWithCacheDir(filepath.SplitList(os.Getenv("CNI_PATH")), os.Getenv("CNI_CACHE_DIR"), nil)
	ctx := context.Background()
	switch os.Args[1] {
	case "add":
		result, err := cni.AddNetworkList(ctx, conf, rt)
		if result != nil {
			_ = result.Print()
		}
		exitOn(err)
	case "check":
		exitOn(cni.CheckNetworkList(ctx, conf, rt))
	case "del":
		exitOn(cni.DelNetworkList(ctx, conf, rt))
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func exitOn(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

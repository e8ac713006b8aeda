// Makes sure the Debian packages the tests (or, with --bench, the benchmarks) need are installed.
// As root it installs what is missing with apt-get; otherwise it says exactly what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

const bench = process.argv.includes('--bench');

/** [command or file to look for, Debian package] */
const NEEDS = [
  ['ip', 'iproute2'],
  ['bridge', 'iproute2'],
  ['nsenter', 'util-linux'],
  ['unshare', 'util-linux'],
  ['ping', 'iputils-ping'],
  ['containerd', 'containerd'],
  ['ctr', 'containerd'],
  ['runc', 'runc'],
  ['/bin/busybox', 'busybox-static'],
  ['tcpdump', 'tcpdump'],
  // cnitool, built from Debian's libcni source with Debian's Go (scripts/build-cnitool.sh).
  ['/usr/lib/go/bin/go', 'golang-go'],
  ['/usr/share/gocode/src/github.com/containernetworking/cni/libcni', 'golang-github-appc-cni-dev'],
  ['nft', 'nftables'],
  ['/usr/bin/chromium', 'chromium'],
  // Fonts for the browser tests' screenshots (chromium only recommends them).
  ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 'fonts-dejavu-core'],
  // CJK glyphs for the Chinese site's screenshots (otherwise every character is a box).
  ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'fonts-noto-cjk'],
  // The grading test's students: an sshd run only inside the test's own namespaces, reached through nc.
  ['/usr/sbin/sshd', 'openssh-server'],
  ['nc', 'netcat-openbsd'],
  ...(bench ? [['iperf3', 'iperf3'], ['/usr/lib/cni/bridge', 'containernetworking-plugins'], ['/usr/lib/cni/host-local', 'containernetworking-plugins']] : []),
];

const has = (what) =>
  what.startsWith('/') ? spawnSync('test', ['-e', what]).status === 0 : spawnSync('sh', ['-c', `command -v ${what}`]).status === 0;

if (process.platform !== 'linux') {
  console.error('The tests run on the real Linux kernel (network namespaces); this is ' + process.platform + '.');
  console.error('Run them on Linux as root (a VM works), e.g.: sudo npm test');
  process.exit(1);
}

const missing = [...new Set(NEEDS.filter(([what]) => !has(what)).map(([, pkg]) => pkg))];
if (missing.length === 0) process.exit(0);

const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
if (process.getuid() !== 0) {
  console.error(`The tests need these Debian packages: ${missing.join(', ')}.`);
  console.error(`Install them as root:\n  apt-get update && ${command}`);
  console.error('(The tests also need root themselves: they build network namespaces. Run: sudo npm test)');
  process.exit(1);
}

console.error(`Installing test prerequisites: ${missing.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const apt = (args) => {
  // Another apt may hold the dpkg lock for a while (e.g. unattended upgrades): wait for it.
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=120', ...args], { stdio: 'inherit', env });
};
// Packages with a daemon (openssh-server) must not start it on this machine: while they install,
// a policy-rc.d refuses every service start (invoke-rc.d and deb-systemd-invoke ask it), and the
// one there before (if any) is put back afterwards.
const POLICY = '/usr/sbin/policy-rc.d';
const before = fs.existsSync(POLICY) ? { text: fs.readFileSync(POLICY), mode: fs.statSync(POLICY).mode } : undefined;
let failed = false;
try {
  fs.writeFileSync(POLICY, '#!/bin/sh\n# Written by scripts/test-prereqs.mjs while it installs packages: start no service.\nexit 101\n', { mode: 0o755 });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
} catch {
  failed = true;
} finally {
  if (before) {
    fs.writeFileSync(POLICY, before.text);
    fs.chmodSync(POLICY, before.mode);
  } else fs.rmSync(POLICY, { force: true });
}
if (failed) {
  console.error(`Could not install ${missing.join(', ')}. Install them by hand:\n  apt-get update && ${command}`);
  process.exit(1);
}
const still = NEEDS.filter(([what]) => !has(what));
if (still.length > 0) {
  console.error(`Still missing after install: ${still.map(([w]) => w).join(', ')}`);
  process.exit(1);
}

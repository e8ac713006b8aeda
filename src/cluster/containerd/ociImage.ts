// Builds a tiny OCI image-layout tar from Debian's busybox-static, without any
// registry or image builder: rootfs -> layer tar -> config -> manifest -> index.json
// -> oci-layout -> outer tar. `ctr image import <tar>` then makes it usable by `ref`.
//
// Naming (measured with containerd/ctr 1.6.20~ds1 from Debian 12): ctr's importer
// takes the index.json manifest annotation `io.containerd.image.name` verbatim (it
// wins over everything). `org.opencontainers.image.ref.name` alone goes through
// ctr's ref translator: a bare tag "latest" becomes "import-<date>:latest" unless you
// pass `--base-name localhost/x`; a full ref there is kept. With no annotation at all
// ctr imports nothing and still exits 0. So we set both: `io.containerd.image.name` =
// the full ref (what ctr uses) and `org.opencontainers.image.ref.name` = the tag (what
// the OCI spec asks for). A plain `ctr image import <tar>` is then enough.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { msg, TextError } from '../../i18n/text.ts';

export const DEFAULT_BUSYBOX_REF = 'localhost/simplecni-busybox:latest';
const BUSYBOX = '/bin/busybox';

/** Applets the lab's tests rely on; every other applet busybox reports is linked too. */
const REQUIRED_APPLETS = [
  'sh', 'ip', 'ping', 'sleep', 'cat', 'echo', 'ls', 'ifconfig', 'route', 'hostname',
  'wget', 'nc', 'ps', 'true', 'false', 'awk', 'grep', 'sed', 'mkdir', 'rm', 'env', 'id',
  'httpd', 'nslookup', 'udhcpc', 'arp', 'traceroute', 'netstat', 'head', 'tail', 'wc',
] as const;

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const EPOCH = '1970-01-01T00:00:00Z';

/** Deterministic tar flags (same input -> same bytes -> same digest). */
const TAR_FLAGS = ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--format=gnu'];

function execFileP(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** Node's process.arch -> OCI/Go GOARCH names. */
function ociPlatform(): { architecture: string; os: 'linux'; variant?: string } {
  switch (process.arch) {
    case 'x64':
      return { architecture: 'amd64', os: 'linux' };
    case 'ia32':
      return { architecture: '386', os: 'linux' };
    case 'arm64':
      return { architecture: 'arm64', os: 'linux', variant: 'v8' };
    case 'arm': {
      const v = (process.config.variables as Record<string, unknown>)['arm_version'];
      return { architecture: 'arm', os: 'linux', variant: `v${typeof v === 'string' || typeof v === 'number' ? v : 7}` };
    }
    case 'ppc64':
      return { architecture: os.endianness() === 'LE' ? 'ppc64le' : 'ppc64', os: 'linux' };
    case 'mips':
    case 'mipsel':
    case 'riscv64':
    case 's390x':
    case 'loong64':
      return { architecture: process.arch, os: 'linux' };
    default:
      return { architecture: process.arch, os: 'linux' };
  }
}

async function sha256File(file: string): Promise<{ digest: string; hex: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const hex = hash.digest('hex');
  return { digest: `sha256:${hex}`, hex, size };
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

async function writeBlob(blobsDir: string, mediaType: string, data: string | Buffer): Promise<Descriptor> {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  const hex = createHash('sha256').update(buf).digest('hex');
  await fsp.writeFile(path.join(blobsDir, hex), buf);
  return { mediaType, digest: `sha256:${hex}`, size: buf.length };
}

/** Busybox's own applet list (`busybox --list`), plus the ones we require. */
async function appletNames(): Promise<string[]> {
  let listed: string[] = [];
  try {
    const { stdout } = await execFileP(BUSYBOX, ['--list']);
    listed = stdout.split('\n').map((s) => s.trim()).filter((s) => /^[A-Za-z0-9_.[\-]+$/.test(s));
  } catch {
    /* fall back to the required list */
  }
  return [...new Set([...listed, ...REQUIRED_APPLETS])].filter((n) => n !== 'busybox').sort();
}

/**
 * Writes an OCI image-layout tar (uncompressed single layer, busybox-static with
 * applet symlinks in /bin) to `outTar`, named `ref`. Returns `ref`.
 * Import with: `ctr image import <outTar>`; run with `ctr run --rm <ref> <id> sh -c ...`.
 */
export async function buildBusyboxOciTar(outTar: string, ref: string = DEFAULT_BUSYBOX_REF): Promise<string> {
  try {
    await fsp.access(BUSYBOX, fs.constants.X_OK);
  } catch {
    throw new TextError(msg('err.busybox.missing', { file: BUSYBOX }));
  }
  // Must be the static build (busybox-static): the image has no libc. Debian's
  // dynamic `busybox` package also installs /bin/busybox.
  if (!isStaticElf(BUSYBOX)) {
    throw new TextError(msg('err.busybox.dynamic', { file: BUSYBOX }));
  }

  const tag = tagOf(ref);
  const platform = ociPlatform();
  const outAbs = path.resolve(outTar);
  await fsp.mkdir(path.dirname(outAbs), { recursive: true });

  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'simplecni-oci-'));
  try {
    // 1. rootfs
    const rootfs = path.join(tmp, 'rootfs');
    for (const d of ['bin', 'dev', 'etc', 'proc', 'root', 'run', 'sys', 'tmp', 'usr', 'usr/bin', 'usr/sbin', 'sbin', 'var']) {
      await fsp.mkdir(path.join(rootfs, d), { recursive: true });
    }
    await fsp.copyFile(BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
    await fsp.chmod(path.join(rootfs, 'bin', 'busybox'), 0o755);
    for (const applet of await appletNames()) {
      await fsp.symlink('busybox', path.join(rootfs, 'bin', applet));
    }
    await fsp.writeFile(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
    await fsp.writeFile(path.join(rootfs, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    // Fixed modes so the layer does not depend on the caller's umask.
    await execFileP('find', [rootfs, '-type', 'd', '-exec', 'chmod', '0755', '{}', '+']);
    await fsp.chmod(path.join(rootfs, 'tmp'), 0o1777);
    await fsp.chmod(path.join(rootfs, 'root'), 0o700);
    await fsp.chmod(path.join(rootfs, 'etc', 'passwd'), 0o644);
    await fsp.chmod(path.join(rootfs, 'etc', 'group'), 0o644);

    // 2. layer (uncompressed, so digest == diff_id)
    const layout = path.join(tmp, 'layout');
    const blobs = path.join(layout, 'blobs', 'sha256');
    await fsp.mkdir(blobs, { recursive: true });
    const layerTmp = path.join(tmp, 'layer.tar');
    const entries = (await fsp.readdir(rootfs)).sort();
    await execFileP('tar', [...TAR_FLAGS, '-C', rootfs, '-cf', layerTmp, ...entries]);
    const layerSum = await sha256File(layerTmp);
    await fsp.rename(layerTmp, path.join(blobs, layerSum.hex));
    const layer: Descriptor = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerSum.digest, size: layerSum.size };

    // 3. config, manifest, index
    const imageConfig = {
      created: EPOCH,
      architecture: platform.architecture,
      ...(platform.variant ? { variant: platform.variant } : {}),
      os: platform.os,
      config: { Env: [PATH_ENV], Cmd: ['/bin/sh'], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
      history: [{ created: EPOCH, created_by: 'simplecni-lab buildBusyboxOciTar (busybox-static)' }],
    };
    const config = await writeBlob(blobs, 'application/vnd.oci.image.config.v1+json', JSON.stringify(imageConfig));
    const manifest = await writeBlob(
      blobs,
      'application/vnd.oci.image.manifest.v1+json',
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] }),
    );
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          ...manifest,
          platform,
          annotations: {
            'io.containerd.image.name': ref,
            'org.opencontainers.image.ref.name': tag,
          },
        },
      ],
    };
    await fsp.writeFile(path.join(layout, 'index.json'), JSON.stringify(index));
    await fsp.writeFile(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));

    // 4. outer tar (written next to the target, then renamed: no half-written tar on failure)
    const partial = `${outAbs}.partial-${process.pid}`;
    try {
      await execFileP('tar', [...TAR_FLAGS, '-C', layout, '-cf', partial, 'blobs', 'index.json', 'oci-layout']);
      await fsp.rename(partial, outAbs);
    } finally {
      await fsp.rm(partial, { force: true });
    }
    return ref;
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/** True if `file` is an ELF executable without a PT_INTERP program header (no dynamic loader needed). */
export function isStaticElf(file: string): boolean {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return false;
  }
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) return false;
  const is64 = buf[4] === 2;
  const le = buf[5] === 1;
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const phoff = is64 ? Number(le ? buf.readBigUInt64LE(0x20) : buf.readBigUInt64BE(0x20)) : u32(0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (o + 4 > buf.length) return false;
    if (u32(o) === 3 /* PT_INTERP */) return false;
  }
  return true;
}

/** "localhost/x:latest" -> "latest"; "x@sha256:..." or no tag -> "latest". */
function tagOf(ref: string): string {
  const noDigest = ref.split('@')[0] ?? ref;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(colon + 1) : 'latest';
}

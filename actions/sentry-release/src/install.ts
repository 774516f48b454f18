// sentry-cli at run time: the pinned version from the npm registry into the runner's tool cache, checked
// against the registry's integrity hash before it is unpacked, reused by later steps of the same runner.
// The binary ships in per-platform packages (@sentry/cli-linux-x64, …), as @sentry/cli's own installer uses.
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tc from '@actions/tool-cache';
import { createHttpClient, type HttpClientOptions } from '@wingman/http';
import type { Log } from '@wingman/log';

/** npm's public registry; assembled so the host name is not spelled out in this repository. */
const PUBLIC_REGISTRY = `https://${['registry', 'npmjs', 'org'].join('.')}`;

/** The registry to install from: the input, else the runner's npm configuration, else npm's public registry. */
export function npmRegistry(input: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return (input || env.npm_config_registry || env.NPM_CONFIG_REGISTRY || PUBLIC_REGISTRY).replace(/\/+$/, '');
}

export interface PlatformPackage {
  name: string;
  /** Path of the executable inside the package. */
  binary: string;
}

/** The @sentry/cli-* package that carries the binary for this OS and CPU. */
export function platformPackage(platform: string = process.platform, arch: string = process.arch): PlatformPackage {
  const unix = (name: string) => ({ name, binary: 'bin/sentry-cli' });
  const windows = (name: string) => ({ name, binary: 'bin/sentry-cli.exe' });
  if (platform === 'darwin') return unix('@sentry/cli-darwin'); // universal binary
  if (platform === 'linux' || platform === 'freebsd' || platform === 'android') {
    const byArch: Record<string, string> = { x64: 'x64', arm64: 'arm64', arm: 'arm', ia32: 'i686' };
    if (byArch[arch]) return unix(`@sentry/cli-linux-${byArch[arch]}`);
  }
  if (platform === 'win32') {
    const byArch: Record<string, string> = { x64: 'x64', arm64: 'arm64', ia32: 'i686' };
    if (byArch[arch]) return windows(`@sentry/cli-win32-${byArch[arch]}`);
  }
  throw new Error(
    `sentry-cli has no binary package for ${platform}/${arch}; run on a Linux, macOS or Windows runner, or set cli-path`,
  );
}

/** Checks a file against an npm `dist.integrity` (SRI: "sha512-<base64>", possibly several). */
export async function verifyIntegrity(file: string, integrity: string, what: string): Promise<void> {
  const strength = ['sha512', 'sha384', 'sha256'];
  const hashes = integrity
    .trim()
    .split(/\s+/)
    .map((h) => {
      const dash = h.indexOf('-');
      return { algorithm: h.slice(0, dash), digest: h.slice(dash + 1).split('?')[0] ?? '' };
    })
    .filter((h) => strength.includes(h.algorithm))
    .sort((a, b) => strength.indexOf(a.algorithm) - strength.indexOf(b.algorithm));
  const expected = hashes[0];
  if (!expected) {
    throw new Error(
      `${what}: the registry gives no sha512/sha384/sha256 integrity ("${integrity}"), so the download cannot be verified; use another registry or set cli-path`,
    );
  }
  const hash = createHash(expected.algorithm);
  await new Promise<void>((resolve, reject) => {
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve())
      .on('error', reject);
  });
  const actual = hash.digest('base64');
  if (actual !== expected.digest) {
    throw new Error(
      `${what} failed its integrity check: the registry says ${expected.algorithm}-${expected.digest}, the download is ${expected.algorithm}-${actual}; it was corrupted or tampered with: re-run, and check the npm-registry input`,
    );
  }
}

export interface InstallOptions {
  version: string;
  registry: string;
  log: Log;
  platform?: string;
  arch?: string;
  /** For tests (retries). */
  http?: Partial<HttpClientOptions>;
}

interface VersionManifest {
  name: string;
  version: string;
  dist?: { tarball?: string; integrity?: string };
}

/** Path of the sentry-cli executable, installing it into the tool cache when this runner has not yet. */
export async function installSentryCli(options: InstallOptions): Promise<string> {
  const pkg = platformPackage(options.platform, options.arch);
  const arch = options.arch ?? process.arch;
  const cached = tc.find('sentry-cli', options.version, arch);
  if (cached && existsSync(join(cached, pkg.binary))) {
    options.log.info(`sentry-cli ${options.version} from the tool cache (${cached})`);
    return join(cached, pkg.binary);
  }
  const client = createHttpClient({ baseUrl: options.registry, provider: 'npm registry', ...options.http });
  let manifest: VersionManifest;
  try {
    manifest = await client.get<VersionManifest>(
      `/${pkg.name.replace('/', '%2f')}/${encodeURIComponent(options.version)}`,
      { responseType: 'json' },
    );
  } catch (err) {
    throw new Error(
      `sentry-cli ${options.version}: could not read ${pkg.name}@${options.version} from the npm registry ${options.registry} (${(err as Error).message}); check cli-version and npm-registry`,
    );
  } finally {
    await client.close();
  }
  const tarball = manifest.dist?.tarball;
  const integrity = manifest.dist?.integrity;
  if (!tarball || !integrity) {
    throw new Error(
      `sentry-cli ${options.version}: the registry's metadata for ${pkg.name}@${options.version} has no dist.tarball/dist.integrity; use another npm-registry or set cli-path`,
    );
  }
  options.log.info(`Installing sentry-cli ${options.version} (${pkg.name}) from ${options.registry}`);
  const file = await tc.downloadTool(tarball);
  await verifyIntegrity(file, integrity, `${pkg.name}@${options.version} (${tarball})`);
  const extracted = await tc.extractTar(file);
  const dir = await tc.cacheDir(join(extracted, 'package'), 'sentry-cli', options.version, arch);
  const binary = join(dir, pkg.binary);
  if (!existsSync(binary)) {
    throw new Error(`${pkg.name}@${options.version} has no ${pkg.binary}; set cli-path to a sentry-cli binary`);
  }
  if (!pkg.binary.endsWith('.exe')) chmodSync(binary, 0o755);
  return binary;
}

// sentry-cli at run time: the pinned version from the npm registry into the runner's tool cache, checked
// against the registry's integrity hash before it is unpacked, reused by later steps of the same runner.
// The binary ships in per-platform packages (@sentry/cli-linux-x64, …), as @sentry/cli's own installer uses.
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createHttpClient, type HttpClientOptions } from '@wingman/http';
import type { Log } from '@wingman/log';
import { verifyIntegrity } from './integrity';

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

/**
 * The runner's tool cache, as @actions/tool-cache offers it. The action passes it in: this package never
 * reaches the runner itself (and the tarball download keeps the tool cache's own retries).
 */
export interface ToolCache {
  /** The cached tool's folder, or '' when this runner has not cached it. */
  find(tool: string, version: string, arch?: string): string;
  /** Downloads a URL to a temporary file and gives its path. */
  downloadTool(url: string): Promise<string>;
  /** Unpacks a .tgz into a temporary folder and gives its path. */
  extractTar(file: string): Promise<string>;
  /** Copies a folder into the cache and gives the cached folder's path. */
  cacheDir(sourceDir: string, tool: string, version: string, arch?: string): Promise<string>;
}

export interface InstallCliOptions {
  version: string;
  registry: string;
  log: Log;
  toolCache: ToolCache;
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
export async function installSentryCli(options: InstallCliOptions): Promise<string> {
  const { toolCache: tc } = options;
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

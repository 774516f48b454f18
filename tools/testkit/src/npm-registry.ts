// A loopback npm registry serving one package version as npm does: GET /<name>/<version> answers the
// version document (dist.tarball, dist.integrity sha512), GET the tarball answers a .tgz whose files sit
// under package/. Tests of installers (sentry-cli) point their registry input here.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Simulator } from './simulator';

export interface NpmRegistrySim extends Simulator {
  /** The .tgz as packed; `serve` may replace what the tarball URL answers (a corrupted download). */
  readonly tarball: Buffer;
  serve(body: Buffer): void;
}

/** Starts a registry with `name@version` made of `files` (path inside the package → content, and mode). */
export async function startNpmRegistry(pkg: {
  name: string;
  version: string;
  files: Record<string, { content: string | Buffer; mode?: number }>;
}): Promise<NpmRegistrySim> {
  const work = mkdtempSync(join(tmpdir(), 'wingman-npm-'));
  try {
    for (const [path, file] of Object.entries(pkg.files)) {
      const target = join(work, 'package', path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content, { mode: file.mode ?? 0o644 });
    }
    execFileSync('tar', ['-czf', join(work, 'pkg.tgz'), '-C', work, 'package']);
    const tarball = readFileSync(join(work, 'pkg.tgz'));
    let served: Buffer = tarball;
    const registry = new Simulator({ name: 'npm' }) as NpmRegistrySim;
    const file = `${pkg.name.split('/').at(-1)}-${pkg.version}.tgz`;
    registry.route('GET', '/tarballs/:file', () => ({ status: 200, body: served }));
    registry.route('GET', '/:pkg/:version', (req) =>
      req.params.pkg === pkg.name && req.params.version === pkg.version
        ? {
            status: 200,
            body: {
              name: pkg.name,
              version: pkg.version,
              dist: {
                tarball: `${registry.url}/tarballs/${file}`,
                integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
              },
            },
          }
        : { status: 404, body: { error: 'Not found' } },
    );
    Object.assign(registry, { tarball, serve: (body: Buffer) => (served = body) });
    await registry.start();
    return registry;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

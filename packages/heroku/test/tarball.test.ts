// The source tarball: what goes in (git's ignore rules, exclude), and that it is a gzip tar whose
// contents and checksum are exactly what a standard tar reader sees.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { x as extract } from 'tar';
import { createSourceTarball, listSourceFiles } from '../src/index';

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'wm-tarball-'));
  tmp.push(d);
  return d;
}
function write(root: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), content);
  }
}

describe('listSourceFiles', () => {
  it('leaves out .git, .gitignored paths (nested files and parents up to the repo root) and exclude patterns', async () => {
    const repo = dir();
    mkdirSync(join(repo, '.git'));
    write(repo, {
      '.gitignore': '*.log\n/apps/api/tmp/\n',
      'apps/.gitignore': 'dist/\n',
      'apps/api/.gitignore': 'node_modules\n!keep.log\n',
      'apps/api/package.json': '{}',
      'apps/api/src/index.js': '1',
      'apps/api/src/.gitignore': 'generated.js\n',
      'apps/api/src/generated.js': 'x',
      'apps/api/debug.log': 'x',
      'apps/api/keep.log': 'kept by the negation in apps/api/.gitignore',
      'apps/api/tmp/cache.bin': 'x',
      'apps/api/dist/out.js': 'x',
      'apps/api/node_modules/a/index.js': 'x',
      'apps/api/src/vendor/.git/HEAD': 'a nested .git folder is never shipped',
      'apps/api/test/fixtures/big.json': '{}',
      'apps/api/.env': 'SECRET=1',
    });
    const files = await listSourceFiles(join(repo, 'apps/api'), ['test/', '.env']);
    expect(files).toEqual([
      '.gitignore',
      'keep.log',
      'package.json',
      'src/',
      'src/.gitignore',
      'src/index.js',
      'src/vendor/',
    ]);
  });

  it('fails with a message naming app-dir when it is not a directory', async () => {
    await expect(listSourceFiles('/nonexistent/app')).rejects.toThrow(
      "app-dir '/nonexistent/app' is not a directory; set app-dir to the folder to deploy",
    );
  });
});

describe('createSourceTarball', () => {
  it('writes a gzip tar a standard reader extracts byte for byte, with its SHA-256, and cleans up', async () => {
    const root = dir();
    const long = `${'deeply-nested-folder/'.repeat(6)}${'a-file-name-that-is-long'.repeat(5)}.txt`;
    const sizes = [0, 1, 511, 512, 513, 65_536, 65_537, 200_000];
    const files: Record<string, string | Buffer> = { Procfile: 'web: node server.js\n', [long]: 'long path' };
    for (const n of sizes)
      files[`bin/size-${n}.bin`] = Buffer.from(Array.from({ length: n }, (_, i) => (i * 31) % 251));
    write(root, files);
    symlinkSync('Procfile', join(root, 'Procfile.link'));
    const tarball = await createSourceTarball(root, { tmpDir: dir() });
    const bytes = readFileSync(tarball.path);
    expect(bytes[0]).toBe(0x1f);
    expect(bytes[1]).toBe(0x8b);
    expect(tarball.size).toBe(bytes.length);
    expect(tarball.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(tarball.entries).toContain(long);

    const out = dir();
    await extract({ file: tarball.path, cwd: out, strict: true });
    for (const [name, content] of Object.entries(files)) {
      expect(readFileSync(join(out, name))).toEqual(Buffer.from(content));
    }
    expect(readlinkSync(join(out, 'Procfile.link'))).toBe('Procfile');
    expect(statSync(join(out, 'bin')).isDirectory()).toBe(true);

    await tarball.dispose();
    expect(existsSync(tarball.path)).toBe(false);
  });

  it('keeps the file mode (an executable release script stays executable)', async () => {
    const root = dir();
    write(root, { 'bin/release.sh': '#!/bin/sh\necho migrate\n' });
    const { chmodSync } = await import('node:fs');
    chmodSync(join(root, 'bin/release.sh'), 0o755);
    const tarball = await createSourceTarball(root, { tmpDir: dir() });
    const out = dir();
    await extract({ file: tarball.path, cwd: out });
    expect(statSync(join(out, 'bin/release.sh')).mode & 0o777).toBe(0o755);
    await tarball.dispose();
  });
});

// The source tarball: app-dir as a gzip tar, streamed to a temp file while its SHA-256 is computed, so a
// directory of any size passes through in bounded memory. Left out: .git, whatever .gitignore files say
// (those in app-dir and below, and those of its parent folders up to the repository root, as git reads
// them), and the caller's extra patterns.
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { create } from 'tar';

export interface SourceTarball {
  /** The .tgz on disk; remove it with `dispose`. */
  path: string;
  /** Hex SHA-256 of the gzip bytes (Heroku's checksum is `SHA256:<hex>`). */
  sha256: string;
  size: number;
  /** Paths in the archive, relative to app-dir, directories with a trailing '/'. */
  entries: string[];
  dispose(): Promise<void>;
}

export interface TarballOptions {
  /** Extra gitignore-style patterns, relative to app-dir. */
  exclude?: string[];
  /** Parent folder for the temp file; default RUNNER_TEMP or the OS temp dir. */
  tmpDir?: string;
  /** gzip level; default 6. */
  level?: number;
}

interface Rules {
  /** Folder the rules are relative to. */
  base: string;
  ig: Ignore;
}

async function readRules(dir: string): Promise<Rules | undefined> {
  try {
    const text = await readFile(join(dir, '.gitignore'), 'utf8');
    return { base: dir, ig: ignore().add(text) };
  } catch {
    return undefined;
  }
}

/** The .gitignore files of the folders above app-dir, up to the repository root (the folder holding .git). */
async function ancestorRules(root: string): Promise<Rules[]> {
  const chain: string[] = [];
  let dir = dirname(root);
  let repoRoot: string | undefined;
  for (let d = root; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) {
      repoRoot = d;
      break;
    }
    if (dirname(d) === d) break;
  }
  if (!repoRoot || repoRoot === root) return [];
  for (; ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dir === repoRoot) break;
  }
  const rules: Rules[] = [];
  for (const d of chain) {
    const r = await readRules(d);
    if (r) rules.push(r);
  }
  return rules;
}

function ignored(rules: Rules[], abs: string, isDir: boolean): boolean {
  for (const r of rules) {
    const rel = relative(r.base, abs).split(sep).join('/');
    if (rel && !rel.startsWith('..') && r.ig.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

/** Files, symlinks and folders of `root` that go into the tarball, sorted, relative, folders with '/'. */
export async function listSourceFiles(root: string, exclude: string[] = []): Promise<string[]> {
  const base = resolve(root);
  const info = await stat(base).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new Error(
      `app-dir '${root}' is not a directory; set app-dir to the folder to deploy (relative to the workspace)`,
    );
  }
  const user: Rules = { base, ig: ignore().add(['.git', ...exclude]) };
  const out: string[] = [];
  const walk = async (dir: string, rules: Rules[]): Promise<void> => {
    const own = await readRules(dir);
    const active = own ? [...rules, own] : rules;
    const items = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const item of items) {
      const abs = join(dir, item.name);
      const isDir = item.isDirectory();
      if (ignored(active, abs, isDir)) continue;
      const rel = relative(base, abs).split(sep).join('/');
      if (isDir) {
        out.push(`${rel}/`);
        await walk(abs, active);
      } else if (item.isFile() || item.isSymbolicLink()) {
        out.push(rel);
      }
    }
  };
  await walk(base, [user, ...(await ancestorRules(base))]);
  return out;
}

/** Writes the gzip tarball of `root` to a temp file, hashing the bytes on their way to disk. */
export async function createSourceTarball(root: string, options: TarballOptions = {}): Promise<SourceTarball> {
  const entries = await listSourceFiles(root, options.exclude);
  const parent = options.tmpDir ?? process.env.RUNNER_TEMP ?? tmpdir();
  const dir = await mkdtemp(join(parent, 'heroku-source-'));
  const path = join(dir, 'source.tgz');
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const pack = create(
      {
        cwd: resolve(root),
        gzip: { level: options.level ?? 6 },
        portable: true,
        noDirRecurse: true,
      },
      entries.map((e) => (e.endsWith('/') ? e.slice(0, -1) : e)),
    );
    const hash = createHash('sha256');
    const out = createWriteStream(path);
    let size = 0;
    const closed = new Promise<void>((res, rej) => {
      out.on('close', res);
      out.on('error', rej);
    });
    closed.catch(() => {}); // awaited below; a disk error must not surface as an unhandled rejection first
    for await (const chunk of pack as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
    }
    out.end();
    await closed;
    return { path, sha256: hash.digest('hex'), size, entries, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

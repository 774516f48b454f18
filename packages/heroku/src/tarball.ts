// The source tarball: app-dir as a gzip tar, streamed to a temp file while its SHA-256 is computed, so a
// directory of any size passes through in bounded memory. Left out: .git, whatever .gitignore files say
// (those in app-dir and below, and those of its parent folders up to the repository root, as git reads
// them), and the caller's extra patterns.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { lstat, mkdtemp, open, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createGzip } from 'node:zlib';
import ignore, { type Ignore } from 'ignore';
import { Header, type HeaderData, Pax } from 'tar';

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

/**
 * Git's precedence: the .gitignore closest to the path decides (a `!keep.log` in a sub-folder re-includes
 * what `*.log` at the root left out); a file with no say passes the question up. `rules` is root-first.
 */
function ignored(user: Rules, rules: Rules[], abs: string, isDir: boolean): boolean {
  const test = (r: Rules) => {
    const rel = relative(r.base, abs).split(sep).join('/');
    if (!rel || rel.startsWith('..')) return { ignored: false, unignored: false };
    return r.ig.test(isDir ? `${rel}/` : rel);
  };
  // The caller's exclude patterns and .git always win.
  if (test(user).ignored) return true;
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = test(rules[i]!);
    if (r.ignored) return true;
    if (r.unignored) return false;
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
      if (ignored(user, active, abs, isDir)) continue;
      const rel = relative(base, abs).split(sep).join('/');
      if (isDir) {
        out.push(`${rel}/`);
        await walk(abs, active);
      } else if (item.isFile() || item.isSymbolicLink()) {
        out.push(rel);
      }
    }
  };
  await walk(base, await ancestorRules(base));
  return out;
}

const BLOCK = 512;
const READ_SIZE = 64 * 1024;

/** Header block(s) of one entry: a PAX record first when the path or link does not fit ustar. */
function headerBlocks(data: HeaderData): Buffer {
  const header = new Header(data);
  const block = Buffer.alloc(BLOCK);
  header.encode(block, 0);
  if (!header.needPax) return block;
  const pax = new Pax({ path: data.path, linkpath: data.linkpath, mtime: data.mtime }).encode();
  return Buffer.concat([pax, block]);
}

/**
 * Writes the gzip tarball of `root` to a temp file, hashing the gzip bytes on their way to disk.
 * Entries are written with tar's Header/Pax encoders from one reused read buffer, one file at a time,
 * and each chunk waits for gzip to take it: tar's own Pack reads ahead in 16 MB steps across several
 * files, which put a 300 MB directory 60 MB over the baseline on Node 24.
 */
export async function createSourceTarball(root: string, options: TarballOptions = {}): Promise<SourceTarball> {
  const base = resolve(root);
  const entries = await listSourceFiles(base, options.exclude);
  const parent = options.tmpDir ?? process.env.RUNNER_TEMP ?? tmpdir();
  const dir = await mkdtemp(join(parent, 'heroku-source-'));
  const path = join(dir, 'source.tgz');
  const dispose = () => rm(dir, { recursive: true, force: true });
  const out = openSync(path, 'w');
  try {
    const hash = createHash('sha256');
    let size = 0;
    const gzip = createGzip({ level: options.level ?? 6 });
    gzip.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
      writeSync(out, chunk);
    });
    const ended = new Promise<void>((res, rej) => {
      gzip.on('end', res);
      gzip.on('error', rej);
    });
    ended.catch(() => {}); // awaited below; an early zlib error must not surface as an unhandled rejection
    const push = (chunk: Buffer) => new Promise<void>((res, rej) => gzip.write(chunk, (e) => (e ? rej(e) : res())));
    const buf = Buffer.allocUnsafe(READ_SIZE);
    for (const entry of entries) {
      const rel = entry.endsWith('/') ? entry.slice(0, -1) : entry;
      const abs = join(base, rel);
      const st = await lstat(abs);
      // portable: no owner names or ids, as `tar --portable` / npm pack write them.
      const common = { path: entry, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0, uname: '', gname: '' };
      if (st.isDirectory()) {
        await push(headerBlocks({ ...common, type: 'Directory', size: 0 }));
      } else if (st.isSymbolicLink()) {
        await push(headerBlocks({ ...common, type: 'SymbolicLink', size: 0, linkpath: await readlink(abs) }));
      } else if (st.isFile()) {
        await push(headerBlocks({ ...common, type: 'File', size: st.size }));
        const fh = await open(abs, 'r');
        try {
          let left = st.size;
          while (left > 0) {
            const { bytesRead } = await fh.read(buf, 0, Math.min(READ_SIZE, left), null);
            // A file that shrank while being read is padded to the size its header promised.
            if (bytesRead === 0) {
              await push(Buffer.alloc(Math.min(READ_SIZE, left)));
              left -= Math.min(READ_SIZE, left);
              continue;
            }
            await push(buf.subarray(0, bytesRead));
            left -= bytesRead;
          }
        } finally {
          await fh.close();
        }
        const pad = (BLOCK - (st.size % BLOCK)) % BLOCK;
        if (pad) await push(Buffer.alloc(pad));
      }
    }
    // End of archive: two zero blocks.
    await push(Buffer.alloc(BLOCK * 2));
    gzip.end();
    await ended;
    closeSync(out);
    return { path, sha256: hash.digest('hex'), size, entries, dispose };
  } catch (err) {
    try {
      closeSync(out);
    } catch {
      // already closed
    }
    await dispose();
    throw err;
  }
}

// The files of a deployment, hashed the way `vercel deploy --prebuilt` sends them: SHA-1 of the content,
// the lstat mode (so executable bits survive), and symlinks as links (their target text is the content,
// the mode says S_IFLNK). A directory without config.json is a plain static site: it is wrapped into the
// Build Output API (v3) as .vercel/output/static so Vercel serves it as is, whatever the project's framework.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, openSync, readlinkSync, readSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore from 'ignore';

export interface DeployFile {
  /** Path as Vercel receives it (POSIX, relative to the project root), e.g. .vercel/output/config.json. */
  file: string;
  /** Absolute path on disk; undefined for generated files. */
  path?: string;
  sha: string;
  size: number;
  mode: number;
  /** Content held in memory: symlink targets and generated files. */
  data?: Buffer;
}

export interface CollectedOutput {
  kind: 'prebuilt' | 'static';
  root: string;
  files: DeployFile[];
  /** .vercel/output/builds.json as `vercel build` wrote it, when present. */
  builds?: {
    target?: string;
    error?: { message?: string; code?: string };
    builds?: { error?: { message?: string } }[];
  };
  bytes: number;
  hashMs: number;
}

export interface CollectOptions {
  /** Longest stretch of synchronous hashing before yielding to the event loop. Default 20 ms. */
  sliceMs?: number;
}

const OUTPUT_PREFIX = '.vercel/output';
// What `vercel deploy` never uploads from a plain directory.
const STATIC_IGNORES = ['.git', '.hg', '.svn', '.DS_Store', '.vercelignore', 'node_modules', '.env', '.env.*'];
const CHUNK = 1 << 20;

export class OutputDirError extends Error {
  override name = 'OutputDirError';
}

/** Runs fn over items with at most `limit` in flight; rejects on the first failure. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/**
 * SHA-1 of a file, read in chunks through one reusable buffer (bounded memory for any file size).
 * Synchronous on purpose: build output sits in the page cache, where each async read is a thread-pool
 * round trip that costs more than hashing a small file (measured: 2× slower than sha1sum async, on par sync).
 */
export function sha1FileSync(path: string, buffer: Buffer = Buffer.allocUnsafe(CHUNK)): { sha: string; size: number } {
  const hash = createHash('sha1');
  const fd = openSync(path, 'r');
  let size = 0;
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
      size += n;
    }
  } finally {
    closeSync(fd);
  }
  return { sha: hash.digest('hex'), size };
}

export function sha1(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}

async function walk(root: string, accept: (rel: string, isDir: boolean) => boolean): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const abs = join(dir, e.name);
      const rel = relative(root, abs).split(sep).join('/');
      // Symlinks (also to directories) are uploaded as links, never followed.
      if (e.isDirectory()) {
        if (accept(rel, true)) await visit(abs);
      } else if (accept(rel, false)) out.push(abs);
    }
  };
  await visit(root);
  return out;
}

/** A symlink target as the deployment needs it: POSIX separators, absolute targets inside root made relative. */
function linkTarget(linkPath: string, target: string, root: string): string {
  let t = target;
  if (isAbsolute(t)) {
    const fromRoot = relative(root, t);
    if (fromRoot && !fromRoot.startsWith('..') && !isAbsolute(fromRoot)) t = relative(join(linkPath, '..'), t);
  }
  return t.split('\\').join('/');
}

/**
 * Lists and hashes every file of `outputDir`. With a config.json it is a prebuilt Build Output API directory
 * (`vercel build`'s .vercel/output); without, a static site.
 */
export async function collectOutput(outputDir: string, options: CollectOptions = {}): Promise<CollectedOutput> {
  const root = resolve(outputDir);
  const started = performance.now();
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(root);
  } catch {
    throw new OutputDirError(
      `output-dir ${outputDir} does not exist: run \`vercel build\` (or your static build) before this step, or set output-dir to the build's folder`,
    );
  }
  if (!st.isDirectory()) throw new OutputDirError(`output-dir ${outputDir} is not a directory`);
  const prebuilt = existsSync(join(root, 'config.json'));

  let accept: (rel: string, isDir: boolean) => boolean = () => true;
  if (!prebuilt) {
    const ig = ignore().add(STATIC_IGNORES);
    try {
      ig.add((await readFile(join(root, '.vercelignore'), 'utf8')).replace(/(\n|^)\.\//g, '$1'));
    } catch {
      // no .vercelignore
    }
    accept = (rel, isDir) => !ig.ignores(isDir ? `${rel}/` : rel);
  }
  const paths = await walk(root, accept);
  if (paths.length === 0) throw new OutputDirError(`output-dir ${outputDir} has no files to deploy`);

  const buffer = Buffer.allocUnsafe(CHUNK);
  const sliceMs = options.sliceMs ?? 20;
  let sliceStart = performance.now();
  const files: DeployFile[] = [];
  for (const abs of paths) {
    // Hash in slices, yielding in between so timers and sockets stay serviced.
    if (performance.now() - sliceStart > sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    const rel = relative(root, abs).split(sep).join('/');
    const name = prebuilt ? `${OUTPUT_PREFIX}/${rel}` : `${OUTPUT_PREFIX}/static/${rel}`;
    const s = lstatSync(abs);
    if (s.isSymbolicLink()) {
      const data = Buffer.from(linkTarget(abs, readlinkSync(abs), root), 'utf8');
      files.push({ file: name, path: abs, sha: sha1(data), size: data.length, mode: s.mode, data });
      continue;
    }
    const { sha, size } = sha1FileSync(abs, buffer);
    files.push({ file: name, path: abs, sha, size, mode: s.mode });
  }

  let builds: CollectedOutput['builds'];
  if (prebuilt) {
    try {
      builds = JSON.parse(await readFile(join(root, 'builds.json'), 'utf8')) as CollectedOutput['builds'];
    } catch {
      builds = undefined;
    }
  } else {
    const data = Buffer.from(`${JSON.stringify({ version: 3 })}\n`);
    files.push({ file: `${OUTPUT_PREFIX}/config.json`, sha: sha1(data), size: data.length, mode: 0o100644, data });
  }
  return {
    kind: prebuilt ? 'prebuilt' : 'static',
    root,
    files,
    builds,
    bytes: files.reduce((n, f) => n + f.size, 0),
    hashMs: performance.now() - started,
  };
}

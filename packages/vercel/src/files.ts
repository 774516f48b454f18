// The files of a deployment, hashed the way the Vercel CLI sends them: SHA-1 of the content, the lstat
// mode (so executable bits survive), and symlinks as links (their target text is the content, the mode
// says S_IFLNK). Three kinds of folder go up: a prebuilt Build Output API directory (`vercel build`'s
// .vercel/output), a plain static site (only when asked for: wrapped as .vercel/output/static), and an
// app's source for Vercel to build. Whatever the kind, secrets are held back (held-back.ts).
import { createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, openSync, readlinkSync, readSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore from 'ignore';
import { heldBackReason, looksLikePrivateKey } from './held-back';

export interface DeployFile {
  /** Path as Vercel receives it (POSIX, relative to the upload root), e.g. .vercel/output/config.json. */
  file: string;
  /** Absolute path on disk; undefined for generated files. */
  path?: string;
  sha: string;
  size: number;
  mode: number;
  /** Content held in memory: symlink targets and generated files. */
  data?: Buffer;
}

export type ShippingKind = 'prebuilt' | 'static' | 'source';

export interface HeldBackFile {
  /** Path relative to the folder, as it would have gone up. */
  file: string;
  reason: string;
}

export interface CollectedFiles {
  kind: ShippingKind;
  root: string;
  files: DeployFile[];
  /** Files left out because they hold secrets, whatever the ignore rules said. */
  heldBack: HeldBackFile[];
  /** sha256 of the file list (path, mode, SHA-1): the same tree gives the same digest on any machine. */
  digest: string;
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
const STATIC_IGNORES = ['.git', '.hg', '.svn', '.DS_Store', '.vercelignore', 'node_modules'];
// @vercel/client's getVercelIgnore for a source deployment (not --prebuilt); .vercelignore extends it.
export const SOURCE_IGNORES = [
  '.hg',
  '.git',
  '.gitmodules',
  '.svn',
  '.cache',
  '.next',
  '.now',
  '.vercel',
  '.npmignore',
  '.dockerignore',
  '.gitignore',
  '.*.swp',
  '.DS_Store',
  '.wafpicke-*',
  '.lock-wscript',
  '.env.local',
  '.env.*.local',
  '.venv',
  '.yarn/cache',
  '.pnp*',
  'npm-debug.log',
  'config.gypi',
  'node_modules',
  '__pycache__',
  'venv',
  'CVS',
];
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
export function sha1FileSync(
  path: string,
  buffer: Buffer = Buffer.allocUnsafe(CHUNK),
  inspectHead?: (head: Buffer) => void,
): { sha: string; size: number } {
  const hash = createHash('sha1');
  const fd = openSync(path, 'r');
  let size = 0;
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (size === 0) inspectHead?.(buffer.subarray(0, n));
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

/** The folder's .vercelignore (the CLI's rules: `./` prefixes dropped), or '' without one. */
async function vercelIgnore(root: string): Promise<string> {
  try {
    return (await readFile(join(root, '.vercelignore'), 'utf8')).replace(/(\n|^)\.\//g, '$1');
  } catch {
    return '';
  }
}

/** sha256 over the sorted (path, mode, SHA-1) list. */
export function treeDigest(files: readonly Pick<DeployFile, 'file' | 'mode' | 'sha'>[]): string {
  const lines = files.map((f) => `${f.mode.toString(8)} ${f.sha} ${f.file}\n`).sort();
  const h = createHash('sha256');
  for (const l of lines) h.update(l);
  return `sha256:${h.digest('hex')}`;
}

/**
 * Walks `root` with `accept`, hashes what it finds (named by `name`), and holds back secrets: by name
 * before anything is read, by content (a PEM private key) from the first chunk read.
 */
async function hashTree(
  root: string,
  accept: (rel: string, isDir: boolean) => boolean,
  name: (rel: string) => string,
  options: CollectOptions,
): Promise<{ files: DeployFile[]; heldBack: HeldBackFile[] }> {
  const paths = await walk(root, accept);
  const buffer = Buffer.allocUnsafe(CHUNK);
  const sliceMs = options.sliceMs ?? 20;
  let sliceStart = performance.now();
  const files: DeployFile[] = [];
  const heldBack: HeldBackFile[] = [];
  for (const abs of paths) {
    // Hash in slices, yielding in between so timers and sockets stay serviced.
    if (performance.now() - sliceStart > sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    const rel = relative(root, abs).split(sep).join('/');
    const byName = heldBackReason(rel);
    if (byName) {
      heldBack.push({ file: rel, reason: byName });
      continue;
    }
    const s = lstatSync(abs);
    if (s.isSymbolicLink()) {
      const data = Buffer.from(linkTarget(abs, readlinkSync(abs), root), 'utf8');
      files.push({ file: name(rel), path: abs, sha: sha1(data), size: data.length, mode: s.mode, data });
      continue;
    }
    let key = false;
    const { sha, size } = sha1FileSync(abs, buffer, (head) => {
      key = looksLikePrivateKey(head);
    });
    if (key) heldBack.push({ file: rel, reason: 'a PEM private key' });
    else files.push({ file: name(rel), path: abs, sha, size, mode: s.mode });
  }
  return { files, heldBack };
}

async function folder(dir: string, input: string): Promise<string> {
  const root = resolve(dir);
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(root);
  } catch {
    throw new OutputDirError(
      input === 'output-dir'
        ? `output-dir ${dir} does not exist: run \`vercel build\` (or your static build) before this step, or leave output-dir empty to let Vercel build 'source'`
        : `source ${dir} does not exist: check out the repository before this step, or set 'source' to the app's folder`,
    );
  }
  if (!st.isDirectory()) throw new OutputDirError(`${input} ${dir} is not a directory: set '${input}' to a folder`);
  return root;
}

function collected(
  kind: ShippingKind,
  root: string,
  tree: { files: DeployFile[]; heldBack: HeldBackFile[] },
  started: number,
  builds?: CollectedFiles['builds'],
): CollectedFiles {
  return {
    kind,
    root,
    files: tree.files,
    heldBack: tree.heldBack,
    digest: treeDigest(tree.files),
    builds,
    bytes: tree.files.reduce((n, f) => n + f.size, 0),
    hashMs: performance.now() - started,
  };
}

/**
 * A built output: with a config.json it is a prebuilt Build Output API directory (`vercel build`'s
 * .vercel/output); without, a plain static site, but only when `static` says so: a folder that is
 * neither is refused, so a source tree is never published by accident.
 */
export async function collectOutput(
  outputDir: string,
  options: CollectOptions & { static?: boolean } = {},
): Promise<CollectedFiles> {
  const started = performance.now();
  const root = await folder(outputDir, 'output-dir');
  const prebuilt = existsSync(join(root, 'config.json'));
  if (!prebuilt && !options.static) {
    throw new OutputDirError(
      `output-dir ${outputDir} has no config.json, so it is not a \`vercel build\` output: set static: true to publish it as a plain static site, or leave output-dir empty to let Vercel build 'source'`,
    );
  }
  if (prebuilt) {
    const tree = await hashTree(
      root,
      () => true,
      (rel) => `${OUTPUT_PREFIX}/${rel}`,
      options,
    );
    if (tree.files.length === 0) throw new OutputDirError(`output-dir ${outputDir} has no files to deploy`);
    let builds: CollectedFiles['builds'];
    try {
      builds = JSON.parse(await readFile(join(root, 'builds.json'), 'utf8')) as CollectedFiles['builds'];
    } catch {
      builds = undefined;
    }
    return collected('prebuilt', root, tree, started, builds);
  }
  const ig = ignore()
    .add(STATIC_IGNORES)
    .add(await vercelIgnore(root));
  const tree = await hashTree(
    root,
    (rel, isDir) => !ig.ignores(isDir ? `${rel}/` : rel),
    (rel) => `${OUTPUT_PREFIX}/static/${rel}`,
    options,
  );
  if (tree.files.length === 0) throw new OutputDirError(`output-dir ${outputDir} has no files to deploy`);
  const data = Buffer.from(`${JSON.stringify({ version: 3 })}\n`);
  tree.files.push({ file: `${OUTPUT_PREFIX}/config.json`, sha: sha1(data), size: data.length, mode: 0o100644, data });
  return collected('static', root, tree, started);
}

/**
 * An app's source for Vercel to build, as `vercel deploy` (without --prebuilt) selects it: the CLI's
 * default ignore list extended by the folder's .vercelignore; paths relative to `sourceDir`.
 */
export async function collectSource(sourceDir: string, options: CollectOptions = {}): Promise<CollectedFiles> {
  const started = performance.now();
  const root = await folder(sourceDir, 'source');
  const ig = ignore()
    .add(SOURCE_IGNORES)
    .add(await vercelIgnore(root));
  const tree = await hashTree(
    root,
    (rel, isDir) => !ig.ignores(isDir ? `${rel}/` : rel),
    (rel) => rel,
    options,
  );
  if (tree.files.length === 0) throw new OutputDirError(`source ${sourceDir} has no files to deploy`);
  return collected('source', root, tree, started);
}

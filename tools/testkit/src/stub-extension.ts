// Stand-in extensions for tests: writes `<name>.control` and its scripts into the test server's
// extension directory, so `create extension pg_graphql` (or pgmq, or an outdated version of
// anything) gives a real pg_extension row without the real extension's binaries.
//
// The directory is the server's own (SHAREDIR/extension): for the embedded server it lives under
// node_modules and is writable; a remote server in TEST_DATABASE_URL cannot take stubs.
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** First line of every control file written here: files without it are never overwritten. */
export const STUB_EXTENSION_MARKER = '# wingman testkit stub extension';

export interface StubExtensionOptions {
  /** The extension's name, e.g. 'pg_graphql'. */
  name: string;
  /** Versions that get an install script, oldest first; consecutive ones get an update script. Default ['1.0']. */
  versions?: string[];
  /** What `create extension` installs without a VERSION clause. Default: the last of `versions`. */
  defaultVersion?: string;
  /** The install script (the same for every version), or one per version. Default: nothing but a comment. */
  sql?: string | ((version: string) => string);
  /** Script run by `alter extension … update` from one version to the next. Default: nothing but a comment. */
  updateSql?: string | ((from: string, to: string) => string);
  /** Whether `alter extension … set schema` may move it. Default true (false when `schema` is given). */
  relocatable?: boolean;
  /** A fixed schema, as pg_graphql's `graphql` (makes the extension non-relocatable). */
  schema?: string;
  comment?: string;
}

export interface StubExtension {
  /** The server's extension directory the files went to. */
  directory: string;
  /** Every file of this stub (control, install and update scripts), written or already identical. */
  files: string[];
}

const NAME = /^[a-z_][a-z0-9_-]*$/;
const VERSION = /^[A-Za-z0-9_.]+$/;

async function extensionDirectory(serverUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    // pg_config is readable by superusers only, which the test server's admin URL is.
    const { rows } = await client.query<{ setting: string }>(
      "select setting from pg_catalog.pg_config where name = 'SHAREDIR'",
    );
    const sharedir = rows[0]?.setting;
    if (!sharedir) throw new Error('pg_config has no SHAREDIR row');
    return join(sharedir, 'extension');
  } finally {
    await client.end();
  }
}

/** Atomic write: another jest worker reading or writing the same file sees old or new, never half. */
function writeAtomically(file: string, content: string): void {
  try {
    if (readFileSync(file, 'utf8') === content) return;
  } catch {
    // absent: write it
  }
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    // 0644: the server may run as another user (postgres) and must read it.
    writeFileSync(temp, content, { mode: 0o644 });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Makes `create extension <name>` work on the server at `serverUrl` (a superuser URL) with a stub:
 * a control file and one install script per version, plus update scripts between consecutive
 * versions. Idempotent and safe for concurrent workers; refuses to replace a control file that is
 * not a stub (a real extension of that name).
 */
export async function installStubExtension(serverUrl: string, options: StubExtensionOptions): Promise<StubExtension> {
  const { name } = options;
  const versions = options.versions ?? ['1.0'];
  const defaultVersion = options.defaultVersion ?? versions[versions.length - 1];
  if (!NAME.test(name))
    throw new Error(`stub extension name '${name}' is not a plain lowercase identifier; use e.g. 'pg_graphql'`);
  const badVersion = versions.find((v) => !VERSION.test(v));
  if (versions.length === 0 || badVersion !== undefined)
    throw new Error(
      `stub extension ${name}: versions must be non-empty and plain (e.g. '1.0'), got ${JSON.stringify(versions)}`,
    );
  if (!defaultVersion || !versions.includes(defaultVersion))
    throw new Error(`stub extension ${name}: defaultVersion '${defaultVersion}' is not one of ${versions.join(', ')}`);

  const directory = await extensionDirectory(serverUrl);
  try {
    accessSync(directory, constants.W_OK);
  } catch {
    throw new Error(
      `cannot install stub extension ${name}: the server's extension directory ${directory} is not writable on this machine; use the embedded test server (unset TEST_DATABASE_URL) or one whose share directory you can write`,
    );
  }

  const controlFile = join(directory, `${name}.control`);
  if (existsSync(controlFile) && !readFileSync(controlFile, 'utf8').startsWith(STUB_EXTENSION_MARKER))
    throw new Error(
      `cannot install stub extension ${name}: ${controlFile} belongs to a real extension; pick another name or another server`,
    );

  const relocatable = options.schema ? false : (options.relocatable ?? true);
  const control = [
    STUB_EXTENSION_MARKER,
    `comment = '${(options.comment ?? `testkit stub of ${name}`).replace(/'/g, "''")}'`,
    `default_version = '${defaultVersion}'`,
    `relocatable = ${relocatable}`,
    ...(options.schema ? [`schema = '${options.schema.replace(/'/g, "''")}'`] : []),
    '',
  ].join('\n');

  const files: string[] = [];
  const script = (file: string, body: string) => {
    const path = join(directory, file);
    writeAtomically(path, `-- ${STUB_EXTENSION_MARKER.slice(2)}\n${body}\n`);
    files.push(path);
  };
  // Scripts before the control file: once the control file is visible, every script it implies exists.
  versions.forEach((version, i) => {
    script(`${name}--${version}.sql`, typeof options.sql === 'function' ? options.sql(version) : (options.sql ?? ''));
    const next = versions[i + 1];
    if (next !== undefined) {
      const body =
        typeof options.updateSql === 'function' ? options.updateSql(version, next) : (options.updateSql ?? '');
      script(`${name}--${version}--${next}.sql`, body);
    }
  });
  writeAtomically(controlFile, control);
  files.push(controlFile);
  return { directory, files };
}

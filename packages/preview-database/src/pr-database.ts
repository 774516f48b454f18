// A pull request's own database on a staging server (no Supabase branching): `wingman_pr_<n>`, created
// from a template and given a Supabase project's shape (roles, auth, storage …), dropped on close. The
// server URL names a role that may create databases; the PR's URL is the same with the database swapped.
import type { Log } from '@wingman/log';
import { bootstrapSupabase } from '@wingman/supabase-platform';
import pg from 'pg';
import {
  type PreviewDatabase,
  PreviewError,
  type PreviewOptions,
  type PreviewStore,
  previewName,
  prOfName,
} from './preview';

export interface PrDatabaseOptions {
  /** A database on the staging server, as a role with CREATEDB (the PR databases are made beside it). */
  serverUrl: string;
  /** CREATE DATABASE … TEMPLATE; default template1. */
  template?: string;
  log: Log;
  /** The repository whose databases these are (owner/repo), written into each database's comment. */
  owner?: string;
  /** Its GITHUB_REPOSITORY_ID, written beside the name: it still matches after a rename or transfer. */
  ownerId?: string;
}

interface ServerDatabase {
  pr: number;
  /** The repository its note names (owner/repo), when it names one. */
  owner?: string;
  /** And that repository's id, when the note has it. */
  ownerId?: string;
}

const NOTE = 'wingman-deploy preview of pull request';
const ownerOf = (note: string | null): Pick<ServerDatabase, 'owner' | 'ownerId'> => {
  const m = note?.startsWith(NOTE)
    ? /^#\d+ of (\S+)(?: \(repository (\d+)\))?$/.exec(note.slice(NOTE.length + 1))
    : null;
  return m ? { owner: m[1], ownerId: m[2] } : {};
};

/** owner/repo, with its id when there is one (a deleted repository's name may come back with another). */
const repository = (name: string | undefined, id: string | undefined) => `${name}${id ? ` (repository ${id})` : ''}`;

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

export class PrDatabases implements PreviewStore {
  constructor(private readonly o: PrDatabaseOptions) {
    const db = new URL(o.serverUrl).pathname.slice(1);
    if (prOfName(decodeURIComponent(db)) !== undefined)
      throw new PreviewError(
        `input 'staging-database-url' names a preview database (${db}): give the staging server's own database (e.g. /postgres), beside which wingman_pr_<n> databases are made`,
        'refused',
      );
  }

  /** PR numbers that have a database on the server, of this repository (another's are not ours to count or drop). */
  async prs(): Promise<number[]> {
    return (await this.onServer()).filter((d) => this.isOurs(d)).map((d) => d.pr);
  }

  async ensure(p: PreviewOptions): Promise<PreviewDatabase> {
    const name = previewName(p.pr, 'database');
    const onServer = await this.onServer();
    const same = onServer.find((d) => d.pr === p.pr);
    if (same && !this.isOurs(same))
      throw new PreviewError(
        `database ${name} on the staging server is the preview of pull request #${p.pr} of ${repository(same.owner, same.ownerId)}, not of ${repository(this.o.owner, this.o.ownerId)}: two repositories' previews cannot share a staging server; give this repository's 'staging-database-url' a server of its own`,
        'refused',
      );
    const existing = onServer.filter((d) => this.isOurs(d)).map((d) => d.pr);
    const created = !same;
    if (created) {
      const others = existing.filter((n) => n !== p.pr);
      if (others.length >= p.maxPreviews)
        throw new PreviewError(
          `the preview limit is reached: ${others.length} pull requests (#${others.join(', #')}) have a preview database and max-previews is ${p.maxPreviews}; close one of them, or raise max-previews`,
          'limit',
        );
      await this.withClient(this.o.serverUrl, async (c) => {
        await c
          .query(`create database ${ident(name)} template ${ident(this.o.template ?? 'template1')}`)
          .catch((err: { code?: string }) => {
            // duplicate_database: made between our read and our create.
            if (err.code !== '42P04') throw err;
            throw new PreviewError(
              `database ${name} was created on the staging server while this run was making it (another run for pull request #${p.pr}, or another repository's): re-run this job, which reuses it if it is this repository's`,
              'refused',
            );
          });
        const note = `${NOTE} #${p.pr}${this.o.owner ? ` of ${repository(this.o.owner, this.o.ownerId)}` : ''}`;
        await c.query(`comment on database ${ident(name)} is '${note.replace(/'/g, "''")}'`);
      });
      this.o.log.info(`Created database ${name} from template ${this.o.template ?? 'template1'}`);
    } else {
      this.o.log.info(`Database ${name} exists: reusing it`);
    }
    const url = this.urlOf(name);
    // A re-run finds it bootstrapped (and migrated): the bootstrap adds only what is missing, and is
    // skipped once the PR's migrations have a history there.
    await this.withClient(url, async (c) => {
      const { rows } = await c.query<{ history: boolean }>(
        `select to_regclass('supabase_migrations.schema_migrations') is not null as history`,
      );
      if (!rows[0]?.history) await bootstrapSupabase(c, `database ${name}`);
    });
    return { kind: 'database', name, created, databaseUrl: url };
  }

  /** Drops the PR's database (disconnecting its sessions); false when there was none of ours. */
  async remove(pr: number): Promise<boolean> {
    const name = previewName(pr, 'database');
    const found = (await this.onServer()).find((d) => d.pr === pr);
    if (!found) return false;
    if (!this.isOurs(found)) {
      this.o.log.info(`Database ${name} is the preview of pull request #${pr} of ${found.owner}: left alone`);
      return false;
    }
    await this.withClient(this.o.serverUrl, (c) => c.query(`drop database if exists ${ident(name)} with (force)`));
    this.o.log.info(`Dropped database ${name}`);
    return true;
  }

  async close(): Promise<void> {}

  private async onServer(): Promise<ServerDatabase[]> {
    return this.withClient(this.o.serverUrl, async (c) => {
      const { rows } = await c.query<{ datname: string; note: string | null }>(
        `select datname, shobj_description(oid, 'pg_database') as note from pg_database where datname ~ '^wingman_pr_[0-9]+$'`,
      );
      return rows.map((r) => ({ pr: prOfName(r.datname)!, ...ownerOf(r.note) })).sort((a, b) => a.pr - b.pr);
    });
  }

  /**
   * Ours, unless its note names another repository (by id when both have one: a renamed repository keeps
   * its databases); one made by hand, or before notes, is counted as ours.
   */
  private isOurs(d: ServerDatabase): boolean {
    if (!this.o.owner || !d.owner) return true;
    if (this.o.ownerId && d.ownerId) return this.o.ownerId === d.ownerId;
    return d.owner.toLowerCase() === this.o.owner.toLowerCase();
  }

  private urlOf(database: string): string {
    const url = new URL(this.o.serverUrl);
    url.pathname = `/${database}`;
    return url.toString();
  }

  private async withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url, application_name: 'wingman-deploy preview-database' });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }
}

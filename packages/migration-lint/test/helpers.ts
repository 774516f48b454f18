import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { startPostgres, type TestDatabase } from '@wingman/testkit';
import type pg from 'pg';
import type { Query } from '../src/index';

/** One hazard file and one safe file per rule, and the database they are linted against (fixture.sql). */
export const CORPUS = join(import.meta.dirname, 'corpus');

/**
 * A database with the corpus fixture applied for the whole test file (beforeAll/afterAll), and the
 * read-only query function the lint takes; `db` is there for a second session.
 */
export function corpusDatabase(): { query: Query; db: () => TestDatabase } {
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await startPostgres();
    client = await db.connect();
    await client.query(readFileSync(join(CORPUS, 'fixture.sql'), 'utf8'));
  });
  afterAll(async () => {
    await client.end();
    await db.stop();
  });
  return { query: async (sql, params) => (await client.query(sql, params)).rows, db: () => db };
}

// Running one rule against a fresh Supabase-shaped database with a fixture applied.
import type { TestDatabase } from '@wingman/testkit';
import type pg from 'pg';
import type { Finding, LintContext, Rule } from '../src/findings';

export function contextFor(client: pg.Client, exposedSchemas = ['public'], splinterParity = false): LintContext {
  return {
    exposedSchemas,
    splinterParity,
    query: async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
      (await client.query(sql, params)).rows as T[],
  };
}

/** Applies `fixture` (SQL) to the database and returns what `rule` finds. */
export async function findingsOf(
  db: TestDatabase,
  rule: Rule,
  fixture: string,
  exposedSchemas?: string[],
): Promise<Finding[]> {
  const client = await db.connect();
  try {
    if (fixture) await client.query(fixture);
    return await rule.run(contextFor(client, exposedSchemas));
  } finally {
    await client.end();
  }
}

import { describe, expect, it } from '@jest/globals';
import { splitStatements } from '@wingman/migrations';
import { MigrationIndex } from '../src/locate';

const EXAMPLE = 'examples/wingmanmatch/supabase/migrations';
const PROFILES = `${EXAMPLE}/20250801120000_profiles.sql`;

describe('MigrationIndex', () => {
  it('points tables, policies, triggers, functions and types at the statement that created them', async () => {
    const index = await MigrationIndex.fromDir(EXAMPLE);
    const profiles = index.locate({ type: 'table', schema: 'public', name: 'profiles' });
    expect(profiles).toMatchObject({ file: PROFILES });
    expect(profiles!.line).toBeGreaterThan(1);
    expect(index.locate({ type: 'type', schema: 'public', name: 'match_status' })).toMatchObject({
      file: `${EXAMPLE}/20250802090000_wingman_matches.sql`,
    });
    // Replaced in a later migration: the latest definition is the one to change.
    expect(index.locate({ type: 'function', schema: 'public', name: 'handle_new_user' })).toMatchObject({
      file: `${EXAMPLE}/20250807090000_profile_avatar_and_experience.sql`,
    });
    expect(
      index.locate({ type: 'index', schema: 'public', name: 'chat_messages_created_at_idx', table: 'chat_messages' }),
    ).toMatchObject({
      file: `${EXAMPLE}/20250806090000_chat_messages_created_at_index.sql`,
    });
  });

  it('falls back to the table for objects it cannot find by name, and knows nothing of objects no migration made', async () => {
    const index = await MigrationIndex.fromDir(EXAMPLE);
    const table = index.locate({ type: 'table', schema: 'public', name: 'profiles' });
    expect(index.locate({ type: 'constraint', schema: 'public', name: 'profiles_pkey', table: 'profiles' })).toEqual(
      table,
    );
    expect(index.locate({ type: 'table', schema: 'public', name: 'made_in_the_dashboard' })).toBeUndefined();
  });

  it('reads quoted, unqualified and if-not-exists names, and lines after comments', () => {
    const sql = [
      '-- header comment',
      'create table if not exists "Mixed Case" (id int);',
      '',
      '/* a policy */',
      'create policy "Owners read" on public."Mixed Case" for select using (true);',
      'create unique index concurrently if not exists mc_id on "Mixed Case" (id);',
      'alter table public."Mixed Case" add column if not exists note text;',
      'create or replace trigger t_upd',
      '  before update on "Mixed Case" for each row execute function f();',
    ].join('\n');
    const statements = splitStatements(sql);
    const index = new MigrationIndex([{ version: '1', name: 'x', file: 'm/1_x.sql', path: '', sql, statements }]);
    expect(index.locate({ type: 'table', schema: 'public', name: 'Mixed Case' })).toEqual({
      file: 'm/1_x.sql',
      line: 2,
    });
    expect(index.locate({ type: 'policy', schema: 'public', name: 'Owners read', table: 'Mixed Case' })).toEqual({
      file: 'm/1_x.sql',
      line: 5,
    });
    expect(index.locate({ type: 'index', schema: 'public', name: 'mc_id', table: 'Mixed Case' })).toEqual({
      file: 'm/1_x.sql',
      line: 6,
    });
    expect(index.locate({ type: 'column', schema: 'public', name: 'note', table: 'Mixed Case' })).toEqual({
      file: 'm/1_x.sql',
      line: 7,
    });
    expect(index.locate({ type: 'trigger', schema: 'public', name: 't_upd', table: 'Mixed Case' })).toEqual({
      file: 'm/1_x.sql',
      line: 8,
    });
  });
});

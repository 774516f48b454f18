// The bootstrap gives a plain PostgreSQL what Supabase migrations reach for, brings Supabase's own
// image (older auth and storage tables) to the same shape, changes nothing the second time, and
// refuses a database that has history.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from '@jest/globals';
import { SUPABASE_IMAGE_INIT_SQL, startPostgres, type TestDatabase } from '@wingman/testkit';
import { parse } from 'yaml';
import { bootstrapSupabase, SUPABASE_POSTGRES_IMAGE, SUPABASE_ROLES_SQL } from '../src/index';

const open: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.stop()));
});
async function plain() {
  const db = await startPostgres({ bootstrap: 'none' });
  open.push(db);
  return db;
}
async function rows(db: TestDatabase, sql: string) {
  const c = await db.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}
async function bootstrap(db: TestDatabase) {
  const c = await db.connect();
  try {
    await bootstrapSupabase(c);
  } finally {
    await c.end();
  }
}
const COLUMNS = `select table_schema || '.' || table_name || '.' || column_name || ' ' || data_type ||
  coalesce(' default ' || column_default, '') || case when is_generated = 'ALWAYS' then ' generated' else '' end as c
  from information_schema.columns where table_schema in ('auth', 'storage', 'vault') order by 1`;

describe('bootstrapSupabase on plain PostgreSQL', () => {
  it('gives what Supabase migrations use: search_path with extensions, storage, vault, the realtime publication', async () => {
    const db = await plain();
    expect(await rows(db, 'show search_path')).toEqual([{ search_path: '"$user", public' }]);
    await bootstrap(db);
    // A new session, as a migration run would open.
    expect(await rows(db, 'show search_path')).toEqual([{ search_path: '"$user", public, extensions' }]);
    expect((await rows(db, "select length(encode(gen_random_bytes(4), 'hex')) as n"))[0]).toEqual({ n: 8 });
    expect(
      await rows(
        db,
        "select storage.foldername('u1/pets/cat.png') as folder, storage.filename('u1/pets/cat.png') as file, storage.extension('u1/pets/cat.png') as ext",
      ),
    ).toEqual([{ folder: ['u1', 'pets'], file: 'cat.png', ext: 'png' }]);
    expect(
      await rows(
        db,
        "insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true) returning type",
      ),
    ).toEqual([{ type: 'STANDARD' }]);
    await rows(db, "insert into storage.objects (bucket_id, name) values ('avatars', 'u1/a.png')");
    expect(await rows(db, "select path_tokens from storage.objects where name = 'u1/a.png'")).toEqual([
      { path_tokens: ['u1', 'a.png'] },
    ]);
    // As on current Supabase, only the Storage API (or a transaction that says so) deletes from storage.
    await expect(rows(db, 'delete from storage.objects')).rejects.toThrow(/Direct deletion from storage tables/);
    await rows(
      db,
      "begin; select set_config('storage.allow_delete_query', 'true', true); delete from storage.objects; commit",
    );
    expect(
      await rows(db, "select relrowsecurity as rls from pg_class where oid = 'storage.objects'::regclass"),
    ).toEqual([{ rls: true }]);
    await rows(db, "select vault.create_secret('s3cret', 'signing_key')");
    expect(await rows(db, "select decrypted_secret from vault.decrypted_secrets where name = 'signing_key'")).toEqual([
      { decrypted_secret: 's3cret' },
    ]);
    expect(await rows(db, "select pubname from pg_publication where pubname = 'supabase_realtime'")).toHaveLength(1);
    // The API roles may use storage but not read the vault, as on Supabase.
    expect(
      await rows(
        db,
        "select has_table_privilege('authenticated', 'storage.objects', 'insert') as objects, has_table_privilege('service_role', 'vault.secrets', 'select') as vault",
      ),
    ).toEqual([{ objects: true, vault: false }]);
  });

  it('changes nothing when run again, and refuses a database that has migration history', async () => {
    const db = await plain();
    await bootstrap(db);
    const first = await rows(db, COLUMNS);
    await bootstrap(db);
    expect(await rows(db, COLUMNS)).toEqual(first);
    await rows(
      db,
      "create schema supabase_migrations; create table supabase_migrations.schema_migrations (version text primary key); insert into supabase_migrations.schema_migrations values ('1')",
    );
    const c = await db.connect();
    try {
      await expect(bootstrapSupabase(c, 'the project database')).rejects.toThrow(
        'the project database already has 1 migration(s) in supabase_migrations.schema_migrations: the Supabase bootstrap is for fresh throwaway databases only; remove it from this step',
      );
    } finally {
      await c.end();
    }
  });
});

describe("bootstrapSupabase on the shape Supabase's image leaves to the platform's services", () => {
  it("brings the image's 2018 auth.users and first storage tables to the same columns as on plain PostgreSQL", async () => {
    const reference = await plain();
    await bootstrap(reference);
    const image = await plain();
    // supabase/postgres at first start, with the first storage tables older images created.
    await rows(image, SUPABASE_ROLES_SQL);
    await rows(
      image,
      `${SUPABASE_IMAGE_INIT_SQL}
       create table storage.buckets (id text not null primary key, name text not null,
         owner uuid references auth.users (id), created_at timestamptz default now(), updated_at timestamptz default now());
       create table storage.objects (id uuid not null default extensions.uuid_generate_v4() primary key,
         bucket_id text, name text, owner uuid references auth.users (id),
         created_at timestamptz default now(), updated_at timestamptz default now(),
         last_accessed_at timestamptz default now(), metadata jsonb,
         constraint "objects_bucketId_fkey" foreign key (bucket_id) references storage.buckets (id));`,
    );
    await bootstrap(image);
    const sorted = async (db: TestDatabase) =>
      (await rows(db, COLUMNS))
        .map((r) => r.c as string)
        .filter((c) => /^(auth\.users|storage\.(buckets|objects))\./.test(c));
    expect((await sorted(image)).sort()).toEqual((await sorted(reference)).sort());
    // The owner foreign keys storage-api dropped are gone, as the current platform has them.
    expect(
      await rows(
        image,
        "select conname from pg_constraint where conrelid = 'storage.objects'::regclass and contype = 'f'",
      ),
    ).toEqual([{ conname: 'objects_bucketId_fkey' }]);
  });
});

describe('the image the workflows pin', () => {
  it("is preview.yml's postgres-image default, pinned by digest", () => {
    const preview = parse(readFileSync('.github/workflows/preview.yml', 'utf8'));
    expect(preview.on.workflow_call.inputs['postgres-image'].default).toBe(SUPABASE_POSTGRES_IMAGE);
    expect(SUPABASE_POSTGRES_IMAGE).toMatch(/^supabase\/postgres:17\.[\d.]+@sha256:[0-9a-f]{64}$/);
  });
});

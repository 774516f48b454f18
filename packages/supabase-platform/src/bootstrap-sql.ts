// What a Supabase project gives every database before the first user migration runs, written from
// Supabase's own init scripts (supabase/postgres migrations/db) and the platform services' migrations
// (GoTrue's auth.users, storage-api's tenant migrations up to 0061, supabase_vault 0.3) so that
// migrations written for Supabase apply here the way they do there. Everything is idempotent and
// only adds what is missing: on a plain PostgreSQL it builds the whole shape, on Supabase's own image
// (which leaves auth, storage and realtime tables to the platform's services) it adds the rest.
// Two parts because roles are cluster-wide and everything else belongs to one database.

/**
 * Cluster-wide roles. Run in the admin database (the lock is per database, so every caller must
 * use the same one). Creates only what is missing and never alters an existing role, so it is
 * safe against a real Supabase server given in TEST_DATABASE_URL. The advisory lock serialises
 * concurrent jest workers; the exception handlers cover callers that do not take it.
 *
 * anon, authenticated and service_role are INHERIT: Supabase switched them from the init
 * script's NOINHERIT in 20230529180330_alter_api_roles_for_inherit.sql.
 */
export const SUPABASE_ROLES_SQL = `
do $bootstrap$
declare
  spec record;
  grantee text;
begin
  perform pg_advisory_xact_lock(hashtext('wingman-testkit:supabase-roles'));
  for spec in
    select * from (values
      ('postgres',            'login createrole createdb replication bypassrls'),
      ('supabase_admin',      'login superuser createrole createdb replication bypassrls'),
      ('anon',                'nologin inherit'),
      ('authenticated',       'nologin inherit'),
      ('service_role',        'nologin inherit bypassrls'),
      ('authenticator',       'login noinherit'),
      ('supabase_auth_admin', 'login noinherit createrole'),
      ('supabase_storage_admin', 'login noinherit createrole noreplication')
    ) as t(name, attrs)
  loop
    if not exists (select 1 from pg_roles where rolname = spec.name) then
      begin
        execute format('create role %I %s', spec.name, spec.attrs);
      exception when duplicate_object or unique_violation then
        null; -- another session created it between the check and the create
      end;
    end if;
  end loop;

  foreach grantee in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (
      select 1 from pg_auth_members m
      join pg_roles r on r.oid = m.roleid
      join pg_roles u on u.oid = m.member
      where r.rolname = grantee and u.rolname = 'authenticator'
    ) then
      begin
        execute format('grant %I to authenticator', grantee);
      exception when duplicate_object or unique_violation then
        null;
      end;
    end if;
  end loop;

  -- Storage's API switches to the request's role through authenticator (20231013070755).
  if not exists (
    select 1 from pg_auth_members m
    join pg_roles r on r.oid = m.roleid
    join pg_roles u on u.oid = m.member
    where r.rolname = 'authenticator' and u.rolname = 'supabase_storage_admin'
  ) then
    begin
      grant authenticator to supabase_storage_admin;
    exception when duplicate_object or unique_violation then
      null;
    end;
  end if;
end
$bootstrap$;
`;

/** Schemas, extensions, grants, auth, storage, vault, realtime and search_path of one database. */
export const SUPABASE_DATABASE_SQL = `
create schema if not exists extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;

-- Supabase projects publish nothing by default; migrations add tables to it for Realtime.
do $pub$
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$pub$;

grant usage on schema public to postgres, anon, authenticated, service_role;

-- Tables, functions and sequences that migrations create in public are reachable by the API
-- roles (RLS decides which rows). Set for the migrating user and for postgres/supabase_admin.
do $defaults$
declare
  owner_role text;
begin
  foreach owner_role in array array[current_user::text, 'postgres', 'supabase_admin'] loop
    execute format('alter default privileges for role %I in schema public grant all on tables to postgres, anon, authenticated, service_role', owner_role);
    execute format('alter default privileges for role %I in schema public grant all on functions to postgres, anon, authenticated, service_role', owner_role);
    execute format('alter default privileges for role %I in schema public grant all on sequences to postgres, anon, authenticated, service_role', owner_role);
  end loop;
end
$defaults$;

create schema if not exists auth authorization supabase_admin;

-- Shape of auth.users after GoTrue's migrations (id has no default: GoTrue assigns it).
create table if not exists auth.users (
  instance_id uuid,
  id uuid not null,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  email_change_token_new varchar(255),
  email_change varchar(255),
  email_change_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz,
  updated_at timestamptz,
  phone text default null unique,
  phone_confirmed_at timestamptz,
  phone_change text default '',
  phone_change_token varchar(255) default '',
  phone_change_sent_at timestamptz,
  confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  email_change_token_current varchar(255) default '',
  email_change_confirm_status smallint default 0
    check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
  banned_until timestamptz,
  reauthentication_token varchar(255) default '',
  reauthentication_sent_at timestamptz,
  is_sso_user boolean not null default false,
  deleted_at timestamptz,
  is_anonymous boolean not null default false,
  constraint users_pkey primary key (id)
);
-- Supabase's image creates the 2018 shape of auth.users and leaves the rest to GoTrue's migrations:
-- bring an image's table to GoTrue's (its two renames, then every later column).
do $gotrue$
begin
  if exists (select 1 from information_schema.columns where table_schema = 'auth' and table_name = 'users' and column_name = 'email_change_token')
     and not exists (select 1 from information_schema.columns where table_schema = 'auth' and table_name = 'users' and column_name = 'email_change_token_new') then
    alter table auth.users rename column email_change_token to email_change_token_new;
  end if;
  if exists (select 1 from information_schema.columns where table_schema = 'auth' and table_name = 'users' and column_name = 'confirmed_at' and is_generated = 'NEVER')
     and not exists (select 1 from information_schema.columns where table_schema = 'auth' and table_name = 'users' and column_name = 'email_confirmed_at') then
    alter table auth.users rename column confirmed_at to email_confirmed_at;
  end if;
end
$gotrue$;
alter table auth.users
  add column if not exists email_confirmed_at timestamptz,
  add column if not exists phone text default null unique,
  add column if not exists phone_confirmed_at timestamptz,
  add column if not exists phone_change text default '',
  add column if not exists phone_change_token varchar(255) default '',
  add column if not exists phone_change_sent_at timestamptz,
  add column if not exists confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  add column if not exists email_change_token_current varchar(255) default '',
  add column if not exists email_change_confirm_status smallint default 0
    check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
  add column if not exists banned_until timestamptz,
  add column if not exists reauthentication_token varchar(255) default '',
  add column if not exists reauthentication_sent_at timestamptz,
  add column if not exists is_sso_user boolean not null default false,
  add column if not exists deleted_at timestamptz,
  add column if not exists is_anonymous boolean not null default false;
create index if not exists users_instance_id_idx on auth.users (instance_id);
create index if not exists users_instance_id_email_idx on auth.users (instance_id, lower(email::text));
create unique index if not exists users_email_partial_key on auth.users (email) where is_sso_user = false;
create index if not exists users_is_anonymous_idx on auth.users (is_anonymous);
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';

-- The helpers read the claims PostgREST puts in the session; both the pre-v9 per-claim
-- settings and the current request.jwt.claims JSON are honoured, as on Supabase.
create or replace function auth.uid() returns uuid
language sql stable
as $fn$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$fn$;

create or replace function auth.role() returns text
language sql stable
as $fn$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$fn$;

create or replace function auth.email() returns text
language sql stable
as $fn$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$fn$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $fn$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$fn$;

-- API roles may call the helpers but read no auth table, as on Supabase.
grant usage on schema auth to anon, authenticated, service_role;
grant all on schema auth to supabase_auth_admin;
alter table auth.users owner to supabase_auth_admin;
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;
grant all on auth.users to postgres;

-- The migrating roles resolve extensions unqualified (gen_random_bytes(), uuid_generate_v4()):
-- Supabase sets postgres's search_path (init-scripts/00000000000003-post-setup.sql) and
-- supabase_admin's; the API roles get the same through PostgREST's db-extra-search-path, which the
-- database-level setting stands in for. Per database here, so other databases on the server keep theirs.
do $search_path$
begin
  execute format('alter database %I set search_path to "$user", public, extensions', current_database());
  execute format('alter role postgres in database %I set search_path to "$user", public, extensions', current_database());
  execute format('alter role supabase_admin in database %I set search_path to "$user", public, auth, extensions', current_database());
  execute format('alter role supabase_auth_admin in database %I set search_path to auth', current_database());
  execute format('alter role supabase_storage_admin in database %I set search_path to storage', current_database());
end
$search_path$;

-- Storage: the schema Supabase's image creates and the tables storage-api's tenant migrations
-- (0001-0061) leave behind. Buckets and policies on storage.objects are what migrations touch.
create schema if not exists storage authorization supabase_admin;
grant usage on schema storage to postgres, anon, authenticated, service_role;
grant all on schema storage to supabase_storage_admin with grant option;
alter default privileges for role supabase_storage_admin in schema storage grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage grant all on sequences to postgres, anon, authenticated, service_role;

do $buckettype$
begin
  if to_regtype('storage.buckettype') is null then
    create type storage.buckettype as enum ('STANDARD', 'ANALYTICS', 'VECTOR');
    alter type storage.buckettype owner to supabase_storage_admin;
  end if;
end
$buckettype$;

create table if not exists storage.buckets (
  id text not null primary key,
  name text not null,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
alter table storage.buckets
  add column if not exists public boolean default false,
  add column if not exists avif_autodetection boolean default false,
  add column if not exists file_size_limit bigint,
  add column if not exists allowed_mime_types text[],
  add column if not exists owner_id text,
  add column if not exists type storage.buckettype not null default 'STANDARD';
alter table storage.buckets drop constraint if exists buckets_owner_fkey;
comment on column storage.buckets.owner is 'Field is deprecated, use owner_id instead';
create unique index if not exists bname on storage.buckets using btree (name);

create table if not exists storage.objects (
  id uuid not null default gen_random_uuid() primary key,
  bucket_id text,
  name text,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata jsonb,
  constraint "objects_bucketId_fkey" foreign key (bucket_id) references storage.buckets (id)
);
alter table storage.objects alter column id set default gen_random_uuid();
alter table storage.objects
  add column if not exists path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  add column if not exists version text,
  add column if not exists owner_id text,
  add column if not exists user_metadata jsonb;
alter table storage.objects drop constraint if exists objects_owner_fkey;
comment on column storage.objects.owner is 'Field is deprecated, use owner_id instead';
create unique index if not exists bucketid_objname on storage.objects using btree (bucket_id, name);
create index if not exists idx_objects_bucket_id_name on storage.objects (bucket_id, name collate "C");
create index if not exists idx_objects_bucket_id_name_lower on storage.objects (bucket_id, lower(name) collate "C");
create index if not exists name_prefix_search on storage.objects using btree (name text_pattern_ops);

create table if not exists storage.migrations (
  id integer primary key,
  name varchar(100) unique not null,
  hash varchar(40) not null,
  executed_at timestamp default current_timestamp
);

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
alter table storage.migrations enable row level security;

create or replace function storage.foldername(name text) returns text[]
language plpgsql immutable
as $fn$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[1 : array_length(_parts, 1) - 1];
end
$fn$;

create or replace function storage.filename(name text) returns text
language plpgsql immutable
as $fn$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[array_length(_parts, 1)];
end
$fn$;

create or replace function storage.extension(name text) returns text
language plpgsql immutable
as $fn$
declare
  _parts text[];
  _filename text;
begin
  select string_to_array(name, '/') into _parts;
  select _parts[array_length(_parts, 1)] into _filename;
  return reverse(split_part(reverse(_filename), '.', 1));
end
$fn$;

create or replace function storage.update_updated_at_column() returns trigger
language plpgsql
as $fn$
begin
  new.updated_at = now();
  return new;
end
$fn$;

-- Current Supabase refuses DELETE on the storage tables outside the Storage API (tenant migration
-- 0055): a migration that deletes buckets or objects directly fails there, so it fails here.
create or replace function storage.protect_delete() returns trigger
language plpgsql
as $fn$
begin
  if coalesce(current_setting('storage.allow_delete_query', true), 'false') != 'true' then
    raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      using errcode = '42501',
            hint = 'This prevents accidental data loss from orphaned objects.';
  end if;
  return null;
end
$fn$;

create or replace function storage.enforce_bucket_name_length() returns trigger
language plpgsql
as $fn$
begin
  if length(new.name) > 100 then
    raise exception 'bucket name "%" is too long (% characters). Max is 100.', new.name, length(new.name);
  end if;
  return new;
end
$fn$;

create or replace trigger update_objects_updated_at before update on storage.objects
  for each row execute function storage.update_updated_at_column();
create or replace trigger protect_objects_delete before delete on storage.objects
  for each statement execute function storage.protect_delete();
create or replace trigger protect_buckets_delete before delete on storage.buckets
  for each statement execute function storage.protect_delete();
create or replace trigger enforce_bucket_name_length_trigger before insert or update of name on storage.buckets
  for each row execute function storage.enforce_bucket_name_length();

alter table storage.buckets owner to supabase_storage_admin;
alter table storage.objects owner to supabase_storage_admin;
alter table storage.migrations owner to supabase_storage_admin;
alter function storage.foldername(text) owner to supabase_storage_admin;
alter function storage.filename(text) owner to supabase_storage_admin;
alter function storage.extension(text) owner to supabase_storage_admin;
alter function storage.update_updated_at_column() owner to supabase_storage_admin;
alter function storage.protect_delete() owner to supabase_storage_admin;
alter function storage.enforce_bucket_name_length() owner to supabase_storage_admin;
grant all on storage.buckets, storage.objects to postgres with grant option;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
revoke all on storage.migrations from anon, authenticated, service_role, postgres;

-- Vault: supabase_vault's objects (0.3) as a stand-in that stores the secret unencrypted; on
-- Supabase's image the real extension is already there and is left alone. Throwaway databases only.
do $vault$
begin
  if exists (select 1 from pg_namespace where nspname = 'vault') then
    return;
  end if;
  create schema vault authorization supabase_admin;
  create table vault.secrets (
    id uuid primary key default gen_random_uuid(),
    name text,
    description text not null default '',
    secret text not null,
    key_id uuid,
    nonce bytea,
    created_at timestamptz not null default current_timestamp,
    updated_at timestamptz not null default current_timestamp
  );
  create unique index secrets_name_idx on vault.secrets (name) where name is not null;
  create view vault.decrypted_secrets as
    select s.id, s.name, s.description, s.secret, s.secret as decrypted_secret, s.key_id, s.nonce,
           s.created_at, s.updated_at
      from vault.secrets s;
  create function vault.create_secret(new_secret text, new_name text default null, new_description text default '', new_key_id uuid default null)
    returns uuid language plpgsql security definer set search_path = ''
  as $fn$
  declare
    rec record;
  begin
    insert into vault.secrets (secret, name, description) values (new_secret, new_name, new_description)
    returning * into rec;
    return rec.id;
  end
  $fn$;
  create function vault.update_secret(secret_id uuid, new_secret text default null, new_name text default null, new_description text default null, new_key_id uuid default null)
    returns void language plpgsql security definer set search_path = ''
  as $fn$
  begin
    update vault.secrets s
       set secret = coalesce(new_secret, s.secret),
           name = coalesce(new_name, s.name),
           description = coalesce(new_description, s.description),
           updated_at = now()
     where s.id = secret_id;
  end
  $fn$;
  alter table vault.secrets owner to supabase_admin;
  alter view vault.decrypted_secrets owner to supabase_admin;
  alter function vault.create_secret(text, text, text, uuid) owner to supabase_admin;
  alter function vault.update_secret(uuid, text, text, text, uuid) owner to supabase_admin;
  revoke all on function vault.create_secret(text, text, text, uuid) from public;
  revoke all on function vault.update_secret(uuid, text, text, text, uuid) from public;
  grant usage on schema vault to postgres with grant option;
  grant select, delete on vault.secrets, vault.decrypted_secrets to postgres with grant option;
  grant execute on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid) to postgres with grant option;
end
$vault$;

-- Realtime: the schema exists empty (the service creates its tables); the publication is above.
create schema if not exists realtime authorization supabase_admin;
grant usage on schema realtime to postgres, anon, authenticated, service_role;
`;

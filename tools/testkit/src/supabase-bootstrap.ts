// What a Supabase project gives every database before the first user migration runs, written
// from Supabase's own init scripts (supabase/postgres migrations/db) so that migrations written
// for Supabase apply here the way they do there. Two parts because roles are cluster-wide and
// everything else belongs to one database.

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
      ('supabase_auth_admin', 'login noinherit createrole')
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
end
$bootstrap$;
`;

/** Schemas, extensions, grants, auth.users and the auth.* helpers of one fresh database. */
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
`;

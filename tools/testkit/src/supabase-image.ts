// A stand-in for what Supabase's Postgres image (supabase/postgres) has at first start, before the
// platform's services migrate: its init scripts' roles, extensions schema, realtime publication, the
// 2018 auth.users that GoTrue later renames and extends, and the storage schema (the newest images
// leave even its tables to storage-api; older ones created the first 5- and 8-column versions, which
// the bootstrap test covers). The compiled extensions it ships (vector, pg_net, supabase_vault …)
// cannot be stood in for on plain PostgreSQL. Run after SUPABASE_ROLES_SQL.
export const SUPABASE_IMAGE_INIT_SQL = `
create schema if not exists extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create publication supabase_realtime;
create schema auth authorization supabase_admin;
create table auth.users (instance_id uuid, id uuid not null primary key, aud varchar(255), role varchar(255),
  email varchar(255) unique, encrypted_password varchar(255), confirmed_at timestamptz, invited_at timestamptz,
  confirmation_token varchar(255), confirmation_sent_at timestamptz, recovery_token varchar(255),
  recovery_sent_at timestamptz, email_change_token varchar(255), email_change varchar(255),
  email_change_sent_at timestamptz, last_sign_in_at timestamptz, raw_app_meta_data jsonb,
  raw_user_meta_data jsonb, is_super_admin bool, created_at timestamptz, updated_at timestamptz);
create function auth.uid() returns uuid language sql stable
  as $$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
create function auth.role() returns text language sql stable
  as $$ select nullif(current_setting('request.jwt.claim.role', true), '')::text $$;
create function auth.email() returns text language sql stable
  as $$ select nullif(current_setting('request.jwt.claim.email', true), '')::text $$;
grant usage on schema auth to anon, authenticated, service_role;
create schema storage authorization supabase_admin;
grant usage on schema storage to postgres, anon, authenticated, service_role;
create schema realtime authorization supabase_admin;
`;

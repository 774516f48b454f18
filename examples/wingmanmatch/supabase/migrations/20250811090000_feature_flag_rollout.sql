-- Feature flags with a rollout share and an audit trail (Task 24, phase 5): the pipeline's
-- feature-flags action changes them (service_role, through the Data API) and records who, why and
-- from which run; the app asks feature_enabled(flag, user) for a stable A/B split.

alter table public.feature_flags
  add column rollout_percent int not null default 100,
  add column updated_by text,
  add column synced_hash text;

-- NOT VALID: no scan under the lock; the column was just added with a default inside the range, so
-- every existing row already satisfies it (new rows are checked as they come).
alter table public.feature_flags
  add constraint feature_flags_rollout_percent_range check (rollout_percent between 0 and 100) not valid;

comment on column public.feature_flags.rollout_percent is 'Share of subjects (0-100) the flag is on for, bucketed by feature_enabled().';
comment on column public.feature_flags.synced_hash is 'Hash of the flag''s value in feature-flags.json at the last sync: a sync changes enabled/rollout only when the file did.';

create table public.feature_flag_audit (
  id bigint generated always as identity primary key,
  flag_name text not null,
  old_value jsonb,
  new_value jsonb,
  actor text not null,
  reason text,
  run_url text,
  at timestamptz not null default now()
);

comment on table public.feature_flag_audit is 'Append-only record of every flag change; service_role only.';

-- RLS on and no policy: anon and authenticated read and write nothing; service_role bypasses RLS.
alter table public.feature_flag_audit enable row level security;
revoke all on public.feature_flag_audit from anon, authenticated;

-- Append-only: not even service_role may rewrite history.
create function public.feature_flag_audit_append_only()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'feature_flag_audit is append-only';
end;
$$;

create trigger feature_flag_audit_no_update_or_delete
  before update or delete on public.feature_flag_audit
  for each row execute function public.feature_flag_audit_append_only();

-- The same answer for the same subject every time: md5 of flag and subject, bucket 0-99, on when
-- below the flag's rollout share.
create function public.feature_enabled(flag text, subject uuid)
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(
    (select f.enabled
        and (('x' || substr(md5(f.flag_name || subject::text), 1, 8))::bit(32)::int & 2147483647) % 100
          < f.rollout_percent
     from public.feature_flags f
     where f.flag_name = flag),
    false)
$$;

comment on function public.feature_enabled(text, uuid) is 'Whether a flag is on for a subject: enabled and inside its rollout share, stably.';

grant execute on function public.feature_enabled(text, uuid) to anon, authenticated;

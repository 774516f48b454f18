-- Runtime feature toggles (Task 24, phase 5): the backend reads
-- `select flag_name, enabled from feature_flags` and ops flip them without a deploy.

create table public.feature_flags (
  flag_name text primary key,
  enabled boolean not null default false,
  description text,
  config jsonb not null default '{}'::jsonb,
  updated_at timestamptz not null default now(),
  constraint feature_flags_flag_name_format check (flag_name ~ '^[a-z][a-z0-9_]{0,62}$')
);

comment on table public.feature_flags is 'Feature toggles; readable by everyone, writable by service_role only.';
comment on column public.feature_flags.config is 'Optional JSON settings, e.g. {"rollout_percent": 25} for A/B tests.';

create trigger feature_flags_set_updated_at
  before update on public.feature_flags
  for each row execute function public.set_updated_at();

alter table public.feature_flags enable row level security;

-- The frontend needs flags before sign-in, so anon may read too.
create policy "Feature flags are readable by everyone"
  on public.feature_flags for select
  to anon, authenticated
  using (true);

-- No insert/update/delete policies: with RLS on, only service_role can write.

-- Approach challenges (reference data, curated by the team) and the wingman
-- sessions in which a matched pair attempts them.

create type public.challenge_difficulty as enum ('beginner', 'intermediate', 'advanced');
create type public.session_status as enum ('scheduled', 'in_progress', 'completed', 'cancelled', 'no_show');

create table public.approach_challenges (
  id uuid primary key default gen_random_uuid(),
  title text not null unique,
  description text not null,
  difficulty public.challenge_difficulty not null,
  points integer not null default 10,
  created_at timestamptz not null default now(),
  constraint approach_challenges_points_positive check (points > 0)
);

comment on table public.approach_challenges is 'Catalogue of challenges; written by the service role only.';

create table public.wingman_sessions (
  id uuid primary key default gen_random_uuid(),
  match_id uuid not null references public.wingman_matches (id) on delete cascade,
  challenge_id uuid references public.approach_challenges (id) on delete set null,
  created_by uuid not null references public.profiles (id) on delete cascade,
  scheduled_at timestamptz not null,
  venue_name text,
  status public.session_status not null default 'scheduled',
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

comment on table public.wingman_sessions is 'A meet-up of a matched pair, optionally tied to a challenge.';

create index wingman_sessions_match_id_idx on public.wingman_sessions (match_id);
create index wingman_sessions_challenge_id_idx on public.wingman_sessions (challenge_id);
create index wingman_sessions_created_by_idx on public.wingman_sessions (created_by);

create trigger wingman_sessions_set_updated_at
  before update on public.wingman_sessions
  for each row execute function public.set_updated_at();

alter table public.approach_challenges enable row level security;
alter table public.wingman_sessions enable row level security;

-- Challenges: read-only for signed-in users. No write policies, so only
-- service_role (which bypasses RLS) can change the catalogue.
create policy "Challenges are visible to signed-in users"
  on public.approach_challenges for select
  to authenticated
  using (true);

create policy "Participants can view their sessions"
  on public.wingman_sessions for select
  to authenticated
  using (
    exists (
      select 1
      from public.wingman_matches m
      where m.id = wingman_sessions.match_id
        and (select auth.uid()) in (m.user1_id, m.user2_id)
    )
  );

create policy "Participants can schedule sessions for accepted matches"
  on public.wingman_sessions for insert
  to authenticated
  with check (
    (select auth.uid()) = created_by
    and exists (
      select 1
      from public.wingman_matches m
      where m.id = wingman_sessions.match_id
        and m.status = 'accepted'
        and (select auth.uid()) in (m.user1_id, m.user2_id)
    )
  );

create policy "Participants can update their sessions"
  on public.wingman_sessions for update
  to authenticated
  using (
    exists (
      select 1
      from public.wingman_matches m
      where m.id = wingman_sessions.match_id
        and (select auth.uid()) in (m.user1_id, m.user2_id)
    )
  )
  with check (
    exists (
      select 1
      from public.wingman_matches m
      where m.id = wingman_sessions.match_id
        and (select auth.uid()) in (m.user1_id, m.user2_id)
    )
  );

create policy "Creators can delete sessions that have not started"
  on public.wingman_sessions for delete
  to authenticated
  using ((select auth.uid()) = created_by and status = 'scheduled');

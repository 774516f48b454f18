-- Wingman pairings: user1 proposes, user2 accepts or declines.

create type public.match_status as enum ('pending', 'accepted', 'declined', 'completed', 'cancelled');

create table public.wingman_matches (
  id uuid primary key default gen_random_uuid(),
  user1_id uuid not null references public.profiles (id) on delete cascade,
  user2_id uuid not null references public.profiles (id) on delete cascade,
  status public.match_status not null default 'pending',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint wingman_matches_distinct_users check (user1_id <> user2_id)
);

comment on table public.wingman_matches is 'A pairing of two users as wingmen; user1 is the one who asked.';
comment on column public.wingman_matches.status is 'pending -> accepted | declined; accepted -> completed | cancelled.';

-- Foreign keys are not indexed automatically; deletes on profiles would scan without these.
create index wingman_matches_user1_id_idx on public.wingman_matches (user1_id);
create index wingman_matches_user2_id_idx on public.wingman_matches (user2_id);

-- At most one open pairing per pair of users, whichever of them asked.
create unique index wingman_matches_open_pair_key
  on public.wingman_matches (least(user1_id, user2_id), greatest(user1_id, user2_id))
  where status in ('pending', 'accepted');

create trigger wingman_matches_set_updated_at
  before update on public.wingman_matches
  for each row execute function public.set_updated_at();

alter table public.wingman_matches enable row level security;

create policy "Participants can view their matches"
  on public.wingman_matches for select
  to authenticated
  using ((select auth.uid()) in (user1_id, user2_id));

create policy "Users can request a match as user1"
  on public.wingman_matches for insert
  to authenticated
  with check ((select auth.uid()) = user1_id and status = 'pending');

create policy "Participants can update their matches"
  on public.wingman_matches for update
  to authenticated
  using ((select auth.uid()) in (user1_id, user2_id))
  with check ((select auth.uid()) in (user1_id, user2_id));

create policy "Requesters can withdraw a pending match"
  on public.wingman_matches for delete
  to authenticated
  using ((select auth.uid()) = user1_id and status = 'pending');

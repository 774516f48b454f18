-- Profiles: one row per auth user, public to signed-in users so people can
-- find a wingman, writable only by their owner.

-- Shared trigger function that keeps updated_at honest on every table that has one.
-- search_path is pinned to '' so a hostile object in another schema cannot shadow now().
create or replace function public.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

comment on function public.set_updated_at() is 'Trigger: stamps updated_at with now() on every update.';

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  display_name text not null,
  bio text,
  location text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint profiles_display_name_length check (char_length(display_name) between 1 and 50),
  constraint profiles_bio_length check (bio is null or char_length(bio) <= 1000)
);

comment on table public.profiles is 'Public profile of each WingmanMatch user; id equals auth.users.id.';

create trigger profiles_set_updated_at
  before update on public.profiles
  for each row execute function public.set_updated_at();

alter table public.profiles enable row level security;

-- Signed-in users browse each other's profiles; anonymous visitors see nothing.
create policy "Profiles are visible to signed-in users"
  on public.profiles for select
  to authenticated
  using (true);

create policy "Users can create their own profile"
  on public.profiles for insert
  to authenticated
  with check ((select auth.uid()) = id);

create policy "Users can update their own profile"
  on public.profiles for update
  to authenticated
  using ((select auth.uid()) = id)
  with check ((select auth.uid()) = id);

-- No delete policy: a profile goes away only when its auth user is deleted (cascade).

-- Wingmen invite friends with short random codes. gen_random_bytes() is pgcrypto's, which Supabase
-- keeps in the extensions schema on the search path, so it is called unqualified as most projects do.

create table public.invite_codes (
  code text primary key default encode(gen_random_bytes(9), 'hex'),
  created_by uuid not null references public.profiles (id) on delete cascade,
  redeemed_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  redeemed_at timestamptz
);

comment on table public.invite_codes is 'Invitation codes a user hands out; redeemed once.';

create index invite_codes_created_by_idx on public.invite_codes (created_by);
create index invite_codes_redeemed_by_idx on public.invite_codes (redeemed_by);

alter table public.invite_codes enable row level security;

create policy "invite codes: creators see their codes" on public.invite_codes
  for select to authenticated
  using (created_by = (select auth.uid()));

create policy "invite codes: users create their own" on public.invite_codes
  for insert to authenticated
  with check (created_by = (select auth.uid()));

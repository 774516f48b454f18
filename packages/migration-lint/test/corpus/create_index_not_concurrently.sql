create index big_owner_idx on public.big (owner_id);

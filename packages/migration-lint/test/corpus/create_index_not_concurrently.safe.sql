create index concurrently big_owner_idx on public.big (owner_id);

create index concurrently big_flag_idx on public.big (flag);

-- wingman:allow drop_table because the table moved to the archive project last release
drop table public.big;

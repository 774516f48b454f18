-- wingman:allow drop_table
drop table public.big;

drop table public.big;

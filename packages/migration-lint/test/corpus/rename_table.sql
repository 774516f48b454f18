alter table public.big rename to bigger;

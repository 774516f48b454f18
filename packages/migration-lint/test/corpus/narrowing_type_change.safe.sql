alter table public.big alter column name type text;

alter table public.big alter column name set not null;

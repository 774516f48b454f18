alter table public.big alter column name type varchar(40);

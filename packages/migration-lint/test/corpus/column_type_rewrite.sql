alter table public.big alter column owner_id type numeric;

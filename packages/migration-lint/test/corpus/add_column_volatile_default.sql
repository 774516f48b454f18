alter table public.big add column token uuid default gen_random_uuid();

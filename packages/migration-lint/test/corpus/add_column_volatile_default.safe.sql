alter table public.big add column created_at timestamptz default now();

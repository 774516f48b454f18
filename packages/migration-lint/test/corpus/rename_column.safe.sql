alter table public.big add column remark text;

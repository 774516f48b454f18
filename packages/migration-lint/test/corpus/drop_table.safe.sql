create table public.scratch (id int);
drop table public.scratch;

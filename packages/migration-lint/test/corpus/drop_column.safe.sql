create table public.scratch (id int, tmp text);
alter table public.scratch drop column tmp;

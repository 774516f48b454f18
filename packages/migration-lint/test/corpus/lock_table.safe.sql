create table public.fresh (id int);
lock table public.fresh in access exclusive mode;

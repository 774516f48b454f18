delete from public.big where id < 10;

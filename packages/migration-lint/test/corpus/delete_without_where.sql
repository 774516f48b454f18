delete from public.big;

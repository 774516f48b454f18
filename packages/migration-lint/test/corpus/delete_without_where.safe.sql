delete from public.big where flag = false;

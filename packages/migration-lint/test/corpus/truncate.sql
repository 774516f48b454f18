truncate public.big;

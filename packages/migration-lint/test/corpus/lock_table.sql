lock table public.big in access exclusive mode;

update public.big set flag = true;

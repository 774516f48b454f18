update public.big set flag = true where flag is null;

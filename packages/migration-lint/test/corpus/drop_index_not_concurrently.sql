drop index public.big_name_idx;

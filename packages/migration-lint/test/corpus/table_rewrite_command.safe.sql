reindex index concurrently public.big_name_idx;

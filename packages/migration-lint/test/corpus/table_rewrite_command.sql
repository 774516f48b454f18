vacuum full public.big;
cluster public.big using big_name_idx;
reindex index public.big_name_idx;

drop type public.mood;

create type public.scratch_kind as enum ('a');
drop type public.scratch_kind;

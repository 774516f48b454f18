alter table public.big rename column note to remark;

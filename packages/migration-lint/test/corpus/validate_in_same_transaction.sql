alter table public.big add constraint big_amount_positive check (amount > 0) not valid;
alter table public.big validate constraint big_amount_positive;

-- Added NOT VALID by an earlier migration.
alter table public.big validate constraint big_amount_nonneg;

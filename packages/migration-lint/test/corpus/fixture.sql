-- The database the corpus is linted against: existing tables above and below lint-small-table-rows.
create type public.mood as enum ('happy', 'sad');
create table public.owners (id bigint primary key);
insert into public.owners select g from generate_series(1, 20000) g;
create table public.big (
  id bigint primary key, name varchar(20), note text, amount numeric(10, 2), owner_id bigint,
  flag boolean, m public.mood
);
insert into public.big select g, 'n' || g, 'x', g, g, true, 'happy' from generate_series(1, 20000) g;
create index big_name_idx on public.big (name);
alter table public.big add constraint big_note_not_null check (note is not null);
alter table public.big add constraint big_amount_nonneg check (amount >= 0) not valid;
create table public.small (id bigint primary key, name text);
insert into public.small select g, 'n' from generate_series(1, 10) g;
create schema legacy;
analyze public.owners;
analyze public.big;
analyze public.small;

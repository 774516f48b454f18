alter table public.big add constraint big_owner_fk foreign key (owner_id) references public.owners (id);

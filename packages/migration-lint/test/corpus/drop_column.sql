alter table public.big drop column note;

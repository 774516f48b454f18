-- big_note_not_null, CHECK (note IS NOT NULL), was validated earlier: no scan.
alter table public.big alter column note set not null;

-- Expand: the new name as a view; the old table goes in a later release.
create view public.bigger as select * from public.big;

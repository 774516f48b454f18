-- Reverses 20250809090000_invite_codes.
drop table public.invite_codes;

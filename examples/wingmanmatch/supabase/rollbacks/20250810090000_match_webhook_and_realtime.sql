-- Reverses 20250810090000_match_webhook_and_realtime.
alter publication supabase_realtime drop table public.chat_messages;
drop function private.match_webhook_signing_key();
drop schema private;

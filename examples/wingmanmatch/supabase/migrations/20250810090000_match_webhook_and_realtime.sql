-- Match notifications: the backend signs its webhooks with a key kept in Supabase Vault (created
-- out of band with vault.create_secret, never in a migration). Only this function, running as its
-- owner in a schema the Data API does not expose, reads it; only the service role may call it.
-- Chat messages stream to the two users of a match over Realtime (RLS still decides who sees what).

create schema private;

create function private.match_webhook_signing_key()
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select decrypted_secret from vault.decrypted_secrets where name = 'match_webhook_signing_key'
$$;

revoke execute on function private.match_webhook_signing_key() from public, anon, authenticated;
grant usage on schema private to service_role;
grant execute on function private.match_webhook_signing_key() to service_role;

alter publication supabase_realtime add table public.chat_messages;

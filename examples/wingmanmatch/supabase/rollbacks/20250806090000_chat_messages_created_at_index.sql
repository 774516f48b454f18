-- Reverses 20250806090000_chat_messages_created_at_index.
-- CONCURRENTLY again, so dropping it does not block chat writes; one statement only.
drop index concurrently if exists public.chat_messages_created_at_idx;

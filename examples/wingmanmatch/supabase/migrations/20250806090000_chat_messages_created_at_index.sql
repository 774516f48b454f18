-- Index for the moderation and retention jobs, which scan recent messages
-- across all matches by time.
-- CONCURRENTLY so the chat table stays writable while the index builds; it cannot
-- run inside a transaction block, so this file holds this one statement only.
create index concurrently if not exists chat_messages_created_at_idx
  on public.chat_messages (created_at);

-- Reverses 20250803090000_chat_messages.
drop policy "Senders can delete their own messages" on public.chat_messages;
drop policy "Senders can edit their own messages" on public.chat_messages;
drop policy "Participants can send messages in accepted matches" on public.chat_messages;
drop policy "Participants can read messages of their matches" on public.chat_messages;

drop index public.chat_messages_sender_id_idx;
drop index public.chat_messages_match_id_idx;

-- Also drops the identity sequence chat_messages_id_seq.
drop table public.chat_messages;

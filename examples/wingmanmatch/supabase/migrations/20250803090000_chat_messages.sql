-- Chat between the two users of a match.

create table public.chat_messages (
  id bigint generated always as identity primary key,
  match_id uuid not null references public.wingman_matches (id) on delete cascade,
  sender_id uuid not null references public.profiles (id) on delete cascade,
  body text not null,
  created_at timestamptz not null default now(),
  edited_at timestamptz,
  constraint chat_messages_body_length check (char_length(body) between 1 and 2000)
);

comment on table public.chat_messages is 'Messages exchanged inside a wingman match.';

create index chat_messages_match_id_idx on public.chat_messages (match_id);
create index chat_messages_sender_id_idx on public.chat_messages (sender_id);

alter table public.chat_messages enable row level security;

-- The subquery on wingman_matches is itself filtered by that table's RLS,
-- so it only ever sees the caller's own matches.
create policy "Participants can read messages of their matches"
  on public.chat_messages for select
  to authenticated
  using (
    exists (
      select 1
      from public.wingman_matches m
      where m.id = chat_messages.match_id
        and (select auth.uid()) in (m.user1_id, m.user2_id)
    )
  );

create policy "Participants can send messages in accepted matches"
  on public.chat_messages for insert
  to authenticated
  with check (
    (select auth.uid()) = sender_id
    and exists (
      select 1
      from public.wingman_matches m
      where m.id = chat_messages.match_id
        and m.status = 'accepted'
        and (select auth.uid()) in (m.user1_id, m.user2_id)
    )
  );

create policy "Senders can edit their own messages"
  on public.chat_messages for update
  to authenticated
  using ((select auth.uid()) = sender_id)
  with check ((select auth.uid()) = sender_id);

create policy "Senders can delete their own messages"
  on public.chat_messages for delete
  to authenticated
  using ((select auth.uid()) = sender_id);

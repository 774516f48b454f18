-- Reverses 20250804090000_challenges_and_sessions.
drop policy "Creators can delete sessions that have not started" on public.wingman_sessions;
drop policy "Participants can update their sessions" on public.wingman_sessions;
drop policy "Participants can schedule sessions for accepted matches" on public.wingman_sessions;
drop policy "Participants can view their sessions" on public.wingman_sessions;
drop policy "Challenges are visible to signed-in users" on public.approach_challenges;

drop trigger wingman_sessions_set_updated_at on public.wingman_sessions;

drop index public.wingman_sessions_created_by_idx;
drop index public.wingman_sessions_challenge_id_idx;
drop index public.wingman_sessions_match_id_idx;

-- Sessions reference challenges, so they go first.
drop table public.wingman_sessions;
drop table public.approach_challenges;

drop type public.session_status;
drop type public.challenge_difficulty;

-- Reverses 20250802090000_wingman_matches.
drop policy "Requesters can withdraw a pending match" on public.wingman_matches;
drop policy "Participants can update their matches" on public.wingman_matches;
drop policy "Users can request a match as user1" on public.wingman_matches;
drop policy "Participants can view their matches" on public.wingman_matches;

drop trigger wingman_matches_set_updated_at on public.wingman_matches;

drop index public.wingman_matches_open_pair_key;
drop index public.wingman_matches_user2_id_idx;
drop index public.wingman_matches_user1_id_idx;

drop table public.wingman_matches;

drop type public.match_status;

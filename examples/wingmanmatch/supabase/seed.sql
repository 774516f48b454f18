-- Reference data for local development and fresh environments.
-- Safe to run repeatedly: existing rows are left as they are.

insert into public.feature_flags (flag_name, enabled, description, config) values
  ('ai_coach', true, 'AI confidence coach chat in the app.', '{}'),
  ('wingman_matching', true, 'Pair users with a wingman nearby.', '{"max_distance_km": 25}'),
  ('session_reminders_email', false, 'Email reminders before a scheduled session (Resend).', '{}'),
  ('challenge_leaderboard', false, 'Weekly leaderboard of challenge points.', '{"rollout_percent": 10}')
on conflict do nothing;

insert into public.approach_challenges (title, description, difficulty, points) values
  ('Ask for directions', 'Start a short conversation by asking a stranger for directions.', 'beginner', 10),
  ('Compliment and leave', 'Give a genuine compliment and walk away without expecting anything.', 'beginner', 10),
  ('Coffee shop opener', 'Open a conversation with someone in a coffee shop and keep it going for two minutes.', 'intermediate', 25),
  ('Group introduction', 'Introduce yourself and your wingman to a group of three or more.', 'advanced', 50)
on conflict do nothing;

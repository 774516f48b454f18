-- Reverses 20250805090000_feature_flags (flags and their values are lost).
drop policy "Feature flags are readable by everyone" on public.feature_flags;
drop trigger feature_flags_set_updated_at on public.feature_flags;
drop table public.feature_flags;

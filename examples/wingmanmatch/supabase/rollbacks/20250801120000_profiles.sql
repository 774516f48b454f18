-- Reverses 20250801120000_profiles (all profile rows are lost).
drop policy "Users can update their own profile" on public.profiles;
drop policy "Users can create their own profile" on public.profiles;
drop policy "Profiles are visible to signed-in users" on public.profiles;

drop trigger profiles_set_updated_at on public.profiles;

drop table public.profiles;

drop function public.set_updated_at();

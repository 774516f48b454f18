-- Reverses 20250801120100_handle_new_user: sign-ups stop creating profiles.
drop trigger on_auth_user_created on auth.users;
drop function public.handle_new_user();

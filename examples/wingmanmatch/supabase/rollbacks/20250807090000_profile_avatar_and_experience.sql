-- Reverses 20250807090000_profile_avatar_and_experience.
-- Restore the previous handle_new_user first, so no sign-up in between
-- tries to write the avatar_url column we are about to drop.
create or replace function public.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.profiles (id, display_name)
  values (
    new.id,
    coalesce(
      nullif(trim(new.raw_user_meta_data ->> 'display_name'), ''),
      nullif(split_part(coalesce(new.email, ''), '@', 1), ''),
      'New wingman'
    )
  );
  return new;
end;
$$;

alter table public.profiles drop constraint profiles_avatar_url_https;

alter table public.profiles
  drop column experience_level,
  drop column avatar_url;

-- Profiles gain an avatar and a self-declared experience level; new sign-ups
-- take their avatar from the OAuth provider's metadata.

alter table public.profiles
  add column avatar_url text,
  add column experience_level public.challenge_difficulty not null default 'beginner';

alter table public.profiles
  add constraint profiles_avatar_url_https check (avatar_url is null or avatar_url like 'https://%');

comment on column public.profiles.experience_level is 'Used to suggest challenges of the right difficulty.';

-- Same function as in 20250801120100_handle_new_user, now copying avatar_url too.
-- create or replace keeps the trigger and the revoked execute grants in place.
create or replace function public.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.profiles (id, display_name, avatar_url)
  values (
    new.id,
    coalesce(
      nullif(trim(new.raw_user_meta_data ->> 'display_name'), ''),
      nullif(split_part(coalesce(new.email, ''), '@', 1), ''),
      'New wingman'
    ),
    -- Providers that send a non-https URL get no avatar rather than a failed sign-up.
    case
      when new.raw_user_meta_data ->> 'avatar_url' like 'https://%'
        then new.raw_user_meta_data ->> 'avatar_url'
    end
  );
  return new;
end;
$$;

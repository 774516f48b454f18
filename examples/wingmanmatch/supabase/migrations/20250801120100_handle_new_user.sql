-- Create a profile automatically when someone signs up.
-- SECURITY DEFINER because the inserting role (supabase_auth_admin) has no rights on
-- public.profiles; search_path = '' so every name below must be schema-qualified.
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

comment on function public.handle_new_user() is 'Trigger on auth.users: creates the matching public.profiles row.';

-- Only the trigger should run it; nobody calls it through the API.
revoke execute on function public.handle_new_user() from public, anon, authenticated;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function public.handle_new_user();

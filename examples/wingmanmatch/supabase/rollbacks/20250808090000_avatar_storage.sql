-- Reverses 20250808090000_avatar_storage.
drop policy "avatars: users delete their own files" on storage.objects;
drop policy "avatars: users replace their own files" on storage.objects;
drop policy "avatars: users upload into their own folder" on storage.objects;
drop policy "avatars: users see their own files" on storage.objects;

-- Supabase refuses direct deletes from the storage tables unless the transaction says it means it;
-- the bucket is empty when this runs (files are removed through the Storage API first).
select set_config('storage.allow_delete_query', 'true', true);
delete from storage.buckets where id = 'avatars';

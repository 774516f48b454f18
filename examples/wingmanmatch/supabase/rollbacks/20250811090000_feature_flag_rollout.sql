drop function public.feature_enabled(text, uuid);
drop table public.feature_flag_audit;
drop function public.feature_flag_audit_append_only();
alter table public.feature_flags
  drop constraint feature_flags_rollout_percent_range,
  drop column synced_hash,
  drop column updated_by,
  drop column rollout_percent;

// public_bucket_allows_listing: a public bucket serves object URLs without any policy, so a
// SELECT policy on storage.objects that matches the whole bucket only adds listing of its files.
import type { Rule } from '../../findings';
import { finding } from './rule';

const BUCKET_SPEC: Omit<Rule, 'run'> = {
  name: 'public_bucket_allows_listing',
  title: 'Public Bucket Allows Listing',
  level: 'warning',
  categories: ['SECURITY'],
  description:
    'A public bucket needs no SELECT policy for its object URLs to work; a broad SELECT policy on storage.objects for that bucket lets any client list every file in it, including ones whose URLs were never shared.',
  requires: { schema: 'storage' },
};

// Broad: a permissive SELECT/ALL policy for public/anon/authenticated whose USING is empty,
// always true, or nothing but `bucket_id = '<this bucket>'` (either side, any cast, any parentheses).
const BUCKET_QUERY = String.raw`
with broad as (
  select p.policyname, p.qual,
    coalesce(
      (regexp_match(p.qual, '^[\s(]*bucket_id\s*=\s*''((?:[^'']|'''')*)''(?:\s*::\s*[\w."" ]+?)?[\s)]*$', 'i'))[1],
      (regexp_match(p.qual, '^[\s(]*''((?:[^'']|'''')*)''(?:\s*::\s*[\w."" ]+?)?\s*=\s*bucket_id[\s)]*$', 'i'))[1]
    ) as bucket_literal
  from pg_catalog.pg_policies p
  where p.schemaname = 'storage' and p.tablename = 'objects'
    and p.cmd in ('SELECT', 'ALL')
    and p.permissive = 'PERMISSIVE'
    and p.roles && array['public', 'anon', 'authenticated']::name[]
)
select b.id::text as id, b.name::text as name,
  array_agg(br.policyname::text order by br.policyname) as policies,
  string_agg(format('drop policy %I on storage.objects;', br.policyname), ' ' order by br.policyname) as fix
from storage.buckets b
join broad br on (
  br.qual is null
  or regexp_replace(lower(br.qual), '[\s()]', '', 'g') in ('true', '1=1')
  or replace(br.bucket_literal, '''''', '''') = b.id::text
)
where b.public
group by b.id, b.name
order by b.id`;

export const publicBucketAllowsListing: Rule = {
  ...BUCKET_SPEC,
  async run(ctx) {
    // Splinter's view must compile without storage; we simply look first.
    const [present] = await ctx.query<{ ok: boolean }>(
      `select to_regclass('storage.buckets') is not null and to_regclass('storage.objects') is not null as ok`,
    );
    if (!present?.ok) return [];
    const rows = await ctx.query<{ id: string; name: string; policies: string[]; fix: string }>(BUCKET_QUERY);
    return rows.map((r) =>
      finding(
        publicBucketAllowsListing,
        { type: 'bucket', schema: 'storage', name: r.name },
        `Public bucket ${r.name} can be listed by any client: broad SELECT ${r.policies.length === 1 ? 'policy' : 'policies'} ${r.policies.map((p) => `"${p}"`).join(', ')} on storage.objects`,
        r.fix,
      ),
    );
  },
};

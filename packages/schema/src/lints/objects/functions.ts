// Functions: a mutable search_path, and SECURITY DEFINER functions the API roles may call.
import type { Rule } from '../../findings';
import { finding, rule } from './rule';
import { notExtensionMember, userSchema } from './sql';

export const functionSearchPathMutable = rule<{ schema: string; name: string; signature: string; procedure: boolean }>(
  {
    name: 'function_search_path_mutable',
    title: 'Function Search Path Mutable',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      "A function that does not pin search_path resolves unqualified names through the caller's search_path, so a caller who can create objects earlier on that path can make it run their code.",
  },
  // Aggregates are left out: they cannot carry a search_path setting, so there is nothing to fix.
  `select n.nspname as schema, p.proname as name, p.prokind = 'p' as procedure,
     format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) as signature
   from pg_catalog.pg_proc p
   join pg_catalog.pg_namespace n on n.oid = p.pronamespace
   where p.prokind in ('f', 'p')
     and ${userSchema('n.nspname')}
     and ${notExtensionMember('pg_catalog.pg_proc', 'p.oid')}
     and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) cfg where cfg like 'search\\_path=%')
   order by 1, 2, 4`,
  () => [],
  (r, self) =>
    finding(
      self,
      { type: 'function', schema: r.schema, name: r.name },
      `${r.procedure ? 'Procedure' : 'Function'} ${r.signature} does not set search_path, so it resolves names through the caller's`,
      `alter ${r.procedure ? 'procedure' : 'function'} ${r.signature} set search_path = '';`,
    ),
);

// ---------------------------------------------------------------------------------------------
// *_security_definer_function_executable: a SECURITY DEFINER function in an exposed schema that
// the role may execute is a /rest/v1/rpc endpoint running with its owner's rights.

function securityDefinerExecutable(spec: Omit<Rule, 'run'>, role: 'anon' | 'authenticated'): Rule {
  return rule<{ schema: string; name: string; signature: string }>(
    spec,
    // Trigger functions are left out (a departure from splinter, undone by splinter_parity): PostgreSQL
    // refuses to call them other than as triggers, so /rest/v1/rpc cannot reach them.
    `select n.nspname as schema, p.proname as name,
       format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) as signature
     from pg_catalog.pg_proc p
     join pg_catalog.pg_namespace n on n.oid = p.pronamespace
     join pg_catalog.pg_roles r on r.rolname = $2
     where p.prosecdef
       and p.prokind = 'f'
       and ($3 or p.prorettype not in ('pg_catalog.trigger'::regtype, 'pg_catalog.event_trigger'::regtype))
       and n.nspname = any($1::text[])
       and ${userSchema('n.nspname')}
       and pg_catalog.has_schema_privilege(r.oid, n.oid, 'USAGE')
       and pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE')
     order by 1, 2, 3`,
    (ctx) => [ctx.exposedSchemas, role, !!ctx.splinterParity],
    (r, self) =>
      finding(
        self,
        { type: 'function', schema: r.schema, name: r.name },
        `SECURITY DEFINER function ${r.signature} can be executed by ${role} via /rest/v1/rpc/${r.name}, with its owner's privileges`,
        // EXECUTE is granted to PUBLIC by default: revoking from the role alone would change nothing.
        `revoke execute on function ${r.signature} from public, ${role};`,
      ),
  );
}

export const anonSecurityDefinerFunctionExecutable = securityDefinerExecutable(
  {
    name: 'anon_security_definer_function_executable',
    title: 'Public Can Execute SECURITY DEFINER Function',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      "A SECURITY DEFINER function runs with its owner's privileges and bypasses RLS; if anon may execute it, anyone with the public anon key can call it through the Data API. Revoke EXECUTE, make it SECURITY INVOKER, or move it out of the exposed schemas.",
  },
  'anon',
);

export const authenticatedSecurityDefinerFunctionExecutable = securityDefinerExecutable(
  {
    name: 'authenticated_security_definer_function_executable',
    title: 'Signed-In Users Can Execute SECURITY DEFINER Function',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      "A SECURITY DEFINER function runs with its owner's privileges and bypasses RLS; if authenticated may execute it, every signed-in user can call it through the Data API. Revoke EXECUTE, make it SECURITY INVOKER, or move it out of the exposed schemas.",
  },
  'authenticated',
);

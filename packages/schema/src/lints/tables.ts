// Splinter's table, index and RLS-policy lints, written against pg_catalog. Names, titles, levels
// and categories follow splinter so users recognise them; the exposed schemas come from the
// action's input (ctx.exposedSchemas), never from pgrst.db_schemas, which is unset in CI.
import type { Finding, Level, LintContext, Rule } from '../findings';
import {
  AUTH_RLS_INITPLAN_SQL,
  AUTH_USERS_EXPOSED_SQL,
  DUPLICATE_INDEX_SQL,
  FKEY_TO_AUTH_UNIQUE_SQL,
  MULTIPLE_PERMISSIVE_POLICIES_SQL,
  NO_PRIMARY_KEY_SQL,
  POLICY_EXISTS_RLS_DISABLED_SQL,
  RLS_DISABLED_IN_PUBLIC_SQL,
  RLS_ENABLED_NO_POLICY_SQL,
  RLS_POLICY_ALWAYS_TRUE_SQL,
  RLS_REFERENCES_USER_METADATA_SQL,
  SENSITIVE_COLUMNS_EXPOSED_SQL,
  UNINDEXED_FOREIGN_KEYS_SQL,
} from './tables-sql';

type Meta = Omit<Rule, 'run'>;

/** Builds a rule whose findings all carry its name, level and description. */
function rule(
  meta: Meta,
  run: (ctx: LintContext, found: (f: Omit<Finding, 'rule' | 'level' | 'why'>) => Finding) => Promise<Finding[]>,
): Rule {
  const found = (f: Omit<Finding, 'rule' | 'level' | 'why'>): Finding => ({
    rule: meta.name,
    level: meta.level,
    why: meta.description,
    ...f,
  });
  return { ...meta, run: (ctx) => run(ctx, found) };
}

const list = (names: string[]) => names.join(', ');

// ---------------------------------------------------------------------------------------------
// auth_rls_initplan: finding the calls PostgreSQL re-runs per row, and wrapping them.

const AUTH_CALL = /^auth\.(?:uid|jwt|role|email)\(\)/;
const IDENT_CHAR = /[A-Za-z0-9_$."]/;

/** Index just past the quoted literal or identifier that starts at `i` ('' and "" escape the quote). */
function skipQuoted(text: string, i: number): number {
  const quote = text[i];
  let j = i + 1;
  while (j < text.length) {
    if (text[j] === quote) {
      if (text[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return j;
}

/** Index of the `)` matching the `(` at `open`, or -1. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    const c = text[j];
    if (c === "'" || c === '"') {
      j = skipQuoted(text, j) - 1;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

/** True when the call at `start` is what a sub-select selects: `( SELECT auth.uid() AS uid)`, `( SELECT (auth.uid())::text …)`. */
function selectedDirectly(text: string, start: number): boolean {
  let j = start - 1;
  while (j >= 0 && /[\s(]/.test(text[j] ?? '')) j--;
  return /(?:^|[^A-Za-z0-9_$])select$/i.test(text.slice(0, j + 1));
}

/**
 * Wraps every auth.uid()/jwt()/role()/email() and current_setting(…) call in a policy expression
 * (as pg_get_expr prints it) that is not already the target of a sub-select, so PostgreSQL runs it
 * once per statement (an initplan) instead of once per row. `calls` names what was wrapped.
 */
export function wrapPerRowCalls(expr: string): { text: string; calls: string[] } {
  let text = '';
  const calls: string[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (c === "'" || c === '"') {
      const end = skipQuoted(expr, i);
      text += expr.slice(i, end);
      i = end;
      continue;
    }
    if (!IDENT_CHAR.test(expr[i - 1] ?? '')) {
      let end = -1;
      let name = '';
      const auth = AUTH_CALL.exec(expr.slice(i));
      if (auth) {
        end = i + auth[0].length;
        name = auth[0];
      } else if (expr.startsWith('current_setting(', i)) {
        const close = closingParen(expr, i + 'current_setting'.length);
        if (close >= 0) end = close + 1;
        name = 'current_setting()';
      }
      if (end > 0) {
        const call = expr.slice(i, end);
        if (selectedDirectly(expr, i)) {
          text += call;
        } else {
          text += `(select ${call})`;
          if (!calls.includes(name)) calls.push(name);
        }
        i = end;
        continue;
      }
    }
    text += c;
    i++;
  }
  return { text, calls };
}

/** `(a = b)` → `a = b`, so `using (…)` does not print doubled parentheses. */
function withoutOuterParens(expr: string): string {
  const t = expr.trim();
  return t.startsWith('(') && closingParen(t, 0) === t.length - 1 ? t.slice(1, -1) : t;
}

// ---------------------------------------------------------------------------------------------
// sensitive_columns_exposed: names compared in snake_case (apiKey → api_key, "credit-card" → credit_card).

/** Sensitive as the whole column name. */
const SENSITIVE_NAMES = [
  // credentials
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'password_hash',
  'password_digest',
  'password_salt',
  'secret',
  'secret_key',
  'private_key',
  'api_key',
  'apikey',
  'auth_key',
  'token',
  'jwt',
  'access_token',
  'refresh_token',
  'oauth_token',
  'session_token',
  'bearer_token',
  'auth_code',
  'session_id',
  'session_key',
  'session_secret',
  'recovery_code',
  'backup_code',
  'verification_code',
  'otp',
  'otp_secret',
  'two_factor',
  'two_factor_secret',
  '2fa_secret',
  '2fa_code',
  'totp_secret',
  'mfa_secret',
  'pgp_key',
  'gpg_key',
  'ssh_key',
  'certificate',
  'license_key',
  'activation_key',
  // identity documents
  'ssn',
  'social_security',
  'social_security_number',
  'driver_license',
  'drivers_license',
  'license_number',
  'passport',
  'passport_number',
  'passport_id',
  'national_id',
  'tax_id',
  // money
  'credit_card',
  'credit_card_number',
  'card_number',
  'cvv',
  'cvc',
  'cvn',
  'bank_account',
  'bank_account_number',
  'account_number',
  'routing_number',
  'iban',
  'swift_code',
  'bic',
  // health
  'health_record',
  'medical_record',
  'patient_id',
  'insurance_number',
  'health_insurance',
  'medical_insurance',
  'diagnosis',
  'treatment',
  // devices and biometrics
  'mac_address',
  'macaddr',
  'imei',
  'device_uuid',
  'facial_recognition',
  'fingerprint',
];

/** Sensitive also as the last word of a longer name: hashed_password, stripe_api_key, reset_token, user_ssn. */
const SENSITIVE_SUFFIXES = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'secret_key',
  'private_key',
  'api_key',
  'apikey',
  'token',
  'ssn',
  'credit_card',
  'card_number',
  'cvv',
  'iban',
  'account_number',
  'routing_number',
  'passport_number',
  'tax_id',
];

// ---------------------------------------------------------------------------------------------
// The rules.

type TableRow = { schema_name: string; table_name: string; qtable: string };

const tableObject = (r: { schema_name: string; table_name: string }) => ({
  type: 'table' as const,
  schema: r.schema_name,
  name: r.table_name,
});

const policyObject = (r: { schema_name: string; table_name: string; policy_name: string }) => ({
  type: 'policy' as const,
  schema: r.schema_name,
  name: r.policy_name,
  table: r.table_name,
});

const ERROR: Level = 'error';
const WARNING: Level = 'warning';
const INFO: Level = 'info';

export const unindexedForeignKeys = rule(
  {
    name: 'unindexed_foreign_keys',
    title: 'Unindexed foreign keys',
    level: INFO,
    categories: ['PERFORMANCE'],
    description:
      'A foreign key whose columns lead no index makes every delete or key update on the referenced table scan the referencing table, and joins along the key slow down as it grows.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow & { constraint_name: string; columns: string }>(UNINDEXED_FOREIGN_KEYS_SQL);
    return rows.map((r) =>
      found({
        object: { type: 'constraint', schema: r.schema_name, name: r.constraint_name, table: r.table_name },
        message: `Foreign key ${r.constraint_name} on ${r.qtable} (${r.columns}) has no index that starts with its columns`,
        fix: `create index on ${r.qtable} (${r.columns});`,
      }),
    );
  },
);

export const authUsersExposed = rule(
  {
    name: 'auth_users_exposed',
    title: 'Exposed Auth Users',
    level: ERROR,
    categories: ['SECURITY'],
    description:
      "A view or materialized view over auth.users in an exposed schema hands the Data API every user's email, phone and metadata: it runs with its owner's rights (or is a materialized copy), so no RLS protects the rows.",
  },
  async (ctx, found) => {
    const rows = await ctx.query<{
      schema_name: string;
      view_name: string;
      relkind: string;
      qview: string;
      roles: string[];
      public_grant: boolean;
    }>(AUTH_USERS_EXPOSED_SQL, [ctx.exposedSchemas]);
    return rows.map((r) => {
      const type = r.relkind === 'm' ? 'materialized view' : 'view';
      // A grant to PUBLIC reaches anon too: it has to go as well.
      const grantees = r.public_grant ? ['public', 'anon', 'authenticated'] : ['anon', 'authenticated'];
      return found({
        object: { type, schema: r.schema_name, name: r.view_name },
        message: `${type === 'view' ? 'View' : 'Materialized view'} ${r.qview} exposes auth.users to ${list(r.roles)} through the Data API`,
        fix: `revoke select on ${r.qview} from ${list(grantees)};`,
      });
    });
  },
);

export const authRlsInitplan = rule(
  {
    name: 'auth_rls_initplan',
    title: 'Auth RLS Initialization Plan',
    level: WARNING,
    categories: ['PERFORMANCE'],
    description:
      'A policy that calls auth.uid(), auth.jwt(), auth.role(), auth.email() or current_setting() directly re-evaluates it for every row scanned; wrapped as (select auth.uid()) it runs once per statement.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<
      TableRow & { policy_name: string; qpolicy: string; using_expr: string | null; check_expr: string | null }
    >(AUTH_RLS_INITPLAN_SQL);
    const findings: Finding[] = [];
    for (const r of rows) {
      const using = r.using_expr === null ? undefined : wrapPerRowCalls(r.using_expr);
      const check = r.check_expr === null ? undefined : wrapPerRowCalls(r.check_expr);
      const calls = [...new Set([...(using?.calls ?? []), ...(check?.calls ?? [])])];
      if (calls.length === 0) continue; // every call is already a sub-select
      const clauses = [
        using?.calls.length ? `using (${withoutOuterParens(using.text)})` : '',
        check?.calls.length ? `with check (${withoutOuterParens(check.text)})` : '',
      ].filter(Boolean);
      findings.push(
        found({
          object: policyObject(r),
          message: `Policy ${r.policy_name} on ${r.qtable} re-evaluates ${list(calls)} for every row; call it as (select …)`,
          fix: `alter policy ${r.qpolicy} on ${r.qtable} ${clauses.join(' ')};`,
        }),
      );
    }
    return findings;
  },
);

export const noPrimaryKey = rule(
  {
    name: 'no_primary_key',
    title: 'No Primary Key',
    level: INFO,
    categories: ['PERFORMANCE'],
    description:
      'A table without a primary key has no reliable way to address one row: updates and deletes through the Data API, logical replication and Realtime all need one, and lookups degrade at scale.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow & { candidate_index: string | null; has_id: boolean }>(NO_PRIMARY_KEY_SQL);
    return rows.map((r) =>
      found({
        object: tableObject(r),
        message: `Table ${r.qtable} has no primary key`,
        fix: r.candidate_index
          ? `alter table ${r.qtable} add primary key using index ${r.candidate_index};`
          : r.has_id
            ? `alter table ${r.qtable} add primary key (id);`
            : `alter table ${r.qtable} add column id bigint generated always as identity primary key;`,
      }),
    );
  },
);

export const multiplePermissivePolicies = rule(
  {
    name: 'multiple_permissive_policies',
    title: 'Multiple Permissive Policies',
    level: WARNING,
    categories: ['PERFORMANCE'],
    description:
      'Several permissive policies for the same role and command are OR-ed together, and PostgreSQL evaluates every one of them for every row; one policy with the combined condition is cheaper and easier to audit.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow & { command: string; policies: string[]; roles: string[] }>(
      MULTIPLE_PERMISSIVE_POLICIES_SQL,
    );
    return rows.map((r) =>
      found({
        object: tableObject(r),
        message: `Table ${r.qtable} has ${r.policies.length} permissive ${r.command} policies for ${list(r.roles)} (${list(r.policies)}); merge them into one`,
      }),
    );
  },
);

export const policyExistsRlsDisabled = rule(
  {
    name: 'policy_exists_rls_disabled',
    title: 'Policy Exists RLS Disabled',
    level: ERROR,
    categories: ['SECURITY'],
    description:
      'The table has row level security policies but RLS is not enabled on it, so the policies are ignored and every role with a grant sees and changes every row.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow & { policies: string[] }>(POLICY_EXISTS_RLS_DISABLED_SQL);
    return rows.map((r) =>
      found({
        object: tableObject(r),
        message: `Table ${r.qtable} has policies (${list(r.policies)}) but row level security is disabled, so they are ignored`,
        fix: `alter table ${r.qtable} enable row level security;`,
      }),
    );
  },
);

export const rlsEnabledNoPolicy = rule(
  {
    name: 'rls_enabled_no_policy',
    title: 'RLS Enabled No Policy',
    level: INFO,
    categories: ['SECURITY'],
    description:
      'Row level security is enabled but no policy exists, so the API roles get no rows at all; fine for a table only the server reads, otherwise a policy is missing.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow>(RLS_ENABLED_NO_POLICY_SQL);
    return rows.map((r) =>
      found({
        object: tableObject(r),
        message: `Table ${r.qtable} has row level security enabled but no policies: anon and authenticated get no rows; add a policy or ignore this if that is intended`,
      }),
    );
  },
);

export const duplicateIndex = rule(
  {
    name: 'duplicate_index',
    title: 'Duplicate Index',
    level: WARNING,
    categories: ['PERFORMANCE'],
    description:
      'Identical indexes on one table cost a write and storage each for no read benefit; keep one and drop the others.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<
      TableRow & {
        index_name: string;
        qindex: string;
        constraint_name: string | null;
        qconstraint: string | null;
        kept: string;
      }
    >(DUPLICATE_INDEX_SQL);
    return rows.map((r) =>
      found({
        object: { type: 'index', schema: r.schema_name, name: r.index_name, table: r.table_name },
        message: `Index ${r.qindex} on ${r.qtable} is identical to ${r.kept}; drop it`,
        // An index a unique constraint owns goes with its constraint.
        fix: r.qconstraint ? `alter table ${r.qtable} drop constraint ${r.qconstraint};` : `drop index ${r.qindex};`,
      }),
    );
  },
);

export const rlsDisabledInPublic = rule(
  {
    name: 'rls_disabled_in_public',
    title: 'RLS Disabled in Public',
    level: ERROR,
    categories: ['SECURITY'],
    description:
      'A table in a schema the Data API exposes has row level security disabled while anon or authenticated hold privileges on it: anyone with the public anon key can read or change every row.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow>(RLS_DISABLED_IN_PUBLIC_SQL, [ctx.exposedSchemas]);
    return rows.map((r) =>
      found({
        object: tableObject(r),
        message: `Table ${r.qtable} is exposed to the Data API but row level security is disabled`,
        fix: `alter table ${r.qtable} enable row level security;`,
      }),
    );
  },
);

export const rlsReferencesUserMetadata = rule(
  {
    name: 'rls_references_user_metadata',
    title: 'RLS references user metadata',
    level: ERROR,
    categories: ['SECURITY'],
    description:
      'A policy decides on Supabase Auth user_metadata, which every signed-in user can edit about themselves (auth.updateUser), so the check is theirs to pass; keep authorization claims in app_metadata, which only the server can set.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow & { policy_name: string }>(RLS_REFERENCES_USER_METADATA_SQL);
    return rows.map((r) =>
      found({
        object: policyObject(r),
        message: `Policy ${r.policy_name} on ${r.qtable} trusts user_metadata, which users can edit; use app_metadata or a table the user cannot write`,
      }),
    );
  },
);

export const rlsPolicyAlwaysTrue = rule(
  {
    name: 'rls_policy_always_true',
    title: 'RLS Policy Always True',
    level: WARNING,
    categories: ['SECURITY'],
    description:
      'A permissive INSERT, UPDATE, DELETE or ALL policy for anon, authenticated or PUBLIC whose USING or WITH CHECK is just `true` lets those roles write every row, which is RLS in name only. A SELECT policy with USING (true) is left alone: public read access is a common, deliberate choice.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<
      TableRow & {
        policy_name: string;
        command: string;
        roles: string[];
        using_true: boolean;
        check_true: boolean;
      }
    >(RLS_POLICY_ALWAYS_TRUE_SQL);
    return rows.map((r) => {
      const clause =
        r.using_true && r.check_true ? 'USING and WITH CHECK are' : r.using_true ? 'USING is' : 'WITH CHECK is';
      return found({
        object: policyObject(r),
        message: `Policy ${r.policy_name} on ${r.qtable} (${r.command.toUpperCase()} for ${list(r.roles)}): ${clause} always true, so any row can be written; restrict it to the rows the role owns`,
      });
    });
  },
);

export const sensitiveColumnsExposed = rule(
  {
    name: 'sensitive_columns_exposed',
    title: 'Sensitive Columns Exposed',
    level: ERROR,
    categories: ['SECURITY'],
    description:
      'A table the Data API exposes without row level security has columns whose names suggest credentials or personal data (passwords, tokens, keys, identity, card or health numbers): anon or authenticated can read them for every row.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow & { columns: string[] }>(SENSITIVE_COLUMNS_EXPOSED_SQL, [
      ctx.exposedSchemas,
      SENSITIVE_NAMES,
      SENSITIVE_SUFFIXES,
    ]);
    return rows.map((r) =>
      found({
        object: tableObject(r),
        message: `Table ${r.qtable} is readable through the Data API without row level security and has sensitive columns: ${list(r.columns)}`,
        fix: `alter table ${r.qtable} enable row level security;`,
      }),
    );
  },
);

export const fkeyToAuthUnique = rule(
  {
    name: 'fkey_to_auth_unique',
    title: 'Foreign Key to Auth Unique Constraint',
    level: ERROR,
    categories: ['SECURITY'],
    description:
      'A foreign key to a unique constraint in the auth schema (other than a primary key) ties your table to an internal of Supabase Auth that its upgrades may change or drop, which then fails or blocks them; reference auth.users(id) instead.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<
      TableRow & { constraint_name: string; qconstraint: string; referenced: string; referenced_index: string }
    >(FKEY_TO_AUTH_UNIQUE_SQL);
    return rows.map((r) =>
      found({
        object: { type: 'constraint', schema: r.schema_name, name: r.constraint_name, table: r.table_name },
        message: `Foreign key ${r.constraint_name} on ${r.qtable} references ${r.referenced} through its unique index ${r.referenced_index}, not its primary key`,
        fix: `alter table ${r.qtable} drop constraint ${r.qconstraint};`,
      }),
    );
  },
);

export const tableRules: Rule[] = [
  unindexedForeignKeys,
  authUsersExposed,
  authRlsInitplan,
  noPrimaryKey,
  multiplePermissivePolicies,
  policyExistsRlsDisabled,
  rlsEnabledNoPolicy,
  duplicateIndex,
  rlsDisabledInPublic,
  rlsReferencesUserMetadata,
  rlsPolicyAlwaysTrue,
  sensitiveColumnsExposed,
  fkeyToAuthUnique,
];

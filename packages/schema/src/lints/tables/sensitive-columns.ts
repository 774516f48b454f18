// sensitive_columns_exposed: a table the Data API serves without row level security whose column
// names suggest credentials or personal data. Names are compared in snake_case (apiKey → api_key,
// "credit-card" → credit_card).
import { ERROR, list, rule, type TableRow, tableObject } from './rule';
import { apiRoleHas, notSystem } from './sql';

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

// $2: names that are sensitive as a whole; $3: names that are sensitive also as the last word of a
// longer name (stripe_api_key, hashed_password). Names are compared in snake_case.
const SENSITIVE_COLUMNS_EXPOSED_SQL = `
with cols as (
  select n.nspname as schema_name, c.relname as table_name, format('%I.%I', n.nspname, c.relname) as qtable,
         a.attname::text as column_name,
         lower(translate(regexp_replace(a.attname, '([a-z0-9])([A-Z])', '\\1_\\2', 'g'), '- ', '__')) as norm
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  where c.relkind in ('r', 'p')
    and not c.relrowsecurity
    and n.nspname = any($1::text[])
    and ${notSystem('n.nspname')}
    and ${apiRoleHas(`has_column_privilege(r.oid, c.oid, a.attnum, 'SELECT')`)}
)
select schema_name, table_name, qtable, array_agg(column_name order by column_name) as columns
from cols
where norm = any($2::text[])
   or exists (select 1 from unnest($3::text[]) s(word) where norm like '%\\_' || s.word)
group by schema_name, table_name, qtable
order by 1, 2`;

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

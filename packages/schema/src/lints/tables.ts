// Splinter's table, index and RLS-policy lints, written against pg_catalog, one module per concern
// (tables/). Names, titles, levels and categories follow splinter so users recognise them; the
// exposed schemas come from the action's input (ctx.exposedSchemas), never from pgrst.db_schemas,
// which is unset in CI.
import type { Rule } from '../findings';
import { authUsersExposed, fkeyToAuthUnique } from './tables/auth';
import { duplicateIndex, noPrimaryKey, unindexedForeignKeys } from './tables/indexes';
import { authRlsInitplan } from './tables/initplan';
import { multiplePermissivePolicies, rlsPolicyAlwaysTrue, rlsReferencesUserMetadata } from './tables/policies';
import { policyExistsRlsDisabled, rlsDisabledInPublic, rlsEnabledNoPolicy } from './tables/rls';
import { sensitiveColumnsExposed } from './tables/sensitive-columns';

export * from './tables/auth';
export * from './tables/indexes';
export * from './tables/initplan';
export * from './tables/policies';
export * from './tables/rls';
export * from './tables/sensitive-columns';

/** The order their outcomes are reported in. */
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

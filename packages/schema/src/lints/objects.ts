// Splinter's lints about objects other than plain table security, one module per concern
// (objects/): views, functions, extensions, reg* columns, queues, buckets, GraphQL exposure, and the
// two workload lints. Each rule is one set-based catalog query (public_bucket_allows_listing: two).
// Where splinter reads pgrst.db_schemas we take ctx.exposedSchemas ($1), so CI runs see them too.
import type { Rule } from '../findings';
import { extensionInPublic, extensionVersionsOutdated } from './objects/extensions';
import {
  anonSecurityDefinerFunctionExecutable,
  authenticatedSecurityDefinerFunctionExecutable,
  functionSearchPathMutable,
} from './objects/functions';
import { pgGraphqlAnonTableExposed, pgGraphqlAuthenticatedTableExposed } from './objects/graphql';
import { insecureQueueExposedInApi } from './objects/queues';
import { unsupportedRegTypes } from './objects/reg-types';
import { publicBucketAllowsListing } from './objects/storage';
import { foreignTableInApi, materializedViewInApi, securityDefinerView } from './objects/views';
import { tableBloat, unusedIndex } from './objects/workload';

/** The order their outcomes are reported in. */
export const objectRules: Rule[] = [
  securityDefinerView,
  functionSearchPathMutable,
  extensionInPublic,
  materializedViewInApi,
  foreignTableInApi,
  unsupportedRegTypes,
  insecureQueueExposedInApi,
  extensionVersionsOutdated,
  publicBucketAllowsListing,
  pgGraphqlAnonTableExposed,
  pgGraphqlAuthenticatedTableExposed,
  anonSecurityDefinerFunctionExecutable,
  authenticatedSecurityDefinerFunctionExecutable,
  unusedIndex,
  tableBloat,
];

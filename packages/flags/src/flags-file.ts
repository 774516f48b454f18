// feature-flags.json: each flag's enabled state, rollout share and description, with optional
// per-environment overrides. Validated with zod; a mistake is reported at its line.
import { createHash } from 'node:crypto';
import { parseStructuredFile } from '@wingman/config/structured-file';
import { z } from 'zod';

const value = z
  .object({
    enabled: z.boolean().optional(),
    'rollout-percent': z.number().int().min(0).max(100).optional(),
  })
  .strict();

const flag = z
  .object({
    enabled: z.boolean(),
    'rollout-percent': z.number().int().min(0).max(100).default(100),
    description: z.string().optional(),
    environments: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), value).optional(),
  })
  .strict();

const fileShape = z.record(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'a flag name (lowercase, digits, _)'), flag);

export type FlagSpec = z.infer<typeof flag>;
export type FlagsFile = Record<string, FlagSpec>;

/** What a flag is for one environment. */
export interface FlagValue {
  enabled: boolean;
  rolloutPercent: number;
}

/** Parses and validates the flags file; a mistake throws naming the file, line and what was expected. */
export function parseFlagsFile(text: string, file: string): FlagsFile {
  return parseStructuredFile(text, file, fileShape, 'JSON').value;
}

export function valueFor(spec: FlagSpec, environment: string | undefined): FlagValue {
  const o = environment ? spec.environments?.[environment] : undefined;
  return { enabled: o?.enabled ?? spec.enabled, rolloutPercent: o?.['rollout-percent'] ?? spec['rollout-percent'] };
}

/** What the last sync wrote from the file, so the next one knows whether the file changed since. */
export const valueHash = (v: FlagValue) =>
  createHash('sha256')
    .update(JSON.stringify([v.enabled, v.rolloutPercent]))
    .digest('hex')
    .slice(0, 16);

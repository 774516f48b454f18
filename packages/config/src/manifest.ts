// The manifest (deploy/config.yml): which variables each environment needs on which platform, and what
// they must look like. Validated with zod; a mistake is reported at its line in the file.
import { z } from 'zod';
import { parseStructuredFile, StructuredFileError } from './structured-file';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const variableShape = z
  .object({
    heroku: z.string().regex(NAME, 'a config var name (letters, digits, _)').optional(),
    vercel: z.string().regex(NAME, 'an environment variable name (letters, digits, _)').optional(),
    pattern: z
      .string()
      .refine((p) => {
        try {
          new RegExp(p);
          return true;
        } catch {
          return false;
        }
      }, 'a valid regular expression')
      .optional(),
    equals: z.string().optional(),
    isolated: z.boolean().optional(),
    environments: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .refine((v) => v.heroku !== undefined || v.vercel !== undefined, 'name the variable on heroku, vercel or both');

const manifestShape = z
  .object({
    environments: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'an environment name like staging')).min(1),
    variables: z.record(z.string().regex(NAME, 'a variable name (letters, digits, _)'), variableShape),
  })
  .strict();

export type VariableSpec = z.infer<typeof variableShape>;

export interface Manifest {
  environments: string[];
  variables: Record<string, VariableSpec>;
  /** The line each variable is declared on, for annotations. */
  lines: Record<string, number>;
}

/** Parses and validates the manifest; a mistake throws naming the file, line and what was expected. */
export function parseManifest(text: string, file: string): Manifest {
  const { value: m, lineOf } = parseStructuredFile(text, file, manifestShape);
  for (const [name, v] of Object.entries(m.variables))
    for (const env of v.environments ?? [])
      if (!m.environments.includes(env)) {
        const line = lineOf(['variables', name, 'environments']);
        throw new StructuredFileError(
          `${file}:${line}: variables.${name}.environments names '${env}', which is not one of environments (${m.environments.join(', ')})`,
          file,
          line,
        );
      }
  const lines = Object.fromEntries(Object.keys(m.variables).map((name) => [name, lineOf(['variables', name])]));
  return { ...m, lines };
}

/** The environments a variable is required in. */
export const environmentsOf = (m: Manifest, v: VariableSpec) => v.environments ?? m.environments;

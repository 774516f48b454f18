// The manifest (deploy/config.yml): which variables each environment needs on which platform, and what
// they must look like. Validated with zod; a mistake is reported at its line in the file.
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';

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

export class ManifestError extends Error {
  override name = 'ManifestError';
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** Parses and validates the manifest; a mistake throws naming the file, line and what was expected. */
export function parseManifest(text: string, file: string): Manifest {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = lineCounter.linePos(e.pos[0]).line;
    throw new ManifestError(`${file}:${line}: not valid YAML (${e.message.split('\n')[0]})`, file, line);
  }
  const parsed = manifestShape.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String);
    // The deepest node of the path that exists in the file.
    let line = 1;
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) {
        line = lineCounter.linePos(node.range[0]).line;
        break;
      }
    }
    const where = path.length ? path.join('.') : 'the top level';
    throw new ManifestError(`${file}:${line}: ${where}: ${issue.message}`, file, line);
  }
  const m = parsed.data;
  for (const [name, v] of Object.entries(m.variables))
    for (const env of v.environments ?? [])
      if (!m.environments.includes(env)) {
        const node = doc.getIn(['variables', name, 'environments'], true) as { range?: [number, number, number] };
        const line = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
        throw new ManifestError(
          `${file}:${line}: variables.${name}.environments names '${env}', which is not one of environments (${m.environments.join(', ')})`,
          file,
          line,
        );
      }
  const lines: Record<string, number> = {};
  for (const name of Object.keys(m.variables)) {
    const node = doc.getIn(['variables', name], true) as { range?: [number, number, number] } | undefined;
    // The value's node starts on the line after `NAME:` for a block mapping, on the same line for a flow one.
    const pair = (
      doc.getIn(['variables'], true) as { items?: { key: { value: string; range?: number[] } }[] }
    )?.items?.find((i) => i.key.value === name);
    const at = pair?.key.range?.[0] ?? node?.range?.[0];
    lines[name] = at === undefined ? 1 : lineCounter.linePos(at).line;
  }
  return { ...m, lines };
}

/** The environments a variable is required in. */
export const environmentsOf = (m: Manifest, v: VariableSpec) => v.environments ?? m.environments;

// Typed action inputs, declared once as a zod schema. The runner passes each input as INPUT_<NAME>
// (upper-cased, spaces to '_', hyphens kept); an empty value means "not set" because the runner
// always exports the declared inputs, empty when the workflow leaves them out.

import { secretParts } from '@wingman/log';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export interface InputMeta {
  description: string;
  /** The default as action.yml spells it; parsed like a user's value. */
  default?: string;
  required?: boolean;
  secret?: boolean;
}

export type InputField<T> = z.ZodType<T, string | undefined> & { readonly inputMeta: InputMeta };
export type InputSpec = Record<string, InputField<unknown>>;

type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
export type Inputs<S extends InputSpec> = { [K in keyof S & string as Camel<K>]: z.output<S[K]> };

export class InputError extends Error {
  override name = 'InputError';
}

/** Raised inside a converter: `expected` completes "input 'x' must be …". */
class Invalid {
  constructor(readonly expected: string) {}
}

const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
export const envName = (name: string) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

function field<T>(meta: InputMeta, convert: (value: string) => T | Invalid): InputField<T | undefined> {
  const schema = z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = raw?.trim() ? raw.trim() : meta.default;
      if (value === undefined || value === '') {
        if (meta.required) ctx.addIssue({ code: 'custom', message: 'is required' });
        return undefined;
      }
      const out = convert(value);
      if (out instanceof Invalid) {
        ctx.addIssue({ code: 'custom', message: `must be ${out.expected}` });
        return z.NEVER;
      }
      return out;
    });
  return Object.assign(schema, { inputMeta: meta }) as unknown as InputField<T | undefined>;
}

type Required<M extends InputMeta, T> = M extends { required: true } | { default: string } ? T : T | undefined;

const DURATION = /^(?:(\d+(?:\.\d+)?)(ms|s|m|h))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30s`, `5m`, `1m30s`, `250ms`, `2h`, or `0` for "none". Returns milliseconds. */
export function parseDuration(value: string): number | undefined {
  if (value === '0') return 0;
  if (!DURATION.test(value)) return undefined;
  let ms = 0;
  for (const [, n, unit] of value.matchAll(DURATION_PART)) ms += Number(n) * UNIT_MS[unit!]!;
  return Math.round(ms);
}

export const input = {
  string<M extends InputMeta>(meta: M & { pattern?: RegExp; expected?: string }) {
    return field(meta, (v) =>
      meta.pattern && !meta.pattern.test(v) ? new Invalid(meta.expected ?? `like ${meta.pattern}`) : v,
    ) as InputField<Required<M, string>>;
  },
  boolean<M extends InputMeta>(meta: M) {
    // The YAML 1.2 core schema, as @actions/core's getBooleanInput accepts.
    return field(meta, (v) =>
      /^(true|True|TRUE)$/.test(v) ? true : /^(false|False|FALSE)$/.test(v) ? false : new Invalid('true or false'),
    ) as InputField<Required<M, boolean>>;
  },
  integer<M extends InputMeta>(meta: M & { min?: number; max?: number }) {
    const range = `${meta.min ?? '-∞'}..${meta.max ?? '∞'}`;
    return field(meta, (v) => {
      const n = /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
      if (Number.isNaN(n) || (meta.min !== undefined && n < meta.min) || (meta.max !== undefined && n > meta.max))
        return new Invalid(`a whole number in ${range}`);
      return n;
    }) as InputField<Required<M, number>>;
  },
  /** Milliseconds. */
  duration<M extends InputMeta>(meta: M) {
    return field(meta, (v) => parseDuration(v) ?? new Invalid('a duration like 30s or 5m')) as InputField<
      Required<M, number>
    >;
  },
  choice<const C extends string, M extends InputMeta>(choices: readonly C[], meta: M) {
    return field(meta, (v) =>
      (choices as readonly string[]).includes(v) ? (v as C) : new Invalid(`one of ${choices.join(', ')}`),
    ) as InputField<Required<M, C>>;
  },
  /** Newline- or comma-separated; blanks dropped. A value of separators only (" , ") names nothing: invalid. */
  list<M extends InputMeta>(meta: M) {
    return field(meta, (v) => {
      const items = v
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter(Boolean);
      return items.length ? items : new Invalid('at least one name, separated by commas or newlines');
    }) as InputField<Required<M, string[]>>;
  },
  json<M extends InputMeta>(meta: M) {
    return field(meta, (v) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        return new Invalid('valid JSON');
      }
    }) as InputField<Required<M, unknown>>;
  },
  yaml<M extends InputMeta>(meta: M) {
    return field(meta, (v) => {
      try {
        return parseYaml(v) as unknown;
      } catch {
        return new Invalid('valid YAML');
      }
    }) as InputField<Required<M, unknown>>;
  },
  url<M extends InputMeta>(meta: M & { protocols: readonly string[] }) {
    const expected = `a URL starting with ${meta.protocols.map((p) => `${p}//`).join(' or ')}`;
    return field(meta, (v) => {
      try {
        const url = new URL(v);
        return meta.protocols.includes(url.protocol) ? v : new Invalid(expected);
      } catch {
        return new Invalid(expected);
      }
    }) as InputField<Required<M, string>>;
  },
};

export interface InputReader<S extends InputSpec> {
  readonly spec: S;
  /** Masks every secret first (through `mask`), then validates; throws one InputError naming the first bad input. */
  read(env?: NodeJS.ProcessEnv, mask?: (secret: string) => void): Inputs<S>;
}

export function defineInputs<S extends InputSpec>(spec: S): InputReader<S> {
  const schema = z.object(spec);
  return {
    spec,
    read(env = process.env, mask = () => {}) {
      const raw: Record<string, string | undefined> = {};
      for (const [name, f] of Object.entries(spec)) {
        raw[name] = env[envName(name)];
        if (f.inputMeta.secret && raw[name]?.trim()) for (const part of secretParts(raw[name].trim())) mask(part);
      }
      const result = schema.safeParse(raw);
      if (!result.success) {
        const issue = result.error.issues[0]!;
        const name = String(issue.path[0]);
        const given = raw[name]?.trim() ?? '';
        const shown = spec[name]?.inputMeta.secret ? 'a value that is not shown (secret input)' : JSON.stringify(given);
        const hint = issue.message === 'is required' ? `: set '${name}' under the step's with:` : `, got ${shown}`;
        throw new InputError(`input '${name}' ${issue.message}${hint}`);
      }
      return Object.fromEntries(Object.entries(result.data).map(([k, v]) => [camel(k), v])) as Inputs<S>;
    },
  };
}

/**
 * Which option of a package each input feeds: every input must name an option whose type accepts the
 * input's parsed value, so a renamed option or an unwired input fails to compile (a spread of the
 * inputs once passed `lockTimeout` where the package read `lockTimeoutMs`, and the input did nothing).
 */
export type Wiring<I, O> = {
  readonly [K in keyof I]-?: { [P in keyof O]-?: [I[K]] extends [O[P]] ? P : never }[keyof O];
};

/** The options of package type O that an action's inputs feed, by a Wiring: wireTo<O>()(inputs, wiring). */
export const wireTo =
  <O>() =>
  <I extends object, const W extends Wiring<I, O>>(inputs: I, wiring: W): { [K in keyof I as W[K] & string]: I[K] } => {
    const out: Record<string, unknown> = {};
    for (const [name, option] of Object.entries(wiring) as [keyof I & string, string][]) out[option] = inputs[name];
    return out as { [K in keyof I as W[K] & string]: I[K] };
  };

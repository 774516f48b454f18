// Typed action inputs, declared once: a converter and its metadata per input. The runner passes each
// input as INPUT_<NAME> (upper-cased, spaces to '_', hyphens kept); an empty value means "not set"
// because the runner always exports the declared inputs, empty when the workflow leaves them out.
// Plain code, no schema library: this runs in every action's entry, before anything else is loaded,
// and zod alone took 160 KB of it and most of the time a bad input took to fail.

import { secretParts } from '@wingman/log';

export interface InputMeta {
  description: string;
  /** The default as action.yml spells it; parsed like a user's value. */
  default?: string;
  required?: boolean;
  secret?: boolean;
  /**
   * When the input is empty, this environment variable, as the provider's own CLI reads it
   * (VERCEL_TOKEN, HEROKU_API_KEY …). The input wins; the value is masked like the input's.
   */
  env?: string;
  /** Only take `env` when its value matches (VERCEL_ORG_ID names a user on a personal account). */
  envMatching?: RegExp;
  /**
   * Skip `env` when any of these is set: an input under with: (lower-case name) or an environment
   * variable (upper-case), e.g. a webhook URL from the environment must not meet a given bot token.
   */
  envUnless?: string[];
}

/** Why a value was refused: completes "input 'x' …" ("is required", "must be a whole number in 0..20"). */
class Refusal {
  constructor(readonly message: string) {}
}

export interface InputField<T> {
  readonly inputMeta: InputMeta;
  /** The value as the runner passed it (undefined when not set) → the typed value, or why it was refused. */
  parse(raw: string | undefined): Promise<T | Refusal>;
  /** The secrets inside a parsed value, masked one by one (the values of KEY=VALUE lines). */
  secretsOf?(value: T): string[];
}
export type InputSpec = Record<string, InputField<unknown>>;

type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
export type Inputs<S extends InputSpec> = {
  [K in keyof S & string as Camel<K>]: S[K] extends InputField<infer T> ? T : never;
};

export class InputError extends Error {
  override name = 'InputError';
}

/** Raised inside a converter: `expected` completes "input 'x' must be …". */
class Invalid {
  constructor(readonly expected: string) {}
}

const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
export const envName = (name: string) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

function field<T>(
  meta: InputMeta,
  convert: (value: string) => T | Invalid | Promise<T | Invalid>,
): InputField<T | undefined> {
  return {
    inputMeta: meta,
    async parse(raw) {
      const value = raw?.trim() ? raw.trim() : meta.default;
      if (value === undefined || value === '') return meta.required ? new Refusal('is required') : undefined;
      const out = await convert(value);
      return out instanceof Invalid ? new Refusal(`must be ${out.expected}`) : out;
    },
  };
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
  /** A full commit SHA, as actions/checkout's commit output gives it (a deploy of another ref names its commit). */
  commit<M extends InputMeta>(meta: M) {
    return field(meta, (v) =>
      /^[0-9a-f]{40}$/.test(v) ? v : new Invalid('a full commit SHA (40 hexadecimal digits)'),
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
  /** Separated by commas, spaces or newlines; blanks dropped. Separators only (" , ") name nothing: invalid. */
  list<M extends InputMeta>(meta: M) {
    return field(meta, (v) => {
      const items = v
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean);
      return items.length ? items : new Invalid('at least one name, separated by commas, spaces or newlines');
    }) as InputField<Required<M, string[]>>;
  },
  /** `KEY=VALUE` lines, like the Vercel CLI's --env; blank lines and `#` comments skipped. */
  keyValues<M extends InputMeta>(meta: M) {
    const f = field(meta, (v) => {
      const out: Record<string, string> = {};
      for (const [i, raw] of v.split('\n').entries()) {
        const line = raw.trim();
        if (!line || line.startsWith('#')) continue;
        const eq = line.indexOf('=');
        const key = eq > 0 ? line.slice(0, eq).trim() : '';
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
          return new Invalid(`KEY=VALUE lines with KEY of letters, digits and _ (line ${i + 1} is not)`);
        if (Object.hasOwn(out, key)) return new Invalid(`KEY=VALUE lines with each KEY once (${key} repeats)`);
        out[key] = line.slice(eq + 1).trim();
      }
      return Object.keys(out).length ? out : new Invalid('at least one KEY=VALUE line');
    }) as InputField<Required<M, Record<string, string>>>;
    return { ...f, secretsOf: (value: Record<string, string> | undefined) => Object.values(value ?? {}) };
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
    // Loaded only when a YAML input is set: the parser is half the size of everything a bad input needs.
    return field(meta, async (v) => {
      const { parse: parseYaml } = await import('yaml');
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
  /**
   * Masks every secret first (through `mask`), then validates; throws one InputError naming the first
   * bad input. `sources` gets input → environment variable for each value taken from the environment.
   */
  read(env?: NodeJS.ProcessEnv, mask?: (secret: string) => void, sources?: Record<string, string>): Promise<Inputs<S>>;
}

export function defineInputs<S extends InputSpec>(spec: S): InputReader<S> {
  return {
    spec,
    async read(env = process.env, mask = () => {}, sources = {}) {
      const raw: Record<string, string | undefined> = {};
      for (const name of Object.keys(spec)) raw[name] = env[envName(name)];
      const given = (name: string) => (/^[A-Z0-9_]+$/.test(name) ? !!env[name]?.trim() : !!raw[name]?.trim());
      for (const [name, f] of Object.entries(spec)) {
        const m = f.inputMeta;
        const fallback = m.env ? env[m.env]?.trim() : undefined;
        if (!raw[name]?.trim() && fallback && (!m.envMatching || m.envMatching.test(fallback))) {
          if (!m.envUnless?.some(given)) {
            raw[name] = fallback;
            sources[name] = m.env!;
          }
        }
        if (m.secret && raw[name]?.trim()) for (const part of secretParts(raw[name].trim())) mask(part);
      }
      const out: Record<string, unknown> = {};
      // In declaration order, so the error names the first bad input as action.yml lists them.
      for (const [name, f] of Object.entries(spec)) {
        const value = await f.parse(raw[name]);
        if (value instanceof Refusal) {
          const given = raw[name]?.trim() ?? '';
          const shown = f.inputMeta.secret ? 'a value that is not shown (secret input)' : JSON.stringify(given);
          const orEnv = f.inputMeta.env ? ` (or the ${f.inputMeta.env} environment variable)` : '';
          const from = sources[name] ? ` from the ${sources[name]} environment variable` : '';
          const hint =
            value.message === 'is required'
              ? `: set '${name}' under the step's with:${orEnv}`
              : `, got ${shown}${from}`;
          throw new InputError(`input '${name}' ${value.message}${hint}`);
        }
        if (f.inputMeta.secret && f.secretsOf)
          for (const s of f.secretsOf(value)) for (const part of secretParts(s)) mask(part);
        out[camel(name)] = value;
      }
      return out as Inputs<S>;
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

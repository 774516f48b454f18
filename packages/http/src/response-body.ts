// Reading an answer: headers flattened, the body parsed as the request asked and checked against what the
// API should send. Pure; the success path allocates only what it returns.
import type { HeaderMap } from './retry-policy';
import type { RequestOptions, ShapeCheck } from './types';

export type ResponseType = NonNullable<RequestOptions['responseType']>;

/** Why a 2xx answer cannot be the API's: a body that is not JSON, or one from something else. */
export type AnswerProblem = { problem: 'invalid_json' } | { problem: 'not_the_api'; what: string };

export type CheckedAnswer = { ok: true; value: unknown } | ({ ok: false } & AnswerProblem);

const INVALID_JSON: CheckedAnswer = { ok: false, problem: 'invalid_json' };

export function flatHeaders(headers: HeaderMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export function isExpected(status: number, expected: RequestOptions['expectedStatus']): boolean {
  if (expected === 'any') return true;
  if (expected === undefined) return status >= 200 && status < 300;
  return typeof expected === 'number' ? status === expected : expected.includes(status);
}

export function readBody(
  raw: Buffer,
  contentType: string | undefined,
  type: ResponseType,
): { ok: true; value: unknown } | { ok: false } {
  if (type === 'buffer') return { ok: true, value: raw };
  const text = raw.toString('utf8');
  if (type === 'text') return { ok: true, value: text };
  if (text === '') return { ok: true, value: undefined };
  if (type === 'json' || (contentType ?? '').toLowerCase().includes('json')) {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {
      return { ok: false };
    }
  }
  return { ok: true, value: text };
}

function notTheApi(what: string): CheckedAnswer {
  return { ok: false, problem: 'not_the_api', what };
}

function notJson(contentType: string): CheckedAnswer {
  return notTheApi(`answered ${contentType || 'without a content type'}, not JSON`);
}

/**
 * The parsed body, or why it cannot be the API's. `jsonApi` (the client's `json` option): the API answers
 * JSON, so anything else came from somewhere else; `schema`: the shape the answer must have.
 */
export function checkAnswer(
  raw: Buffer,
  contentType: string | undefined,
  responseType: ResponseType,
  jsonApi: boolean,
  schema: ShapeCheck | undefined,
): CheckedAnswer {
  const parsed = readBody(raw, contentType, responseType);
  const type = contentType ?? '';
  if (!parsed.ok) return jsonApi ? notJson(type) : INVALID_JSON;
  if (jsonApi && responseType === 'auto' && parsed.value !== undefined && !/json/i.test(type)) return notJson(type);
  if (schema) {
    const checked = schema.safeParse(parsed.value);
    if (!checked.success) {
      const issue = checked.error?.issues[0];
      const at = issue?.path.length ? `'${issue.path.map(String).join('.')}'` : 'shape';
      return notTheApi(`answered without the expected ${at} (${issue?.message ?? 'unexpected shape'})`);
    }
  }
  return parsed;
}

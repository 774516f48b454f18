// The response contract: status, JSON assertions, body regex, headers. Each failure is one line naming the
// check and the actual value, with bodies cut short: a 2 MB HTML error page must not flood the log.
import { checkJsonAssertion, preview } from './json-assert';
import { statusMatches, type TargetSpec } from './targets';

export interface ContractResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

const SNIPPET = 200;

/** The body as one short line for messages. */
export function bodySnippet(body: Buffer, max = SNIPPET): string {
  const text = body
    .subarray(0, max * 4)
    .toString('utf8')
    .replace(/\s+/g, ' ')
    .trim();
  if (!text) return '(empty body)';
  return text.length > max || body.length > max * 4 ? `${text.slice(0, max - 1)}…` : text;
}

/** Failures in check order; empty when the response meets the contract. A status failure comes first and alone. */
export function checkContract(target: TargetSpec, res: ContractResponse): string[] {
  if (!statusMatches(target.expectStatus, res.status)) {
    const location = res.headers.location ? ` (Location: ${res.headers.location})` : '';
    return [`status ${res.status}${location}, expected ${target.expectStatus.text}: ${bodySnippet(res.body)}`];
  }
  const failures: string[] = [];
  if (target.expectJson.length) {
    let doc: unknown;
    let parsed = false;
    try {
      doc = JSON.parse(res.body.toString('utf8'));
      parsed = true;
    } catch {
      const type = res.headers['content-type'] ?? 'no content-type';
      failures.push(`expected a JSON body for ${target.expectJson[0]!.source}, got ${type}: ${bodySnippet(res.body)}`);
    }
    if (parsed)
      for (const a of target.expectJson) {
        const f = checkJsonAssertion(a, doc);
        if (f) failures.push(f);
      }
  }
  if (target.expectBody && !target.expectBody.test(res.body.toString('utf8')))
    failures.push(`body does not match ${target.expectBody}: ${bodySnippet(res.body)}`);
  for (const h of target.expectHeaders) {
    const actual = res.headers[h.name];
    if (actual === undefined) {
      failures.push(`header ${h.name} is missing (expected ${h.text})`);
      continue;
    }
    const ok = h.pattern ? h.pattern.test(actual) : actual === h.equals || actual.split(';')[0]!.trim() === h.equals;
    if (!ok) failures.push(`header ${h.name}: ${preview(actual)}, expected ${h.text}`);
  }
  return failures;
}

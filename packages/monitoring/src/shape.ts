// The least a provider's answer must hold, as the HTTP client's `schema` check takes it: an answer without
// it came from something else (a wrong base URL), which the client then says in those words.
import type { ShapeCheck } from '@wingman/http';

/** The value at `path` passes `test`; `expected` completes "answered without the expected '<path>' (…)". */
export function answerWith(path: string[], test: (value: unknown) => boolean, expected: string): ShapeCheck {
  return {
    safeParse(value) {
      let v: unknown = value;
      for (const key of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      return test(v) ? { success: true } : { success: false, error: { issues: [{ path, message: expected }] } };
    },
  };
}

// What became of one provider in a run: done, skipped (and why), or failed with what was done before.
export type ProviderOutcome<T> =
  | { readonly state: 'done'; readonly value: T }
  | { readonly state: 'skipped'; readonly reason: string }
  | { readonly state: 'failed'; readonly errors: readonly string[]; readonly value?: T };

/** Work that reports its own partial failures (errors) or throws; either way an outcome, never a throw. */
export async function outcomeOf<T extends { errors: readonly string[] }>(
  work: () => Promise<T>,
): Promise<ProviderOutcome<T>> {
  try {
    const value = await work();
    return value.errors.length ? { state: 'failed', errors: value.errors, value } : { state: 'done', value };
  } catch (err) {
    return { state: 'failed', errors: [err instanceof Error ? err.message : String(err)] };
  }
}

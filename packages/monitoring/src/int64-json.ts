// Unix times in nanoseconds for APIs that take them as JSON int64 (Datadog's DORA API). Epoch nanoseconds
// are 19 digits, past Number's 2^53: ms * 1e6 as a Number loses the last digits, and JSON.stringify cannot
// write a BigInt at all. So the value stays a BigInt and is written into the JSON as its digits.
import { randomUUID } from 'node:crypto';

/** A Date in nanoseconds since the epoch, exactly. */
export function epochNanoseconds(date: Date): bigint {
  return BigInt(date.getTime()) * 1_000_000n;
}

/** JSON.stringify that writes every BigInt as an integer literal. */
export function stringifyWithInt64(value: unknown): string {
  const mark = `int64:${randomUUID()}:`;
  const json = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${mark}${v}` : v));
  return json.replace(new RegExp(`"${mark}(-?\\d+)"`, 'g'), '$1');
}

// The one way a point in time is read from a user's input: a started-at for a duration or a deploy marker.

/** ISO 8601, or epoch seconds (epoch milliseconds when the number is that large); undefined when neither. */
export function parseInstant(value: string): Date | undefined {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    return new Date(n > 1e12 ? n : n * 1000);
  }
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

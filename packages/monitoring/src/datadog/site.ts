// Datadog sites and their API hosts (docs.datadoghq.com/getting_started/site): the API of site S is
// https://api.S, e.g. datadoghq.eu → https://api.datadoghq.eu. The US1 site is datadoghq.com.

export const DATADOG_SITES = [
  'datadoghq.com',
  'us3.datadoghq.com',
  'us5.datadoghq.com',
  'datadoghq.eu',
  'ap1.datadoghq.com',
  'ap2.datadoghq.com',
  'uk1.datadoghq.com',
  'ddog-gov.com',
  'us2.ddog-gov.com',
] as const;
export type DatadogSite = (typeof DATADOG_SITES)[number];

export function datadogApiUrl(site: DatadogSite): string {
  return `https://api.${site}`;
}

/** DORA Metrics is not offered on the US1-FED (government) sites; the API reference says so. */
export function hasDoraMetrics(site: DatadogSite): boolean {
  return !site.endsWith('ddog-gov.com');
}

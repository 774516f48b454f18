// The two Datadog calls of a deploy marker, through @wingman/http (retries, Retry-After and Datadog's
// X-RateLimit-Reset, typed errors, the key redacted): a DORA Metrics deployment event and an event in the
// event stream. Failures become one line that says what to do (MonitoringError).
import { createHttpClient, type HttpClient, type HttpClientOptions, HttpError, RateLimitError } from '@wingman/http';
import { MonitoringError } from '../errors';
import { stringifyWithInt64 } from '../int64-json';
import { answerWith } from '../shape';

/** POST /api/v2/dora/deployment attributes; the timestamps are int64 nanoseconds. */
export interface DoraDeployment {
  service: string;
  started_at: bigint;
  finished_at: bigint;
  env?: string;
  version?: string;
  /** 16-128 characters of a-z, A-Z, 0-9, -, _, . and :. */
  id?: string;
  git?: { commit_sha: string; repository_url: string };
}

/** POST /api/v1/events body: title at most 100 characters, text at most 4000. */
export interface DatadogEvent {
  title: string;
  text: string;
  tags: string[];
  alert_type: 'error' | 'warning' | 'info' | 'success';
  date_happened: number;
  aggregation_key?: string;
}

export interface DatadogApiOptions {
  /** https://api.<site>, or a simulator. */
  apiUrl: string;
  apiKey: string;
  /** The site the key belongs to, named when Datadog refuses it. */
  site: string;
  http?: Partial<HttpClientOptions>;
}

/** What a failed call means for the user, by Datadog's documented statuses (400, 403, 429). */
function explain(err: unknown, what: string, site: string): MonitoringError {
  if (!(err instanceof HttpError)) {
    return new MonitoringError(
      `Datadog did not record the ${what}: ${err instanceof Error ? err.message : err}`,
      'Datadog',
    );
  }
  const said = err.providerMessage ? `: ${err.providerMessage}` : '';
  let todo: string;
  if (err.status === 403)
    todo = `set datadog-api-key to an API key (Organization Settings → API Keys, not an application key) of the organisation on datadog-site '${site}'`;
  else if (err.status === 400) todo = 'check the service, environment, version and started-at inputs';
  else if (err instanceof RateLimitError || err.status === 429)
    todo = 'Datadog rate-limited this organisation longer than the step waits; the marker of this deploy is missing';
  else return new MonitoringError(`Datadog did not record the ${what}: ${err.message}`, 'Datadog', err.status);
  return new MonitoringError(`Datadog refused the ${what} (${err.status}${said}): ${todo}`, 'Datadog', err.status);
}

export class DatadogApi {
  private readonly client: HttpClient;
  private readonly site: string;

  constructor(options: DatadogApiOptions) {
    this.site = options.site;
    this.client = createHttpClient({
      baseUrl: options.apiUrl,
      headers: { 'dd-api-key': options.apiKey },
      secrets: [options.apiKey],
      provider: 'Datadog',
      json: true,
      baseUrlInput: 'datadog-api-url',
      ...options.http,
    });
  }

  /** The deployment's id; `delayed` when Datadog accepted it with 202 ("delayed due to incident"). */
  async sendDeployment(attributes: DoraDeployment): Promise<{ id: string; delayed: boolean }> {
    try {
      const res = await this.client.request<{ data: { id: string } }>('POST', '/api/v2/dora/deployment', {
        rawBody: stringifyWithInt64({ data: { attributes } }),
        headers: { 'content-type': 'application/json' },
        expectedStatus: [200, 202],
        // With our own id a repeated POST names the same deployment, so a lost answer may be retried.
        idempotent: attributes.id !== undefined,
        schema: answerWith(['data', 'id'], (v) => typeof v === 'string', 'a deployment id'),
      });
      return { id: res.body.data.id, delayed: res.status === 202 };
    } catch (err) {
      throw explain(err, 'deployment event', this.site);
    }
  }

  /** The event's id and its link in Datadog. */
  async postEvent(event: DatadogEvent): Promise<{ id: string; url?: string }> {
    try {
      const body = await this.client.post<{ event: { id: number; id_str?: string; url?: string } }>(
        '/api/v1/events',
        event,
        {
          expectedStatus: [200, 202],
          schema: answerWith(['event', 'id'], (v) => typeof v === 'number' || typeof v === 'string', 'an event id'),
        },
      );
      return { id: body.event.id_str ?? String(body.event.id), url: body.event.url };
    } catch (err) {
      throw explain(err, 'deploy event', this.site);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

// The Sentry REST calls sentry-cli has no command for: reading a release's state (so a re-run creates,
// sets commits, deploys and finalizes only what is missing) and setting an explicit commit list (the
// shallow-clone fallback). Everything goes through @wingman/http.
import { createHttpClient, type HttpClient, type HttpClientOptions, HttpError } from '@wingman/http';

export interface SentryApiOptions {
  /** Sentry base URL, e.g. https://sentry.io; the API lives under /api/0. */
  url: string;
  authToken: string;
  org: string;
  /** Overrides for tests (retries, sleep). */
  http?: Partial<HttpClientOptions>;
}

export interface ReleaseInfo {
  version: string;
  dateCreated: string;
  dateReleased: string | null;
  commitCount?: number;
  lastCommit?: { id: string } | null;
  projects?: { slug: string }[];
}

export interface DeployInfo {
  id: string;
  environment: string;
  name: string | null;
  url: string | null;
  dateFinished: string | null;
}

/** A commit as Sentry's release API takes it (the shape sentry-cli sends from local git). */
export interface SentryCommit {
  id: string;
  repository?: string;
  message?: string;
  author_name?: string;
  author_email?: string;
  timestamp?: string;
}

/** Sentry's Link header: `<url>; rel="next"; results="true"; cursor="100:1:0"`. */
export function nextCursorLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,\s*(?=<)/)) {
    if (/rel="next"/.test(part) && /results="true"/.test(part)) return /<([^>]+)>/.exec(part)?.[1];
  }
  return undefined;
}

export class SentryApi {
  readonly client: HttpClient;
  private readonly org: string;

  constructor(options: SentryApiOptions) {
    this.org = encodeURIComponent(options.org);
    this.client = createHttpClient({
      baseUrl: `${options.url.replace(/\/+$/, '')}/api/0`,
      token: options.authToken,
      provider: 'Sentry',
      userAgent: 'wingman-deploy sentry-release',
      json: true,
      baseUrlInput: 'url',
      ...options.http,
    });
  }

  private releasePath(version: string, tail = ''): string {
    return `/organizations/${this.org}/releases/${encodeURIComponent(version)}/${tail}`;
  }

  /** The release, or undefined when Sentry does not know it (404). */
  async getRelease(version: string): Promise<ReleaseInfo | undefined> {
    try {
      return await this.client.get<ReleaseInfo>(this.releasePath(version));
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** The newest older release (sharing a project) that has commits: its last commit is where this one starts. */
  async previousReleaseWithCommits(version: string): Promise<ReleaseInfo | undefined> {
    const body = await this.client.get<Partial<ReleaseInfo>>(this.releasePath(version, 'previous-with-commits/'));
    return body && typeof body.version === 'string' ? (body as ReleaseInfo) : undefined;
  }

  async listDeploys(version: string): Promise<DeployInfo[]> {
    const all: DeployInfo[] = [];
    let path: string | undefined = this.releasePath(version, 'deploys/');
    // Bounded: a release with more than 50 pages of deploys is not something a re-run check must read.
    for (let page = 0; path && page < 50; page++) {
      const res: { body: DeployInfo[]; headers: Record<string, string> } = await this.client.request<DeployInfo[]>(
        'GET',
        path,
      );
      all.push(...(res.body ?? []));
      path = nextCursorLink(res.headers.link);
    }
    return all;
  }

  /** Replaces the release's commits (Sentry's set_commits); the first commit is the release's head. */
  async setCommits(version: string, commits: SentryCommit[]): Promise<ReleaseInfo> {
    return this.client.put<ReleaseInfo>(this.releasePath(version), { commits });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

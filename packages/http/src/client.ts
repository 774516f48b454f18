// The one HTTP client of every provider package: the options resolved once, undici's retry interceptor on
// the dispatcher, and the request loop (request-loop.ts) behind every method.
import { EnvHttpProxyAgent, interceptors } from 'undici';
import { type ClientCore, sendRequest } from './request-loop';
import { resolveSettings } from './settings';
import type { HttpClient, HttpClientOptions, HttpResponse, HttpStreamResponse, RequestOptions } from './types';

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const settings = resolveSettings(options);
  // HTTPS_PROXY, HTTP_PROXY and NO_PROXY (either case), as GitHub's toolkit honours them on
  // self-hosted runners; without them it is a plain Agent. Custom CAs come from NODE_EXTRA_CA_CERTS.
  const ownAgent = options.dispatcher ? undefined : new EnvHttpProxyAgent();
  // throwOnError:false keeps the final failed answer (with its body) for our typed errors.
  const dispatcher = (options.dispatcher ?? ownAgent!).compose(interceptors.retry({ throwOnError: false }));
  const core: ClientCore = { ...settings, dispatcher };

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse<T>> {
    return (await sendRequest(core, method, path, opts, false)) as HttpResponse<T>;
  }

  async function stream(method: string, path: string, opts: RequestOptions = {}): Promise<HttpStreamResponse> {
    return (await sendRequest(core, method, path, opts, true)) as HttpStreamResponse;
  }

  const withBody =
    (method: string) =>
    async <T>(path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> =>
      (await request<T>(method, path, { ...opts, body })).body;

  return {
    baseUrl: `${settings.origin}${settings.basePath}`,
    request,
    stream,
    get: async <T>(path: string, opts?: RequestOptions) => (await request<T>('GET', path, opts)).body,
    delete: async <T>(path: string, opts?: RequestOptions) => (await request<T>('DELETE', path, opts)).body,
    post: withBody('POST'),
    put: withBody('PUT'),
    patch: withBody('PATCH'),
    redact: (text: string) => settings.redact(text),
    close: async () => {
      await ownAgent?.close();
    },
  };
}

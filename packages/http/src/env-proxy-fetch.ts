// fetch for a library that takes one (supabase-js), with the client's proxy rules. Node's global fetch
// ignores HTTPS_PROXY/HTTP_PROXY/NO_PROXY, so behind a proxy it goes through undici's fetch on the same
// EnvHttpProxyAgent the client uses; without a proxy it is the global fetch, unchanged.
import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

let agent: EnvHttpProxyAgent | undefined;

export function envProxyFetch(env: NodeJS.ProcessEnv = process.env): typeof fetch {
  if (!PROXY_VARIABLES.some((name) => env[name])) return fetch;
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    agent ??= new EnvHttpProxyAgent();
    return undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher: agent,
    });
  }) as unknown as typeof fetch;
}

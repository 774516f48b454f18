// Vercel Deployment Protection answers a request without the bypass with its login instead of the app:
// a 401 that starts Vercel's SSO (a _vercel_sso_nonce cookie, or a JSON body pointing at the SSO
// callback), or, for clients it takes for browsers, a redirect to https://vercel.com/sso-api. Neither is
// the app being healthy or unhealthy, and waiting will not change it, so smoke-health names it as such
// and never follows the redirect to a login page that answers 200.

const BYPASS_HINT = "pass the bypass header: 'x-vercel-protection-bypass: <secret>' in input 'headers'";
const SSO = /^https:\/\/vercel\.com\/sso-api(?:[/?#]|$)/;

export interface ProtectionCheck {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
  /** The redirect target, when the answer is a redirect. */
  location?: URL;
  /** Whether shared headers (a bypass, perhaps) were sent with the request. */
  sentHeaders: boolean;
}

/** The failure to report when the answer is Vercel's protection rather than the app; undefined otherwise. */
export function protectionFailure(shown: string, answer: ProtectionCheck): string | undefined {
  const what = answer.sentHeaders ? "the headers sent did not pass it: check the bypass secret's value" : BYPASS_HINT;
  if (answer.location && SSO.test(answer.location.href))
    return `protected deployment: ${shown} redirects to Vercel's login (${answer.location.origin}/sso-api); ${what}`;
  if (answer.status !== 401) return undefined;
  const cookie = answer.headers['set-cookie'] ?? '';
  const body = answer.body && answer.body.length <= 64 * 1024 ? answer.body.toString('utf8') : '';
  if (/(?:^|[\s,;])_vercel_sso_nonce=/.test(cookie) || body.includes('vercel_auth_callback'))
    return `protected deployment: ${shown} answers 401 from Vercel Deployment Protection; ${what}`;
  return undefined;
}

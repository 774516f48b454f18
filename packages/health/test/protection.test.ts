// smoke-health never passes on Vercel Deployment Protection's login instead of the app.
import { afterEach, describe, expect, it } from '@jest/globals';
import { RecordingLog } from '@wingman/log';
import { HttpTarget } from '@wingman/testkit/http-target';
import { parse as parseYaml } from 'yaml';
import { checkHealth } from '../src/health';
import { protectionFailure } from '../src/protection';
import { parseTargets } from '../src/targets';

const servers: HttpTarget[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((t) => t.stop()));
});

// What a protected preview answers a client without the bypass: 401, the SSO nonce cookie, a login page.
const LOGIN = {
  status: 401,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'set-cookie': '_vercel_sso_nonce=3f2a9c; Max-Age=3600; Path=/; Secure; HttpOnly; SameSite=Lax',
  },
  body: '<!doctype html><title>Authentication Required</title>',
};

async function check(url: unknown, headers: Record<string, string> = {}) {
  const log = new RecordingLog();
  const report = await checkHealth({
    targets: parseTargets({ targets: url }),
    headers,
    waitTimeoutMs: 3000,
    requestTimeoutMs: 1000,
    samples: 5,
    concurrency: 2,
    p95BudgetMs: 2000,
    errorRateBudget: 0,
    followRedirects: true,
    pollMinMs: 20,
    pollMaxMs: 100,
    log,
  });
  return { report, log };
}

describe('Vercel Deployment Protection', () => {
  it('refuses the 401 login even when the contract would accept its status, at once and saying what to pass', async () => {
    const t = new HttpTarget({ routes: { '/': () => LOGIN } });
    servers.push(t);
    await t.start();
    const { report } = await check(parseYaml(`- url: ${t.at('/')}\n  expect-status: 200-499`));
    expect(report.targets[0]!.ready).toBe(false);
    expect(report.targets[0]!.attempts).toBe(1);
    expect(report.verdicts).toEqual([
      `${t.url}/ failed its contract: protected deployment: ${t.url}/ answers 401 from Vercel Deployment Protection; pass the bypass header: 'x-vercel-protection-bypass: <secret>' in input 'headers'`,
    ]);
  });

  it('says the bypass sent did not pass when headers were sent', async () => {
    const t = new HttpTarget({ routes: { '/': () => LOGIN } });
    servers.push(t);
    await t.start();
    const { report } = await check([{ url: t.at('/') }], { 'x-vercel-protection-bypass': 'wrong-secret-value' });
    expect(report.verdicts[0]).toMatch(
      /protected deployment: .* the headers sent did not pass it: check the bypass secret's value$/,
    );
  });

  it("reads the protection's JSON answer, and leaves any other 401 to the contract", () => {
    const json = Buffer.from(
      '{"error":{"message":"Protected deployment","code":"401"},"protection":{"vercel_auth_callback":"https://vercel.com/sso-api?url=x&nonce=y"}}',
    );
    expect(protectionFailure('https://p.test/', { status: 401, headers: {}, body: json, sentHeaders: false })).toMatch(
      /^protected deployment: https:\/\/p\.test\/ answers 401 from Vercel Deployment Protection/,
    );
    const plain = {
      status: 401,
      headers: { 'www-authenticate': 'Basic' },
      body: Buffer.from('no'),
      sentHeaders: false,
    };
    expect(protectionFailure('https://p.test/', plain)).toBeUndefined();
    expect(
      protectionFailure('https://p.test/', { ...plain, status: 200, headers: { 'set-cookie': '_vercel_sso_nonce=1' } }),
    ).toBeUndefined();
  });

  it("names a redirect to Vercel's login and never follows it (checked on the location, before any request)", () => {
    const sso = new URL('https://vercel.com/sso-api?url=https%3A%2F%2Fapp-git-pr-7.vercel.app%2F&nonce=ab12');
    expect(
      protectionFailure('https://app-git-pr-7.vercel.app/', {
        status: 302,
        headers: {},
        location: sso,
        sentHeaders: false,
      }),
    ).toBe(
      "protected deployment: https://app-git-pr-7.vercel.app/ redirects to Vercel's login (https://vercel.com/sso-api); pass the bypass header: 'x-vercel-protection-bypass: <secret>' in input 'headers'",
    );
    const elsewhere = new URL('https://vercel.com/sso-apis/other');
    expect(
      protectionFailure('https://a/', { status: 302, headers: {}, location: elsewhere, sentHeaders: false }),
    ).toBeUndefined();
    const login = new URL('https://app.example.com/login');
    expect(
      protectionFailure('https://a/', { status: 302, headers: {}, location: login, sentHeaders: false }),
    ).toBeUndefined();
  });
});

// The Supabase Management API simulator keeps to the contract the CLI's bundled OpenAPI spec and its
// handling describe: branch create/list/get/delete, status transitions, API keys, 402/409/422, 429.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SupabaseSim } from '../src/supabase-sim';

const TOKEN = 'sbp_sim_test_token';

describe('SupabaseSim', () => {
  let sim: SupabaseSim;
  const api = async (method: string, path: string, body?: unknown, token = TOKEN) => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };
  beforeEach(async () => {
    sim = new SupabaseSim({ token: TOKEN, stepMs: 10, ratePerMinute: 12 });
    await sim.start();
    sim.addProject('parentref00000000001');
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('creates a branch that comes up on a clock, with a detail, keys, and a name that cannot be taken twice', async () => {
    const created = await api('POST', '/v1/projects/parentref00000000001/branches', { branch_name: 'wingman-pr-1' });
    expect(created).toMatchObject({
      status: 201,
      body: { name: 'wingman-pr-1', parent_project_ref: 'parentref00000000001', status: 'CREATING_PROJECT' },
    });
    const ref = created.body.project_ref as string;
    expect((await api('GET', `/v1/branches/${ref}`)).body.status).toBe('COMING_UP');
    expect(
      (await api('POST', '/v1/projects/parentref00000000001/branches', { branch_name: 'wingman-pr-1' })).status,
    ).toBe(409);
    await sim.settled();
    const detail = await api('GET', `/v1/branches/${ref}`);
    expect(detail.body).toMatchObject({ ref, status: 'ACTIVE_HEALTHY', db_host: '127.0.0.1', db_user: 'postgres' });
    expect((await api('GET', '/v1/projects/parentref00000000001/branches/wingman-pr-1')).body.status).toBe(
      'MIGRATIONS_PASSED',
    );
    const keys = (await api('GET', `/v1/projects/${ref}/api-keys`)).body as unknown as { name: string }[];
    expect(keys.map((k) => k.name)).toEqual(['anon', 'service_role']);
    expect(await api('DELETE', `/v1/branches/${ref}`)).toMatchObject({ status: 200, body: { message: 'ok' } });
    expect((await api('DELETE', `/v1/branches/${ref}`)).status).toBe(404);
  }, 30_000);

  it("serves a branch's Data API under its project URL with the branch's own keys, and nothing once it is deleted", async () => {
    const created = await api('POST', '/v1/projects/parentref00000000001/branches', { branch_name: 'wingman-pr-2' });
    const ref = created.body.project_ref as string;
    await sim.settled();
    const keys = (await api('GET', `/v1/projects/${ref}/api-keys`)).body as unknown as {
      name: string;
      api_key: string;
    }[];
    const anon = keys.find((k) => k.name === 'anon')!.api_key;
    const project = sim.branchApiUrl.replace('{ref}', ref);
    expect(project.startsWith(sim.url)).toBe(true);
    const rest = (key: string, path = '/rest/v1/') => fetch(`${project}${path}`, { headers: { apikey: key } });
    // The Data API of a fresh Supabase project: the OpenAPI document of an empty public schema.
    const open = await rest(anon);
    expect(open.status).toBe(200);
    expect(((await open.json()) as { swagger?: string }).swagger).toBe('2.0');
    // Another project's key is refused at the gateway, as the platform's is.
    expect((await rest('sb-another-projects-key')).status).toBe(401);
    await api('DELETE', `/v1/branches/${ref}`);
    expect((await rest(anon)).status).toBe(404);
  }, 30_000);

  it('answers 402 without branching on the plan, 422 on listing with branching off, 401 without the token', async () => {
    sim.addProject('freeref0000000000001', { branching: 'plan' });
    sim.addProject('offref00000000000001', { branching: 'off' });
    expect(await api('POST', '/v1/projects/freeref0000000000001/branches', { branch_name: 'x' })).toMatchObject({
      status: 402,
      body: { message: 'Branching is supported only on the Pro plan or above' },
    });
    expect(await api('GET', '/v1/projects/offref00000000000001/branches')).toMatchObject({
      status: 422,
      body: { message: 'Preview branching is not enabled for this project.' },
    });
    expect((await api('GET', '/v1/projects/parentref00000000001/branches', undefined, 'sbp_other')).status).toBe(401);
  });

  it('rate-limits per minute with X-RateLimit headers', async () => {
    const answers = [];
    for (let i = 0; i < 13; i++) answers.push(await api('GET', '/v1/projects/parentref00000000001/branches'));
    expect(answers[0]!.headers.get('x-ratelimit-limit')).toBe('12');
    expect(answers[11]!.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(answers[12]).toMatchObject({ status: 429, body: { message: 'Too Many Requests' } });
    expect(Number(answers[12]!.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
  });
});

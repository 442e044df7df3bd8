/**
 * Access tokens: only a well-formed, correctly signed, unexpired HS256 token for this
 * audience and a live session passes; refresh tokens rotate, and a reused one revokes
 * its whole family; logout and logout-everywhere take effect on the next request.
 */
import { createHmac } from 'node:crypto';
import { EgideApiError } from '../../src/client/http-client';
import { startCastApp, type CastApp } from '../support/cast';

let app: CastApp;

beforeAll(async () => {
  app = await startCastApp();
});

afterAll(async () => {
  await app.close();
});

function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>,
  };
}

async function whoamiWith(token: string): Promise<Response> {
  return app.request('/api/v1/auth/me', { headers: { authorization: `Bearer ${token}` } });
}

async function expectUnauthenticated(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await response.json()) as { type: string; detail: string };
  expect(body).toEqual(expect.objectContaining({ type: 'urn:egide:problem:unauthenticated', detail: 'A valid access token is required' }));
}

describe('access tokens', () => {
  it('accepts a genuine token and refuses anonymous calls', async () => {
    const session = await app.login('contactA1');
    expect((await whoamiWith(session.currentRawAccessToken)).status).toBe(200);
    await expectUnauthenticated(await app.request('/api/v1/auth/me'));
    await expectUnauthenticated(await whoamiWith('not.a.jwt'));
  });

  it('refuses alg "none", another algorithm, a bad signature and a wrong audience', async () => {
    const session = await app.login('contactA1');
    const { claims } = decode(session.currentRawAccessToken);
    const [header, payload, signature] = session.currentRawAccessToken.split('.');

    await expectUnauthenticated(await whoamiWith(`${b64url({ alg: 'none', typ: 'JWT' })}.${payload}.`));

    // HS512 with some key: the algorithm is pinned to HS256.
    const hs512Header = b64url({ alg: 'HS512', typ: 'JWT' });
    const hs512 = createHmac('sha512', 'guess').update(`${hs512Header}.${payload}`).digest('base64url');
    await expectUnauthenticated(await whoamiWith(`${hs512Header}.${payload}.${hs512}`));

    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    await expectUnauthenticated(await whoamiWith(`${header}.${payload}.${flipped}`));

    // Claims changed under the original signature.
    await expectUnauthenticated(await whoamiWith(`${header}.${b64url({ ...claims, aud: 'other-api' })}.${signature}`));
    await expectUnauthenticated(await whoamiWith(`${header}.${b64url({ ...claims, sub: app.cast.members.admin.userId })}.${signature}`));
  });

  it('refuses an expired token', async () => {
    const session = await app.login('contactA2');
    const token = session.currentRawAccessToken;
    expect((await whoamiWith(token)).status).toBe(200);
    app.clock.advance(16 * 60_000);
    await expectUnauthenticated(await whoamiWith(token));
  });

  it('refuses a refresh token presented as an access token, and a recovery ticket', async () => {
    const session = await app.login('contactB1');
    await expectUnauthenticated(await whoamiWith(session.currentRawRefreshToken));
  });
});

describe('refresh tokens', () => {
  it('rotate, and a reused one revokes the whole session', async () => {
    const session = await app.login('contactB2');
    const first = session.currentRawRefreshToken;
    await session.refresh();
    const second = session.currentRawRefreshToken;
    expect(second).not.toBe(first);
    const accessAfterRefresh = session.currentRawAccessToken;
    expect((await whoamiWith(accessAfterRefresh)).status).toBe(200);

    // Someone replays the spent token: the family dies, the legitimate holder included.
    const replay = app.client.auth.refresh(first);
    await expect(replay).rejects.toBeInstanceOf(EgideApiError);
    await expect(replay).rejects.toMatchObject({ status: 401 });
    await expect(app.client.auth.refresh(second)).rejects.toMatchObject({ status: 401 });
    await expectUnauthenticated(await whoamiWith(accessAfterRefresh));
  });

  it('end with logout; logout everywhere ends every session at once', async () => {
    const here = await app.login('ngoX1');
    const there = await app.login('ngoX1');
    await here.logout();
    await expectUnauthenticated(await whoamiWith(here.currentRawAccessToken));
    await expect(app.client.auth.refresh(here.currentRawRefreshToken)).rejects.toMatchObject({ status: 401 });
    expect((await whoamiWith(there.currentRawAccessToken)).status).toBe(200);

    const third = await app.login('ngoX1');
    await there.logoutEverywhere();
    await expectUnauthenticated(await whoamiWith(third.currentRawAccessToken));
    await expect(app.client.auth.refresh(third.currentRawRefreshToken)).rejects.toMatchObject({ status: 401 });
  });
});

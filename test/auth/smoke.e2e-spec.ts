import { startCastApp, type CastApp } from '../support/cast';

let app: CastApp;
beforeAll(async () => {
  app = await startCastApp();
});
afterAll(async () => {
  await app.close();
});

it('signs a cast member in and answers whoami', async () => {
  const session = await app.login('contactA1');
  const me = await session.auth.me();
  expect(me.email).toBe(app.cast.members.contactA1.email);
  expect(me.scope).toEqual({ type: 'EMBASSY', id: app.cast.ids.embassyA });
});

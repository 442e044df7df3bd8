/**
 * Embassy and organisation administration through the SDK: create, read, list with
 * keyset pages, update; field-naming validation errors; duplicates answer 409 (never
 * 500, even when two requests race); an update based on a stale version answers 409
 * conflict (stale-version) and changes nothing; each write leaves its audit event.
 */
import type { EgideSession } from '../../src/client/egide-session';
import { startCastApp, type CastApp } from '../support/cast';
import { auditRows, expectInvalidFields, expectProblem } from './admin-expectations';

let app: CastApp;
let admin: EgideSession;

beforeAll(async () => {
  app = await startCastApp();
  admin = await app.login('admin');
});

afterAll(async () => {
  await app.close();
});

describe('embassies', () => {
  it('creates, reads and updates an embassy, auditing each write', async () => {
    const created = await admin.admin.createEmbassy({ name: 'Embassy of Testland in Geneva', country: 'CH', city: 'Geneva' });
    expect(created).toEqual({
      id: expect.any(String) as string,
      name: 'Embassy of Testland in Geneva',
      country: 'CH',
      city: 'Geneva',
      createdAt: expect.any(String) as string,
      updatedAt: expect.any(String) as string,
      version: 1,
    });
    await expect(admin.admin.getEmbassy(created.id)).resolves.toEqual(created);

    const updated = await admin.admin.updateEmbassy(created.id, { city: 'Bern', version: 1 });
    expect(updated).toEqual(expect.objectContaining({ id: created.id, name: created.name, country: 'CH', city: 'Bern', version: 2 }));

    const [createdEvent] = await auditRows(app.database.url, 'embassy.created', created.id);
    expect(createdEvent).toEqual(
      expect.objectContaining({
        actor_id: app.cast.members.admin.userId,
        actor_role: 'ADMIN',
        target_type: 'embassy',
        scope_type: 'EMBASSY',
        scope_id: created.id,
        outcome: 'SUCCESS',
        request_id: expect.any(String) as string,
      }),
    );
    const updatedEvents = await auditRows(app.database.url, 'embassy.updated', created.id);
    expect(updatedEvents).toHaveLength(1);
    expect(updatedEvents[0].details).toEqual({ fields: 'city', version: 2 });
  });

  it('answers 404 for an embassy that does not exist, and 400 for an id that is not one', async () => {
    await expectProblem(admin.admin.getEmbassy('6f1c1a36-4d0c-4c55-9a3e-0b6a1d2c3e4f'), 404);
    await expectProblem(admin.admin.updateEmbassy('6f1c1a36-4d0c-4c55-9a3e-0b6a1d2c3e4f', { city: 'Nowhere', version: 1 }), 404);
    await expectInvalidFields(admin.admin.getEmbassy('not-a-uuid'), ['id']);
  });

  it('names each invalid field', async () => {
    await expectInvalidFields(admin.admin.createEmbassy({ name: 'E', country: 'ke', city: 'Nairobi' }), ['country']);
    await expectInvalidFields(admin.admin.createEmbassy({ name: 'E', country: 'XX', city: 'Nairobi' }), ['country']);
    await expectInvalidFields(admin.admin.createEmbassy({ name: 'x'.repeat(201), country: 'KE', city: 'y'.repeat(101) }), ['name', 'city']);
    await expectInvalidFields(admin.admin.createEmbassy({ name: '', country: 'KE', city: 'Nairobi' }), ['name']);
    const withExtra = { name: 'E', country: 'KE', city: 'Nairobi', ambassador: 'someone' };
    await expectInvalidFields(admin.admin.createEmbassy(withExtra), ['ambassador']);
    // Nothing to change: the body as a whole is at fault, not one of its optional fields.
    await expectInvalidFields(admin.admin.updateEmbassy(app.cast.ids.embassyA, { version: 1 }), ['body']);
    // The version an update is based on is required, and a whole number from 1.
    const unversioned = { city: 'Nairobi' } as unknown as Parameters<typeof admin.admin.updateEmbassy>[1];
    await expectInvalidFields(admin.admin.updateEmbassy(app.cast.ids.embassyA, unversioned), ['version']);
    await expectInvalidFields(admin.admin.updateEmbassy(app.cast.ids.embassyA, { city: 'Nairobi', version: 0 }), ['version']);
    await expectInvalidFields(admin.admin.updateEmbassy(app.cast.ids.embassyA, { city: 'Nairobi', version: 1.5 }), ['version']);
  });

  it('answers 409 to a duplicate, on create and on update, and when two creations race', async () => {
    await expectProblem(admin.admin.createEmbassy({ name: 'Embassy A', country: 'KE', city: 'Nairobi' }), 409);
    const duplicate = await expectProblem(admin.admin.updateEmbassy(app.cast.ids.embassyB, { name: 'Embassy A', country: 'KE', city: 'Nairobi', version: 1 }), 409);
    expect(duplicate.type).toBe('urn:egide:problem:conflict');
    await expect(admin.admin.getEmbassy(app.cast.ids.embassyB)).resolves.toEqual(expect.objectContaining({ name: 'Embassy B', country: 'CO' }));

    const racing = await Promise.allSettled(
      [1, 2, 3].map(() => admin.admin.createEmbassy({ name: 'Raced embassy', country: 'FR', city: 'Paris' })),
    );
    expect(racing.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = racing.filter((outcome) => outcome.status === 'rejected');
    expect(refused.map((outcome) => (outcome.reason as { status: number }).status)).toEqual([409, 409]);
  });

  it('refuses an update based on a stale version with 409 conflict (stale-version), changing nothing', async () => {
    const created = await admin.admin.createEmbassy({ name: 'Embassy of Staleland', country: 'BE', city: 'Brussels' });
    const first = await admin.admin.updateEmbassy(created.id, { city: 'Antwerp', version: created.version });
    expect(first.version).toBe(created.version + 1);

    // A second administrator's view, read before the first change: refused, nothing written.
    const stale = await expectProblem(admin.admin.updateEmbassy(created.id, { city: 'Ghent', version: created.version }), 409);
    expect(stale).toEqual(expect.objectContaining({ type: 'urn:egide:problem:conflict', reason: 'stale-version', currentVersion: first.version }));
    await expect(admin.admin.getEmbassy(created.id)).resolves.toEqual(expect.objectContaining({ city: 'Antwerp', version: first.version }));
    expect(await auditRows(app.database.url, 'embassy.updated', created.id)).toHaveLength(1);

    // Two updates based on one version at once: exactly one wins.
    const racing = await Promise.allSettled(
      ['Liège', 'Namur'].map((city) => admin.admin.updateEmbassy(created.id, { city, version: first.version })),
    );
    expect(racing.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(racing.filter((outcome) => outcome.status === 'rejected').map((outcome) => (outcome.reason as { status: number }).status)).toEqual([409]);
    await expect(admin.admin.getEmbassy(created.id)).resolves.toEqual(expect.objectContaining({ version: first.version + 1 }));
  });

  it('lists embassies by name in keyset pages that neither skip nor repeat', async () => {
    for (const name of ['Zeta post', 'Alpha post', 'Mid post', 'Beta post']) {
      await admin.admin.createEmbassy({ name, country: 'DE', city: 'Berlin' });
    }
    const everything = await admin.admin.listEmbassies({ limit: 200 });
    expect(everything.nextCursor).toBeNull();
    const names = everything.items.map((embassy) => embassy.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));

    const paged: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await admin.admin.listEmbassies({ limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      paged.push(...page.items.map((embassy) => embassy.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor !== undefined);
    expect(paged).toEqual(everything.items.map((embassy) => embassy.id));
    expect(pages).toBe(Math.ceil(everything.items.length / 2));
  });

  it('refuses a bad page size or a forged cursor, naming the parameter', async () => {
    await expectInvalidFields(admin.admin.listEmbassies({ limit: 201 }), ['limit']);
    await expectInvalidFields(admin.admin.listEmbassies({ limit: 0 }), ['limit']);
    await expectInvalidFields(admin.admin.listEmbassies({ cursor: Buffer.from('["a","not-a-uuid"]').toString('base64url') }), ['cursor']);
    await expectInvalidFields(admin.admin.listEmbassies({ cursor: 'bm90IGpzb24' }), ['cursor']);
    await expectInvalidFields(admin.admin.listEmbassies({ cursor: 'a+b/' }), ['cursor']);
    const unknownParameter = await app.request('/api/v1/admin/embassies?sort=name', {
      headers: { authorization: `Bearer ${admin.currentRawAccessToken}` },
    });
    expect(unknownParameter.status).toBe(400);
  });
});

describe('organisations', () => {
  it('creates, reads, lists and updates an organisation, auditing each write', async () => {
    const created = await admin.admin.createOrganisation({ name: 'Defenders Watch', country: 'CH' });
    expect(Object.keys(created).sort()).toEqual(['country', 'createdAt', 'id', 'name', 'updatedAt', 'version']);
    await expect(admin.admin.getOrganisation(created.id)).resolves.toEqual(created);
    const updated = await admin.admin.updateOrganisation(created.id, { name: 'Defenders Watch International', country: 'FR', version: created.version });
    expect(updated).toEqual(expect.objectContaining({ id: created.id, name: 'Defenders Watch International', country: 'FR', version: created.version + 1 }));

    const listed = await admin.admin.listOrganisations();
    expect(listed.items.map((organisation) => organisation.name)).toEqual(['Defenders Watch International', 'Organisation X', 'Organisation Y']);
    expect(listed.nextCursor).toBeNull();

    expect(await auditRows(app.database.url, 'organisation.created', created.id)).toEqual([
      expect.objectContaining({ actor_id: app.cast.members.admin.userId, scope_type: 'ORGANISATION', scope_id: created.id, outcome: 'SUCCESS' }),
    ]);
    const [updatedEvent] = await auditRows(app.database.url, 'organisation.updated', created.id);
    expect(updatedEvent.details).toEqual({ fields: 'name,country', version: created.version + 1 });
  });

  it('answers 409 to a duplicate name and 404 to an unknown organisation', async () => {
    await expectProblem(admin.admin.createOrganisation({ name: 'Organisation X', country: 'KE' }), 409);
    await expectProblem(admin.admin.updateOrganisation(app.cast.ids.orgY, { name: 'Organisation X', version: 1 }), 409);
    await expectProblem(admin.admin.getOrganisation('6f1c1a36-4d0c-4c55-9a3e-0b6a1d2c3e4f'), 404);
    await expectProblem(admin.admin.updateOrganisation('6f1c1a36-4d0c-4c55-9a3e-0b6a1d2c3e4f', { name: 'Nobody', version: 1 }), 404);
  });

  it('refuses an update based on a stale version with 409 conflict (stale-version), changing nothing', async () => {
    const created = await admin.admin.createOrganisation({ name: 'Stale Rights Network', country: 'NL' });
    const renamed = await admin.admin.updateOrganisation(created.id, { name: 'Fresh Rights Network', version: created.version });
    const stale = await expectProblem(admin.admin.updateOrganisation(created.id, { country: 'BE', version: created.version }), 409);
    expect(stale).toEqual(expect.objectContaining({ type: 'urn:egide:problem:conflict', reason: 'stale-version', currentVersion: renamed.version }));
    await expect(admin.admin.getOrganisation(created.id)).resolves.toEqual(renamed);
  });

  it('names each invalid field', async () => {
    await expectInvalidFields(admin.admin.createOrganisation({ name: 'n'.repeat(201), country: 'Switzerland' }), ['name', 'country']);
    await expectInvalidFields(admin.admin.updateOrganisation(app.cast.ids.orgX, { country: 'ch', version: 1 }), ['country']);
    await expectInvalidFields(admin.admin.updateOrganisation(app.cast.ids.orgX, { version: 1 }), ['body']);
    const unversioned = { country: 'CH' } as unknown as Parameters<typeof admin.admin.updateOrganisation>[1];
    await expectInvalidFields(admin.admin.updateOrganisation(app.cast.ids.orgX, unversioned), ['version']);
  });
});

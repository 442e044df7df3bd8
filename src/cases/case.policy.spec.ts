/** The case policy: the caller's embassy as scope, shredded cases, versions, transitions, transfer basis, shred confirmation. */
import type { Actor } from '../common/authz/actor';
import { ProblemException } from '../common/http/problem';
import { ownEmbassy } from '../common/authz/scope';
import { assertCurrentVersion, assertNotShredded, assertShredConfirmation, assertTransition, transferBasis } from './case.policy';

const embassyId = '0b6f3c2a-1d4e-4f5a-8b9c-0d1e2f3a4b5c';

function actor(role: Actor['role'], scope: Actor['scope']): Actor {
  return { userId: '5d0a1b2c-3d4e-4f5a-8b9c-0d1e2f3a4b5c', role, scope, teamGrant: null, sessionId: 's', requestId: 'r' };
}

function problemOf(run: () => unknown): { code: string; extensions: Record<string, unknown>; fields: string[] } {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemException) return { code: error.code, extensions: error.extensions, fields: error.fieldErrors.map((e) => e.field) };
    throw error;
  }
  throw new Error('expected a problem');
}

describe('case policy', () => {
  it("scopes an embassy contact to their embassy (lower case) and refuses any other scope", () => {
    expect(ownEmbassy(actor('EMBASSY_CONTACT', { type: 'EMBASSY', id: embassyId.toUpperCase() }))).toBe(embassyId);
    expect(() => ownEmbassy(actor('NGO', { type: 'ORGANISATION', id: embassyId }))).toThrow('Your role may not do this');
    expect(() => ownEmbassy(actor('ADMIN', { type: 'SYSTEM', id: null }))).toThrow();
  });

  it('refuses changes to a shredded case and stale versions with the current one', () => {
    expect(() => assertNotShredded({ reference: 'KE-2026-0001', shreddedAt: null })).not.toThrow();
    expect(problemOf(() => assertNotShredded({ reference: 'KE-2026-0001', shreddedAt: new Date('2026-03-01T00:00:00Z') }))).toMatchObject({
      code: 'conflict',
      extensions: { reason: 'shredded', shreddedAt: '2026-03-01T00:00:00.000Z' },
    });
    expect(() => assertCurrentVersion({ version: 3 }, 3)).not.toThrow();
    expect(problemOf(() => assertCurrentVersion({ version: 3 }, 2))).toMatchObject({ code: 'conflict', extensions: { currentVersion: 3 } });
  });

  it('answers an illegal transition with the allowed ones', () => {
    expect(() => assertTransition({ status: 'OPEN' }, 'ASSESSING')).not.toThrow();
    expect(problemOf(() => assertTransition({ status: 'OPEN' }, 'CLOSED'))).toMatchObject({
      code: 'conflict',
      extensions: { reason: 'illegal-transition', currentStatus: 'OPEN', allowed: ['ASSESSING'] },
    });
  });

  it('bases a transfer on consent, else on an explicit override, else refuses', () => {
    expect(transferBasis({ consentToTransfer: true }, undefined)).toEqual({ kind: 'consent' });
    expect(transferBasis({ consentToTransfer: true }, 'LEGAL_OBLIGATION')).toEqual({ kind: 'consent' });
    expect(transferBasis({ consentToTransfer: false }, 'DEFENDER_UNREACHABLE')).toEqual({ kind: 'override', reason: 'DEFENDER_UNREACHABLE' });
    expect(problemOf(() => transferBasis({ consentToTransfer: false }, undefined))).toMatchObject({ code: 'conflict', extensions: { reason: 'consent-required' } });
  });

  it('shreds only on the exact typed confirmation', () => {
    expect(() => assertShredConfirmation({ reference: 'KE-2026-0042' }, 'SHRED KE-2026-0042')).not.toThrow();
    for (const typed of ['SHRED', 'shred KE-2026-0042', 'SHRED KE-2026-0043', ' SHRED KE-2026-0042']) {
      expect(problemOf(() => assertShredConfirmation({ reference: 'KE-2026-0042' }, typed))).toMatchObject({ code: 'validation-failed', fields: ['confirm'] });
    }
  });
});

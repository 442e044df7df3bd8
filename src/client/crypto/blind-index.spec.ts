import sodium from 'libsodium-wrappers-sumo';
import { MalformedInputError, encodeLengthPrefixedTuple, readyCrypto, toBase64Url } from '../../crypto';
import { blindIndex, blindIndexOfNormalised, deriveBlindIndexFieldKey } from './blind-index';
import { createTeam } from './team-keys';

describe('blind indexes', () => {
  beforeAll(async () => {
    await readyCrypto();
  });

  it('matches the same person typed differently, within one team and field', () => {
    const team = createTeam('3e2d1c0b-9a87-4654-8321-0fedcba98765');
    const a = blindIndex('José  Pérez', 'text', 'defender_name', team.blindIndexKey);
    expect(blindIndex('JOSE PEREZ', 'text', 'defender_name', team.blindIndexKey)).toBe(a);
    expect(blindIndex('Jose Peres', 'text', 'defender_name', team.blindIndexKey)).not.toBe(a);
    expect(blindIndex('AB 123 456', 'passport', 'defender_passport', team.blindIndexKey)).toBe(
      blindIndex('ab-123456', 'passport', 'defender_passport', team.blindIndexKey),
    );
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('never links across teams or fields', () => {
    const embassyA = createTeam('3e2d1c0b-9a87-4654-8321-0fedcba98765');
    const embassyB = createTeam('4e2d1c0b-9a87-4654-8321-0fedcba98765');
    const a = blindIndex('Ana', 'text', 'defender_name', embassyA.blindIndexKey);
    expect(blindIndex('Ana', 'text', 'defender_name', embassyB.blindIndexKey)).not.toBe(a);
    expect(blindIndex('Ana', 'text', 'relative_name', embassyA.blindIndexKey)).not.toBe(a);
  });

  it('follows the documented keyed BLAKE2b construction', () => {
    const teamKey = new Uint8Array(32).fill(5);
    const fieldKey = deriveBlindIndexFieldKey(teamKey, 'defender_name');
    expect(fieldKey).toEqual(
      sodium.crypto_generichash(32, encodeLengthPrefixedTuple(['egide-blind-index', Uint8Array.of(1), 'defender_name']), teamKey),
    );
    expect(blindIndexOfNormalised('ana', fieldKey)).toBe(
      toBase64Url(sodium.crypto_generichash(16, sodium.from_string('ana'), fieldKey)),
    );
  });

  it('refuses values that normalise to nothing', () => {
    const team = createTeam('3e2d1c0b-9a87-4654-8321-0fedcba98765');
    expect(() => blindIndex(' \u200b ', 'text', 'defender_name', team.blindIndexKey)).toThrow(MalformedInputError);
    expect(() => blindIndex('--', 'passport', 'defender_passport', team.blindIndexKey)).toThrow(MalformedInputError);
  });
});

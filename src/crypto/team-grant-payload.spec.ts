import { encodeLengthPrefixedTuple, fromBase64Url, toBase64Url, toHex, u32be, u8, uuidToBytes } from './binary-encoding';
import { MalformedInputError, UnknownVersionError } from './protocol-errors';
import { encodeTeamKeyGrantMessage, validateTeamKeyGrant, type TeamKeyGrant } from './team-grant-payload';

const bytes = (length: number, fill: number): string => toBase64Url(new Uint8Array(length).fill(fill));

const v2: TeamKeyGrant = {
  version: 2,
  scopeId: '11111111-2222-4333-8444-555555555555',
  generation: 4,
  recipientUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  recipientBoxPublicKey: bytes(32, 1),
  recipientSignPublicKey: bytes(32, 2),
  granterUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6e',
  teamBoxPublicKey: bytes(32, 3),
  sealedTeamSeed: bytes(80, 4),
  signature: bytes(64, 5),
};
const { recipientSignPublicKey: _omitted, ...v1Fields } = v2;
const v1: TeamKeyGrant = { ...v1Fields, version: 1 };

describe('team key grant payload', () => {
  it('encodes a version-2 grant with the recipient sign key after the box key', () => {
    const expected = encodeLengthPrefixedTuple([
      'egide-team-grant',
      u8(2),
      uuidToBytes(v2.scopeId),
      u32be(4),
      uuidToBytes(v2.recipientUserId),
      fromBase64Url(v2.recipientBoxPublicKey),
      fromBase64Url(bytes(32, 2)),
      uuidToBytes(v2.granterUserId),
      fromBase64Url(v2.teamBoxPublicKey),
      fromBase64Url(v2.sealedTeamSeed),
    ]);
    expect(toHex(encodeTeamKeyGrantMessage(v2))).toBe(toHex(expected));
  });

  it('still encodes a version-1 grant as protocol 1 signed it', () => {
    const expected = encodeLengthPrefixedTuple([
      'egide-team-grant',
      u8(1),
      uuidToBytes(v1.scopeId),
      u32be(4),
      uuidToBytes(v1.recipientUserId),
      fromBase64Url(v1.recipientBoxPublicKey),
      uuidToBytes(v1.granterUserId),
      fromBase64Url(v1.teamBoxPublicKey),
      fromBase64Url(v1.sealedTeamSeed),
    ]);
    expect(toHex(encodeTeamKeyGrantMessage(v1))).toBe(toHex(expected));
  });

  it('changes with the recipient sign key', () => {
    expect(toHex(encodeTeamKeyGrantMessage({ ...v2, recipientSignPublicKey: bytes(32, 9) }))).not.toBe(toHex(encodeTeamKeyGrantMessage(v2)));
  });

  it('gives each version exactly one shape', () => {
    expect(() => validateTeamKeyGrant(v2)).not.toThrow();
    expect(() => validateTeamKeyGrant(v1)).not.toThrow();
    expect(() => validateTeamKeyGrant({ ...v1, version: 2 })).toThrow(MalformedInputError);
    expect(() => validateTeamKeyGrant({ ...v2, version: 1 })).toThrow(MalformedInputError);
    expect(() => validateTeamKeyGrant({ ...v2, recipientSignPublicKey: bytes(31, 2) })).toThrow(MalformedInputError);
    expect(() => validateTeamKeyGrant({ ...v2, recipientSignPublicKey: null } as unknown as TeamKeyGrant)).toThrow(MalformedInputError);
    expect(() => validateTeamKeyGrant({ ...v2, version: 3 } as unknown as TeamKeyGrant)).toThrow(UnknownVersionError);
  });
});

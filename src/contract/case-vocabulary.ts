/**
 * The closed vocabularies of a defender case (docs/cases.md): risk levels,
 * threat types, targeted defender groups, timeline event types, the names of the sealed
 * fields and of the blind-indexed fields, the states. Part of the wire contract
 * (src/contract/): the server's entities and DTOs, the SDK and the CLI import the same
 * lists, so that one list decides what the API accepts.
 *
 * Everything here is clear metadata by design (docs/cases.md says why). It must never
 * grow a value that identifies or locates a person: those belong in sealed fields.
 */

/** The states of a case; the transitions between them are the server's (cases/case-status.ts). */
export const CASE_STATUSES = ['OPEN', 'ASSESSING', 'PROTECTION_ACTIVE', 'MONITORING', 'CLOSED'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const RISK_LEVELS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** The product's list of threat types, completed with those protection desks see in practice (docs/cases.md). */
export const THREAT_TYPES = [
  'JUDICIAL_HARASSMENT',
  'ADMINISTRATIVE_MEASURES',
  'DETENTION',
  'PHYSICAL_ATTACK',
  'SEXUAL_ASSAULT',
  'TORTURE',
  'ABDUCTION',
  'DEATH_THREAT',
  'SURVEILLANCE',
  'DIGITAL_ATTACK',
  'SMEAR_CAMPAIGN',
  'BLACKMAIL',
  'LIVELIHOOD_OR_PROPERTY_ATTACK',
  'TRAVEL_BAN',
  'THREAT_TO_FAMILY',
  'OTHER',
] as const;
export type ThreatType = (typeof THREAT_TYPES)[number];

/** The particularly targeted groups of recommendation 16. */
export const DEFENDER_GROUPS = [
  'ENVIRONMENTAL_LAND',
  'INDIGENOUS',
  'JOURNALIST',
  'WOMEN_DEFENDER',
  'LGBTI_DEFENDER',
  'LAWYER',
  'ANTI_CORRUPTION',
  'DEATH_PENALTY_ABOLITION',
  'TRADE_UNIONIST',
  'OTHER',
] as const;
export type DefenderGroup = (typeof DEFENDER_GROUPS)[number];

export const CASE_EVENT_TYPES = ['THREAT_INCIDENT', 'CONTACT', 'MEASURE', 'REVIEW', 'TRANSFER', 'STATUS_CHANGE'] as const;
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];

/**
 * What a member appends. TRANSFER and STATUS_CHANGE are written by the server itself, in
 * the transaction of the transfer or the transition, with clear details and no body.
 */
export const MEMBER_EVENT_TYPES = ['THREAT_INCIDENT', 'CONTACT', 'MEASURE', 'REVIEW'] as const satisfies readonly CaseEventType[];
export type MemberEventType = (typeof MEMBER_EVENT_TYPES)[number];

/** Entity names bound into associated data and revision signatures (docs/protocol.md §5.1, §5.8). */
export const CASE_ENTITY = 'case';
export const CASE_EVENT_ENTITY = 'case_event';

/** The sealed fields of a case; `identity` is required, the others optional. */
export const CASE_SEALED_FIELDS = ['identity', 'contacts', 'location', 'narrative', 'protection_measures', 'family', 'notes'] as const;
export type CaseSealedField = (typeof CASE_SEALED_FIELDS)[number];
export const REQUIRED_CASE_SEALED_FIELDS: readonly CaseSealedField[] = ['identity'];

/** A timeline event has exactly one sealed field. */
export const CASE_EVENT_SEALED_FIELD = 'body';

/** Blind-indexed values (docs/protocol.md §5.9). `passport` is shared with visa requests. */
export const BLIND_INDEX_FIELDS = ['name', 'passport'] as const;
export type BlindIndexField = (typeof BLIND_INDEX_FIELDS)[number];

/**
 * A case reference as the server allocates it: `<embassy country>-<year>-<sequence>`,
 * the sequence zero-padded to at least 4 digits (KE-2026-0042). Upper case only.
 */
export const CASE_REFERENCE = /^[A-Z]{2}-\d{4}-\d{4,}$/;

/**
 * A transfer without the defender's recorded consent needs one of these. A code, not free
 * text: a free-text reason would be a clear channel for exactly what must stay sealed
 * (who, where, why); the narrative goes into a sealed timeline event.
 */
export const TRANSFER_OVERRIDE_REASONS = [
  'IMMINENT_DANGER_TO_LIFE',
  'DEFENDER_UNREACHABLE',
  'DEFENDER_INCAPACITATED',
  'LEGAL_OBLIGATION',
] as const;
export type TransferOverrideReason = (typeof TRANSFER_OVERRIDE_REASONS)[number];

/** Caps: a case is about one person, its arrays are short lists. */
export const MAX_THREAT_TYPES = THREAT_TYPES.length;
export const MAX_DEFENDER_GROUPS = DEFENDER_GROUPS.length;
export const MAX_BLIND_INDEXES = 16;

/** The exact text a shred must carry (`{ "confirm": "SHRED KE-2026-0042" }`): deliberate, and about this case. */
export function shredConfirmation(reference: string): string {
  return `SHRED ${reference}`;
}

/**
 * The text a member signs to transfer a case (docs/protocol.md, signed record actions):
 * which case, by the reference the member saw, and which embassy it goes to.
 */
export function transferConfirmation(reference: string, targetEmbassyId: string): string {
  return `TRANSFER ${reference} TO ${targetEmbassyId.toLowerCase()}`;
}

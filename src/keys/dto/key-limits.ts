/**
 * The bounds of the key routes, shared by their requests and responses: every array a
 * request or response carries has one of these as its maximum.
 */
import { MAX_TEAM_GENERATION } from '../../crypto/protocol-constants';
import { integerField } from '../../common/openapi/api-fields';

/** One grant per member; a scope is a team of people, not a crowd. */
export const MAX_ROTATION_GRANTS = 500;
/**
 * Re-sealed data keys a rotation's start may carry (protocol.md §5.16): what the whole
 * rotation of a version-2 client before chunking sent in one body (≈ 250 bytes each,
 * under the 1 MiB JSON limit). New clients send none there and post chunks.
 */
export const MAX_ROTATION_START_DATA_KEYS = 3000;
/** Re-sealed data keys per rotation chunk, and per page of data keys awaiting one. */
export const MAX_ROTATION_CHUNK = 500;
export const MAX_DATA_KEYS_PAGE = 500;
/**
 * The members a team listing answers at most, oldest first (pending members, holders):
 * a rotation re-grants at most MAX_ROTATION_GRANTS holders in one request, so a longer
 * list could not be acted on at once either. Pending members are a queue: grant these,
 * ask again.
 */
export const MAX_TEAM_MEMBERS_LISTED = MAX_ROTATION_GRANTS;
/** Re-signing goes page by page, like the data-key pages a client reads the wraps from. */
export const MAX_WRAP_SIGNATURES = 500;
/** Generations are u32 in every signed message. */

/** A scope's data keys: counts of a rotation are 32-bit integers. */
export const MAX_DATA_KEYS_COUNTED = 2_147_483_647;

/** A generation in a response (OpenAPI). */
export const GENERATION_FIELD = integerField(1, MAX_TEAM_GENERATION);
/** An embassy's or organisation's name (at most 200 characters), or "Coordinators' network". */
export const SCOPE_NAME_FIELD = { type: String, minLength: 1, maxLength: 200 } as const;

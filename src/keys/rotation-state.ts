/** The states of a rotation (docs/protocol.md §5.16): the column's CHECK and the API's enum. */
export const ROTATION_STATES = ['IN_PROGRESS', 'COMPLETED'] as const;
export type RotationState = (typeof ROTATION_STATES)[number];

/**
 * The account status machine: ACTIVE ⇄ DISABLED, as a transition table. An illegal
 * transition (disabling a disabled account) answers 409 naming the current status,
 * never a silent success that would hide a stale view.
 */
import type { UserStatus } from '../contract/roles';

export const USER_STATUS_TRANSITIONS = {
  disable: { from: 'ACTIVE', to: 'DISABLED' },
  enable: { from: 'DISABLED', to: 'ACTIVE' },
} as const satisfies Record<string, { from: UserStatus; to: UserStatus }>;

export type UserStatusTransition = keyof typeof USER_STATUS_TRANSITIONS;

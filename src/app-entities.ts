/**
 * Every TypeORM entity of the server, in one list, so that the application, the
 * migration commands and the drift check all see the same schema. It lives beside
 * app.module.ts, not in common/: it names every feature's entities, and common/ imports
 * no feature — the database code there takes this list as a parameter. (audit_events is
 * not an entity: its xid8 key is outside TypeORM's types; the audit module owns its SQL
 * and its migration.)
 */
import { LoginSession, RefreshToken } from './auth/login-session.entity';
import { SignInAddressFailures } from './auth/sign-in-address-failures.entity';
import { CaseBlindIndex } from './cases/case-blind-index.entity';
import { CaseEvent } from './cases/case-event.entity';
import { CaseReferenceCounter, DefenderCase } from './cases/case.entity';
import { IdempotencyRecord } from './common/idempotency/idempotency-record.entity';
import type { EntityList } from './common/database/typeorm-options';
import { DataKeyWrap, TeamKeyGeneration, TeamKeyGrantRecord, TeamKeyRotation } from './keys/team-key.entity';
import { SetupToken } from './setup/setup-token.entity';
import { Embassy } from './users/embassy.entity';
import { Invitation } from './users/invitation.entity';
import { Organisation } from './users/organisation.entity';
import { User } from './users/user.entity';

export const APP_ENTITIES: EntityList = [
  SetupToken,
  Embassy,
  Organisation,
  User,
  Invitation,
  LoginSession,
  RefreshToken,
  SignInAddressFailures,
  TeamKeyGeneration,
  TeamKeyGrantRecord,
  TeamKeyRotation,
  DataKeyWrap,
  IdempotencyRecord,
  DefenderCase,
  CaseReferenceCounter,
  CaseEvent,
  CaseBlindIndex,
];

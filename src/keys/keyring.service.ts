/**
 * The keyring: what features that seal records (cases; visa requests and placements,
 * whose records are sealed to two scopes) call to write, read, move and shred the data
 * keys sealed to a scope — `data_key_wraps`, which the keys feature owns (protocol.md
 * §5.5, §5.13). Generic over the record: an entity name (`case`, `visa_request`, …) and
 * a record id, with the scope each wrap is sealed to.
 *
 * Every method takes the scope as a branded TeamScopeId that the calling feature got from
 * its access check (e.g. `ownEmbassy(actor)`), or, for a scope the caller is not in (a
 * transfer's receiving embassy, a visa request's embassy), from `receivingScope`, which
 * checks that it holds a team. Methods that write take the caller's transaction manager:
 * the wrap and the feature's change and audit event commit together.
 *
 * It checks what a server can check of a wrap without a key: structure, that it names
 * the record, the key, the scope and the writer it must, the writer's signature against
 * their registered key, and — in the inserting statement itself — that it is sealed to
 * the scope's current generation. It must never create, alter or re-sign a wrap, and
 * never write one for a superseded generation.
 */
import { Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { TeamScopeId } from '../common/authz/scope';
import type { ScopeType } from '../contract/roles';
import { fieldProblem, NotFoundProblem, ProblemException } from '../common/http/problem';
import { checkProtocolInput } from '../common/http/protocol-input';
import { validateSignedDataKeyWrap, type SignedDataKeyWrap } from '../crypto/data-key-wrap-payload';
import { importSignPublicKey, verifyDataKeyWrapOnServer } from '../common/crypto/signature-verifier';
import { isUniqueViolation } from '../common/database/unique-violation';
import { KeysRepository } from './keys.repository';
import { KeyringRepository, type RecordWrapRow } from './keyring.repository';

/** A sealed record, as wraps name it: `case` and the case id. */
export interface RecordRef {
  readonly entity: string;
  readonly recordId: string;
}

/** What a submitted wrap must say about itself. */
export interface WrapExpectation extends RecordRef {
  /** The record's data key id. */
  readonly keyId: string;
  /** The scope that must read it: the wrap's scopeId. */
  readonly scope: TeamScopeId;
  /** The caller: every wrap a request carries is signed by the caller. */
  readonly writerUserId: string;
}

/** A wrap to write, with where it sits in the request body (for 400s naming the field). */
export interface WrapToWrite {
  readonly at: string;
  readonly wrap: SignedDataKeyWrap;
}

/** A record's wrap as its reader gets it: the newest generation's, with the writer's served keys. */
export interface RecordWrap {
  readonly keyId: string;
  readonly scopeId: string;
  readonly generation: number;
  readonly sealed: string;
  readonly entity: string;
  readonly recordId: string;
  readonly writerUserId: string | null;
  readonly signature: string | null;
  /** The writer's keys as the server has them on record (readers check them against their trust store). */
  readonly writer: { readonly userId: string; readonly signPublicKey: string; readonly boxPublicKey: string; readonly fingerprint: string } | null;
}

/** A scope one seals to without being in it, checked to hold a team, with its current generation. */
export interface ReceivingScope {
  readonly scope: TeamScopeId;
  readonly scopeType: ScopeType;
  readonly generation: number;
}

function noTeamKey(): ProblemException {
  return new ProblemException('conflict', 'This scope has no team key yet: create it before writing sealed records', { reason: 'no-team-key' });
}

function staleGeneration(current: number): ProblemException {
  return new ProblemException('conflict', `Seal the data key to the scope's current generation ${current}`, {
    reason: 'stale-generation',
    currentGeneration: current,
  });
}

export function toRecordWrap(row: RecordWrapRow): RecordWrap {
  return {
    keyId: row.wrap_key_id,
    scopeId: row.wrap_scope_id,
    generation: row.wrap_generation,
    sealed: row.wrap_sealed,
    entity: row.wrap_entity,
    recordId: row.wrap_record_id,
    writerUserId: row.wrap_writer_id,
    signature: row.wrap_signature,
    writer:
      row.wrap_writer_id === null || row.wrap_writer_sign_public_key === null
        ? null
        : {
            userId: row.wrap_writer_id,
            signPublicKey: row.wrap_writer_sign_public_key,
            boxPublicKey: row.wrap_writer_box_public_key ?? '',
            fingerprint: row.wrap_writer_fingerprint ?? '',
          },
  };
}

@Injectable()
export class KeyringService {
  constructor(
    private readonly keyring: KeyringRepository,
    private readonly keys: KeysRepository,
  ) {}

  /**
   * Structure and binding of a submitted wrap, without the database: this record's key,
   * sealed to `scope`, bound to this record, written by the caller. Cheap: call it
   * before opening the transaction. 400 naming `${at}.…`.
   */
  checkWrap(at: string, wrap: SignedDataKeyWrap, expected: WrapExpectation): void {
    checkProtocolInput(at, () => validateSignedDataKeyWrap(wrap));
    if (wrap.keyId.toLowerCase() !== expected.keyId.toLowerCase()) throw fieldProblem(`${at}.keyId`, "must be the record's key id");
    if (wrap.scopeId.toLowerCase() !== expected.scope) throw fieldProblem(`${at}.scopeId`, 'must be the scope that reads the record');
    if (wrap.entity !== expected.entity) throw fieldProblem(`${at}.entity`, `must be ${expected.entity}`);
    if (wrap.recordId.toLowerCase() !== expected.recordId.toLowerCase()) throw fieldProblem(`${at}.recordId`, 'must be the id of this record');
    if (wrap.writerUserId.toLowerCase() !== expected.writerUserId.toLowerCase()) throw fieldProblem(`${at}.writerUserId`, 'must be the caller');
  }

  /**
   * The registered Ed25519 key of `userId` as a member of `scope` (404 otherwise): every
   * signature a record route takes is the caller's, checked against this.
   */
  async memberSignKey(manager: EntityManager, scope: TeamScopeId, userId: string): Promise<KeyObject> {
    const member = await this.keys.findMember(manager, scope, userId.toLowerCase());
    if (member === undefined) throw new NotFoundProblem('member');
    return importSignPublicKey(member.sign_public_key);
  }

  /**
   * The scope's current generation, row-locked FOR SHARE until the transaction ends: a
   * rotation cannot start before this transaction ends. 409 `no-team-key` without one.
   */
  async currentGeneration(manager: EntityManager, scope: TeamScopeId): Promise<number> {
    const current = await this.keyring.lockCurrentGeneration(manager, scope);
    if (current === undefined) throw noTeamKey();
    return current.generation;
  }

  /** 409 `stale-generation` (with `currentGeneration`) unless `generation` is the scope's current one, locked as above. */
  async assertCurrentGeneration(manager: EntityManager, scope: TeamScopeId, generation: number): Promise<void> {
    const current = await this.currentGeneration(manager, scope);
    if (generation !== current) throw staleGeneration(current);
  }

  /**
   * A scope the caller seals to without being in it (a transfer's receiving embassy, a
   * visa request's embassy, the network): it must hold a team — of `scopeType` when
   * given — else 404 `notFound` (an embassy id that is an organisation's is "not found"
   * too). Its current generation is locked FOR SHARE, as above.
   */
  async receivingScope(manager: EntityManager, scopeId: string, scopeType: ScopeType | undefined, notFound: string): Promise<ReceivingScope> {
    const current = await this.keyring.lockReceivingGeneration(manager, scopeId.toLowerCase());
    if (current === undefined || (scopeType !== undefined && current.scope_type !== scopeType)) throw new NotFoundProblem(notFound);
    return { scope: current.scope_id as TeamScopeId, scopeType: current.scope_type, generation: current.generation };
  }

  /**
   * Writes wraps sealed to `scope`, each already checked by `checkWrap` against its
   * record: verifies each signature against `writerSignKey` (400 `${at}.signature`), then
   * inserts them in one statement that takes the scope's current generation FOR SHARE
   * and writes only wraps of that generation — a stale one is 409 `stale-generation`, a
   * scope without team 409 `no-team-key`, a key already wrapped for this scope and
   * generation 409 `already-exists`. All or nothing: a refusal leaves the caller's
   * transaction to roll back.
   */
  async writeWraps(manager: EntityManager, scope: TeamScopeId, writerSignKey: KeyObject, wraps: readonly WrapToWrite[]): Promise<void> {
    for (const { at, wrap } of wraps) {
      if (wrap.scopeId.toLowerCase() !== scope) throw fieldProblem(`${at}.scopeId`, 'must be the scope that reads the record');
      checkProtocolInput(`${at}.signature`, () => verifyDataKeyWrapOnServer(wrap, writerSignKey));
    }
    let written: string[];
    try {
      written = await this.keyring.insertWraps(manager, scope, wraps.map((entry) => entry.wrap));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ProblemException('conflict', 'This data key is already wrapped for this scope', { reason: 'already-exists' });
      throw error;
    }
    if (written.length !== wraps.length) {
      const current = await this.keyring.lockCurrentGeneration(manager, scope);
      if (current === undefined) throw noTeamKey();
      throw staleGeneration(current.generation);
    }
  }

  /** The caller's wrap of one record (the newest generation's while a rotation keeps two); undefined: none in this scope. */
  async readWrap(manager: EntityManager, scope: TeamScopeId, record: RecordRef): Promise<RecordWrap | undefined> {
    const [row] = await this.keyring.findRecordWraps(manager, scope, record.entity, [record.recordId.toLowerCase()]);
    return row === undefined ? undefined : toRecordWrap(row);
  }

  /** The caller's wraps of many records of one entity (a page of a list), by record id. */
  async readWraps(manager: EntityManager, scope: TeamScopeId, entity: string, recordIds: readonly string[]): Promise<Map<string, RecordWrap>> {
    const rows = await this.keyring.findRecordWraps(manager, scope, entity, recordIds.map((id) => id.toLowerCase()));
    return new Map(rows.map((row) => [row.requested_record_id, toRecordWrap(row)]));
  }

  /**
   * Locks the keyrings of these scopes until the transaction ends, in one order (so two
   * moves in opposite directions cannot deadlock). Moves and shreds take it, so that a
   * rotation's chunks and completion never race them.
   */
  async lockKeyrings(manager: EntityManager, scopes: readonly TeamScopeId[]): Promise<void> {
    for (const scope of [...new Set(scopes)].sort()) await this.keyring.lockKeyring(manager, scope);
  }

  /**
   * Moves a record from `from` to the receiving scope of `wrap` (a transfer): deletes
   * every wrap `from` holds of the record (every generation) and writes `wrap` for the
   * receiving scope, checked and verified as in writeWraps. Takes both keyrings' locks.
   * Returns how many wraps of `from` went.
   */
  async moveWraps(
    manager: EntityManager,
    from: TeamScopeId,
    record: RecordRef,
    to: ReceivingScope,
    writerSignKey: KeyObject,
    wrap: WrapToWrite,
  ): Promise<number> {
    await this.lockKeyrings(manager, [from, to.scope]);
    const deleted = await this.keyring.deleteRecordWraps(manager, from, record.entity, record.recordId.toLowerCase());
    await this.writeWraps(manager, to.scope, writerSignKey, [wrap]);
    return deleted;
  }

  /** Deletes every wrap `scope` holds of the record (every generation), under its keyring lock; returns how many. */
  async deleteWraps(manager: EntityManager, scope: TeamScopeId, record: RecordRef): Promise<number> {
    await this.keyring.lockKeyring(manager, scope);
    return this.keyring.deleteRecordWraps(manager, scope, record.entity, record.recordId.toLowerCase());
  }

  /**
   * The shred of a record `scope` holds: every wrap of its data key, in every scope and
   * generation, so that nobody can open it again. Takes `scope`'s keyring lock (and the
   * other scopes' through `alsoSealedTo`, for records sealed to two scopes). Returns how many.
   */
  async shredWraps(manager: EntityManager, scope: TeamScopeId, record: RecordRef, alsoSealedTo: readonly TeamScopeId[] = []): Promise<number> {
    await this.lockKeyrings(manager, [scope, ...alsoSealedTo]);
    return this.keyring.shredRecordWraps(manager, scope, record.entity, record.recordId.toLowerCase());
  }
}

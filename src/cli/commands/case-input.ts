/**
 * What `egide case …` reads from a person or a file: a new case, a change, a timeline
 * event, a name or passport number to look for. Files are JSON (shapes in docs/cli.md);
 * prompts build the same objects, and both go through the same checks, so that a typo in
 * an enum or a date is a local error naming the field (exit 7) before anything is sealed.
 *
 * Sealed content (names, places, narratives) is taken only from a file or a prompt,
 * never from an option: argv is visible to other users (`ps`) and kept in shell history.
 * This module never prints what it reads.
 */
import { readFileSync } from 'node:fs';
import type { CaseContent, CaseUpdate, DefenderIdentity, JsonValue, NewCase } from '../../client';
import {
  DEFENDER_GROUPS,
  MEMBER_EVENT_TYPES,
  RISK_LEVELS,
  THREAT_TYPES,
  type DefenderGroup,
  type MemberEventType,
  type RiskLevel,
  type ThreatType,
} from '../../contract/case-vocabulary';
import type { CliContext } from '../cli-context';
import { CliError, ExitCode } from '../exit-codes';

type JsonObject = { [key: string]: JsonValue };

/** Collects every problem of one input, so that a file is fixed in one pass. */
class InputProblems {
  private readonly problems: string[] = [];

  constructor(private readonly source: string) {}

  add(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  throwIfAny(): void {
    if (this.problems.length === 0) return;
    throw new CliError(`${this.source} is not valid:\n${this.problems.map((problem) => `  ${problem}`).join('\n')}`, ExitCode.InvalidInput);
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads and parses a JSON file; a missing or malformed file is invalid input, not a crash. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, ExitCode.InvalidInput);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`, ExitCode.InvalidInput);
  }
}

function unknownKeys(value: JsonObject, allowed: readonly string[], path: string, problems: InputProblems): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.add(`${path}${key}`, `unknown field (allowed: ${allowed.join(', ')})`);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string, problems: InputProblems): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value.toUpperCase())) return value.toUpperCase() as T;
  problems.add(path, `must be one of ${allowed.join(', ')}`);
  return undefined;
}

function listOf<T extends string>(value: unknown, allowed: readonly T[], path: string, problems: InputProblems): T[] | undefined {
  if (!Array.isArray(value)) {
    problems.add(path, `must be a list of ${allowed.join(', ')}`);
    return undefined;
  }
  const items = value.map((item, index) => oneOf(item, allowed, `${path}[${index}]`, problems));
  if (items.some((item) => item === undefined)) return undefined;
  const unique = [...new Set(items as T[])];
  if (unique.length !== items.length) problems.add(path, 'lists a value twice');
  return unique;
}

function country(value: unknown, path: string, problems: InputProblems): string | undefined {
  if (typeof value === 'string' && /^[A-Za-z]{2}$/.test(value)) return value.toUpperCase();
  problems.add(path, 'must be a two-letter country code (ISO 3166-1 alpha-2), e.g. "KE"');
  return undefined;
}

function flag(value: unknown, path: string, problems: InputProblems): boolean | undefined {
  if (typeof value === 'boolean') return value;
  problems.add(path, 'must be true or false');
  return undefined;
}

/** A review date: `YYYY-MM-DD` (midnight UTC) or a full ISO 8601 instant; null for none. */
function reviewDate(value: unknown, path: string, problems: InputProblems): string | null | undefined {
  if (value === null) return null;
  if (typeof value === 'string') {
    const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value;
    const parsed = new Date(text);
    if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(parsed.getTime())) return parsed.toISOString();
  }
  problems.add(path, 'must be a date (YYYY-MM-DD), an ISO 8601 instant, or null');
  return undefined;
}

const IDENTITY_KEYS = ['fullName', 'aliases', 'birthDate', 'gender', 'nationality', 'passportNumbers'] as const;
const CONTENT_KEYS = ['identity', 'contacts', 'location', 'narrative', 'protectionMeasures', 'family', 'notes'] as const;

function stringList(value: unknown, path: string, problems: InputProblems): string[] | undefined {
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  problems.add(path, 'must be a list of strings');
  return undefined;
}

function optionalString(value: unknown, path: string, problems: InputProblems): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  problems.add(path, 'must be a string');
  return undefined;
}

function identity(value: unknown, path: string, problems: InputProblems): DefenderIdentity | undefined {
  if (!isObject(value)) {
    problems.add(path, 'must be an object with at least "fullName"');
    return undefined;
  }
  unknownKeys(value, IDENTITY_KEYS, `${path}.`, problems);
  if (typeof value.fullName !== 'string' || value.fullName.trim() === '') problems.add(`${path}.fullName`, 'is required (a non-empty string)');
  const result: DefenderIdentity = { fullName: typeof value.fullName === 'string' ? value.fullName : '' };
  if (value.aliases !== undefined) result.aliases = stringList(value.aliases, `${path}.aliases`, problems);
  if (value.passportNumbers !== undefined) result.passportNumbers = stringList(value.passportNumbers, `${path}.passportNumbers`, problems);
  for (const key of ['birthDate', 'gender', 'nationality'] as const) {
    const text = optionalString(value[key], `${path}.${key}`, problems);
    if (text !== undefined) result[key] = text;
  }
  return result;
}

/** The sealed content of a new case (`partial`: a change, where `null` removes a field). */
function content(value: unknown, path: string, problems: InputProblems, partial: boolean): CaseUpdate['content'] {
  if (!isObject(value)) {
    problems.add(path, partial ? 'must be an object' : 'is required: an object with at least identity.fullName');
    return undefined;
  }
  unknownKeys(value, CONTENT_KEYS, `${path}.`, problems);
  const result: NonNullable<CaseUpdate['content']> = {};
  if (value.identity !== undefined) {
    if (value.identity === null) problems.add(`${path}.identity`, 'cannot be removed');
    else result.identity = identity(value.identity, `${path}.identity`, problems);
  } else if (!partial) problems.add(`${path}.identity`, 'is required');
  for (const key of ['narrative', 'notes'] as const) {
    const field = value[key];
    if (field === undefined) continue;
    if (field === null && partial) result[key] = null;
    else if (typeof field === 'string') result[key] = field;
    else problems.add(`${path}.${key}`, partial ? 'must be a string or null' : 'must be a string');
  }
  for (const key of ['contacts', 'location', 'protectionMeasures', 'family'] as const) {
    const field = value[key];
    if (field === undefined) continue;
    if (field === null && !partial) problems.add(`${path}.${key}`, 'must not be null (leave it out)');
    else result[key] = field;
  }
  return result;
}

const NEW_CASE_KEYS = ['id', 'riskLevel', 'threatTypes', 'defenderGroups', 'countryOfActivity', 'nextReviewAt', 'consentToTransfer', 'consentToRefugeSharing', 'content'] as const;

/** A new case from parsed JSON (a file, or what the prompts gathered). */
export function parseNewCase(value: unknown, source: string): NewCase {
  const problems = new InputProblems(source);
  if (!isObject(value)) {
    problems.add('(top level)', 'must be an object');
    problems.throwIfAny();
  }
  const input = value as JsonObject;
  unknownKeys(input, NEW_CASE_KEYS, '', problems);
  if (input.id !== undefined && (typeof input.id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(input.id))) {
    problems.add('id', 'must be a UUID v4 (or be left out: one is drawn)');
  }
  const parsed = {
    riskLevel: oneOf<RiskLevel>(input.riskLevel, RISK_LEVELS, 'riskLevel', problems),
    threatTypes: listOf<ThreatType>(input.threatTypes ?? [], THREAT_TYPES, 'threatTypes', problems),
    defenderGroups: listOf<DefenderGroup>(input.defenderGroups ?? [], DEFENDER_GROUPS, 'defenderGroups', problems),
    countryOfActivity: country(input.countryOfActivity, 'countryOfActivity', problems),
    nextReviewAt: input.nextReviewAt === undefined ? null : reviewDate(input.nextReviewAt, 'nextReviewAt', problems),
    // No consent unless it was recorded: the safe default for a transfer or a referral.
    consentToTransfer: input.consentToTransfer === undefined ? false : flag(input.consentToTransfer, 'consentToTransfer', problems),
    consentToRefugeSharing: input.consentToRefugeSharing === undefined ? false : flag(input.consentToRefugeSharing, 'consentToRefugeSharing', problems),
    content: content(input.content, 'content', problems, false),
  };
  problems.throwIfAny();
  return { ...(parsed as Omit<NewCase, 'id'>), content: parsed.content as CaseContent, ...(typeof input.id === 'string' ? { id: input.id } : {}) };
}

const UPDATE_KEYS = ['version', 'riskLevel', 'threatTypes', 'defenderGroups', 'countryOfActivity', 'nextReviewAt', 'consentToTransfer', 'consentToRefugeSharing', 'content'] as const;

/** A change from parsed JSON; `version` may come from `--version` instead. */
export function parseCaseUpdate(value: unknown, source: string, version: number | undefined): CaseUpdate {
  const problems = new InputProblems(source);
  if (!isObject(value)) {
    problems.add('(top level)', 'must be an object');
    problems.throwIfAny();
  }
  const input = value as JsonObject;
  unknownKeys(input, UPDATE_KEYS, '', problems);
  const fileVersion = input.version;
  if (fileVersion !== undefined && (typeof fileVersion !== 'number' || !Number.isInteger(fileVersion) || fileVersion < 1)) problems.add('version', 'must be a positive integer');
  if (version !== undefined && typeof fileVersion === 'number' && fileVersion !== version) problems.add('version', `is ${fileVersion} but --version says ${version}`);
  const based = version ?? (typeof fileVersion === 'number' ? fileVersion : undefined);
  if (based === undefined && fileVersion === undefined) {
    // Like `status` and `assign` without --version: the command is incomplete, not the content.
    throw new CliError(`--version N is required (or "version" in ${source}): the case version you based the change on`, ExitCode.Usage);
  }
  const update: CaseUpdate = { version: based ?? 0 };
  if (input.riskLevel !== undefined) update.riskLevel = oneOf<RiskLevel>(input.riskLevel, RISK_LEVELS, 'riskLevel', problems);
  if (input.threatTypes !== undefined) update.threatTypes = listOf<ThreatType>(input.threatTypes, THREAT_TYPES, 'threatTypes', problems);
  if (input.defenderGroups !== undefined) update.defenderGroups = listOf<DefenderGroup>(input.defenderGroups, DEFENDER_GROUPS, 'defenderGroups', problems);
  if (input.countryOfActivity !== undefined) update.countryOfActivity = country(input.countryOfActivity, 'countryOfActivity', problems);
  if (input.nextReviewAt !== undefined) update.nextReviewAt = reviewDate(input.nextReviewAt, 'nextReviewAt', problems);
  if (input.consentToTransfer !== undefined) update.consentToTransfer = flag(input.consentToTransfer, 'consentToTransfer', problems);
  if (input.consentToRefugeSharing !== undefined) update.consentToRefugeSharing = flag(input.consentToRefugeSharing, 'consentToRefugeSharing', problems);
  if (input.content !== undefined) update.content = content(input.content, 'content', problems, true);
  problems.throwIfAny();
  return update;
}

export interface NewCaseEvent {
  type: MemberEventType;
  body: JsonValue;
}

/** A timeline event from parsed JSON: `{ "type": …, "body": … }`; `--type` fills a missing type. */
export function parseCaseEvent(value: unknown, source: string, type: MemberEventType | undefined): NewCaseEvent {
  const problems = new InputProblems(source);
  if (!isObject(value)) {
    problems.add('(top level)', 'must be an object: { "type": …, "body": … }');
    problems.throwIfAny();
  }
  const input = value as JsonObject;
  unknownKeys(input, ['type', 'body'], '', problems);
  const typeValue = input.type ?? type;
  const parsedType = oneOf<MemberEventType>(typeValue, MEMBER_EVENT_TYPES, 'type', problems);
  if (type !== undefined && parsedType !== undefined && parsedType !== type) problems.add('type', `is ${parsedType} but --type says ${type}`);
  if (input.body === undefined || input.body === null) problems.add('body', 'is required (any JSON; an object with a "summary" reads best)');
  problems.throwIfAny();
  return { type: parsedType as MemberEventType, body: input.body };
}

/** What to look for among duplicates: `{ "name": … }` or `{ "passport": … }`. */
export function parseDuplicateProbe(value: unknown, source: string): { name: string } | { passport: string } {
  const problems = new InputProblems(source);
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'name' || keys[0] === 'passport') && typeof value[keys[0]] === 'string' && value[keys[0]] !== '') {
      return keys[0] === 'name' ? { name: value.name as string } : { passport: value.passport as string };
    }
  }
  problems.add('(top level)', 'must be { "name": "…" } or { "passport": "…" }');
  problems.throwIfAny();
  throw new CliError(`${source} is not valid`, ExitCode.InvalidInput);
}

function commaList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function yesNo(text: string, question: string): boolean {
  if (/^(y|yes|true)$/i.test(text)) return true;
  if (/^(n|no|false|)$/i.test(text)) return false;
  throw new CliError(`${question}: answer yes or no`, ExitCode.InvalidInput);
}

/**
 * A new case from questions on the terminal (echoed: this is casework, not a password),
 * for the fields a first contact usually has. Longer content goes through `--file`.
 */
export async function promptNewCase(context: CliContext): Promise<NewCase> {
  const ask = (question: string): Promise<string> => context.ask(question, '--file case.json');
  const riskLevel = await ask(`Risk level (${RISK_LEVELS.join(', ')}): `);
  const threatTypes = commaList(await ask(`Threat types, comma-separated (${THREAT_TYPES.join(', ')}): `));
  const defenderGroups = commaList(await ask(`Defender groups, comma-separated (${DEFENDER_GROUPS.join(', ')}): `));
  const countryOfActivity = await ask('Country of activity (two letters, e.g. KE): ');
  const nextReview = await ask('Next review (YYYY-MM-DD, empty for none): ');
  const consentToTransfer = yesNo(await ask('Has the defender consented to a transfer to another embassy? (yes/no): '), 'consent to transfer');
  const consentToRefugeSharing = yesNo(await ask('Has the defender consented to sharing with refuges? (yes/no): '), 'consent to refuge sharing');
  const fullName = await ask('Full name (as in the passport): ');
  const aliases = commaList(await ask('Other names or aliases, comma-separated (may be empty): '));
  const nationality = await ask('Nationality (may be empty): ');
  const passportNumbers = commaList(await ask('Passport numbers, comma-separated (may be empty): '));
  const narrative = await ask('Narrative, one line (may be empty; use --file for more): ');
  const identityValue: JsonObject = { fullName };
  if (aliases.length > 0) identityValue.aliases = aliases;
  if (nationality !== '') identityValue.nationality = nationality;
  if (passportNumbers.length > 0) identityValue.passportNumbers = passportNumbers;
  const contentValue: JsonObject = { identity: identityValue };
  if (narrative !== '') contentValue.narrative = narrative;
  return parseNewCase(
    {
      riskLevel,
      threatTypes,
      defenderGroups,
      countryOfActivity,
      nextReviewAt: nextReview === '' ? null : nextReview,
      consentToTransfer,
      consentToRefugeSharing,
      content: contentValue,
    },
    'your answers',
  );
}

/** A timeline event from questions: its type (unless given) and a one-line summary. */
export async function promptCaseEvent(context: CliContext, type: MemberEventType | undefined): Promise<NewCaseEvent> {
  const ask = (question: string): Promise<string> => context.ask(question, '--file event.json');
  const typeText = type ?? (await ask(`Event type (${MEMBER_EVENT_TYPES.join(', ')}): `));
  const summary = await ask('What happened (one line): ');
  const occurredOn = await ask('When (YYYY-MM-DD, empty for today): ');
  const body: JsonObject = { summary, occurredOn: occurredOn === '' ? new Date().toISOString().slice(0, 10) : occurredOn };
  return parseCaseEvent({ type: typeText, body }, 'your answers', type);
}

/** The value to look for among duplicates, asked for when no file gives it. */
export async function promptDuplicateProbe(context: CliContext, by: 'name' | 'passport'): Promise<{ name: string } | { passport: string }> {
  const value = await context.ask(by === 'name' ? 'Name to look for: ' : 'Passport number to look for: ', '--file probe.json');
  return parseDuplicateProbe({ [by]: value }, 'your answer');
}

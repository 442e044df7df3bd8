/**
 * How an opened case reads on a terminal: its clear fields, then every sealed field and
 * the timeline, as text a caseworker reads (not JSON). Used by `egide case show` and by
 * `npm run demo`, so that the demo shows exactly what the CLI shows.
 *
 * Everything printed here came from the server or was opened from what it sent: control
 * characters are shown as `?`, never interpreted by the terminal. This module prints
 * only what it is handed; the caller decides that decrypted content may be shown.
 */
import type { JsonValue, OpenedCase, OpenedCaseEvent } from '../../client';
import type { CaseSummaryResponse } from '../../cases/dto/case.response';
import type { TableColumn } from '../output';

const WIDTH = 88;
const LABEL_WIDTH = 20;

export interface CaseViewOptions {
  /** A readable name for a user id (`Name <e-mail> (scope)` from the trust store); the id otherwise. */
  nameOf?: (userId: string) => string | undefined;
}

/** Control characters (but the line breaks we lay out ourselves) are shown, not obeyed. */
function visible(text: string): string {
  let shown = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\n') shown += char;
    else if (char === '\t') shown += ' ';
    else shown += code < 0x20 || (code >= 0x7f && code < 0xa0) ? '?' : char;
  }
  return shown;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of visible(text).split('\n')) {
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      if (line !== '' && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    lines.push(line);
  }
  return lines;
}

/** `protectionMeasures` → `Protection measures`. */
function label(key: string): string {
  const spaced = key.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function isScalar(value: JsonValue): value is string | number | boolean | null {
  return value === null || typeof value !== 'object';
}

function scalarText(value: string | number | boolean | null): string {
  if (value === null) return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** Any sealed JSON value as indented text: objects as labelled lines, lists as bullets. */
export function renderJson(value: JsonValue, indent: string): string[] {
  if (isScalar(value)) return wrap(scalarText(value), WIDTH - indent.length).map((line) => `${indent}${line}`);
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}-`];
    return value.flatMap((item) => {
      const [first, ...rest] = renderJson(item, `${indent}  `);
      return [`${indent}- ${first.slice(indent.length + 2)}`, ...rest];
    });
  }
  const lines: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    const name = `${label(key)}:`;
    if (isScalar(item) || (Array.isArray(item) && item.every((entry) => typeof entry === 'string') && item.join(', ').length < 60)) {
      const text = isScalar(item) ? scalarText(item) : item.length === 0 ? '-' : item.join(', ');
      const room = WIDTH - indent.length - LABEL_WIDTH - 1;
      const [first, ...rest] = wrap(text, Math.max(room, 20));
      lines.push(`${indent}${name.padEnd(LABEL_WIDTH)} ${first}`, ...rest.map((line) => `${indent}${' '.repeat(LABEL_WIDTH + 1)}${line}`));
    } else {
      lines.push(`${indent}${name}`, ...renderJson(item, `${indent}  `));
    }
  }
  return lines.length === 0 ? [`${indent}-`] : lines;
}

function day(instant: string | null): string {
  return instant === null ? '-' : instant.slice(0, 10);
}

function minute(instant: string): string {
  return `${instant.slice(0, 10)} ${instant.slice(11, 16)}`;
}

function userText(userId: string | null, options: CaseViewOptions): string {
  if (userId === null) return '-';
  return options.nameOf?.(userId) ?? userId;
}

function consentText(given: boolean, at: string | null): string {
  return given ? `yes (recorded ${day(at)})` : 'no';
}

function field(name: string, value: string): string {
  return `  ${`${name}:`.padEnd(LABEL_WIDTH)} ${visible(value).replace(/\n/g, ' ')}`;
}

/** The clear part of a case (what lists and a shredded skeleton show too). */
export function renderCaseSummary(summary: CaseSummaryResponse, options: CaseViewOptions = {}): string[] {
  return [
    field('Status', summary.shreddedAt === null ? summary.status : `${summary.status}, SHREDDED on ${day(summary.shreddedAt)}`),
    field('Risk level', summary.riskLevel),
    field('Threat types', summary.threatTypes.join(', ') || '-'),
    field('Defender groups', summary.defenderGroups.join(', ') || '-'),
    field('Country', summary.countryOfActivity),
    field('Assigned to', userText(summary.assignedToId, options)),
    field('Next review', day(summary.nextReviewAt)),
    field('Consent: transfer', consentText(summary.consentToTransfer, summary.consentToTransferAt)),
    field('Consent: refuges', consentText(summary.consentToRefugeSharing, summary.consentToRefugeSharingAt)),
    field('Version', `${summary.version} (content revision ${summary.revision})`),
    field('Opened', minute(summary.createdAt)),
    field('Last change', minute(summary.updatedAt)),
  ];
}

const SECTIONS: [Exclude<keyof OpenedCase['content'], 'identity'>, string][] = [
  ['contacts', 'Contacts'],
  ['location', 'Location'],
  ['narrative', 'Narrative'],
  ['protectionMeasures', 'Protection measures'],
  ['family', 'Family'],
  ['notes', 'Notes'],
];

/** The case as its embassy's member reads it after decryption: clear fields, then sealed ones. */
export function renderOpenedCase(opened: OpenedCase, options: CaseViewOptions = {}): string {
  const { identity } = opened.content;
  const lines = [
    `Case ${opened.reference}  (${opened.id})`,
    ...renderCaseSummary(opened, options),
    field('Content signed by', `${userText(opened.author.userId, options)}, fingerprint ${opened.author.fingerprint}`),
    '',
    'Identity',
    field('Full name', identity.fullName),
  ];
  if (identity.aliases !== undefined && identity.aliases.length > 0) lines.push(field('Aliases', identity.aliases.join(', ')));
  if (identity.birthDate !== undefined) lines.push(field('Birth date', identity.birthDate));
  if (identity.gender !== undefined) lines.push(field('Gender', identity.gender));
  if (identity.nationality !== undefined) lines.push(field('Nationality', identity.nationality));
  if (identity.passportNumbers !== undefined && identity.passportNumbers.length > 0) lines.push(field('Passports', identity.passportNumbers.join(', ')));
  for (const [key, title] of SECTIONS) {
    const value = opened.content[key];
    if (value === undefined) continue;
    lines.push('', title, ...renderJson(value, '  '));
  }
  return lines.join('\n');
}

/** What a server event says in the clear (its details); member events say it in their opened body. */
function eventDetails(event: OpenedCaseEvent): string {
  const details = event.details;
  if (event.type === 'STATUS_CHANGE') return `${String(details.from)} → ${String(details.to)}`;
  if (event.type === 'TRANSFER') {
    const basis = details.basis === 'override' ? `override: ${String(details.overrideReason)}` : 'with the defender’s consent';
    return `${String(details.previousReference)} → ${String(details.reference)} (${basis})`;
  }
  return '';
}

/** The timeline, oldest first: server events from their clear details, member events opened. */
export function renderTimeline(events: readonly OpenedCaseEvent[], options: CaseViewOptions = {}): string {
  if (events.length === 0) return 'Timeline: no events yet.';
  const lines = [`Timeline (${events.length} event${events.length === 1 ? '' : 's'}, oldest first; times are when recorded)`];
  for (const event of events) {
    const details = eventDetails(event);
    lines.push(`  ${minute(event.createdAt)}  ${event.type}${details === '' ? '' : `  ${details}`}  by ${userText(event.author.userId, options)}`);
    if (event.body !== null) lines.push(...renderJson(event.body, '      '));
  }
  return lines.join('\n');
}

/** The work-queue table of `egide case list` (clear fields only). */
export const CASE_COLUMNS: TableColumn<CaseSummaryResponse>[] = [
  { header: 'ID', value: (row) => row.id },
  { header: 'REFERENCE', value: (row) => row.reference },
  { header: 'STATUS', value: (row) => (row.shreddedAt === null ? row.status : 'SHREDDED') },
  { header: 'RISK', value: (row) => row.riskLevel },
  { header: 'COUNTRY', value: (row) => row.countryOfActivity },
  { header: 'THREAT TYPES', value: (row) => row.threatTypes.join(',') || '-' },
  { header: 'NEXT REVIEW', value: (row) => day(row.nextReviewAt) },
  { header: 'VERSION', value: (row) => String(row.version) },
];

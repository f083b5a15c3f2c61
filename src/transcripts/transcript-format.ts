import type { ChatItemDto } from './chat-item.js';

export const EXPORT_FORMATS = ['json', 'csv', 'txt'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CSV_COLUMNS = ['seq', 'absoluteTime', 'participantRole', 'displayName', 'type', 'contentType', 'content'] as const;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF; quotes doubled. A cell that
 * a spreadsheet would read as a formula (starting with = + - @, tab or CR) gets a leading single
 * quote first, so `=HYPERLINK(…)` stays text.
 */
export function csvCell(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

export function csvRow(item: ChatItemDto): string {
  return `${[item.seq, item.absoluteTime, item.participantRole, item.displayName, item.type, item.contentType, item.content].map(csvCell).join(',')}\r\n`;
}

/**
 * `[absoluteTime] displayName (participantRole): content`. Line breaks inside content are kept as
 * the two characters `\n`, so one item is always one line; events without content show their
 * content type (e.g. `application/vnd.amazonaws.connect.event.participant.joined`).
 */
export function txtLine(item: ChatItemDto): string {
  const who = item.displayName ?? item.participantRole ?? 'SYSTEM';
  const role = item.participantRole ?? item.type;
  const body = item.content ?? (item.attachments?.length ? `[attachment] ${item.attachments.map((a) => a.name).join(', ')}` : item.contentType ?? item.type);
  return `[${item.absoluteTime}] ${oneLine(who)} (${role}): ${oneLine(body)}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\r\n|\r|\n/g, '\\n');
}

export function contentTypeOf(format: ExportFormat): string {
  return { json: 'application/json; charset=utf-8', csv: 'text/csv; charset=utf-8', txt: 'text/plain; charset=utf-8' }[format];
}

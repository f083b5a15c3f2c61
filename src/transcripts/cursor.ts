/**
 * Opaque pagination cursors: a base64url JSON array of strings. They carry only positions (sort keys),
 * never filters or anything secret; a cursor that does not decode is a VALIDATION_FAILED.
 */
export function encodeCursor(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/** The parts, or null when the text is not a cursor of this shape. */
export function decodeCursor(cursor: string): string[] | null {
  if (cursor.length === 0 || cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length > 8 || !parsed.every((p) => typeof p === 'string' && p.length <= 200)) return null;
    return parsed as string[];
  } catch {
    return null;
  }
}

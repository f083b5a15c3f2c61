/**
 * Origins as browsers send them in the `Origin` header: `scheme://host[:port]`, lowercase scheme and
 * host, no default port, no path. Allowed origins are stored in this form and compared exactly.
 */
const SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[0-9A-Fa-f:.]+\]|[^/?#:@\s[\]\\]+)(?::(\d{1,5}))?$/;
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?)$/;
const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' };

export const WILDCARD_ORIGIN = '*';

/** The canonical form of an origin, or undefined when it is not one. */
export function normaliseOrigin(raw: string): string | undefined {
  if (raw.length === 0 || raw.length > 2048) return undefined;
  const m = SHAPE.exec(raw);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  let host = m[2]!.toLowerCase();
  const port = m[3];
  if (scheme === 'http' || scheme === 'https') {
    // Let WHATWG URL canonicalise the host as browsers do (IDN to punycode, IPv4 forms).
    try {
      host = new URL(`${scheme}://${host}`).hostname;
    } catch {
      return undefined;
    }
  }
  if (!HOST.test(host)) return undefined;
  if (port !== undefined) {
    const n = Number(port);
    if (n < 1 || n > 65535) return undefined;
    if (DEFAULT_PORTS[scheme] !== String(n)) return `${scheme}://${host}:${n}`;
  }
  return `${scheme}://${host}`;
}

/** Exact match after normalisation, or any origin when the list holds `*`. */
export function originAllowed(allowed: readonly string[], origin: string): boolean {
  if (allowed.includes(WILDCARD_ORIGIN)) return true;
  const normal = normaliseOrigin(origin);
  return normal !== undefined && allowed.includes(normal);
}

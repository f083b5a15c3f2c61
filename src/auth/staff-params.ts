import { AppError } from '../common/app-error.js';
import type { FieldProblem } from '../common/app-error.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** ISO-8601 date or date-time with an explicit zone (Z or ±hh:mm); a bare date means midnight UTC. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Hand-written edge validation for the staff API (queries and bodies): every problem is collected
 * with its field name, then `done()` throws one VALIDATION_FAILED listing them all.
 */
export class ParamReader {
  private readonly problems: FieldProblem[] = [];

  constructor(
    private readonly source: Record<string, unknown>,
    private readonly prefix = '',
  ) {}

  static of(source: unknown, what = 'body'): ParamReader {
    if (typeof source !== 'object' || source === null || Array.isArray(source)) {
      const reader = new ParamReader({});
      reader.problem(what, 'must be a JSON object');
      return reader;
    }
    return new ParamReader(source as Record<string, unknown>);
  }

  problem(field: string, message: string): void {
    this.problems.push({ field: this.prefix + field, message });
  }

  /** Refuses keys outside `allowed` (bodies; queries tolerate extra parameters). */
  only(allowed: readonly string[]): this {
    for (const key of Object.keys(this.source)) if (!allowed.includes(key)) this.problem(key, 'is not an allowed field');
    return this;
  }

  string(name: string, opts: { required?: boolean; min?: number; max: number; pattern?: RegExp; patternText?: string }): string | undefined {
    const raw = this.single(name);
    if (raw === undefined) {
      if (opts.required) this.problem(name, 'is required');
      return undefined;
    }
    if (typeof raw !== 'string') return this.fail(name, 'must be a string');
    if (raw.length < (opts.min ?? 1)) return this.fail(name, opts.min === undefined || opts.min <= 1 ? 'must not be empty' : `must be at least ${opts.min} characters`);
    if (raw.length > opts.max) return this.fail(name, `must be at most ${opts.max} characters`);
    // Postgres text cannot hold NUL; refusing it here keeps it a 400 rather than a database error.
    if (raw.includes('\u0000')) return this.fail(name, 'must not contain NUL characters');
    if (opts.pattern && !opts.pattern.test(raw)) return this.fail(name, opts.patternText ?? 'has an invalid format');
    return raw;
  }

  uuid(name: string, required = false): string | undefined {
    const raw = this.string(name, { required, max: 36 });
    if (raw === undefined) return undefined;
    return isUuid(raw) ? raw.toLowerCase() : this.fail(name, 'must be a UUID');
  }

  oneOf<T extends string>(name: string, values: readonly T[], required = false): T | undefined {
    const raw = this.string(name, { required, max: 64 });
    if (raw === undefined) return undefined;
    return (values as readonly string[]).includes(raw) ? (raw as T) : this.fail(name, `must be one of ${values.join(', ')}`);
  }

  /** A whole number from a query string or a JSON number. */
  int(name: string, min: number, max: number): number | undefined {
    const raw = this.single(name);
    if (raw === undefined) return undefined;
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(value)) return this.fail(name, 'must be a whole number');
    if (value < min || value > max) return this.fail(name, `must be between ${min} and ${max}`);
    return value;
  }

  date(name: string): Date | undefined {
    const raw = this.string(name, { max: 40 });
    if (raw === undefined) return undefined;
    const value = ISO_DATE.test(raw) ? new Date(raw) : null;
    if (!value || Number.isNaN(value.getTime())) return this.fail(name, 'must be an ISO-8601 date or date-time with a time zone, e.g. 2026-11-26T10:00:00.000Z');
    return value;
  }

  bool(name: string): boolean | undefined {
    const raw = this.single(name);
    if (raw === undefined) return undefined;
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    return this.fail(name, 'must be true or false');
  }

  /** An array of strings from a JSON body. */
  stringArray(name: string, opts: { maxItems: number; each: (value: string) => string | null }): string[] | undefined {
    const raw = this.source[name];
    if (raw === undefined || raw === null) return undefined;
    if (!Array.isArray(raw)) return this.fail(name, 'must be an array');
    if (raw.length > opts.maxItems) return this.fail(name, `must have at most ${opts.maxItems} entries`);
    const out: string[] = [];
    raw.forEach((entry, i) => {
      if (typeof entry !== 'string') return this.problem(`${name}[${i}]`, 'must be a string');
      const problem = opts.each(entry);
      if (problem) this.problem(`${name}[${i}]`, problem);
      else out.push(entry);
    });
    return out;
  }

  done(): void {
    if (this.problems.length) throw AppError.validation(this.problems);
  }

  private single(name: string): unknown {
    const raw = this.source[name];
    if (Array.isArray(raw) && raw.every((v) => typeof v === 'string')) {
      this.problem(name, 'must be a single value');
      return undefined;
    }
    return raw === null ? undefined : raw;
  }

  private fail(name: string, message: string): undefined {
    this.problem(name, message);
    return undefined;
  }
}

import type { AwsError } from './aws-errors.js';
import { constraintMessage } from './aws-errors.js';

export type ErrorFactory = (message: string) => AwsError;

interface LengthRule {
  min?: number;
  max?: number;
}

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/**
 * Reads one JSON object member by member, enforcing the service model's constraints.
 * Lengths count UTF-16 code units (String.length), as the gateway does (CONTRACT.md conventions).
 */
export class BodyReader {
  constructor(
    private readonly body: Record<string, unknown>,
    private readonly fail: ErrorFactory,
    private readonly path = '',
  ) {}

  static of(value: unknown, fail: ErrorFactory): BodyReader {
    if (value === undefined || value === null) return new BodyReader({}, fail);
    if (typeof value !== 'object' || Array.isArray(value)) throw fail('Request body must be a JSON object');
    return new BodyReader(value as Record<string, unknown>, fail);
  }

  has(name: string): boolean {
    return this.body[name] !== undefined && this.body[name] !== null;
  }

  raw(name: string): unknown {
    return this.body[name];
  }

  field(name: string): string {
    return this.path ? `${this.path}.${lowerFirst(name)}` : lowerFirst(name);
  }

  error(name: string, constraint: string): AwsError {
    return this.fail(constraintMessage(this.field(name), constraint));
  }

  optionalString(name: string, rule: LengthRule = {}): string | undefined {
    if (!this.has(name)) return undefined;
    const value = this.body[name];
    if (typeof value !== 'string') throw this.error(name, 'Member must be a string');
    checkLength(value.length, rule, () => this.error(name, lengthConstraint(value.length, rule)));
    return value;
  }

  string(name: string, rule: LengthRule = {}): string {
    const value = this.optionalString(name, rule);
    if (value === undefined) throw this.error(name, 'Member must not be null');
    return value;
  }

  optionalInt(name: string, min: number, max: number): number | undefined {
    if (!this.has(name)) return undefined;
    const value = this.body[name];
    if (typeof value !== 'number' || !Number.isInteger(value)) throw this.error(name, 'Member must be an integer');
    if (value < min) throw this.error(name, `Member must have value greater than or equal to ${min}`);
    if (value > max) throw this.error(name, `Member must have value less than or equal to ${max}`);
    return value;
  }

  optionalBoolean(name: string): boolean | undefined {
    if (!this.has(name)) return undefined;
    const value = this.body[name];
    if (typeof value !== 'boolean') throw this.error(name, 'Member must be a boolean');
    return value;
  }

  optionalEnum<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.optionalString(name);
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value)) {
      throw this.error(name, `Member must satisfy enum value set: [${values.join(', ')}]`);
    }
    return value as T;
  }

  optionalObject(name: string): BodyReader | undefined {
    if (!this.has(name)) return undefined;
    const value = this.body[name];
    if (typeof value !== 'object' || Array.isArray(value)) throw this.error(name, 'Member must be a structure');
    return new BodyReader(value as Record<string, unknown>, this.fail, this.field(name));
  }

  object(name: string): BodyReader {
    const value = this.optionalObject(name);
    if (!value) throw this.error(name, 'Member must not be null');
    return value;
  }

  optionalList(name: string, rule: LengthRule = {}): unknown[] | undefined {
    if (!this.has(name)) return undefined;
    const value = this.body[name];
    if (!Array.isArray(value)) throw this.error(name, 'Member must be a list');
    checkLength(value.length, rule, () => this.error(name, lengthConstraint(value.length, rule)));
    return value;
  }

  optionalStringList(name: string, rule: LengthRule, item: LengthRule): string[] | undefined {
    const list = this.optionalList(name, rule);
    if (!list) return undefined;
    return list.map((entry) => {
      if (typeof entry !== 'string') throw this.error(name, 'Member must be a list of strings');
      checkLength(entry.length, item, () => this.error(name, `Member must satisfy constraint: [${lengthConstraint(entry.length, item)}]`));
      return entry;
    });
  }

  optionalStringMap(name: string, key: LengthRule, value: LengthRule): Record<string, string> | undefined {
    if (!this.has(name)) return undefined;
    const map = this.body[name];
    if (typeof map !== 'object' || Array.isArray(map) || map === null) throw this.error(name, 'Member must be a map');
    for (const [k, v] of Object.entries(map)) {
      checkLength(k.length, key, () => this.error(name, `Map keys must satisfy constraint: [${lengthConstraint(k.length, key)}]`));
      if (typeof v !== 'string') throw this.error(name, 'Map values must be strings');
      checkLength(v.length, value, () => this.error(name, `Map values must satisfy constraint: [${lengthConstraint(v.length, value)}]`));
    }
    return map as Record<string, string>;
  }
}

function checkLength(length: number, rule: LengthRule, fail: () => AwsError): void {
  if ((rule.min !== undefined && length < rule.min) || (rule.max !== undefined && length > rule.max)) throw fail();
}

function lengthConstraint(length: number, rule: LengthRule): string {
  if (rule.min !== undefined && length < rule.min) return `Member must have length greater than or equal to ${rule.min}`;
  return `Member must have length less than or equal to ${rule.max}`;
}

/** ISO-8601 with milliseconds and Z, the only time format the participant service emits. */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

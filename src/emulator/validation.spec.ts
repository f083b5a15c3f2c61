import { validationError } from './aws-errors.js';
import { BodyReader } from './validation.js';

const read = (body: unknown) => BodyReader.of(body, validationError);

describe('BodyReader', () => {
  it('reads strings with length limits counted in String.length', () => {
    expect(read({ Content: 'abc' }).string('Content', { min: 1, max: 3 })).toBe('abc');
    expect(() => read({ Content: 'abcd' }).string('Content', { min: 1, max: 3 })).toThrow(
      "1 validation error detected: Value at 'content' failed to satisfy constraint: Member must have length less than or equal to 3",
    );
    expect(() => read({ Content: '' }).string('Content', { min: 1 })).toThrow('greater than or equal to 1');
    expect(() => read({}).string('Content')).toThrow('Member must not be null');
    expect(() => read({ Content: 5 }).string('Content')).toThrow('must be a string');
    expect(read({ Content: '😀' }).string('Content', { max: 2 })).toBe('😀');
  });

  it('names nested members by their path', () => {
    const details = read({ ParticipantDetails: { DisplayName: '' } }).object('ParticipantDetails');
    expect(() => details.string('DisplayName', { min: 1 })).toThrow("'participantDetails.displayName'");
  });

  it('reads integers, booleans, enums, lists and maps', () => {
    const body = read({ N: 60, B: true, E: 'FORWARD', L: ['a'], M: { k: 'v' } });
    expect(body.optionalInt('N', 60, 10080)).toBe(60);
    expect(() => read({ N: 59 }).optionalInt('N', 60, 10080)).toThrow('greater than or equal to 60');
    expect(() => read({ N: 1.5 }).optionalInt('N', 0, 10)).toThrow('integer');
    expect(body.optionalBoolean('B')).toBe(true);
    expect(body.optionalEnum('E', ['FORWARD', 'BACKWARD'])).toBe('FORWARD');
    expect(() => read({ E: 'SIDEWAYS' }).optionalEnum('E', ['FORWARD'])).toThrow('enum value set');
    expect(body.optionalStringList('L', { min: 1 }, { min: 1 })).toEqual(['a']);
    expect(() => read({ L: [] }).optionalStringList('L', { min: 1 }, {})).toThrow();
    expect(body.optionalStringMap('M', { min: 1 }, { max: 1 })).toEqual({ k: 'v' });
    expect(() => read({ M: { k: 1 } }).optionalStringMap('M', {}, {})).toThrow('strings');
    expect(body.optionalInt('missing', 0, 1)).toBeUndefined();
  });

  it('refuses a body that is not an object and treats null members as absent', () => {
    expect(() => read([1])).toThrow('JSON object');
    expect(read({ A: null }).optionalString('A')).toBeUndefined();
  });
});

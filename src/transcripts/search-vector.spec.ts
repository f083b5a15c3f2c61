import { searchVectorText } from './search-vector.js';

describe('searchVectorText', () => {
  it('splits plain text into lower-cased words with their positions', () => {
    expect(searchVectorText('Agent', 'Hello, world! hello.')).toBe("'agent':1 'hello':2 'world':3 'hello':4");
    expect(searchVectorText(null, "I'm (still) here: 12 times?")).toBe("'i':1 'm':2 'still':3 'here':4 '12':5 'times':6");
    expect(searchVectorText(null, null)).toBe('');
  });

  it.each([
    ['other characters', 'naïve café'],
    ['a hyphen', 'well-known'],
    ['a full stop inside a word', 'e.g. this'],
    ['a number with a decimal point', '3.14'],
    ['scientific notation', 'about 1e5 items'],
    ['a tilde', 'a~b'],
    ['more than 255 words', 'ha '.repeat(256)],
    ['a word too long', 'x'.repeat(201)],
  ])('leaves %s to Postgres', (_name, content) => {
    expect(searchVectorText('Agent', content)).toBeNull();
  });
});

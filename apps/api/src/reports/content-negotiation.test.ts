import { prefersJson } from './content-negotiation.js';

describe('prefersJson', () => {
  it.each([
    ['application/json', true],
    ['application/json, text/plain, */*', true],
    ['text/csv;q=0.5, application/json', true],
    ['APPLICATION/JSON', true],
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['text/csv', false],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', false],
    ['application/json;q=0, text/csv', false],
    ['application/json;q=0.4, text/csv;q=0.9', false],
    ['application/json;q=abc', false],
  ])('%s → %s', (accept, expected) => {
    expect(prefersJson(accept)).toBe(expected);
  });
});

import { parseDurationSeconds } from './duration.js';

describe('parseDurationSeconds', () => {
  it.each([
    ['7d', 604_800],
    ['12h', 43_200],
    ['90', 90],
    ['15m', 900],
    ['2w', 1_209_600],
  ])('%s is %d seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it('rejects garbage', () => {
    expect(parseDurationSeconds('soon')).toBeNull();
    expect(parseDurationSeconds('-3d')).toBeNull();
  });
});

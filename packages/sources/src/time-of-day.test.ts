import { parseTimeOfDay } from './time-of-day.js';

describe('parseTimeOfDay', () => {
  it.each([
    ['00:00:00', 0, '00:00:00'],
    ['23:59:59', 86_399, '23:59:59'],
    ['23:59', 86_340, '23:59:00'],
    ['9:30', 34_200, '09:30:00'],
    [' 10:00:00 ', 36_000, '10:00:00'],
  ])('%j is %d seconds after midnight', (text, seconds, normalised) => {
    expect(parseTimeOfDay(text)).toEqual({ seconds, text: normalised });
  });

  it.each(['', '24:00:00', '12:60', '12:00:60', '12', '12:00:00.5', 'noon', '12:00:00 PM', '-1:00'])('rejects %j', (text) => {
    expect(parseTimeOfDay(text)).toBeNull();
  });
});

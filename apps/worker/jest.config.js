import preset from '../../jest.preset.js';

// The fault-injection suites (slow: they wait out lock expiries and outages) run on their own
// through `pnpm test:chaos` (jest.chaos.config.js).
export default { ...preset, testPathIgnorePatterns: [...preset.testPathIgnorePatterns, '<rootDir>/test/chaos/'], testTimeout: 60_000 };

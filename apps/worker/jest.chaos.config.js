import preset from '../../jest.preset.js';

export default { ...preset, testMatch: ['<rootDir>/test/chaos/**/*.test.ts'], testTimeout: 120_000 };

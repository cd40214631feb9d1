/**
 * Shared Jest settings: TypeScript through SWC, native ESM (kysely and typebox ship ESM only),
 * and `.js` import specifiers mapped back to their `.ts` sources.
 * Every package's jest.config.js spreads this object.
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023', keepClassNames: true },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 30_000,
  reporters: ['default', new URL('./scripts/jest-summary-reporter.cjs', import.meta.url).pathname],
};

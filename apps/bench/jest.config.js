import preset from '../../jest.preset.js';

// The harness test runs the whole benchmark (tiny data, real servers and processes).
export default { ...preset, testTimeout: 90_000 };

export { generateDataset, DEFAULT_END, type GenerateOptions, type GenerateProgress, type GeneratedDataset } from './generate-dataset.js';
export { UNKNOWN_ZONES } from './store-profile.js';

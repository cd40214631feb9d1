import { runInThisContext } from 'node:vm';

/**
 * Jest hands each test file a copy of `process.env`, so setting TZ there never reaches Node. The
 * process object of the outer context is the real one: Node re-reads the host zone when its TZ changes.
 */
const hostEnv = (runInThisContext('process') as NodeJS.Process).env;

/** Switches the host time zone for the whole process; returns a function that restores the previous one. */
export function switchHostTimezone(zone: string): () => void {
  const previous = hostEnv.TZ;
  hostEnv.TZ = zone;
  return () => {
    if (previous === undefined) delete hostEnv.TZ;
    else hostEnv.TZ = previous;
  };
}

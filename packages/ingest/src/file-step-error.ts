import { SourceFileError } from '@store-monitoring/sources';

/** Turns any failure into one line naming the file (when there is one) and the cause. */
export class FileStepError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Runs one file's step so that whatever fails there names the file in the run's error. */
export async function inFileStep<T>(file: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof SourceFileError || error instanceof FileStepError) throw error;
    throw new FileStepError(file, error);
  }
}

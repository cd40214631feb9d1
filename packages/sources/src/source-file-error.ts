/**
 * A whole source file cannot be used: missing, unreadable, missing a required column, broken
 * quoting, or empty where an empty file would silently change every store. The run that meets it
 * must fail and leave the stored data as it was.
 */
export class SourceFileError extends Error {
  constructor(
    /** The file (or URL) as the operator knows it. */
    readonly file: string,
    /** What is wrong, without the file name. */
    readonly reason: string,
    options: { cause?: unknown; line?: number } = {},
  ) {
    super(`${file}${options.line === undefined ? '' : ` line ${options.line}`}: ${reason}`, { cause: options.cause });
    this.name = 'SourceFileError';
    this.line = options.line;
  }

  /** The line the problem starts on, when it has one. */
  readonly line: number | undefined;
}

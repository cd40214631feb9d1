import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

type HelpOption = { help: { type: 'boolean'; short: 'h' } };

/** The parsed options of a command whose options are `T` (plus -h/--help). */
export type CommandOptions<T extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: T & HelpOption; strict: true }>>['values'];

/**
 * Parses a command's options. Instead of options it returns the exit code when they are wrong
 * (2, with the reason and the help text on stderr) or when help was asked for (0).
 */
export function parseCommandLine<const T extends ParseArgsOptionsConfig>(argv: string[], options: T, help: string): CommandOptions<T> | number {
  let values: CommandOptions<T>;
  try {
    const withHelp = { ...options, help: { type: 'boolean', short: 'h' } } as T & HelpOption;
    values = parseArgs({ args: argv, options: withHelp, strict: true }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${help}`);
    return 2;
  }
  if ((values as { help?: boolean }).help) {
    console.log(help);
    return 0;
  }
  return values;
}

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestMatch, PolymodalError } from '@polymodal/core';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

export function usageError(message: string, usage: string): PolymodalError {
  return new PolymodalError(message, { hint: `Usage: ${usage}`, exitCode: 2 });
}

/** Strict parsing: unknown flags and missing values are usage errors (exit 2) with a suggestion. */
export function parseCommandArgs(argv: string[], options: OptionSpec, positionalNames: string[], usage: string): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message);
    if (unknown) {
      const flag = unknown[1];
      const match = closestMatch(flag.replace(/^-+/, ''), Object.keys(options));
      throw usageError(`unknown option ${flag}.${match ? ` Did you mean --${match}?` : ''}`, usage);
    }
    throw usageError(message.replace(/\. To specify a positional argument.*$/s, ''), usage);
  }
  if (parsed.positionals.length < positionalNames.length) {
    throw usageError(`missing ${positionalNames.slice(parsed.positionals.length).map((n) => `<${n}>`).join(' ')}`, usage);
  }
  if (parsed.positionals.length > positionalNames.length) {
    throw usageError(`unexpected argument "${parsed.positionals[positionalNames.length]}"`, usage);
  }
  return { positionals: parsed.positionals, values: parsed.values as ParsedArgs['values'] };
}

export function integerFlag(values: ParsedArgs['values'], name: string, usage: string, min = 1): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw usageError(`--${name} must be an integer >= ${min}, got "${raw}"`, usage);
  }
  return value;
}

export function choiceFlag<T extends string>(values: ParsedArgs['values'], name: string, choices: readonly T[], usage: string): T | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (!choices.includes(raw as T)) {
    const match = closestMatch(String(raw), choices);
    throw usageError(`--${name} must be one of ${choices.join(', ')}, got "${raw}".${match ? ` Did you mean ${match}?` : ''}`, usage);
  }
  return raw as T;
}

import type { PointerSetting } from '@polymodal/core';
import { usageError } from './args.js';

/** The option spec of a repeatable `--set /pointer=value` flag (node:util parseArgs). */
export const SET_OPTION = { set: { type: 'string', multiple: true } } as const;

/**
 * `--set /pointer=value`, repeatable: the value is JSON when it parses as JSON (`3`, `true`, `[64,32]`, `"3"`),
 * else the text itself (`--set /training/optimizer/type=sgd`).
 */
export function parseSetFlags(raw: unknown, usage: string): PointerSetting[] | undefined {
  if (raw === undefined) return undefined;
  const items = Array.isArray(raw) ? raw.map(String) : [String(raw)];
  return items.map((item) => {
    const equals = item.indexOf('=');
    if (!item.startsWith('/') || equals < 0) {
      throw usageError(`--set "${item}": expected /json/pointer=value, e.g. --set /training/optimizer/learningRate=0.01`, usage);
    }
    const text = item.slice(equals + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // Not JSON: the text is the value.
    }
    return { pointer: item.slice(0, equals), value };
  });
}

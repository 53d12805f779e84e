/**
 * `--set /pointer=value` overrides: a value replaced (or an object key added) at an RFC 6901 JSON pointer,
 * before the manifest is validated, so a bad value gets the usual schema error at that pointer.
 */

export interface PointerSetting {
  /** RFC 6901, e.g. `/inputs/text/options/units` (`~1` is `/`, `~0` is `~`). */
  pointer: string;
  value: unknown;
}

/** Keys that would reach Object.prototype instead of the manifest. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/** The pointer's reference tokens, or a problem line when it is not a pointer. */
export function parsePointer(pointer: string): string[] | string {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return `${pointer}: not a JSON pointer; it starts with "/", e.g. /training/epochs`;
  const tokens = pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  const bad = tokens.find((t) => FORBIDDEN_KEYS.has(t));
  return bad === undefined ? tokens : `${pointer}: "${bad}" cannot be set`;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return value !== null && typeof value === 'object';
}

function hasOwn(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}

/** The value at a pointer, or undefined when the pointer leads nowhere. */
export function valueAtPointer(document: unknown, pointer: string): { found: boolean; value?: unknown } {
  const tokens = parsePointer(pointer);
  if (typeof tokens === 'string') return { found: false };
  let current = document;
  for (const token of tokens) {
    if (!isContainer(current) || !hasOwn(current, token)) return { found: false };
    current = (current as Record<string, unknown>)[token];
  }
  return { found: true, value: current };
}

function describePrefix(tokens: readonly string[], count: number): string {
  return count === 0 ? '(the manifest)' : '/' + tokens.slice(0, count).map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/**
 * Sets `value` at `pointer` in `document` (mutated). Every step but the last must exist; the last may add a
 * key to an object, or replace an array element (or append with `-`). Returns a problem line, or undefined.
 */
export function setAtPointer(document: unknown, pointer: string, value: unknown): string | undefined {
  const tokens = parsePointer(pointer);
  if (typeof tokens === 'string') return tokens;
  if (tokens.length === 0) return `${pointer || '""'}: cannot replace the whole manifest; point at a value inside it, e.g. /training/epochs`;
  let current: unknown = document;
  for (let i = 0; i < tokens.length - 1; i++) {
    const token = tokens[i];
    if (!isContainer(current) || !hasOwn(current, token) || (Array.isArray(current) && !/^\d+$/.test(token))) {
      return `${pointer}: ${describePrefix(tokens, i + 1)} does not exist in the manifest; set a value that exists, or the whole object ` +
        `(e.g. ${describePrefix(tokens, i + 1)}={...})`;
    }
    current = (current as Record<string, unknown>)[token];
  }
  const last = tokens[tokens.length - 1];
  if (Array.isArray(current)) {
    const index = last === '-' ? current.length : /^\d+$/.test(last) ? Number(last) : -1;
    if (index < 0 || index > current.length) {
      return `${pointer}: ${describePrefix(tokens, tokens.length - 1)} is a list of ${current.length}; use an index from 0 to ${current.length - 1}, or - to append`;
    }
    current[index] = value;
    return undefined;
  }
  if (!isContainer(current)) {
    return `${pointer}: ${describePrefix(tokens, tokens.length - 1)} is ${current === null ? 'null' : `a ${typeof current}`}, not an object; set it instead`;
  }
  (current as Record<string, unknown>)[last] = value;
  return undefined;
}

/** Applies each setting in order; returns the problems (empty when all applied). */
export function applyPointerSettings(document: unknown, settings: readonly PointerSetting[]): string[] {
  return settings.map((s) => setAtPointer(document, s.pointer, s.value)).filter((p): p is string => p !== undefined);
}

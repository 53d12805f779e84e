import { parse, type AnyNode } from '@humanwhocodes/momoa';
import { PolymodalError } from '../errors.js';

/** Deeper than any real manifest: stops a crafted one from overflowing the stack of a recursive reader (ajv, momoa). */
export const MAX_MANIFEST_DEPTH = 64;
/** A manifest is configuration, not data; anything this big is a mistake or an attack. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${line}:${column}`;
}

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Parses manifest text as strict JSON (a leading byte order mark is ignored, as the data readers do).
 * Refuses nesting deeper than MAX_MANIFEST_DEPTH before anything recursive walks the value.
 */
export function parseManifestText(text: string, source: string): unknown {
  // Editors on Windows save a byte order mark; the data readers skip it too.
  const body = text.replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    // V8's JSON.parse is not recursive, so it copes with any nesting; the depth check follows.
    value = JSON.parse(body);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const where = position ? `:${lineAndColumn(text, Number(position[1]))}` : '';
    throw new PolymodalError(`${source}${where}: not valid JSON (${message})`, {
      hint: 'Manifests are strict JSON: double-quoted keys, no comments, no trailing commas.',
      exitCode: 2,
    });
  }
  const tooDeep = pointerBeyondDepth(value, MAX_MANIFEST_DEPTH);
  if (tooDeep !== undefined) throw tooDeepError(source, tooDeep);
  return value;
}

/** The problem line for a value nested too deep; a long pointer is cut after a few segments. */
export function tooDeepProblem(pointer: string): string {
  const segments = pointer.split('/').slice(1);
  const shown = segments.length > 8 ? `/${segments.slice(0, 8).join('/')}/...` : pointer;
  return `${shown}: nested more than ${MAX_MANIFEST_DEPTH} levels deep`;
}

export function tooDeepError(source: string, pointer: string): PolymodalError {
  return new PolymodalError(`${source}: the manifest has 1 problem`, {
    problems: [tooDeepProblem(pointer)],
    hint: `No manifest or plugin option needs more than ${MAX_MANIFEST_DEPTH} levels of nested objects and arrays; flatten the value.`,
    exitCode: 2,
  });
}

/**
 * The pointer of the first value nested more than `limit` levels deep, or undefined. Walks with an explicit
 * stack (not recursion) so a 100,000-deep value cannot overflow; a cyclic object counts as too deep.
 */
export function pointerBeyondDepth(value: unknown, limit: number): string | undefined {
  const stack: { value: unknown; depth: number; pointer: string }[] = [{ value, depth: 0, pointer: '' }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth >= limit) return item.pointer === '' ? '/' : item.pointer;
    for (const [key, child] of Object.entries(item.value)) {
      stack.push({ value: child, depth: item.depth + 1, pointer: `${item.pointer}/${escapePointerToken(key)}` });
    }
  }
  return undefined;
}

/**
 * One problem per key that appears twice in the same object: JSON.parse keeps the last silently, so
 * `"epochs": 1, "epochs": 100000` would train 100,000 epochs. Call only on text parseManifestText accepted.
 */
export function findDuplicateKeys(text: string): string[] {
  const body = text.replace(/^\uFEFF/, '');
  // The BOM shifts offsets, not lines and columns, so positions stay those of the file.
  const document = parse(body, { mode: 'json' });
  const problems: { offset: number; line: string }[] = [];
  const stack: { node: AnyNode; pointer: string }[] = [{ node: document.body, pointer: '' }];
  while (stack.length > 0) {
    const { node, pointer } = stack.pop()!;
    if (node.type === 'Array') {
      node.elements.forEach((element, i) => stack.push({ node: element.value, pointer: `${pointer}/${i}` }));
    } else if (node.type === 'Object') {
      const firstSeen = new Map<string, string>();
      for (const member of node.members) {
        const key = member.name.type === 'String' ? member.name.value : member.name.name;
        const at = `${member.name.loc.start.line}:${member.name.loc.start.column}`;
        const keyPointer = `${pointer}/${escapePointerToken(key)}`;
        const first = firstSeen.get(key);
        if (first === undefined) {
          firstSeen.set(key, at);
          stack.push({ node: member.value, pointer: keyPointer });
        } else {
          problems.push({
            offset: member.name.loc.start.offset,
            line: `${keyPointer}: duplicate key "${key}" at line:column ${at} (first at ${first}); JSON would keep only the last value, so remove one`,
          });
        }
      }
    }
  }
  return problems.sort((a, b) => a.offset - b.offset).map((problem) => problem.line);
}

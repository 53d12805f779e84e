import { PolymodalError, setAtPointer } from '@polymodal/core';
import type { ParamSpec, PrunerSpec, SearchSection } from './types.js';

/**
 * Checks a search section completely (core's schema only knows it is an object) and says, for each problem,
 * its pointer and what to write instead. `at` is where the section is: `/search` or a --space file's root ''.
 */

const PARAM_KEYS: Record<ParamSpec['type'], readonly string[]> = {
  int: ['type', 'pointer', 'when', 'low', 'high', 'step', 'log'],
  float: ['type', 'pointer', 'when', 'low', 'high', 'log', 'gridPoints'],
  choice: ['type', 'pointer', 'when', 'values'],
  boolean: ['type', 'pointer', 'when'],
};
const SECTION_KEYS = ['params', 'objective', 'direction', 'pruner', 'crossval'];
const CROSSVAL_KEYS = ['folds', 'stratify'];
const PRUNER_KEYS = ['type', 'warmupEpochs', 'minTrials', 'minEpochs', 'reductionFactor'];
export const PRUNER_TYPES = ['none', 'median', 'halving'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unknownKeys(value: Record<string, unknown>, allowed: readonly string[], at: string, problems: string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.push(`${at}/${escapeToken(key)}: unknown key; allowed here: ${allowed.join(', ')}`);
  }
}

function checkNumbers(spec: Record<string, unknown>, at: string, problems: string[]): void {
  const { low, high } = spec;
  const integer = spec.type === 'int';
  for (const [key, value] of [['low', low], ['high', high]] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      problems.push(`${at}/${key}: must be ${integer ? 'an integer' : 'a number'}, e.g. "${key}": ${key === 'low' ? 1 : 10}`);
    }
  }
  if (typeof low !== 'number' || typeof high !== 'number') return;
  if (low > high) problems.push(`${at}/high: must be >= low (${low}); swap them`);
  if (spec.log !== undefined && typeof spec.log !== 'boolean') problems.push(`${at}/log: must be true or false`);
  if (spec.log === true && low <= 0) problems.push(`${at}/low: a log scale needs low > 0, got ${low}`);
  if (spec.step !== undefined) {
    const step = spec.step;
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 1) problems.push(`${at}/step: must be an integer >= 1`);
    else if (spec.log === true && step !== 1) problems.push(`${at}/step: a log-scale int takes step 1; remove "log" or "step"`);
    else if ((high - low) % step !== 0) problems.push(`${at}/high: ${high} is not low + a multiple of step (${low} + k*${step}); use ${low + Math.floor((high - low) / step) * step}`);
  }
  if (spec.gridPoints !== undefined && !(Number.isInteger(spec.gridPoints) && (spec.gridPoints as number) >= 2)) {
    problems.push(`${at}/gridPoints: must be an integer >= 2`);
  }
}

function checkParam(spec: unknown, at: string, manifest: unknown, problems: string[]): void {
  if (!isObject(spec)) {
    problems.push(`${at}: must be an object such as { "type": "int", "pointer": "/inputs/x/options/units", "low": 32, "high": 512 }`);
    return;
  }
  const type = spec.type as ParamSpec['type'];
  if (!(type in PARAM_KEYS) || typeof type !== 'string') {
    problems.push(`${at}/type: must be one of int, float, choice, boolean${spec.type === undefined ? ' (missing)' : `, got ${JSON.stringify(spec.type)}`}`);
    return;
  }
  unknownKeys(spec, PARAM_KEYS[type], at, problems);
  if (typeof spec.pointer !== 'string' || !spec.pointer.startsWith('/')) {
    problems.push(`${at}/pointer: must be a JSON pointer into the manifest, e.g. "/training/optimizer/learningRate"`);
  } else if (manifest !== undefined) {
    // Where the value would go must exist (a dry run on a copy: the last key may be new, as with --set).
    const problem = setAtPointer(structuredClone(manifest), spec.pointer, null);
    if (problem) problems.push(`${at}/pointer: ${problem}`);
  }
  if (type === 'int' || type === 'float') checkNumbers(spec, at, problems);
  if (type === 'choice' && (!Array.isArray(spec.values) || spec.values.length === 0)) {
    problems.push(`${at}/values: must be a non-empty list of the values to try, e.g. ["text/lstm", "text/gru"]`);
  }
  if (spec.when !== undefined && !isObject(spec.when)) problems.push(`${at}/when: must be an object { "<parameter>": value or [values] }`);
}

/** The values a parameter can take, when there are few (choice, boolean); undefined for ranges. */
function discreteValues(spec: ParamSpec): unknown[] | undefined {
  if (spec.type === 'choice') return spec.values;
  if (spec.type === 'boolean') return [true, false];
  return undefined;
}

function checkConditions(params: Record<string, ParamSpec>, at: string, problems: string[]): void {
  const names = Object.keys(params);
  for (const [name, spec] of Object.entries(params)) {
    if (!isObject(spec) || !isObject(spec.when)) continue;
    for (const [other, wanted] of Object.entries(spec.when)) {
      const here = `${at}/params/${escapeToken(name)}/when/${escapeToken(other)}`;
      const target = params[other];
      if (!Object.prototype.hasOwnProperty.call(params, other) || other === name) {
        problems.push(`${here}: "${other}" is not ${other === name ? 'another' : 'a'} parameter; use one of ${names.filter((n) => n !== name).join(', ') || '(none)'}`);
        continue;
      }
      const domain = isObject(target) ? discreteValues(target as ParamSpec) : undefined;
      if (!domain) {
        problems.push(`${here}: a condition needs a choice or boolean parameter; "${other}" is ${(target as ParamSpec)?.type}`);
        continue;
      }
      const asked = Array.isArray(wanted) ? wanted : [wanted];
      const keys = new Set(domain.map((v) => JSON.stringify(v)));
      for (const value of asked) {
        if (!keys.has(JSON.stringify(value))) problems.push(`${here}: ${JSON.stringify(value)} is not a value of "${other}"; its values are ${domain.map((v) => JSON.stringify(v)).join(', ')}`);
      }
    }
  }
  // A cycle (a when b, b when a) would leave neither ever active.
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string): boolean => {
    if (done.has(name)) return false;
    if (visiting.has(name)) return true;
    visiting.add(name);
    const when = params[name]?.when;
    const cyclic = isObject(when) && Object.keys(when).some((o) => Object.prototype.hasOwnProperty.call(params, o) && o !== name && visit(o));
    visiting.delete(name);
    done.add(name);
    return cyclic;
  };
  for (const name of names) if (visit(name)) problems.push(`${at}/params/${escapeToken(name)}/when: the conditions form a cycle; one parameter of the cycle must not depend on the others`);
}

function checkPruner(pruner: unknown, at: string, problems: string[]): void {
  if (!isObject(pruner)) {
    problems.push(`${at}: must be an object such as { "type": "median" }`);
    return;
  }
  unknownKeys(pruner, PRUNER_KEYS, at, problems);
  if (!PRUNER_TYPES.includes(pruner.type as PrunerSpec['type'])) problems.push(`${at}/type: must be one of ${PRUNER_TYPES.join(', ')}`);
  for (const key of ['warmupEpochs', 'minTrials', 'minEpochs']) {
    const v = pruner[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= (key === 'minEpochs' ? 1 : 0))) problems.push(`${at}/${key}: must be an integer >= ${key === 'minEpochs' ? 1 : 0}`);
  }
  const factor = pruner.reductionFactor;
  if (factor !== undefined && !(typeof factor === 'number' && factor >= 2)) problems.push(`${at}/reductionFactor: must be a number >= 2`);
}

function checkCrossval(crossval: unknown, at: string, problems: string[]): void {
  if (!isObject(crossval)) {
    problems.push(`${at}: must be an object, e.g. { "folds": 5, "stratify": true }`);
    return;
  }
  unknownKeys(crossval, CROSSVAL_KEYS, at, problems);
  if (crossval.folds !== undefined && !(Number.isInteger(crossval.folds) && (crossval.folds as number) >= 2)) problems.push(`${at}/folds: must be an integer >= 2`);
  if (crossval.stratify !== undefined && typeof crossval.stratify !== 'boolean') problems.push(`${at}/stratify: must be true or false`);
}

/** Every problem of a search section (empty when it is valid). `manifest` (raw, as written) lets pointers be checked. */
export function searchSectionProblems(value: unknown, at: string, manifest?: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return [`${at || '(the search space)'}: must be an object { "params": { ... } }`];
  unknownKeys(value, SECTION_KEYS, at, problems);
  if (!isObject(value.params) || Object.keys(value.params).length === 0) {
    problems.push(`${at}/params: must name at least one parameter, e.g. { "units": { "type": "int", "pointer": "/inputs/x/options/units/0", "low": 32, "high": 512, "step": 32 } }`);
  } else {
    for (const [name, spec] of Object.entries(value.params)) checkParam(spec, `${at}/params/${escapeToken(name)}`, manifest, problems);
    const pointers = new Map<string, string>();
    for (const [name, spec] of Object.entries(value.params)) {
      const pointer = isObject(spec) ? spec.pointer : undefined;
      if (typeof pointer !== 'string') continue;
      const other = pointers.get(pointer);
      // Two parameters may share a pointer only when their conditions make them exclusive; that is left to the author.
      if (other !== undefined && !isObject((spec as ParamSpec).when)) problems.push(`${at}/params/${escapeToken(name)}/pointer: "${other}" sets ${pointer} too; give one of them a "when" or remove it`);
      pointers.set(pointer, name);
    }
    if (problems.length === 0) checkConditions(value.params as Record<string, ParamSpec>, at, problems);
  }
  if (value.objective !== undefined && (typeof value.objective !== 'string' || !/^(val_\w+|cv_\w+)$/.test(value.objective))) {
    problems.push(`${at}/objective: must be val_loss, val_<metric> or cv_<metric>, e.g. "val_accuracy"`);
  }
  if (value.crossval !== undefined) checkCrossval(value.crossval, `${at}/crossval`, problems);
  if (value.direction !== undefined && value.direction !== 'min' && value.direction !== 'max') problems.push(`${at}/direction: must be "min" or "max"`);
  if (value.pruner !== undefined) checkPruner(value.pruner, `${at}/pruner`, problems);
  return problems;
}

/** The section, typed, or a PolymodalError (exit 2) listing every problem. */
export function validateSearchSection(value: unknown, at: string, source: string, manifest?: unknown): SearchSection {
  const problems = searchSectionProblems(value, at, manifest);
  if (problems.length > 0) {
    throw new PolymodalError(`${source}: the search space has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}`, {
      problems,
      hint: 'Each line starts with the JSON pointer of the offending value (README: "polymodal tune", search space).',
      exitCode: 2,
    });
  }
  return value as unknown as SearchSection;
}

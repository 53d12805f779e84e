import type { PointerSetting } from '@polymodal/core';
import type { Assignment, ParamSpec } from './types.js';

/** A parameter with its name; `dependsOn` lists the parameters its condition reads. */
export interface NamedParam {
  readonly name: string;
  readonly spec: ParamSpec;
  readonly dependsOn: readonly string[];
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A validated search space: parameters in an order where every condition's parameters come first. */
export class SearchSpace {
  readonly params: readonly NamedParam[];

  constructor(params: Record<string, ParamSpec>) {
    const named = new Map<string, NamedParam>();
    for (const [name, spec] of Object.entries(params)) named.set(name, { name, spec, dependsOn: Object.keys(spec.when ?? {}) });
    const ordered: NamedParam[] = [];
    const placed = new Set<string>();
    const place = (param: NamedParam) => {
      if (placed.has(param.name)) return;
      placed.add(param.name);
      for (const other of param.dependsOn) place(named.get(other)!);
      ordered.push(param);
    };
    for (const param of named.values()) place(param);
    this.params = ordered;
  }

  get(name: string): NamedParam | undefined {
    return this.params.find((p) => p.name === name);
  }

  /** Whether a parameter exists given the values chosen so far (its condition's parameters are chosen first). */
  isActive(param: NamedParam, chosen: Assignment): boolean {
    const when = param.spec.when;
    if (!when) return true;
    return Object.entries(when).every(([other, wanted]) => {
      if (!Object.prototype.hasOwnProperty.call(chosen, other)) return false;
      const values = Array.isArray(wanted) ? wanted : [wanted];
      return values.some((v) => sameValue(v, chosen[other]));
    });
  }

  /** The manifest changes a trial makes, in parameter order. */
  settingsOf(assignment: Assignment): PointerSetting[] {
    return this.params.filter((p) => Object.prototype.hasOwnProperty.call(assignment, p.name)).map((p) => ({ pointer: p.spec.pointer, value: assignment[p.name] }));
  }

  /** Whether an assignment is one this space could produce (used when a resumed journal meets an edited space). */
  contains(assignment: Assignment): boolean {
    const chosen: Assignment = Object.create(null);
    for (const param of this.params) {
      const has = Object.prototype.hasOwnProperty.call(assignment, param.name);
      if (this.isActive(param, chosen) !== has) return false;
      if (!has) continue;
      if (!inDomain(param.spec, assignment[param.name])) return false;
      chosen[param.name] = assignment[param.name];
    }
    return Object.keys(assignment).every((name) => this.get(name) !== undefined);
  }
}

export function inDomain(spec: ParamSpec, value: unknown): boolean {
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'choice':
      return spec.values.some((v) => sameValue(v, value));
    case 'int':
      return Number.isInteger(value) && (value as number) >= spec.low && (value as number) <= spec.high && ((value as number) - spec.low) % (spec.step ?? 1) === 0;
    case 'float':
      return typeof value === 'number' && value >= spec.low && value <= spec.high;
  }
}

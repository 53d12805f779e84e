import { DEFAULT_METRICS, METRIC_NAMES } from '@polymodal/metrics';
import type { FeatureKind } from '../plugin/contracts.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { missingTypeMessage } from '../plugin/registry.js';
import { didYouMean } from '../util/did-you-mean.js';
import { compileSchema, type ErrorObject } from './ajv.js';
import type { IsClean } from './cross-checks.js';
import { formatSchemaErrors } from './format-errors.js';
import { checkFusionHandlesMissing, checkMissingFileOption } from './missing-input-checks.js';
import { metricAlias } from './metric-aliases.js';
import { MAX_MANIFEST_DEPTH, pointerBeyondDepth, tooDeepProblem } from './parse-manifest.js';
import { manifestSchema } from './schema.js';
import type { Manifest } from './types.js';
import { inputColumns } from './types.js';

export interface ShapeCheck {
  /** One line per problem, JSON pointer first. */
  readonly problems: string[];
  /**
   * Whether the value at `pointer`, everything inside it and every object around it passed the schema, so
   * later checks can read that part safely and skip (not repeat or confuse) what the schema already refused.
   */
  readonly isClean: IsClean;
  /** The value is nested too deep to check at all; nothing else may walk it. */
  readonly tooDeep: boolean;
}

/** The pointer an ajv error is about: a missing or unknown key is a problem of that key, not of its object. */
function errorPointer(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${error.instancePath}/${String(params.missingProperty)}`;
  if (error.keyword === 'additionalProperties') return `${error.instancePath}/${String(params.additionalProperty)}`;
  return error.instancePath;
}

/** Checks the manifest against the core schema and fills in defaults, even where other parts fail. */
export function checkShape(value: unknown): ShapeCheck {
  const tooDeep = pointerBeyondDepth(value, MAX_MANIFEST_DEPTH);
  if (tooDeep !== undefined) {
    // Never hand ajv (recursive) a value this deep; the caller reports nothing else.
    return { problems: [tooDeepProblem(tooDeep)], isClean: () => false, tooDeep: true };
  }
  const validate = compileSchema(manifestSchema);
  if (validate(value)) return { problems: [], isClean: () => true, tooDeep: false };
  const errors = validate.errors ?? [];
  const dirty = errors.map(errorPointer);
  const isClean = (pointer: string) => !dirty.some((d) => d === pointer || d.startsWith(pointer + '/') || pointer.startsWith(d + '/') || d === '');
  return { problems: formatSchemaErrors(errors), isClean, tooDeep: false };
}

/** Checks the manifest against the core schema and fills in defaults. Returns one line per problem. */
export function checkManifestShape(value: unknown): string[] {
  return checkShape(value).problems;
}

export interface PluginCheckOptions {
  /** From checkShape: inputs, fusion and evaluation sections the schema rejected are not checked again. */
  readonly isClean?: IsClean;
  /** Packages listed in `plugins` that failed to load: their types are reported once, at /plugins, not per input. */
  readonly unloaded?: readonly string[];
}

function missingType(kind: 'encoder' | 'fusion', type: string, available: readonly string[], unloaded: readonly string[]): string | undefined {
  const message = missingTypeMessage(kind, type, available);
  // The type's plugin is listed but did not load: its /plugins problem says why; saying "add it" would mislead.
  return unloaded.some((name) => message.includes(`comes from ${name},`)) ? undefined : message;
}

/** Metric names that are not metrics of the task, each with a suggestion. */
function checkMetricNames(manifest: Manifest): string[] {
  const task = manifest.output.task;
  const valid = METRIC_NAMES[task];
  const problems: string[] = [];
  (manifest.evaluation.metrics ?? []).forEach((metric, index) => {
    // An alias (auc) is fine: applyMetricAliases rewrites it afterwards.
    if (valid.includes(metric) || metricAlias(metric, task) !== undefined) return;
    const suggestion = didYouMean(metric, valid);
    problems.push(`/evaluation/metrics/${index}: "${metric}" is not a ${task} metric.${suggestion || ` Use any of ${valid.join(', ')}.`}`);
  });
  if (manifest.evaluation.metrics === undefined) manifest.evaluation.metrics = [...DEFAULT_METRICS[task]];
  return problems;
}

/**
 * Checks what only the loaded plugins can judge: types exist, options match each plugin's schema (and get
 * its defaults), encoders take that many columns, the fusion accepts what the encoders produce; and the
 * evaluation settings against the task. With `isClean`, parts the core schema refused are skipped.
 */
export function checkManifestAgainstPlugins(manifest: Manifest, registry: PluginRegistry, options: PluginCheckOptions = {}): string[] {
  const isClean = options.isClean ?? (() => true);
  const unloaded = options.unloaded ?? [];
  const problems: string[] = [];
  const produced = new Map<string, readonly FeatureKind[]>();
  const inputs = manifest.inputs !== null && typeof manifest.inputs === 'object' ? Object.entries(manifest.inputs) : [];
  for (const [name, input] of inputs) {
    const at = `/inputs/${name}`;
    if (!isClean(at)) continue;
    const encoder = registry.findEncoder(input.encoder);
    if (!encoder) {
      const message = missingType('encoder', input.encoder, registry.encoderTypes(), unloaded);
      if (message) problems.push(`${at}/encoder: ${message}`);
      continue;
    }
    const optionProblems = checkPluginOptions(encoder.optionsSchema, input.options, `${at}/options`);
    problems.push(...optionProblems);
    if (optionProblems.length === 0) problems.push(...checkMissingFileOption(manifest, name));
    const count = inputColumns(input).length;
    const { min, max } = encoder.columns;
    if (count < min || (max !== undefined && count > max)) {
      const wanted = max === undefined ? `at least ${min}` : min === max ? `exactly ${min}` : `${min} to ${max}`;
      problems.push(`${at}: encoder ${input.encoder} takes ${wanted} column${max === 1 ? '' : 's'}, got ${count}`);
    }
    produced.set(name, encoder.produces);
  }
  if (isClean('/fusion')) {
    const fusion = registry.findFusion(manifest.fusion.type);
    if (!fusion) {
      const message = missingType('fusion', manifest.fusion.type, registry.fusionTypes(), unloaded);
      if (message) problems.push(`/fusion/type: ${message}`);
    } else {
      problems.push(...checkPluginOptions(fusion.optionsSchema, manifest.fusion.options, '/fusion/options'));
      const capable = registry.fusionTypes().filter((type) => registry.fusion(type).handlesMissingInputs === true);
      problems.push(...checkFusionHandlesMissing(manifest, fusion, capable, isClean));
      for (const [name, kinds] of produced) {
        if (!kinds.some((kind) => fusion.accepts.includes(kind))) {
          problems.push(`/inputs/${name}: encoder ${manifest.inputs[name].encoder} produces ${kinds.join('/')}, which fusion "${fusion.type}" does not accept (${fusion.accepts.join(', ')})`);
        }
      }
    }
  }
  if (!isClean('/output/task')) return problems;
  const task = manifest.output.task;
  if (isClean('/evaluation/metrics')) problems.push(...checkMetricNames(manifest));
  if (isClean('/evaluation/threshold') && manifest.evaluation.threshold === 'maxF1' && task !== 'binary') {
    problems.push(`/evaluation/threshold: "maxF1" applies to binary tasks only (this one is ${task})`);
  }
  if (isClean('/training/classWeight') && manifest.training.classWeight !== undefined && task === 'regression') {
    problems.push('/training/classWeight: class weights apply to classification tasks only');
  }
  return problems;
}

/** A plugin's options against its own schema (filling its defaults); too-deep values never reach ajv. */
function checkPluginOptions(schema: Parameters<typeof compileSchema>[0], options: unknown, at: string): string[] {
  const tooDeep = pointerBeyondDepth(options, MAX_MANIFEST_DEPTH);
  if (tooDeep !== undefined) return [tooDeepProblem(tooDeep === '/' ? at : at + tooDeep)];
  const validate = compileSchema(schema);
  return validate(options) ? [] : formatSchemaErrors(validate.errors ?? [], at);
}

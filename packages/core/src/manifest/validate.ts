import { PolymodalError } from '../errors.js';
import { DEFAULT_METRICS, METRIC_NAMES } from '../metrics/index.js';
import type { FeatureKind } from '../plugin/contracts.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { missingTypeMessage } from '../plugin/registry.js';
import { didYouMean } from '../util/did-you-mean.js';
import { compileSchema } from './ajv.js';
import { formatSchemaErrors } from './format-errors.js';
import { manifestSchema } from './schema.js';
import type { Manifest } from './types.js';
import { inputColumns } from './types.js';

/** Checks the manifest against the core schema and fills in defaults. Returns one line per problem. */
export function checkManifestShape(value: unknown): string[] {
  const validate = compileSchema(manifestSchema);
  return validate(value) ? [] : formatSchemaErrors(validate.errors ?? []);
}

/**
 * Checks what only the loaded plugins can judge: types exist, options match each plugin's schema (and get
 * its defaults), encoders take that many columns, the fusion accepts what the encoders produce, metric names.
 */
export function checkManifestAgainstPlugins(manifest: Manifest, registry: PluginRegistry): string[] {
  const problems: string[] = [];
  const produced = new Map<string, readonly FeatureKind[]>();
  for (const [name, input] of Object.entries(manifest.inputs)) {
    const at = `/inputs/${name}`;
    const encoder = registry.findEncoder(input.encoder);
    if (!encoder) {
      problems.push(`${at}/encoder: ${missingTypeMessage('encoder', input.encoder, registry.encoderTypes())}`);
      continue;
    }
    const validate = compileSchema(encoder.optionsSchema);
    if (!validate(input.options)) problems.push(...formatSchemaErrors(validate.errors ?? [], `${at}/options`));
    const count = inputColumns(input).length;
    const { min, max } = encoder.columns;
    if (count < min || (max !== undefined && count > max)) {
      const wanted = max === undefined ? `at least ${min}` : min === max ? `exactly ${min}` : `${min} to ${max}`;
      problems.push(`${at}: encoder ${input.encoder} takes ${wanted} column${max === 1 ? '' : 's'}, got ${count}`);
    }
    produced.set(name, encoder.produces);
  }
  const fusion = registry.findFusion(manifest.fusion.type);
  if (!fusion) {
    problems.push(`/fusion/type: ${missingTypeMessage('fusion', manifest.fusion.type, registry.fusionTypes())}`);
  } else {
    const validate = compileSchema(fusion.optionsSchema);
    if (!validate(manifest.fusion.options)) problems.push(...formatSchemaErrors(validate.errors ?? [], '/fusion/options'));
    for (const [name, kinds] of produced) {
      if (!kinds.some((kind) => fusion.accepts.includes(kind))) {
        problems.push(`/inputs/${name}: encoder ${manifest.inputs[name].encoder} produces ${kinds.join('/')}, which fusion "${fusion.type}" does not accept (${fusion.accepts.join(', ')})`);
      }
    }
  }
  const task = manifest.output.task;
  const valid = METRIC_NAMES[task];
  (manifest.evaluation.metrics ?? []).forEach((metric, index) => {
    if (!valid.includes(metric)) {
      problems.push(`/evaluation/metrics/${index}: "${metric}" is not a ${task} metric.${didYouMean(metric, valid) || ` Use any of ${valid.join(', ')}.`}`);
    }
  });
  if (manifest.evaluation.metrics === undefined) manifest.evaluation.metrics = [...DEFAULT_METRICS[task]];
  if (manifest.evaluation.threshold === 'maxF1' && task !== 'binary') {
    problems.push(`/evaluation/threshold: "maxF1" applies to binary tasks only (this one is ${task})`);
  }
  if (manifest.training.classWeight !== undefined && task === 'regression') {
    problems.push('/training/classWeight: class weights apply to classification tasks only');
  }
  return problems;
}

export function manifestError(source: string, problems: readonly string[]): PolymodalError {
  return new PolymodalError(`${source}: the manifest has ${problems.length} problem${problems.length === 1 ? '' : 's'}`, {
    problems,
    hint: 'Each line starts with the JSON pointer of the offending value. The schema is @polymodal/core/schema/manifest.v1.json.',
    exitCode: 2,
  });
}

import type { FusionDefinition } from '../plugin/contracts.js';
import { didYouMean } from '../util/did-you-mean.js';
import { isOptionalInput, type Manifest } from './types.js';

/** Whether the schema found no problem at or around a pointer (cross-checks.ts's IsClean). */
type IsClean = (pointer: string) => boolean;

function optionalInputs(manifest: Manifest): string[] {
  return Object.entries(manifest.inputs).filter(([, entry]) => isOptionalInput(entry)).map(([name]) => name);
}

/**
 * `training.modalityDropout` drops optional inputs only: one that could drop nothing (no optional input, a required
 * or unknown input named) is a mistake the user should hear about, not an option silently without effect.
 */
export function checkModalityDropout(manifest: Manifest, isClean: IsClean): string[] {
  const setting = manifest.training?.modalityDropout;
  if (setting === undefined || !isClean('/training/modalityDropout') || !isClean('/inputs')) return [];
  const optional = optionalInputs(manifest);
  if (optional.length === 0) {
    return ['/training/modalityDropout: no input is optional ("required": false), so modality dropout would never drop anything; remove it, or mark the inputs rows may lack "required": false'];
  }
  if (typeof setting === 'number') return [];
  const problems: string[] = [];
  for (const name of Object.keys(setting)) {
    const at = `/training/modalityDropout/${name}`;
    if (!Object.hasOwn(manifest.inputs, name)) {
      problems.push(`${at}: "${name}" is not an input.${didYouMean(name, optional) || ` The optional inputs are: ${optional.join(', ')}.`}`);
    } else if (!isOptionalInput(manifest.inputs[name])) {
      problems.push(`${at}: input "${name}" is required, so it is never dropped; set /inputs/${name}/required to false, or leave it out (optional inputs: ${optional.join(', ')})`);
    }
  }
  return problems;
}

/** A fusion that does not honour `EncoderOutput.present` would let a missing row's filler features reach the output. */
export function checkFusionHandlesMissing(manifest: Manifest, fusion: FusionDefinition, capable: readonly string[], isClean: IsClean): string[] {
  if (fusion.handlesMissingInputs === true || !isClean('/inputs')) return [];
  const alternatives = capable.length > 0 ? `use a fusion that can (${capable.join(', ')})` : 'use a fusion that can';
  return optionalInputs(manifest).map((name) =>
    `/inputs/${name}/required: input "${name}" is optional, but fusion "${fusion.type}" cannot handle missing inputs; ${alternatives}, or make the input required`);
}

/**
 * An encoder option `missing: "absent"` (image and audio encoders: a file that does not exist counts as missing)
 * matters for optional inputs only; on a required input a missing file stays an error, so the option does nothing.
 */
export function checkMissingFileOption(manifest: Manifest, name: string): string[] {
  const entry = manifest.inputs[name];
  if (entry.options?.missing !== 'absent' || isOptionalInput(entry)) return [];
  return [`/inputs/${name}/options/missing: "absent" applies to optional inputs only (a required input's missing file is an error); set /inputs/${name}/required to false, or remove the option`];
}

import { Ajv } from 'ajv';
import type { InputSpec } from '@polymodal/core';
import { cnnOptionsSchema, type AudioCnnOptions } from '../options.js';

const validate = new Ajv({ useDefaults: true, strict: false }).compile(cnnOptionsSchema);

/** An audio/cnn input over column `path` in `dir`, its options filled with the schema's defaults as core does. */
export function audioSpec(dir: string, options: Record<string, unknown> = {}): InputSpec<AudioCnnOptions> {
  const filled = structuredClone(options);
  if (!validate(filled)) throw new Error(JSON.stringify(validate.errors));
  return { name: 'clip', encoder: 'audio/cnn', columns: ['path'], options: filled as unknown as AudioCnnOptions, dataDir: dir, manifestDir: dir };
}

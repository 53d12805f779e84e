import { loadManifest, manifestSchema, mergedManifestSchema } from '@polymodal/core';
import { parseCommandArgs } from '../args.js';
import type { Command } from './command.js';

const usage = 'polymodal schema [--manifest M]';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print the manifest JSON Schema (with the options of a manifest\'s plugins merged in)',
  usage,
  async run(argv, output) {
    const { values } = parseCommandArgs(argv, { manifest: { type: 'string' } }, [], usage);
    const schema = values.manifest ? mergedManifestSchema((await loadManifest(values.manifest as string)).registry) : manifestSchema;
    output.out(JSON.stringify(schema, null, 2) + '\n');
    return 0;
  },
};

import { manifestSchema, manifestSchemaFor } from '@polymodal/core';
import { parseCommandArgs } from '../args.js';
import type { Command } from './command.js';

const usage = 'polymodal schema [--manifest M] [--allow-local-plugins]';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print the manifest JSON Schema (with the options of a manifest\'s plugins merged in)',
  usage,
  async run(argv, output) {
    const { values } = parseCommandArgs(argv, { manifest: { type: 'string' }, 'allow-local-plugins': { type: 'boolean' } }, [], usage);
    // An invalid manifest still gets a schema (an editor needs one most then): what its plugins that load offer.
    const { schema, warnings } = values.manifest ? await manifestSchemaFor(values.manifest as string, { allowLocalPlugins: values['allow-local-plugins'] === true }) : { schema: manifestSchema, warnings: [] };
    for (const warning of warnings) output.err(`polymodal schema: warning: ${warning}\n`);
    output.out(JSON.stringify(schema, null, 2) + '\n');
    return 0;
  },
};

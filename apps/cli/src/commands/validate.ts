import { validate } from '@polymodal/core';
import { parseCommandArgs } from '../args.js';
import type { Command } from './command.js';

const usage = 'polymodal validate <manifest> [--allow-local-plugins] [--json]';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a manifest, its plugins\' options and its data columns',
  usage,
  async run(argv, output) {
    const { positionals, values } = parseCommandArgs(argv, { json: { type: 'boolean' }, 'allow-local-plugins': { type: 'boolean' } }, ['manifest'], usage);
    const loaded = await validate(positionals[0], { allowLocalPlugins: values['allow-local-plugins'] === true });
    const { manifest } = loaded.resolved;
    if (values.json) output.out(JSON.stringify({ valid: true, manifest: loaded.resolved.path, resolved: manifest }) + '\n');
    else output.out(`${positionals[0]}: valid (${Object.keys(manifest.inputs).length} input(s), fusion ${manifest.fusion.type}, task ${manifest.output.task})\n`);
    return 0;
  },
};

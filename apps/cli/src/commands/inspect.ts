import { formatSummary, inspect } from '@polymodal/core';
import { choiceFlag, parseCommandArgs } from '../args.js';
import type { Command } from './command.js';
import { BACKENDS } from './reporter-for.js';

const usage = 'polymodal inspect <manifest> [--backend B] [--allow-local-plugins] [--json]';

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'build the model and print a Keras-style summary',
  usage,
  async run(argv, output) {
    const { positionals, values } = parseCommandArgs(argv, { json: { type: 'boolean' }, backend: { type: 'string' }, 'allow-local-plugins': { type: 'boolean' } }, ['manifest'], usage);
    const backend = choiceFlag(values, 'backend', BACKENDS, usage);
    const summary = await inspect({ manifest: positionals[0], overrides: { backend }, allowLocalPlugins: values['allow-local-plugins'] === true });
    output.out(values.json ? JSON.stringify(summary) + '\n' : formatSummary(summary) + '\n');
    return 0;
  },
};

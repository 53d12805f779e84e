import { listPlugins } from '@polymodal/core';
import { parseCommandArgs } from '../args.js';
import type { Command } from './command.js';

const usage = 'polymodal plugins [--manifest M] [--allow-local-plugins] [--json]';

export const pluginsCommand: Command = {
  name: 'plugins',
  summary: 'installed plugins and the encoder and fusion types they provide',
  usage,
  async run(argv, output) {
    const { values } = parseCommandArgs(argv, { manifest: { type: 'string' }, 'allow-local-plugins': { type: 'boolean' }, json: { type: 'boolean' } }, [], usage);
    const listings = await listPlugins({
      manifest: values.manifest as string | undefined,
      // Module paths in the manifest's "plugins" run code from wherever they point: only on request.
      allowLocalPlugins: values['allow-local-plugins'] === true,
    });
    if (values.json) {
      output.out(JSON.stringify(listings) + '\n');
      return 0;
    }
    for (const plugin of listings) {
      if (!plugin.installed) {
        output.out(`${plugin.name}  (not installed: npm install ${plugin.name})\n`);
        continue;
      }
      output.out(`${plugin.name}@${plugin.version}\n`);
      for (const encoder of plugin.encoders) output.out(`  encoder  ${encoder.type.padEnd(22)} ${encoder.description}\n`);
      for (const fusion of plugin.fusions) output.out(`  fusion   ${fusion.type.padEnd(22)} ${fusion.description}\n`);
    }
    return 0;
  },
};

#!/usr/bin/env node
// `npm create @polymodal/plugin <dir> -- --name <npm-name> --type <family/variant>`, or this file run directly:
// scaffolds a Polymodal encoder plugin package.
import { parseArgs } from 'node:util';
import { generatePlugin, UsageError } from '../lib/generate.js';

const USAGE = 'usage: create-plugin <target-dir> --name <npm-name> --type <family/variant> [--core-range <semver range>]';

function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { name: { type: 'string' }, type: { type: 'string' }, 'core-range': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new UsageError(`${error.message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length !== 1) throw new UsageError(`give exactly one target folder\n${USAGE}`);
  const [targetDir] = positionals;
  const written = generatePlugin(targetDir, { name: values.name, type: values.type, coreRange: values['core-range'] });
  console.log(`created ${values.name} in ${targetDir} (${written.length} files):`);
  for (const path of written) console.log(`  ${path}`);
  console.log(`\nnext: cd ${targetDir} && npm install && npm test`);
}

try {
  main();
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`create-plugin: ${error.message}`);
  process.exitCode = 2;
}

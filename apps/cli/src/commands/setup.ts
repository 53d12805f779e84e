/**
 * `polymodal setup tensorflow`: builds @tensorflow/tfjs-node (or -gpu) against the TensorFlow of a local Python
 * installation, in the Polymodal cache, where `--backend tensorflow` and `auto` find it. The work is done by
 * @polymodal/backend-tensorflow (an optional peer of the CLI, loaded only here).
 */
import { PolymodalError } from '@polymodal/core';
import { parseCommandArgs, usageError } from '../args.js';
import type { Output } from '../render/reporters.js';
import type { Command } from './command.js';
import { importOptionalPackage } from '../optional-package.js';

const usage = 'polymodal setup tensorflow [--python PATH] [--gpu] [--force] [--verbose] [--json]';

type BackendTensorflow = typeof import('@polymodal/backend-tensorflow');

function loadBackendPackage(): Promise<BackendTensorflow> {
  return importOptionalPackage<BackendTensorflow>('@polymodal/backend-tensorflow', 'polymodal setup tensorflow');
}

function printResult(result: ReturnType<BackendTensorflow['setupTensorflow']>, output: Output): void {
  const { record, facts, folder } = result;
  output.out(
    [
      `tensorflow backend ready: ${record.package} ${record.tfjsNodeVersion} on TensorFlow ${facts.tensorflowVersion} from ${record.python}`,
      `  folder:  ${folder}`,
      `  build:   ${result.reused ? `already built (${record.builtAt}); nothing to do` : `${record.buildSeconds} s`}`,
      `  device:  ${facts.gpu ? 'GPU' : 'CPU'}, ${facts.threads} threads`,
      `  matMul:  ${facts.matMulGflops} GFLOP/s (1024x1024 float32)`,
      `Use it: polymodal train MANIFEST --backend ${record.package.endsWith('-gpu') ? 'tensorflow-gpu' : 'tensorflow'} (--backend auto chooses it too)`,
    ].join('\n') + '\n',
  );
}

export const setupCommand: Command = {
  name: 'setup',
  summary: 'build the native TensorFlow backend against a local Python TensorFlow (setup tensorflow)',
  usage,
  async run(argv, output) {
    const { values, positionals } = parseCommandArgs(argv, {
      python: { type: 'string' }, gpu: { type: 'boolean' }, force: { type: 'boolean' }, verbose: { type: 'boolean' }, json: { type: 'boolean' },
    }, ['target'], usage);
    if (positionals[0] !== 'tensorflow') throw usageError(`unknown setup target ${JSON.stringify(positionals[0] ?? '')}; the one there is: tensorflow`, usage);
    const backend = await loadBackendPackage();
    try {
      const result = backend.setupTensorflow({
        python: values.python as string | undefined, gpu: values.gpu === true, force: values.force === true, verbose: values.verbose === true,
        log: (line) => output.err(`polymodal setup: ${line}\n`),
      });
      if (values.json) output.out(JSON.stringify({ folder: result.folder, reused: result.reused, record: result.record, facts: result.facts }) + '\n');
      else printResult(result, output);
      return 0;
    } catch (error) {
      if (backend.isNativeBackendError(error)) throw new PolymodalError(error.message, { hint: error.hint, exitCode: error.exitCode });
      throw error;
    }
  },
};

import { createRequire } from 'node:module';
import { closestMatch, exitCodeForSignal, fileSystemError, isPolymodalError, isTrainingInterrupted, listenForInterrupts } from '@polymodal/core';
import type { Command } from './commands/command.js';
import { crossvalCommand } from './commands/crossval.js';
import { evaluateCommand } from './commands/evaluate.js';
import { exportCommand } from './commands/export.js';
import { explainCommand } from './commands/explain.js';
import { inspectCommand } from './commands/inspect.js';
import { pluginsCommand } from './commands/plugins.js';
import { predictCommand } from './commands/predict.js';
import { schemaCommand } from './commands/schema.js';
import { serveCommand } from './commands/serve.js';
import { trainCommand } from './commands/train.js';
import { tuneCommand } from './commands/tune.js';
import { workerCommand } from './commands/worker.js';
import { validateCommand } from './commands/validate.js';
import { processOutput, type Output } from './render/reporters.js';
import { setupCommand } from './commands/setup.js';
import { quietTfjsNotices } from './quiet-tfjs.js';

const COMMANDS: readonly Command[] = [validateCommand, inspectCommand, trainCommand, evaluateCommand, explainCommand, crossvalCommand, tuneCommand, workerCommand, predictCommand, exportCommand, serveCommand, pluginsCommand, schemaCommand, setupCommand];
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'polymodal: build, train, evaluate and use multimodal models from a JSON manifest',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `polymodal <command> --help` for its options.',
  ].join('\n') + '\n';
}

/** Runs the CLI; returns the exit code. User mistakes print a message and a hint, never a stack trace. */
export async function main(argv: string[], output: Output = processOutput): Promise<number> {
  quietTfjsNotices();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    output.out(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    output.out(`${version}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const match = closestMatch(name, COMMANDS.map((c) => c.name));
    output.err(`polymodal: unknown command "${name}".${match ? ` Did you mean "${match}"?` : ''}\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    output.out(`Usage: ${command.usage}\n`);
    return 0;
  }
  const interrupts = listenForInterrupts({
    mode: command.interrupts ?? 'immediate',
    onSignal: (signal) => output.err(command.interrupts === 'graceful'
      ? `\npolymodal ${command.name}: ${signal} received; stopping after the current batch (send it again to stop at once)\n`
      : `\npolymodal ${command.name}: ${signal} received; stopping\n`),
  });
  try {
    return await command.run(rest, output, { signal: interrupts.signal });
  } catch (caught) {
    const error = fileSystemError(caught, 'cannot read or write a file');
    const signal = interrupts.received();
    if (isTrainingInterrupted(error) && signal) {
      output.err(`polymodal ${command.name}: ${error.describe()}\n`);
      return exitCodeForSignal(signal);
    }
    if (isPolymodalError(error)) {
      output.err(`polymodal ${command.name}: ${error.describe()}\n`);
      return error.exitCode;
    }
    output.err(`polymodal ${command.name}: internal error (please report it with the command you ran)\n${(error as Error)?.stack ?? String(error)}\n`);
    return 70;
  } finally {
    interrupts.dispose();
  }
}

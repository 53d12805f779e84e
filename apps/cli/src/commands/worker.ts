import { integerFlag, parseCommandArgs, usageError } from '../args.js';
import { requireTuneModule } from '../tune-loader.js';
import { foldInChildProcess } from './crossval.js';
import type { Command } from './command.js';

const usage = 'polymodal worker --queue redis://HOST:PORT [--queue-name NAME] [--concurrency N] [--lock-seconds S]';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run the trials and folds that `polymodal tune --queue` and `crossval --queue` put on a Redis queue (BullMQ), until stopped',
  usage,
  interrupts: 'graceful',
  async run(argv, output, context) {
    const { values } = parseCommandArgs(argv, {
      queue: { type: 'string' }, 'queue-name': { type: 'string' }, concurrency: { type: 'string' }, 'lock-seconds': { type: 'string' },
    }, [], usage);
    if (values.queue === undefined) throw usageError('missing --queue redis://HOST:PORT', usage);
    const tune = await requireTuneModule('polymodal worker');
    await tune.runQueueWorker({
      url: String(values.queue),
      queueName: values['queue-name'] as string | undefined,
      concurrency: integerFlag(values, 'concurrency', usage),
      lockSeconds: integerFlag(values, 'lock-seconds', usage),
      // Each trial runs in a child process: this CLI again, as `tune <manifest> --run-trial`.
      trialCommand: (manifest) => [process.execPath, ...process.execArgv, process.argv[1], 'tune', manifest, '--run-trial'],
      // Each crossval fold too: this CLI again, as `crossval <manifest> --run-fold JOB`.
      runFold: foldInChildProcess,
      signal: context.signal,
      log: (line) => output.out(`${line}\n`),
    });
    return 0;
  },
};

/**
 * Worker thread that re-creates a fitted preprocessor from its plugin module and state, and transforms
 * chunks of rows, so CPU-heavy preprocessing runs beside the (single-threaded) backend.
 */
import { parentPort } from 'node:worker_threads';
import { PolymodalError } from '../errors.js';
import type { EncoderDefinition, FeatureArrays, PolymodalPlugin, Preprocessor } from '../plugin/contracts.js';
import { guardEncoder } from '../plugin/guard-plugin-code.js';
import type { TransformTask, TransformReply } from './transform-protocol.js';

const preprocessors = new Map<string, Promise<Preprocessor>>();

async function preprocessorFor(task: TransformTask): Promise<Preprocessor> {
  const module = (await import(task.moduleUrl)) as { default?: unknown };
  const exported = module.default;
  const plugin = (typeof exported === 'function' ? (exported as (o?: unknown) => unknown)(task.pluginOptions) : exported) as PolymodalPlugin;
  const encoder = plugin.encoders.find((e: EncoderDefinition) => e.type === task.spec.encoder);
  if (!encoder) throw new Error(`plugin ${plugin.name} has no encoder ${task.spec.encoder}`);
  // Guarded as in the main thread, so a plugin's error reads the same whichever thread ran it.
  return guardEncoder(plugin.name, encoder).createPreprocessor(task.spec, task.state);
}

parentPort!.on('message', async (task: TransformTask) => {
  try {
    let preprocessor = preprocessors.get(task.preprocessorId);
    if (!preprocessor) preprocessors.set(task.preprocessorId, (preprocessor = preprocessorFor(task)));
    const arrays: FeatureArrays = await (await preprocessor).transform(task.rows, { training: false, random: Math.random });
    const reply: TransformReply = { id: task.id, arrays };
    parentPort!.postMessage(reply, Object.values(arrays).map((a) => a.buffer as ArrayBuffer));
  } catch (error) {
    const failure = error instanceof PolymodalError ? { message: error.message, hint: error.details.hint, exitCode: error.exitCode } : undefined;
    const reply: TransformReply = { id: task.id, error: (error as Error)?.stack ?? String(error), failure };
    parentPort!.postMessage(reply);
  }
});

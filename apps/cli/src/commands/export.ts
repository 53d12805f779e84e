import { basename, dirname, join, resolve } from 'node:path';
import { choiceFlag, integerFlag, parseCommandArgs, usageError } from '../args.js';
import type { Command } from './command.js';
import { requireExporter, requireKerasModule } from './export-loaders.js';

const FORMATS = ['keras', 'onnx', 'tfjs-graph', 'saved-model'] as const;
type Format = (typeof FORMATS)[number];

const usage = 'polymodal export <model-dir> --format keras|onnx|tfjs-graph|saved-model [--out FILE] [--opset N (onnx)] [--overwrite] [--allow-local-plugins]';

/**
 * Beside the model folder, named after it: runs/churn -> runs/churn.keras, runs/churn.onnx, runs/churn-tfjs-graph/,
 * runs/churn-saved-model/.
 */
export function defaultExportPath(modelDir: string, format: Format): string {
  const absolute = resolve(modelDir);
  const name = basename(absolute);
  const file = format === 'keras' ? `${name}.keras` : format === 'onnx' ? `${name}.onnx` : `${name}-${format}`;
  return join(dirname(absolute), file);
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a trained model as a Keras 3 .keras file, an ONNX model, a tfjs graph model or a TensorFlow SavedModel',
  usage,
  async run(argv, output) {
    const { positionals, values } = parseCommandArgs(argv, {
      format: { type: 'string' },
      out: { type: 'string' },
      opset: { type: 'string' },
      overwrite: { type: 'boolean' },
      'allow-local-plugins': { type: 'boolean' },
    }, ['model-dir'], usage);
    if (values.format === undefined) throw usageError(`missing --format (one of ${FORMATS.join(', ')})`, usage);
    const format = choiceFlag(values, 'format', FORMATS, usage)!;
    const opset = integerFlag(values, 'opset', usage);
    // An option that would change nothing is an error, never ignored.
    if (opset !== undefined && format !== 'onnx') throw usageError(`--opset applies to --format onnx only, not ${format}`, usage);
    const modelDir = positionals[0];
    const out = (values.out as string | undefined) ?? defaultExportPath(modelDir, format);
    const overwrite = values.overwrite === true;
    const allowLocalPlugins = values['allow-local-plugins'] === true;
    if (format === 'keras') {
      const keras = await requireKerasModule();
      const result = await keras.exportKerasModel(modelDir, out, { overwrite, flag: '--out', load: { allowLocalPlugins } });
      output.out(`Keras model written to ${result.file} (${result.layers} Keras layers, ${result.parameters.toLocaleString('en-US')} parameters)\n`);
      output.out(`Preprocessing written to ${result.preprocessingFile}\n`);
      output.out(`Load it in Python: keras.saving.load_model(${JSON.stringify(result.file)})\n`);
      return 0;
    }
    const flags = { overwrite, allowLocalPlugins, flag: '--out' };
    const summary = format === 'onnx'
      ? await (await requireExporter('exportOnnx', format))(modelDir, out, { ...flags, opset })
      : await (await requireExporter(format === 'tfjs-graph' ? 'exportTfjsGraph' : 'exportSavedModel', format))(modelDir, out, flags);
    const what = { onnx: `ONNX model (opset ${summary.opset})`, 'tfjs-graph': 'tfjs graph model', 'saved-model': 'TensorFlow SavedModel' }[format];
    output.out(`${what} written to ${format === 'onnx' ? summary.files[0] : resolve(out)}\n`);
    // The preprocessing description is the last file each exporter lists.
    output.out(`Preprocessing written to ${summary.files[summary.files.length - 1]}\n`);
    const inputs = summary.inputs.map((input) => `${input.name} [${input.shape.map((d) => d ?? 'batch').join(', ')}] ${input.dtype}`);
    output.out(`Inputs (preprocessed features): ${inputs.join('; ')}\n`);
    if (format === 'saved-model') output.out(`Load it in Python: tf.saved_model.load(${JSON.stringify(resolve(out))}).signatures["serving_default"]\n`);
    return 0;
  },
};

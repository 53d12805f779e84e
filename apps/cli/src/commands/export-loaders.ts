import { PolymodalError } from '@polymodal/core';
import { importOptionalPackage } from '../optional-package.js';

/**
 * The exporters live in optional packages, loaded only by `polymodal export`: @polymodal/keras (Keras 3 `.keras`
 * files, with h5wasm) and @polymodal/export (ONNX with protobufjs, tfjs graph models, TensorFlow SavedModels). The CLI works without them.
 */
export type KerasModule = typeof import('@polymodal/keras');

/** What the CLI calls in @polymodal/export; checked at run time too, since a version may lack a format. */
type ExportModule = Pick<typeof import('@polymodal/export'), 'exportOnnx' | 'exportTfjsGraph' | 'exportSavedModel'>;

export function requireKerasModule(): Promise<KerasModule> {
  return importOptionalPackage<KerasModule>('@polymodal/keras', '`polymodal export --format keras`');
}

/** The exporter function `name` of @polymodal/export, or a clear error when the installed version has none. */
export async function requireExporter<K extends keyof ExportModule>(name: K, format: string): Promise<ExportModule[K]> {
  const module = await importOptionalPackage<Partial<ExportModule>>('@polymodal/export', `\`polymodal export --format ${format}\``);
  const exporter = module[name];
  if (typeof exporter !== 'function') {
    throw new PolymodalError(`--format ${format} is not available: the installed @polymodal/export has no ${name}()`, {
      hint: 'Update @polymodal/export (`npm install @polymodal/export@latest`), or use --format keras.',
      exitCode: 2,
    });
  }
  return exporter.bind(module) as ExportModule[K];
}

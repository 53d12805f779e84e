import { LabelCodec } from '../data/labels.js';
import { readTable } from '../data/table.js';
import { PolymodalError } from '../errors.js';
import { loadManifest, type LoadedManifest, type LoadManifestOptions } from '../manifest/load-manifest.js';
import { checkColumnsExist } from '../pipeline/check-columns.js';
import { columnUses } from '../pipeline/prepare-data.js';

/**
 * Checks a manifest, its plugins' options, and what can be checked against the data without training:
 * the columns it names exist, the labels fit the task, class weights name real classes. Throws PolymodalError.
 */
export async function validate(path: string, options: LoadManifestOptions = {}): Promise<LoadedManifest> {
  const loaded = await loadManifest(path, options);
  const { manifest, dataPath } = loaded.resolved;
  const table = await readTable(dataPath, { format: manifest.data.format, delimiter: manifest.data.delimiter });
  checkColumnsExist(table, columnUses(manifest, true));
  const labels = LabelCodec.fromRows(manifest.output, table.rows, table.source);
  const weights = manifest.training.classWeight;
  if (weights !== undefined && weights !== 'balanced') {
    const unknown = Object.keys(weights).filter((name) => !labels.classes.includes(name));
    if (unknown.length > 0) {
      throw new PolymodalError(`/training/classWeight: ${unknown.map((n) => `"${n}"`).join(', ')} ${unknown.length === 1 ? 'is not a class' : 'are not classes'} of ${table.source}`, {
        hint: `The classes are: ${labels.classes.join(', ')}.`,
        exitCode: 2,
      });
    }
  }
  return loaded;
}

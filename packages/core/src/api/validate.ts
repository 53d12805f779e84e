import { readTable } from '../data/table.js';
import { loadManifest, type LoadedManifest, type LoadManifestOptions } from '../manifest/load-manifest.js';
import { checkColumnsExist } from '../pipeline/check-columns.js';
import { columnUses } from '../pipeline/prepare-data.js';

/** Checks a manifest, its plugins' options and that its data file has the columns it names. Throws PolymodalError. */
export async function validate(path: string, options: LoadManifestOptions = {}): Promise<LoadedManifest> {
  const loaded = await loadManifest(path, options);
  const { manifest, dataPath } = loaded.resolved;
  const table = await readTable(dataPath, { format: manifest.data.format, delimiter: manifest.data.delimiter });
  checkColumnsExist(table, columnUses(manifest, true));
  return loaded;
}

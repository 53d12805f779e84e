import { checkManifestFile, loadedManifestOf, type LoadedManifest, type LoadManifestOptions } from '../manifest/load-manifest.js';
import { checkManifestData } from './check-data.js';

/**
 * Checks a manifest, its plugins' options, and what can be checked against the data without training
 * (the columns it names exist, the labels fit the task, class weights name real classes), and reports every
 * problem at once in one PolymodalError: exit 2 when any is in the manifest, exit 1 when only the data is bad.
 */
export async function validate(path: string, options: LoadManifestOptions = {}): Promise<LoadedManifest> {
  const check = await checkManifestFile(path, options);
  await checkManifestData(check);
  check.problems.throwIfAny(check.path);
  return loadedManifestOf(check);
}

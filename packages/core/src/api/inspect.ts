import { selectBackend } from '../backend/select-backend.js';
import { withSeededTfjsRandom } from '../backend/seeded-tfjs-random.js';
import { loadManifest, type LoadedManifest, type ManifestOverrides } from '../manifest/load-manifest.js';
import { composeModelWithinBudget } from '../model/model-budget.js';
import { summarizeModel, type ModelSummary } from '../model/summary.js';
import type { PolymodalPlugin } from '../plugin/contracts.js';
import { prepareTrainingData, splitPrepared } from '../pipeline/prepare-data.js';
import { silentReporter, type Reporter } from '../training/reporter.js';

export interface InspectOptions {
  manifest: string | LoadedManifest;
  overrides?: ManifestOverrides;
  plugins?: readonly PolymodalPlugin[];
  /** Let manifest `plugins` entries be local paths (they run code from those files). */
  allowLocalPlugins?: boolean;
  reporter?: Reporter;
}

/** Builds the model a manifest describes (fitting preprocessing on the training split) and summarises it. */
export async function inspect(options: InspectOptions): Promise<ModelSummary> {
  const reporter = options.reporter ?? silentReporter;
  const loaded = typeof options.manifest === 'string'
    ? await loadManifest(options.manifest, { overrides: options.overrides, plugins: options.plugins, allowLocalPlugins: options.allowLocalPlugins })
    : options.manifest;
  const { manifest } = loaded.resolved;
  await selectBackend(manifest.training.backend);
  const data = await prepareTrainingData(loaded.resolved, loaded.registry, (message) => reporter.event({ type: 'warning', message }));
  const trainRows = splitPrepared(manifest, data).train.map((i) => data.rows[i]);
  for (const input of data.inputs) await input.preprocessor.fit(trainRows);
  data.labels.fit(trainRows);
  return withSeededTfjsRandom(manifest.training.seed, async () => {
    const model = composeModelWithinBudget(manifest, loaded.registry, data.inputs, data.labels);
    try {
      return summarizeModel(model);
    } finally {
      model.dispose();
    }
  });
}

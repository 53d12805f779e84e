/** Dependency-injection tokens. Each run resolves these from its own child container. */
export const TOKENS = {
  /** The validated manifest with paths resolved (ResolvedManifest). */
  Manifest: Symbol.for('polymodal.Manifest'),
  /** The PluginRegistry holding the plugins this run loaded. */
  PluginRegistry: Symbol.for('polymodal.PluginRegistry'),
  /** Information about the active tfjs backend (BackendInfo). */
  Backend: Symbol.for('polymodal.Backend'),
  /** Where progress and notices go (Reporter). */
  Reporter: Symbol.for('polymodal.Reporter'),
  /** The Trainer implementation. */
  Trainer: Symbol.for('polymodal.Trainer'),
  /** The ModelComposer that turns a manifest and fitted preprocessors into a tfjs model. */
  ModelComposer: Symbol.for('polymodal.ModelComposer'),
  /** The seeded random source of the run (Random). */
  Random: Symbol.for('polymodal.Random'),
} as const;

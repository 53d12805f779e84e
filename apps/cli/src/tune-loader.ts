import { importOptionalPackage } from './optional-package.js';

/** @polymodal/tune is optional for the CLI: loaded only by tune, worker and crossval --queue, with the install line when missing. */
export type TuneModule = typeof import('@polymodal/tune');

export function requireTuneModule(what = 'polymodal tune'): Promise<TuneModule> {
  return importOptionalPackage<TuneModule>('@polymodal/tune', what);
}

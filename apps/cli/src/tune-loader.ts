import { PolymodalError } from '@polymodal/core';

/** @polymodal/tune is optional for the CLI: loaded only by tune, worker and crossval --queue, with the install line when missing. */
export type TuneModule = typeof import('@polymodal/tune');

export async function requireTuneModule(what = 'polymodal tune'): Promise<TuneModule> {
  try {
    return (await import('@polymodal/tune')) as TuneModule;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes("Cannot find package '@polymodal/tune'")) {
      throw new PolymodalError(`${what} needs the package @polymodal/tune, which is not installed`, {
        hint: 'Run `npm install @polymodal/tune`.',
        exitCode: 2,
      });
    }
    throw error;
  }
}

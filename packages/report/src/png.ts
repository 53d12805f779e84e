import { PolymodalError } from '@polymodal/core';

/** The part of sharp's API used here (sharp is an optional peer dependency, loaded only for PNG output). */
interface SharpInstance {
  png(): { toBuffer(): Promise<Buffer> };
}
export type SharpFactory = (input: Buffer, options?: { density?: number }) => SharpInstance;

export type SharpImporter = () => Promise<unknown>;

const importSharp: SharpImporter = () => import('sharp' as string);

/** Loads sharp, or explains how to install it: needed for `--plots png` only. */
export async function loadSharp(importer: SharpImporter = importSharp): Promise<SharpFactory> {
  let module: unknown;
  try {
    module = await importer();
  } catch (error) {
    throw new PolymodalError(`PNG plots need the optional package "sharp", which cannot be loaded (${(error as Error).message.split('\n')[0]})`, {
      hint: 'Install it with `npm install sharp@^0.34` (or leave out --plots png; report.html has every chart inline).',
      exitCode: 2,
      cause: error,
    });
  }
  const factory = (module as { default?: unknown }).default ?? module;
  if (typeof factory !== 'function') {
    throw new PolymodalError('PNG plots need the optional package "sharp", but what loaded is not sharp', { hint: 'Reinstall it with `npm install sharp@^0.34`.', exitCode: 2 });
  }
  return factory as SharpFactory;
}

/** Rasterizes an SVG at `scale` times its pixel size (librsvg maps 72 dpi to 1x). */
export async function svgToPng(sharp: SharpFactory, svg: string, scale = 2): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale }).png().toBuffer();
}

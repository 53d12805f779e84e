import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { cell, PolymodalError, type FeatureArrays, type FeatureSpec, type InputSpec, type InvalidValue, type Preprocessor, type Row, type TransformContext } from '@polymodal/core';
import { applyAugmentation, augments, drawAugmentation, type AugmentParams } from './augment.js';
import { boundedMap } from './bounded-map.js';
import { decodeImage, type DecodeOptions } from './decode.js';
import { describeSource, imageSource, readSource, sourceProblem, type ImageSource } from './image-source.js';
import { channelAffine, writeNormalized, type ChannelAffine } from './normalize.js';
import type { ImagePreprocessingOptions } from './options.js';
import { PixelCache } from './pixel-cache.js';

/** Saved with the model: what the network's input was built for. */
export type ImageState = { size: [number, number]; channels: 1 | 3 };

export const DEFAULT_CACHE_DIR = '.polymodal-cache/images';
/** Decoded pixels an augmenting preprocessor keeps in memory (256 MB: 21,000 images of 64x64x3). */
export const MEMORY_BUDGET = 256 * 1024 * 1024;

/**
 * An image path (relative to the data file's folder, or `root` under it) or a base64 data URI per cell, decoded
 * with sharp, resized, rescaled and normalized into `[h, w, channels]` floats, with optional on-disk caching of
 * the decoded pixels and seeded augmentation of training batches. Nothing is learnt from the data.
 */
export class ImagePreprocessor implements Preprocessor<ImageState> {
  readonly augments: boolean;
  readonly decode: DecodeOptions;
  readonly cache: PixelCache | undefined;
  private readonly affine: ChannelAffine;
  private readonly baseDir: string;
  private readonly column: string;
  private readonly concurrency: number;
  /** Decoded pixels of files kept in memory while augmenting, so each epoch re-augments without re-decoding. */
  private readonly memory = new Map<string, Promise<Uint8Array>>();
  private memoryBytes = 0;

  constructor(private readonly input: InputSpec<ImagePreprocessingOptions>, state?: ImageState) {
    const options = input.options;
    const size: [number, number] = [options.size[0], options.size[1]];
    if (state && (state.size[0] !== size[0] || state.size[1] !== size[1] || state.channels !== options.channels)) {
      throw new PolymodalError(`input "${input.name}": the model was trained on ${state.size.join('x')}x${state.channels} images, the manifest asks for ${size.join('x')}x${options.channels}`);
    }
    this.column = input.columns[0];
    this.decode = { size, fit: options.fit, channels: options.channels, interpolation: options.interpolation };
    this.affine = channelAffine(options, input.name);
    this.augments = augments(options.augment);
    this.baseDir = resolve(input.dataDir, options.root ?? '.');
    this.concurrency = options.concurrency ?? Math.max(2, availableParallelism());
    this.cache = options.cache ? new PixelCache(resolve(input.dataDir, options.cacheDir ?? DEFAULT_CACHE_DIR), this.decode) : undefined;
  }

  private sourceOf(row: Row): ImageSource | undefined {
    return imageSource(cell(row, this.column), this.baseDir, this.input);
  }

  check(row: Row): InvalidValue | undefined {
    let source: ImageSource | undefined;
    try {
      source = this.sourceOf(row);
    } catch (error) {
      // A path outside the data root is this row's problem: reported with its row, or skipped and counted.
      if (error instanceof PolymodalError) return { column: this.column, problem: error.message };
      throw error;
    }
    if (!source) return { column: this.column, problem: 'no image (the cell is empty)' };
    const problem = sourceProblem(source);
    return problem ? { column: this.column, problem } : undefined;
  }

  /** An empty cell; with `missing: "absent"`, also a path to a file that does not exist (a corrupt one is `check`'s). */
  isMissing(row: Row): boolean {
    if (cell(row, this.column) === null) return true;
    if (this.input.options.missing !== 'absent') return false;
    try {
      const source = this.sourceOf(row);
      return source?.kind === 'file' && !existsSync(source.path);
    } catch {
      return false; // a path outside the data root: check() reports it
    }
  }

  fit(): void {
    // Images need no fitted statistics: rescale and normalize come from the options.
  }

  features(): FeatureSpec[] {
    const [h, w] = this.decode.size;
    return [{ key: 'image', shape: [h, w, this.decode.channels], dtype: 'float32' }];
  }

  /**
   * The decoded `h x w x c` bytes of one source: from memory (augmenting preprocessors keep up to
   * MEMORY_BUDGET bytes of decoded files), else the disk cache when it holds them, else decoded.
   */
  async pixels(source: ImageSource): Promise<Uint8Array> {
    const remembered = source.kind === 'file' ? this.memory.get(source.path) : undefined;
    if (remembered) return remembered;
    return source.kind === 'file' && this.augments ? this.remember(source) : this.load(source);
  }

  /** Decodes a file and keeps its pixels while they fit in MEMORY_BUDGET, so the next request needs no decode. */
  private remember(source: ImageSource & { kind: 'file' }): Promise<Uint8Array> {
    const loading = this.load(source);
    if (this.memoryBytes + this.sampleBytes() > MEMORY_BUDGET) return loading;
    // The promise is kept, so concurrent requests for one file share one decode.
    this.memory.set(source.path, loading);
    this.memoryBytes += this.sampleBytes();
    loading.catch(() => {
      this.memory.delete(source.path);
      this.memoryBytes -= this.sampleBytes();
    });
    return loading;
  }

  /**
   * Decodes every row's image once, before the split: a file whose header looks right but whose data does not
   * decode is this row's problem (failed with its row, or skipped and counted), not a crash halfway through
   * training. The pixels are kept (within MEMORY_BUDGET) for the transform that follows.
   */
  async verify(rows: readonly Row[]): Promise<(InvalidValue | undefined)[]> {
    const problems: (InvalidValue | undefined)[] = new Array(rows.length).fill(undefined);
    await boundedMap(rows, this.concurrency, async (row, r) => {
      const source = this.sourceOf(row);
      if (!source) return;
      try {
        if (source.kind === 'file' && !this.memory.has(source.path)) await this.remember(source);
        else await this.pixels(source);
      } catch (error) {
        if (!(error instanceof PolymodalError)) throw error;
        problems[r] = { column: this.column, problem: error.message };
      }
    });
    return problems;
  }

  private sampleBytes(): number {
    return this.decode.size[0] * this.decode.size[1] * this.decode.channels;
  }

  private async load(source: ImageSource): Promise<Uint8Array> {
    const bytes = await readSource(source);
    const [h, w] = this.decode.size;
    const key = this.cache?.keyOf(bytes);
    if (this.cache && key) {
      const cached = await this.cache.get(key, h * w * this.decode.channels);
      if (cached) return cached;
    }
    const pixels = await decodeImage(bytes, this.decode, describeSource(source));
    if (this.cache && key) await this.cache.set(key, pixels);
    return pixels;
  }

  async transform(rows: readonly Row[], ctx?: TransformContext): Promise<FeatureArrays> {
    const [h, w] = this.decode.size;
    const c = this.decode.channels;
    const width = h * w * c;
    const out = new Float32Array(rows.length * width);
    const augment = this.input.options.augment;
    // Draw every row's parameters first, in row order: the stream does not depend on decoding order.
    const params: AugmentParams[] | undefined =
      ctx?.training && this.augments && augment ? rows.map(() => drawAugmentation(augment, this.decode.size, ctx.random)) : undefined;
    await boundedMap(rows, this.concurrency, async (row, r) => {
      const source = this.sourceOf(row);
      if (!source) throw new PolymodalError(`input "${this.input.name}": column "${this.column}" has no image`);
      const pixels = await this.pixels(source);
      if (params && augment) {
        const moved = applyAugmentation(Float32Array.from(pixels), h, w, c, params[r], augment.fillMode ?? 'reflect');
        writeNormalized(moved, this.affine, out, r * width);
      } else {
        writeNormalized(pixels, this.affine, out, r * width);
      }
    });
    return { image: out };
  }

  state(): ImageState {
    return { size: [...this.decode.size] as [number, number], channels: this.decode.channels };
  }
}

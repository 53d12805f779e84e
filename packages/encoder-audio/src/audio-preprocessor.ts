import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { cell, PolymodalError, type FeatureArrays, type FeatureSpec, type InputSpec, type InvalidValue, type Preprocessor, type Row, type TransformContext } from '@polymodal/core';
import { AudioCache } from './audio-cache.js';
import { audioFileProblem, audioPath } from './audio-source.js';
import { augments, augmentWaveform, drawAudioAugmentation, maskFeatures, type AudioAugmentParams } from './augment.js';
import { ClipLoader, type Clip } from './clip-loader.js';
import { FeatureExtractor, type FeatureMatrix } from './features/extract-features.js';
import { featureOptions } from './features/feature-options.js';
import { BinStatisticsAccumulator, fileStatistics, standardize, type BinStatistics } from './normalize.js';
import type { AudioPreprocessingOptions } from './options.js';
import { centreStart, fixLength, randomStart } from './signal/fix-length.js';

/** Saved with the model: what the network's input was built for, and the training split's statistics. */
export type AudioState = {
  sampleRate: number;
  channels: number;
  durationSeconds: number;
  features: string;
  bins: number;
  frames: number;
  statistics: BinStatistics | null;
};

/** `2d`: `[frames, bins, channels]` for Conv2D; `1d`: `[frames, bins * channels]` for Conv1D (same memory order). */
export type FeatureLayout = '2d' | '1d';

export const DEFAULT_CACHE_DIR = '.polymodal-cache/audio';
/** Training clips whose features the dataset statistics are computed from (evenly spaced when there are more). */
export const STATISTICS_CLIPS = 2000;

/**
 * A WAV path per cell, decoded (node-wav, corrected), mixed down or channel-selected, resampled, cut or padded
 * to a fixed duration, turned into features (raw, STFT, mel or MFCC) and standardised per bin; training
 * batches optionally augmented (waveform gain, shift, noise; SpecAugment masks).
 */
export class AudioPreprocessor implements Preprocessor<AudioState> {
  readonly augments: boolean;
  private readonly options: AudioPreprocessingOptions;
  private readonly column: string;
  private readonly baseDir: string;
  private readonly extractor: FeatureExtractor;
  private readonly loader: ClipLoader;
  private durationSeconds: number | undefined;
  private statistics: BinStatistics | null = null;

  constructor(private readonly input: InputSpec<AudioPreprocessingOptions>, private readonly layout: FeatureLayout, state?: AudioState) {
    const options = input.options;
    this.options = options;
    this.column = input.columns[0];
    this.baseDir = resolve(input.dataDir, options.root ?? '.');
    try {
      this.extractor = new FeatureExtractor(featureOptions({ ...options, fMax: options.fMax }));
    } catch (error) {
      if (error instanceof RangeError) throw new PolymodalError(`/inputs/${input.name}/options: ${error.message}`, { exitCode: 2 });
      throw error;
    }
    this.augments = augments(options.augment) || options.crop === 'random';
    const cache = options.cache ? new AudioCache(resolve(input.dataDir, options.cacheDir ?? DEFAULT_CACHE_DIR)) : undefined;
    this.loader = new ClipLoader(options.sampleRate, options.channels, cache, this.augments);
    if (typeof options.durationSeconds === 'number') this.durationSeconds = options.durationSeconds;
    if (state) this.restore(state);
  }

  private restore(state: AudioState): void {
    const o = this.options;
    if (state.sampleRate !== o.sampleRate || state.channels !== o.channels || state.features !== o.features || state.bins !== this.extractor.bins) {
      throw new PolymodalError(
        `input "${this.input.name}": the model was trained on ${state.channels}-channel ${state.features} features (${state.bins} bins) at ${state.sampleRate} Hz; the manifest asks for ${o.channels}-channel ${o.features} (${this.extractor.bins} bins) at ${o.sampleRate} Hz`,
        { exitCode: 2 },
      );
    }
    this.durationSeconds = state.durationSeconds;
    this.statistics = state.statistics;
  }

  get cache(): AudioCache | undefined {
    return this.loader.cache;
  }

  private pathOf(row: Row): string | undefined {
    return audioPath(cell(row, this.column), this.baseDir, this.input);
  }

  check(row: Row): InvalidValue | undefined {
    let path: string | undefined;
    try {
      path = this.pathOf(row);
    } catch (error) {
      // A path outside the data root is this row's problem: reported with its row, or skipped and counted.
      if (error instanceof PolymodalError) return { column: this.column, problem: error.message };
      throw error;
    }
    if (!path) return { column: this.column, problem: 'no audio file (the cell is empty)' };
    const result = audioFileProblem(path, this.options.channels);
    return 'problem' in result ? { column: this.column, problem: result.problem } : undefined;
  }

  /** An empty cell; with `missing: "absent"`, also a path to a file that does not exist (a corrupt one is `check`'s). */
  isMissing(row: Row): boolean {
    if (cell(row, this.column) === null) return true;
    if (this.options.missing !== 'absent') return false;
    try {
      const path = this.pathOf(row);
      return path !== undefined && !existsSync(path);
    } catch {
      return false; // a path outside the data root: check() reports it
    }
  }

  async fit(rows: readonly Row[]): Promise<void> {
    if (this.durationSeconds === undefined) this.durationSeconds = this.autoDuration(rows);
    if (this.options.normalize !== 'dataset') return;
    const step = Math.max(1, rows.length / STATISTICS_CLIPS);
    const accumulator = new BinStatisticsAccumulator(this.extractor.bins);
    const sample = Array.from({ length: Math.ceil(rows.length / step) }, (_, i) => rows[Math.floor(i * step)]);
    for (const row of sample) {
      const clip = await this.loader.load(this.requirePath(row));
      for (const matrix of this.featuresOf(clip, undefined)) accumulator.add(matrix);
    }
    this.statistics = accumulator.result();
  }

  /** The longest training clip (from the headers), rounded up to a millisecond, at most maxDurationSeconds. */
  private autoDuration(rows: readonly Row[]): number {
    let longest = 0;
    for (const row of rows) {
      const result = audioFileProblem(this.requirePath(row), this.options.channels);
      if ('layout' in result) longest = Math.max(longest, result.layout.frames / result.layout.sampleRate);
    }
    if (longest === 0) throw new PolymodalError(`input "${this.input.name}": no training clip holds any audio, so "durationSeconds": "auto" has nothing to measure`);
    return Math.min(this.options.maxDurationSeconds, Math.ceil(longest * 1000) / 1000);
  }

  private requirePath(row: Row): string {
    const path = this.pathOf(row);
    if (!path) throw new PolymodalError(`input "${this.input.name}": column "${this.column}" has no audio file`);
    return path;
  }

  private get samples(): number {
    if (this.durationSeconds === undefined) throw new Error(`input "${this.input.name}": the audio preprocessor is used before fit`);
    return Math.round(this.durationSeconds * this.options.sampleRate);
  }

  features(): FeatureSpec[] {
    const frames = this.extractor.frameCount(this.samples);
    const { bins } = this.extractor;
    const c = this.options.channels;
    const shape = this.layout === '2d' ? [frames, bins, c] : [frames, bins * c];
    return [{ key: 'audio', shape, dtype: 'float32' }];
  }

  /** Each channel's features after fixing the length and, with `params`, augmenting the waveform. Unnormalised. */
  private featuresOf(clip: Clip, params: AudioAugmentParams | undefined): FeatureMatrix[] {
    const length = this.samples;
    const n = clip[0].length;
    const start = params && this.options.crop === 'random' ? randomStart(n, length, params.crop) : centreStart(n, length);
    return clip.map((channel) => {
      let fixed = fixLength(channel, length, start);
      if (params) {
        if (fixed === channel) fixed = channel.slice();
        augmentWaveform(fixed, params);
      }
      return this.extractor.extract(fixed);
    });
  }

  async transform(rows: readonly Row[], ctx?: TransformContext): Promise<FeatureArrays> {
    const [spec] = this.features();
    const width = spec.shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(rows.length * width);
    const augment = this.options.augment ?? {};
    // Every row's draws first, in row order: the stream does not depend on how long files take to read.
    const params = ctx?.training && this.augments ? rows.map(() => drawAudioAugmentation(augment, ctx.random)) : undefined;
    const c = this.options.channels;
    for (let r = 0; r < rows.length; r++) {
      const clip = await this.loader.load(this.requirePath(rows[r]));
      const matrices = this.featuresOf(clip, params?.[r]);
      matrices.forEach((matrix, channel) => {
        const stats = this.options.normalize === 'dataset' ? this.statistics : this.options.normalize === 'file' ? fileStatistics(matrix) : null;
        if (stats) standardize(matrix, stats);
        if (params) maskFeatures(matrix.values, matrix.frames, matrix.bins, params[r], augment);
        const base = r * width;
        if (c === 1) out.set(matrix.values, base);
        else for (let i = 0; i < matrix.values.length; i++) out[base + i * c + channel] = matrix.values[i];
      });
    }
    return { audio: out };
  }

  state(): AudioState {
    const [spec] = this.features();
    return {
      sampleRate: this.options.sampleRate,
      channels: this.options.channels,
      durationSeconds: this.durationSeconds as number,
      features: this.options.features,
      bins: this.extractor.bins,
      frames: spec.shape[0],
      statistics: this.statistics,
    };
  }
}

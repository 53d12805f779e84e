// Downloads a file once into the cache: streamed into a temp file beside the target, checked against its checksum,
// then renamed into place, so the target is complete or absent (a killed download leaves only a temp file, which
// the next download of the same file removes).
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import cliProgress from 'cli-progress';
import { isProcessAlive, PolymodalError } from '@polymodal/core';
import { createChecksumHash, describeChecksum, expectedDigest, type Checksum } from './checksum.js';

export interface DownloadOptions {
  checksum: Checksum;
  /** What the file is, for messages: e.g. `the weights of backbone "mobilenet_v2"`. */
  what: string;
  /** The fetch to use (tests pass one that fails); default: Node's global fetch. */
  fetch?: typeof fetch;
  /** Show a progress bar on stderr (default: when stderr is a terminal). */
  progress?: boolean;
}

const PARTIAL = '.partial-';

/** Downloads `url` to `target` (see the file comment). Throws PolymodalError for network, HTTP and checksum failures. */
export async function downloadFile(url: string, target: string, options: DownloadOptions): Promise<void> {
  mkdirSync(dirname(target), { recursive: true });
  removeAbandonedPartials(target);
  const partial = `${target}${PARTIAL}${process.pid}`;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { redirect: 'follow' });
  } catch (error) {
    throw offlineError(url, target, options, (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message, error);
  }
  if (!response.ok || !response.body) throw offlineError(url, target, options, `HTTP ${response.status} ${response.statusText}`.trim());
  const total = Number(response.headers.get('content-length')) || 0;
  const hash = createChecksumHash(options.checksum);
  const bar = (options.progress ?? process.stderr.isTTY) ? progressBar(basename(target), total) : null;
  let received = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      received += chunk.length;
      bar?.update(received);
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), meter, createWriteStream(partial));
  } catch (error) {
    rmSync(partial, { force: true });
    throw offlineError(url, target, options, `the download broke off after ${received} bytes (${(error as Error).message})`, error);
  } finally {
    bar?.stop();
  }
  const digest = hash.digest('hex');
  const expected = expectedDigest(options.checksum);
  if (expected !== null && digest !== expected) {
    rmSync(partial, { force: true });
    throw new PolymodalError(`${options.what}: the file downloaded from ${url} does not match its checksum (got ${digest}, expected ${describeChecksum(options.checksum)})`, {
      hint: `Nothing was kept. The file may have changed at its source or been damaged on the way; try again, or place a good copy at ${target}.`,
      exitCode: 1,
    });
  }
  renameSync(partial, target);
}

function offlineError(url: string, target: string, options: DownloadOptions, reason: string, cause?: unknown): PolymodalError {
  return new PolymodalError(`${options.what}: cannot download ${url} (${reason})`, {
    hint: `Without network access, download that file elsewhere and place it at ${target} (${describeChecksum(options.checksum)}); ` +
      'set POLYMODAL_CACHE to use another cache folder.',
    exitCode: 1,
    cause,
  });
}

function progressBar(name: string, total: number): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: total > 0 ? `${name} [{bar}] {percentage}% {value}/{total} bytes` : `${name} {value} bytes`,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  return bar;
}

/** Temp files of earlier downloads of `target` whose process is gone (killed mid-download). */
function removeAbandonedPartials(target: string): void {
  const dir = dirname(target);
  if (!existsSync(dir)) return;
  const prefix = `${basename(target)}${PARTIAL}`;
  for (const entry of readdirSync(dir)) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length));
    if (Number.isInteger(pid) && pid !== process.pid && isProcessAlive(pid)) continue;
    rmSync(join(dir, entry), { force: true });
  }
}


import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readKerasArchive } from '../format/keras-archive.js';
import { largestDifference, readFeatures } from '../read/test-fixtures/features.js';
import { loadNamedBackbone } from './named-backbone.js';
import type { BackboneEntry } from './registry.js';
import type { Checksum } from './checksum.js';

const fixtures = join(import.meta.dirname, '..', 'read', 'test-fixtures');
const weightsBytes = readFileSync(join(fixtures, 'custom_cnn.h5'));
const sha256 = createHash('sha256').update(weightsBytes).digest('hex');

/** A registry of one backbone: the committed custom CNN, served by a local HTTP server. */
const entry = (checksum: Checksum): BackboneEntry => ({
  name: 'tiny', description: 'test', architecture: 'custom_cnn', match: 'name', trainedSize: [16, 16, 3], defaultLayer: 'features',
  weights: { name: 'custom_cnn.h5', path: 'models/custom_cnn.h5', checksum },
  // Scales [0, 1] to 0..255 and swaps RGB to BGR (means 0), so the test can feed the reference inputs through it.
  preprocessing: { mode: 'caffe', meanBgr: [0, 0, 0] },
});

async function withServer(run: (ctx: { url: string; dir: string; requests: string[]; server: Server }) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-backbone-'));
  mkdirSync(join(dir, 'architectures'));
  const config = readKerasArchive(readFileSync(join(fixtures, 'custom_cnn.keras'))).config;
  writeFileSync(join(dir, 'architectures', 'custom_cnn.json.gz'), gzipSync(JSON.stringify(config)));
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url === '/base/models/custom_cnn.h5') {
      response.writeHead(200, { 'content-length': weightsBytes.length });
      response.end(weightsBytes);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  try {
    await run({ url: `http://127.0.0.1:${address.port}/base`, dir, requests, server });
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const options = (ctx: { url: string; dir: string }, checksum: Checksum, extra: object = {}) => ({
  inputShape: [16, 16, 3] as [number, number, number], cacheDir: join(ctx.dir, 'cache'), baseUrl: ctx.url, progress: false,
  registry: new Map([['tiny', entry(checksum)]]), architectureDir: join(ctx.dir, 'architectures'), warn: () => {}, ...extra,
});

test.before(() => tf.setBackend('cpu'));

test('a named backbone downloads once into the cache, checks its sha256, and computes Keras\'s features behind its preprocessing', async () => {
  await withServer(async (ctx) => {
    const abandoned = join(ctx.dir, 'cache', 'backbones', 'tiny', 'custom_cnn.h5.partial-2147483646');
    mkdirSync(join(ctx.dir, 'cache', 'backbones', 'tiny'), { recursive: true });
    writeFileSync(abandoned, 'half');
    const { model } = await loadNamedBackbone('tiny', options(ctx, { sha256 }));
    assert.deepEqual(ctx.requests, ['/base/models/custom_cnn.h5']);
    assert.deepEqual(readdirSync(join(ctx.dir, 'cache', 'backbones', 'tiny')), ['custom_cnn.h5'], 'the abandoned partial download is gone');
    assert.equal(model.layers[1].name, 'polymodal_preprocess');
    const features = readFeatures(join(fixtures, 'custom_cnn.features.json'));
    // The reference inputs are RGB 0..255: as the model now takes them, [0, 1] with the channels in BGR order.
    const inputs = features.inputs.map((_, i) => features.inputs[i - (i % 3) + (2 - (i % 3))] / 255);
    assert.ok(largestDifference(model, { ...features, inputs }).difference < 1e-4);
    model.dispose();
    const again = await loadNamedBackbone('tiny', options(ctx, { sha256 }));
    assert.equal(ctx.requests.length, 1, 'the second load uses the cache');
    again.model.dispose();
  });
});

test('a checksum mismatch keeps nothing; a damaged cached file is refused', async () => {
  await withServer(async (ctx) => {
    await assert.rejects(loadNamedBackbone('tiny', options(ctx, { md5: '0'.repeat(32) })), (error: Error & { details: { hint: string } }) => {
      assert.match(error.message, /the weights of backbone "tiny": the file downloaded from http:\/\/127\.0\.0\.1:\d+\/base\/models\/custom_cnn\.h5 does not match its checksum \(got [0-9a-f]{32}, expected md5 0{32}\)/);
      assert.match(error.details.hint, /Nothing was kept/);
      return true;
    });
    assert.deepEqual(readdirSync(join(ctx.dir, 'cache', 'backbones', 'tiny')), []);
    writeFileSync(join(ctx.dir, 'cache', 'backbones', 'tiny', 'custom_cnn.h5'), 'damaged');
    await assert.rejects(loadNamedBackbone('tiny', options(ctx, { sha256 })), /the cached file .*custom_cnn\.h5 does not match its checksum \(sha256 [0-9a-f]{64}\)/);
  });
});

test('offline, unreachable and missing files say which file to place where', async () => {
  await withServer(async (ctx) => {
    const target = join(ctx.dir, 'cache', 'backbones', 'tiny', 'custom_cnn.h5');
    const placeIt = (error: Error & { details: { hint: string } }) => {
      assert.ok(error.details.hint.includes(`place it at ${target} (sha256 ${sha256})`), error.details.hint);
      return true;
    };
    await assert.rejects(loadNamedBackbone('tiny', options(ctx, { sha256 }, { offline: true })), (error: Error & { details: { hint: string } }) => {
      assert.match(error.message, /is not in the cache and downloads are off \(offline\)/);
      assert.ok(error.details.hint.includes(`Download ${ctx.url}/models/custom_cnn.h5 elsewhere and place it at ${target}`));
      return true;
    });
    const unreachable = () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: new Error('getaddrinfo ENOTFOUND storage.googleapis.com') }));
    await assert.rejects(loadNamedBackbone('tiny', options(ctx, { sha256 }, { fetch: unreachable })), (error: Error & { details: { hint: string } }) => {
      assert.match(error.message, /cannot download .*custom_cnn\.h5 \(getaddrinfo ENOTFOUND storage\.googleapis\.com\)/);
      return placeIt(error);
    });
    await assert.rejects(loadNamedBackbone('tiny', options(ctx, { sha256 }, { baseUrl: `${ctx.url}/elsewhere` })), (error: Error & { details: { hint: string } }) => {
      assert.match(error.message, /cannot download .*\/elsewhere\/models\/custom_cnn\.h5 \(HTTP 404 Not Found\)/);
      return placeIt(error);
    });
    assert.ok(!existsSync(target));
    await assert.rejects(loadNamedBackbone('tinny', options(ctx, { sha256 })), /unknown backbone "tinny"\. Did you mean "tiny"\?/);
  });
});

test('an unverified file is kept with a warning that gives its sha256', async () => {
  await withServer(async (ctx) => {
    const warnings: string[] = [];
    const { model } = await loadNamedBackbone('tiny', options(ctx, 'unverified', { warn: (line: string) => warnings.push(line) }));
    model.dispose();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], new RegExp(`no checksum is published for .*custom_cnn\\.h5; kept it unverified at .* \\(sha256 ${sha256}\\)`));
  });
});

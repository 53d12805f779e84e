import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PolymodalError } from '../errors.js';
import { commitDirectory, removeStaleStaging, stagingDirectory } from './commit-directory.js';
import { isPolymodalFolder } from './folder-owner.js';
import { checkOutputFile, chooseOutputFolder } from './output-target.js';

const root = mkdtempSync(join(tmpdir(), 'polymodal-output-target-'));
after(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
function fresh(): string {
  const dir = join(root, `case-${++count}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function rejectsWith(work: Promise<unknown>, pattern: RegExp, exitCode = 2): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(error instanceof PolymodalError, `expected a PolymodalError, got ${String(error)}`);
    assert.match(error.describe(), pattern);
    assert.equal(error.exitCode, exitCode);
    return true;
  });
}

/** A committed model-like folder, as train would leave it. */
async function committedFolder(target: string, content = 'model'): Promise<void> {
  const staging = await stagingDirectory(target);
  writeFileSync(join(staging, 'weights.bin'), content);
  await commitDirectory(staging, target);
}

describe('chooseOutputFolder', () => {
  test('refuses an existing folder Polymodal did not write, and leaves it untouched', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'polymodal.json'), '{"version": 1}');
    writeFileSync(join(dir, 'data.csv'), 'a,b\n1,2\n');
    await rejectsWith(chooseOutputFolder({ requested: dir, defaultDir: join(dir, 'runs/x'), overwrite: true, protect: [] }), /not a folder Polymodal wrote/);
    assert.deepEqual(readdirSync(dir).sort(), ['data.csv', 'polymodal.json']);
  });

  test('refuses a target that would contain the manifest, the data or the current folder, even with overwrite', async () => {
    const dir = fresh();
    const protect = [{ path: join(dir, 'polymodal.json'), what: 'the manifest' }, { path: process.cwd(), what: 'the current folder' }];
    await rejectsWith(chooseOutputFolder({ requested: dir, defaultDir: 'x', overwrite: true, protect }), /would contain the manifest/);
    await rejectsWith(chooseOutputFolder({ requested: '.', defaultDir: 'x', overwrite: true, protect }), /would contain the current folder/);
    await rejectsWith(chooseOutputFolder({ requested: '', defaultDir: 'x', overwrite: true, protect }), /--out is empty/);
  });

  test('an existing Polymodal folder needs overwrite; an empty folder is taken as it is', async () => {
    const dir = fresh();
    const target = join(dir, 'model');
    await committedFolder(target);
    assert.ok(await isPolymodalFolder(target));
    await rejectsWith(chooseOutputFolder({ requested: target, defaultDir: 'x', overwrite: false, protect: [] }), /--overwrite/);
    assert.equal(await chooseOutputFolder({ requested: target, defaultDir: 'x', overwrite: true, protect: [] }), target);
    mkdirSync(join(dir, 'empty'));
    assert.equal(await chooseOutputFolder({ requested: join(dir, 'empty'), defaultDir: 'x', overwrite: false, protect: [] }), join(dir, 'empty'));
  });

  test('default runs are numbered instead of replacing the previous one', async () => {
    const dir = fresh();
    const base = join(dir, 'runs', 'churn');
    assert.equal(await chooseOutputFolder({ defaultDir: base, overwrite: false, protect: [] }), base);
    await committedFolder(base);
    assert.equal(await chooseOutputFolder({ defaultDir: base, overwrite: false, protect: [] }), `${base}_2`);
    await committedFolder(`${base}_2`);
    assert.equal(await chooseOutputFolder({ defaultDir: base, overwrite: false, protect: [] }), `${base}_3`);
    assert.equal(await chooseOutputFolder({ defaultDir: base, overwrite: true, protect: [] }), base);
  });

  test('a file in the way of the parent folder is a user error', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'file'), 'x');
    await rejectsWith(chooseOutputFolder({ requested: join(dir, 'file', 'model'), defaultDir: 'x', overwrite: false, protect: [] }), /is a file, not a folder/);
  });
});

describe('commitDirectory', () => {
  test('replaces a Polymodal folder, never anything else', async () => {
    const dir = fresh();
    const target = join(dir, 'model');
    await committedFolder(target, 'first');
    await committedFolder(target, 'second');
    assert.equal(readFileSync(join(target, 'weights.bin'), 'utf8'), 'second');
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'keep.txt'), 'mine');
    const staging = await stagingDirectory(foreign);
    await rejectsWith(commitDirectory(staging, foreign), /not a folder Polymodal wrote/);
    assert.equal(readFileSync(join(foreign, 'keep.txt'), 'utf8'), 'mine');
    const again = await stagingDirectory(target);
    await rejectsWith(commitDirectory(again, target, { replace: 'never' }), /already holds a Polymodal folder/);
    assert.equal(readFileSync(join(target, 'weights.bin'), 'utf8'), 'second');
  });
});

describe('removeStaleStaging', () => {
  test('removes staging folders of dead processes only, and only those Polymodal locked', async () => {
    const dir = fresh();
    const target = join(dir, 'model');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    const stale = join(dir, '.model.partial-00000001');
    mkdirSync(stale);
    writeFileSync(join(stale, '.polymodal-staging.json'), JSON.stringify({ pid: deadPid, startedAt: '', target }));
    const live = join(dir, '.model.partial-00000002');
    mkdirSync(live);
    writeFileSync(join(live, '.polymodal-staging.json'), JSON.stringify({ pid: process.pid, startedAt: '', target }));
    const unlocked = join(dir, '.model.partial-00000003');
    mkdirSync(unlocked);
    const removed = await removeStaleStaging(target);
    assert.deepEqual(removed, [stale]);
    assert.ok(!existsSync(stale));
    assert.ok(existsSync(live) && existsSync(unlocked));
  });

  test('puts back a model folder that a killed commit had moved aside', async () => {
    const dir = fresh();
    const target = join(dir, 'model');
    await committedFolder(target, 'old');
    const aside = join(dir, '.model.previous-0000abcd');
    spawnSync('mv', [target, aside]);
    await removeStaleStaging(target);
    assert.equal(readFileSync(join(target, 'weights.bin'), 'utf8'), 'old');
    assert.ok(!existsSync(aside));
  });
});

describe('checkOutputFile', () => {
  test('refuses folders and existing files without overwrite', async () => {
    const dir = fresh();
    await rejectsWith(checkOutputFile(dir, { overwrite: true, flag: '--output' }), /is a folder/);
    const file = join(dir, 'out.jsonl');
    writeFileSync(file, 'x');
    await rejectsWith(checkOutputFile(file, { overwrite: false, flag: '--output' }), /already exists/);
    assert.equal(await checkOutputFile(file, { overwrite: true, flag: '--output' }), file);
    await rejectsWith(checkOutputFile(join(dir, 'x'.repeat(300), 'f'), { overwrite: false, flag: '--output' }), /too long|no such|not/);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRow, readTable } from './table.js';

test('a folder of class subfolders reads as path and label rows, sorted, hidden files ignored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-dir-'));
  try {
    for (const [path, body] of [['dog/b.png', 'x'], ['cat/z.png', 'x'], ['cat/nested/a.png', 'x'], ['cat/.DS_Store', 'x'], ['.hidden/q.png', 'x']]) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), body);
    }
    const table = await readTable(dir);
    assert.equal(table.format, 'directory');
    assert.deepEqual(table.columns, ['path', 'label']);
    assert.deepEqual(table.rows.map((r) => [r.path, r.label]), [['cat/nested/a.png', 'cat'], ['cat/z.png', 'cat'], ['dog/b.png', 'dog']]);
    assert.equal(describeRow(table, 2), `${dir}/dog/b.png`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a folder without class subfolders, or with empty ones, is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-dir-'));
  try {
    writeFileSync(join(dir, 'loose.png'), 'x');
    await assert.rejects(readTable(dir), /needs one subfolder per class/);
    mkdirSync(join(dir, 'cat'));
    await assert.rejects(readTable(dir), /the class subfolders hold no files/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('symbolic links to files and class folders are followed; broken links and cycles are reported, not dropped silently', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-dir-'));
  const elsewhere = mkdtempSync(join(tmpdir(), 'polymodal-dir-target-'));
  try {
    mkdirSync(join(dir, 'cat'));
    writeFileSync(join(dir, 'cat', 'a.png'), 'x');
    writeFileSync(join(elsewhere, 'shared.png'), 'x');
    mkdirSync(join(elsewhere, 'dogs'));
    writeFileSync(join(elsewhere, 'dogs', 'd.png'), 'x');
    symlinkSync(join(elsewhere, 'shared.png'), join(dir, 'cat', 'linked.png'));
    symlinkSync(join(elsewhere, 'dogs'), join(dir, 'dog'));
    const warnings: string[] = [];
    const table = await readTable(dir, { warn: (m) => warnings.push(m) });
    assert.deepEqual(table.rows.map((r) => [r.path, r.label]), [['cat/a.png', 'cat'], ['cat/linked.png', 'cat'], ['dog/d.png', 'dog']]);
    assert.deepEqual(warnings, []);

    symlinkSync(join(dir, 'missing.png'), join(dir, 'cat', 'broken.png'));
    symlinkSync(join(dir, 'cat'), join(dir, 'cat', 'loop'));
    const second: string[] = [];
    const again = await readTable(dir, { warn: (m) => second.push(m) });
    assert.equal(again.rows.length, 3);
    assert.equal(second.length, 1);
    assert.match(second[0], /2 entries of the folder source could not be used/);
    assert.match(second[0], /cat\/broken\.png: broken symbolic link/);
    assert.match(second[0], /cat\/loop: a symbolic link back to/);
    await assert.rejects(readTable(dir), /2 entries of the folder source could not be used/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

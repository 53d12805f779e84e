import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

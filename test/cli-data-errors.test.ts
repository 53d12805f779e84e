// `polymodal train` on broken data: each problem names the file, line and column, says what to do,
// prints no stack trace and leaves no half-written model folder behind.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  assertSuccess,
  assertUserError,
  makeWorkspace,
  quickstartLines,
  readJson,
  removeWorkspace,
  runCli,
  setField,
  stagingLeftovers,
  subdir,
  writeProject,
  type Json,
} from './helpers.js';

let root: string;
before(() => {
  root = makeWorkspace();
});
after(() => removeWorkspace(root));

/** 120 quickstart rows (header on line 1, row i on line i + 1), changed by `edit`. */
function csvWith(edit: (lines: string[]) => void = () => {}): string {
  const lines = quickstartLines(120);
  edit(lines);
  return lines.join('\n') + '\n';
}

/** Writes a project with this CSV and manifest edit, then trains it for one epoch into ./out. */
function trainProject(name: string, csv: string | null, edit?: (manifest: Json) => void, extraArgs: string[] = []) {
  const dir = subdir(root, name);
  writeProject(dir, { csv, edit });
  const result = runCli(['train', 'polymodal.json', '--epochs', '1', '--out', 'out', ...extraArgs], dir);
  return { dir, data: join(dir, 'data.csv'), out: join(dir, 'out'), result };
}

/** A failed run writes no model folder and leaves no staging folder. */
function assertNothingWritten(dir: string, out: string): void {
  assert.equal(existsSync(out), false, `a failed train must not create ${out}`);
  assert.deepEqual(stagingLeftovers(dir), [], 'a failed train must not leave staging folders');
}

describe('polymodal train: data errors', () => {
  it('a CSV row with too many fields names file:line and how to quote', () => {
    const { result, data, dir, out } = trainProject('too-many-fields', csvWith((lines) => {
      lines[10] += ',extra'; // line 11 of the file
    }));
    assertUserError(result, 1, [`${data}:11: 8 fields, but the header has 7`, 'Quote fields that contain the delimiter']);
    assertNothingWritten(dir, out);
  });

  it('a CSV row with too few fields names file:line', () => {
    const { result, data } = trainProject('too-few-fields', csvWith((lines) => {
      lines[30] = lines[30].split(',').slice(0, 5).join(','); // line 31
    }));
    assertUserError(result, 1, [`${data}:31: 5 fields, but the header has 7`]);
  });

  it('line numbers stay right after a quoted field that spans lines', () => {
    const { result, data } = trainProject('multiline-quote', csvWith((lines) => {
      // Line 6 holds a region that spans lines 6-7; the broken record is on line 11 of the file.
      lines[5] = setField(lines[5], 'region', '"east\nside"');
      lines[9] += ',extra';
    }));
    assertUserError(result, 1, [`${data}:11: 8 fields, but the header has 7`]);
  });

  it('a quoted field holding the delimiter, a doubled quote or a newline in any column is one field', () => {
    const quoted = ['"east, coast"', '"the ""north"""', '"south\nside"'];
    const { result, out } = trainProject('quoted-fields', csvWith((lines) => {
      // Rows 1-30 (many, so each value reaches the training split whatever the random split does).
      for (let row = 1; row <= 30; row++) lines[row] = setField(lines[row], 'region', quoted[row % 3]);
    }));
    assertSuccess(result);
    const preprocessing = readJson(join(out, 'preprocessing.json'));
    const region = preprocessing.inputs.measures.columns.find((c: Json) => c.name === 'region');
    assert.ok(region, 'region is an input column');
    for (const value of ['east, coast', 'the "north"', 'south\nside']) {
      assert.ok(region.vocabulary.includes(value), `region vocabulary ${JSON.stringify(region.vocabulary)} should hold ${JSON.stringify(value)}`);
    }
  });

  it('an unterminated quote names the line where the quoted field starts', () => {
    const { result, data, dir, out } = trainProject('unterminated-quote', csvWith((lines) => {
      lines[49] = setField(lines[49], 'region', '"east'); // line 50, never closed
    }));
    assertUserError(result, 1, [`${data}:50: a quoted field is never closed`, 'Close the field with a double quote']);
    assertNothingWritten(dir, out);
  });

  // Rows (file lines) with "lots" in the numeric column support_calls: 3 of 120, so the column stays numeric.
  const BAD_LINES = [14, 41, 77];
  const nonNumericCsv = () => csvWith((lines) => {
    for (const line of BAD_LINES) lines[line - 1] = setField(lines[line - 1], 'support_calls', 'lots');
  });

  it('a non-numeric value in a numeric column fails with file:line, the column and the "skip" policy', () => {
    const { result, data, dir, out } = trainProject('non-numeric-fail', nonNumericCsv());
    assertUserError(result, 1, [
      `${data}:${BAD_LINES[0]}: column "support_calls": "lots" is not a number`,
      '"data.onInvalidRow": "skip"',
    ]);
    assertNothingWritten(dir, out);
  });

  it('with onInvalidRow "skip" the bad rows are left out, counted in a warning and in metrics.json', () => {
    const { result, data, out, dir } = trainProject('non-numeric-skip', nonNumericCsv(), (m) => {
      m.data.onInvalidRow = 'skip';
    });
    assertSuccess(result);
    assert.ok(
      result.stderr.includes(`warning: ${data}: skipped ${BAD_LINES.length} of 120 rows with invalid values (support_calls: ${BAD_LINES.length}); first at line ${BAD_LINES[0]}`),
      `stderr should warn about the skipped rows:\n${result.stderr}`,
    );
    assert.match(result.stdout, new RegExp(`\\(${BAD_LINES.length} skipped\\)`));
    const metrics = readJson(join(out, 'metrics.json'));
    assert.equal(metrics.skippedRows.count, BAD_LINES.length);
    assert.deepEqual(metrics.skippedRows.byColumn, { support_calls: BAD_LINES.length });
    assert.deepEqual(metrics.skippedRows.examples.map((e: Json) => e.line), BAD_LINES);
    const rows = metrics.rows.train + metrics.rows.validation + metrics.rows.test;
    assert.equal(rows, 120 - BAD_LINES.length, 'the rows used are the rows read less the skipped ones');
    assert.deepEqual(stagingLeftovers(dir), []);
  });

  it('the --on-invalid-row flag of evaluate overrides the manifest policy', () => {
    // The model of the previous test was trained with "skip"; evaluating its data with "fail" must stop at the first bad row.
    const dir = join(root, 'non-numeric-skip');
    const result = runCli(['evaluate', 'out', '--data', 'data.csv', '--on-invalid-row', 'fail'], dir);
    assertUserError(result, 1, [`${join(dir, 'data.csv')}:${BAD_LINES[0]}: column "support_calls"`]);
  });

  it('a missing label names file:line and the label column', () => {
    const { result, data } = trainProject('missing-label', csvWith((lines) => {
      lines[7] = setField(lines[7], 'churned', ''); // line 8
    }));
    assertUserError(result, 1, [`${data}:8: column "churned": the label is missing`, '"data.onInvalidRow": "skip"']);
  });

  it('a binary task whose label column holds 3 classes lists them and suggests multiclass', () => {
    const { result, dir, out } = trainProject('three-classes', csvWith((lines) => {
      lines[8] = setField(lines[8], 'churned', 'maybe');
    }));
    assertUserError(result, 2, ['"churned"', 'a binary task needs exactly 2 classes, found 3', '"maybe"', 'Use "task": "multiclass"']);
    assertNothingWritten(dir, out);
  });

  it('a data file that does not exist is named, with how manifest paths resolve', () => {
    const { result, dir, out } = trainProject('no-data-file', null, (m) => {
      m.data.source = 'data/customers-2024.csv';
    });
    assertUserError(result, 1, [`${join(dir, 'data/customers-2024.csv')}: no such file`, 'relative to the manifest file']);
    assertNothingWritten(dir, out);
  });

  it('an empty data file says it has no rows and what it needs', () => {
    const { result, data } = trainProject('empty-data', '');
    assertUserError(result, 1, [`${data}: no data rows`, 'needs a header row and at least one data row']);
  });

  it('a data file with only a header row says it has no rows', () => {
    const { result, data } = trainProject('header-only', quickstartLines(0).join('\n') + '\n');
    assertUserError(result, 1, [`${data}: no data rows`]);
  });

  it('a duplicated header column names file:1 and the column', () => {
    const { result, data } = trainProject('duplicate-header', csvWith((lines) => {
      lines[0] = lines[0].replace('region', 'contract');
    }));
    assertUserError(result, 1, [`${data}:1: column name "contract" appears twice in the header row`]);
  });

  it('validate also reports unreadable data (the CSV is parsed, not just its header)', () => {
    const dir = subdir(root, 'validate-bad-csv');
    writeProject(dir, { csv: csvWith((lines) => (lines[20] += ',extra')) });
    const result = runCli(['validate', 'polymodal.json'], dir);
    assertUserError(result, 1, [`${join(dir, 'data.csv')}:21: 8 fields, but the header has 7`]);
  });

  it('a JSONL data file with a broken line names file:line', () => {
    const dir = subdir(root, 'jsonl-broken');
    const [header, ...rows] = quickstartLines(60);
    const names = header.split(',');
    const jsonl = rows.map((line) => {
      const fields = line.split(',');
      return JSON.stringify(Object.fromEntries(names.map((n, i) => [n, fields[i]])));
    });
    jsonl[24] = jsonl[24].slice(0, -3); // line 25 cut short
    writeFileSync(join(dir, 'data.jsonl'), jsonl.join('\n') + '\n');
    writeProject(dir, { csv: null, edit: (m) => (m.data.source = 'data.jsonl') });
    const result = runCli(['train', 'polymodal.json', '--epochs', '1', '--out', 'out'], dir);
    assertUserError(result, 1, [`${join(dir, 'data.jsonl')}:25: not valid JSON`, 'Each line of a JSONL file must be one JSON object']);
  });
});

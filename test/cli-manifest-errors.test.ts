// `polymodal validate` on broken manifests: each mistake exits 2 with the file, the JSON pointer of the
// offending value and what to do, and never a stack trace.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertSuccess, assertUserError, makeWorkspace, removeWorkspace, runCli, subdir, writeProject, type Json } from './helpers.js';

let root: string;
before(() => {
  root = makeWorkspace();
});
after(() => removeWorkspace(root));

/** Writes a project whose manifest is the quickstart's changed by `edit`, then runs `validate` on it from its folder. */
function validateEdited(name: string, edit: (manifest: Json) => void) {
  const dir = subdir(root, name);
  const manifest = writeProject(dir, { edit });
  return { dir, manifest, result: runCli(['validate', 'polymodal.json'], dir) };
}

/** Every manifest-shape problem names the manifest file and ends with the pointer hint. */
const MANIFEST_HINT = 'Each line starts with the JSON pointer of the offending value';

describe('polymodal validate: manifest errors', () => {
  it('a valid manifest exits 0 and says it is valid', () => {
    const { result } = validateEdited('valid', () => {});
    assertSuccess(result);
    assert.match(result.stdout, /polymodal\.json: valid \(1 input\(s\), fusion concat, task binary\)/);
  });

  it('validate --json prints the resolved manifest with defaults filled in', () => {
    const dir = subdir(root, 'valid-json');
    writeProject(dir);
    const result = runCli(['validate', 'polymodal.json', '--json'], dir);
    assertSuccess(result);
    const parsed = JSON.parse(result.stdout);
    assert.equal(parsed.valid, true);
    assert.equal(parsed.manifest, join(dir, 'polymodal.json'));
    // Filled from the tabular plugin's option schema:
    assert.equal(parsed.resolved.inputs.measures.options.scaling, 'zscore');
    assert.deepEqual(parsed.resolved.inputs.measures.options.units, [32]);
  });

  it('a missing manifest file exits 2 and names the path', () => {
    const dir = subdir(root, 'missing');
    const result = runCli(['validate', 'no-such-manifest.json'], dir);
    assertUserError(result, 2, ['no-such-manifest.json', 'no such manifest file', 'Give the path of a polymodal.json manifest']);
  });

  it('invalid JSON reports file:line:column and how to write strict JSON', () => {
    const dir = subdir(root, 'bad-json');
    // Trailing comma after "name" on line 3: the parser stops at the "}" on line 4, column 1.
    writeFileSync(join(dir, 'polymodal.json'), '{\n  "version": 1,\n  "name": "x",\n}\n');
    const result = runCli(['validate', 'polymodal.json'], dir);
    assertUserError(result, 2, ['polymodal.json:4:1: not valid JSON', 'no trailing commas']);
  });

  it('invalid JSON with CRLF line ends reports the same line:column', () => {
    const dir = subdir(root, 'bad-json-crlf');
    writeFileSync(join(dir, 'polymodal.json'), '{\r\n  "version": 1,\r\n  "name" "x"\r\n}\r\n');
    const result = runCli(['validate', 'polymodal.json'], dir);
    assertUserError(result, 2, [/polymodal\.json:3:10: not valid JSON/]);
  });

  it('a manifest saved with a UTF-8 byte order mark is read like the data files are (BOM ignored)', () => {
    // CSV and JSONL data files ignore a BOM (data/csv.ts, data/table.ts); editors such as Notepad write one.
    const dir = subdir(root, 'bom');
    const path = writeProject(dir);
    writeFileSync(path, '\uFEFF' + readFileSync(path, 'utf8'));
    const result = runCli(['validate', 'polymodal.json'], dir);
    assertSuccess(result);
  });

  it('an unknown top-level key suggests the right one ("trainig" -> "training")', () => {
    const { result, manifest } = validateEdited('unknown-top-key', (m) => {
      m.trainig = m.training;
      delete m.training;
    });
    assertUserError(result, 2, [manifest, '/: unknown key "trainig". Did you mean "training"?', MANIFEST_HINT]);
  });

  it('an unknown key in an encoder\'s options is checked against the plugin schema ("unit" -> "units")', () => {
    const { result, manifest } = validateEdited('unknown-option', (m) => {
      m.inputs.measures.options = { unit: [8], dropout: 0.1 };
    });
    assertUserError(result, 2, [manifest, '/inputs/measures/options: unknown key "unit". Did you mean "units"?']);
  });

  it('a plugin option of the wrong type names its pointer and the expected type', () => {
    const { result } = validateEdited('option-wrong-type', (m) => {
      m.inputs.measures.options.units = 32;
    });
    assertUserError(result, 2, ['/inputs/measures/options/units: must be array, found number']);
  });

  it('a core value of the wrong type names its pointer and the expected type', () => {
    const { result, manifest } = validateEdited('wrong-type', (m) => {
      m.training.epochs = 'ten';
    });
    assertUserError(result, 2, [manifest, '/training/epochs: must be integer, found string', MANIFEST_HINT]);
  });

  it('an encoder type typo suggests the loaded type ("tabular/mpl" -> "tabular/mlp")', () => {
    const { result } = validateEdited('encoder-typo', (m) => {
      m.inputs.measures.encoder = 'tabular/mpl';
    });
    assertUserError(result, 2, ['/inputs/measures/encoder: unknown encoder type "tabular/mpl". Did you mean "tabular/mlp"?']);
  });

  it('an encoder type from a plugin the manifest does not list names the package and the npm install line', () => {
    const { result } = validateEdited('encoder-other-plugin', (m) => {
      m.inputs.measures.encoder = 'image/cnn';
    });
    assertUserError(result, 2, [
      '/inputs/measures/encoder',
      '"image/cnn" comes from @polymodal/encoder-image',
      'npm install @polymodal/encoder-image',
      'add "@polymodal/encoder-image" to "plugins"',
    ]);
  });

  it('a listed plugin package that is not installed names its pointer and the npm install line', () => {
    const { result, dir } = validateEdited('plugin-not-installed', (m) => {
      m.plugins.push('@polymodal/encoder-video');
    });
    assertUserError(result, 2, [
      '/plugins/2: plugin package "@polymodal/encoder-video" is not installed',
      dir,
      'npm install @polymodal/encoder-video',
    ]);
  });

  it('a column missing from the data names the pointer, the data file and the nearest column', () => {
    const { result, dir } = validateEdited('missing-column', (m) => {
      m.inputs.measures.columns[2] = 'contrct';
    });
    assertUserError(result, 2, [
      `/inputs/measures/columns/2: column "contrct" is not in ${join(dir, 'data.csv')}. Did you mean "contract"?`,
      "The file's columns are: customer_id, tenure_months",
    ]);
  });

  it('a label column missing from the data names /output/column', () => {
    const { result } = validateEdited('missing-label-column', (m) => {
      m.output.column = 'churn';
    });
    assertUserError(result, 2, ['/output/column: column "churn" is not in', 'Did you mean "churned"?']);
  });

  it('a metric name typo names its pointer and suggests the metric ("rocAcu" -> "rocAuc")', () => {
    const { result } = validateEdited('metric-typo', (m) => {
      m.evaluation.metrics = ['accuracy', 'rocAcu'];
    });
    assertUserError(result, 2, ['/evaluation/metrics/1: "rocAcu" is not a binary metric. Did you mean "rocAuc"?']);
  });

  it('both "column" and "columns" on one input is refused with the input\'s pointer', () => {
    const { result } = validateEdited('column-and-columns', (m) => {
      m.inputs.measures.column = 'region';
    });
    assertUserError(result, 2, ['/inputs/measures: give exactly one of "column"', '"columns"']);
  });

  it('several problems are all listed, one line each', () => {
    const { result } = validateEdited('several', (m) => {
      m.trainig = {};
      m.training.epochs = 'ten';
    });
    assertUserError(result, 2, [
      'the manifest has 2 problems',
      '  - /: unknown key "trainig". Did you mean "training"?',
      '  - /training/epochs: must be integer, found string',
    ]);
  });
});

describe('polymodal validate: every problem at once, and nothing in a manifest crashes it', () => {
  it('a key given twice is an error with its line:column and pointer (JSON would keep the last silently)', () => {
    const dir = subdir(root, 'duplicate-key');
    const path = writeProject(dir);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"epochs": 60,', '"epochs": 1,\n    "epochs": 100000,'));
    const result = runCli(['validate', 'polymodal.json'], dir);
    assertUserError(result, 2, [/\/training\/epochs: duplicate key "epochs" at line:column \d+:5 \(first at \d+:5\)/, MANIFEST_HINT]);
  });

  it('shape, plugin, option, monitor, split, label and data problems are listed together in one run', () => {
    const { result } = validateEdited('all-at-once', (m) => {
      m.training.epochs = 'ten';
      m.plugins.push('@polymodal/encoder-video');
      m.inputs.measures.options.unit = [8];
      m.inputs.measures.columns.push('churned');
      m.inputs.measures.columns[0] = 'tenure_mnths';
      m.data.split = { validation: 0.5, test: 0.5 };
      m.evaluation.metrics = ['acuracy'];
    });
    assertUserError(result, 2, [
      'the manifest has 7 problems',
      '/training/epochs: must be integer, found string',
      '/plugins/2: plugin package "@polymodal/encoder-video" is not installed',
      '/inputs/measures/options: unknown key "unit". Did you mean "units"?',
      '/inputs/measures/columns/5: column "churned" is the label (/output/column)',
      '/data/split: validation (0.5) + test (0.5) = 1 leaves no rows for training',
      '/evaluation/metrics/0: "acuracy" is not a binary metric',
      '/inputs/measures/columns/0: column "tenure_mnths" is not in',
    ]);
  });

  it('a monitor that is never logged fails validate, not train', () => {
    const { result } = validateEdited('bogus-monitor', (m) => {
      m.training.earlyStopping.monitor = 'val_bogus';
    });
    assertUserError(result, 2, ['/training/earlyStopping/monitor: cannot monitor "val_bogus"']);
  });

  it('text labels for a regression task name the task and the rows', () => {
    const { result } = validateEdited('regression-text', (m) => {
      m.output = { column: 'churned', task: 'regression' };
    });
    assertUserError(result, 2, [/\/output\/task: a regression task needs numeric labels, but column "churned" holds text: .*data\.csv:2 \("(yes|no)"\)/]);
  });

  it('options nested 10,000 deep are refused with a clear error, not a stack overflow', () => {
    const dir = subdir(root, 'deep-options');
    const path = writeProject(dir);
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"dropout": 0.1', `"dropout": ${deep}`));
    const result = runCli(['validate', 'polymodal.json'], dir);
    assertUserError(result, 2, ['/inputs/measures/options/dropout/0/0/0/0/...: nested more than 64 levels deep', 'flatten the value']);
  });

  it('resource bombs: epochs and batch size have maxima, worker threads are bounded by the cores', () => {
    const { result } = validateEdited('bombs', (m) => {
      m.training.epochs = 1_000_000_000;
      m.training.batchSize = 1_000_000_000;
      m.data.workers = 256;
    });
    assertUserError(result, 2, [
      '/training/epochs: must be <= 100000',
      '/training/batchSize: must be <= 65536',
      /\/data\/workers: 256 worker threads, but this machine has \d+ cores?; use at most \d+, or "auto"/,
    ]);
  });

  it('"auc" means ROC-AUC, as in Keras', () => {
    const dir = subdir(root, 'auc');
    writeProject(dir, { edit: (m) => { m.evaluation.metrics = ['accuracy', 'auc']; m.training.earlyStopping.monitor = 'val_auc'; } });
    const result = runCli(['validate', 'polymodal.json', '--json'], dir);
    assertSuccess(result);
    const parsed = JSON.parse(result.stdout);
    assert.deepEqual(parsed.resolved.evaluation.metrics, ['accuracy', 'rocAuc']);
    assert.equal(parsed.resolved.training.earlyStopping.monitor, 'val_rocAuc');
  });

  it('Object.prototype names as input names and classWeight keys validate', () => {
    const { result } = validateEdited('prototype-names', (m) => {
      m.inputs = { constructor: m.inputs.measures, toString: { encoder: 'tabular/mlp', column: 'customer_id' } };
      m.training.classWeight = { yes: 2, no: 1 };
    });
    assertSuccess(result);
    assert.match(result.stdout, /valid \(2 input\(s\)/);
  });

  it('schema --manifest prints the merged schema for an invalid manifest and warns about the plugins that did not load', () => {
    const dir = subdir(root, 'schema-invalid');
    writeProject(dir, { edit: (m) => { m.training.epochs = 'ten'; m.plugins.push('@polymodal/encoder-video'); } });
    const result = runCli(['schema', '--manifest', 'polymodal.json'], dir);
    assertSuccess(result);
    const schema = JSON.parse(result.stdout);
    assert.deepEqual(schema.properties.inputs.additionalProperties.properties.encoder.enum, ['tabular/mlp']);
    assert.ok(schema.properties.fusion.properties.type.enum.includes('concat'));
    assert.match(result.stderr, /warning: .*@polymodal\/encoder-video/);
  });
});

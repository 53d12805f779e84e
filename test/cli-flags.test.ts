// Command-line mistakes: unknown flags and commands, bad flag values, missing arguments. Each exits 2 (a
// usage error) or as the library decides, with a suggestion and the usage line, and no stack trace.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertSuccess, assertUserError, makeWorkspace, quickstartLines, REPO_ROOT, removeWorkspace, runCli, stagingLeftovers, subdir, writeProject } from './helpers.js';

const COMMANDS = ['validate', 'inspect', 'train', 'evaluate', 'predict', 'plugins', 'schema'];

let root: string;
let project: string;
before(() => {
  root = makeWorkspace();
  project = subdir(root, 'project');
  writeProject(project, { csv: quickstartLines(80).join('\n') + '\n' });
});
after(() => removeWorkspace(root));

function isInstalled(pkg: string): boolean {
  // @polymodal/core imports the native backends; resolve them as it would.
  try {
    createRequire(join(REPO_ROOT, 'packages/core/package.json')).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

describe('polymodal: flag and command errors', () => {
  it('an unknown flag suggests the nearest one (--epoch -> --epochs) and prints the usage', () => {
    const result = runCli(['train', 'polymodal.json', '--epoch', '3'], project);
    assertUserError(result, 2, ['unknown option --epoch. Did you mean --epochs?', 'Usage: polymodal train <manifest>']);
    assert.deepEqual(stagingLeftovers(project), []);
  });

  it('a non-integer --epochs names the flag and the value', () => {
    const result = runCli(['train', 'polymodal.json', '--epochs', 'abc'], project);
    assertUserError(result, 2, ['--epochs must be an integer >= 1, got "abc"', 'Usage: polymodal train']);
  });

  it('--epochs 0 and --batch-size 2.5 are refused', () => {
    assertUserError(runCli(['train', 'polymodal.json', '--epochs', '0'], project), 2, ['--epochs must be an integer >= 1, got "0"']);
    assertUserError(runCli(['train', 'polymodal.json', '--batch-size', '2.5'], project), 2, ['--batch-size must be an integer >= 1, got "2.5"']);
  });

  it('a flag given without its value says so', () => {
    const result = runCli(['train', 'polymodal.json', '--epochs'], project);
    assertUserError(result, 2, ['--epochs', 'argument missing', 'Usage: polymodal train']);
  });

  it('an unknown --backend lists the choices and suggests one (gpu -> cpu)', () => {
    const result = runCli(['train', 'polymodal.json', '--backend', 'gpu'], project);
    assertUserError(result, 2, ['--backend must be one of auto, tensorflow-gpu, tensorflow, wasm, cpu, got "gpu". Did you mean cpu?']);
  });

  it('an unknown command suggests the nearest one (trian -> train) and lists the commands', () => {
    const result = runCli(['trian', 'polymodal.json'], project);
    assertUserError(result, 2, ['unknown command "trian". Did you mean "train"?', 'Commands:', '  evaluate']);
  });

  it('no command at all prints the help and exits 2', () => {
    const result = runCli([], project);
    assert.equal(result.status, 2);
    assert.match(result.stdout, /Commands:/);
  });

  it('a missing positional argument is named (train without a manifest)', () => {
    assertUserError(runCli(['train'], project), 2, ['missing <manifest>', 'Usage: polymodal train']);
  });

  it('an extra positional argument is named', () => {
    assertUserError(runCli(['validate', 'polymodal.json', 'other.json'], project), 2, ['unexpected argument "other.json"']);
  });

  it('predict without --input says it is missing and shows the usage', () => {
    const result = runCli(['predict', 'some-model'], project);
    assertUserError(result, 2, ['missing --input FILE', 'Usage: polymodal predict <model-dir> --input FILE']);
  });

  it('evaluate on a folder that is not a model folder says what folder to give', () => {
    const notModel = join(project, 'not-a-model');
    mkdirSync(notModel, { recursive: true });
    writeFileSync(join(notModel, 'readme.txt'), 'nothing here\n');
    const result = runCli(['evaluate', 'not-a-model'], project);
    assertUserError(result, 2, [`${notModel}: not a Polymodal model folder (no polymodal.json)`, 'Give the folder that `polymodal train` wrote']);
  });

  it('evaluate on a folder that does not exist says the same', () => {
    const result = runCli(['evaluate', 'runs/nowhere'], project);
    assertUserError(result, 2, [`${join(project, 'runs/nowhere')}: not a Polymodal model folder`]);
  });

  it('predict on a project folder (its manifest is also named polymodal.json) says which folder to give', () => {
    // The manifest's usual name is the model folder's description file name, so this mistake is easy to make.
    const result = runCli(['predict', '.', '--input', 'data.csv'], project);
    assertUserError(result, 2, [project, 'not a Polymodal model', /`polymodal train`/]);
  });

  it('--backend tensorflow without @tensorflow/tfjs-node installed exits 2 with the npm install line', (t) => {
    if (isInstalled('@tensorflow/tfjs-node')) {
      t.skip('@tensorflow/tfjs-node is installed here');
      return;
    }
    // An empty Polymodal cache: a binding built by `polymodal setup tensorflow` on this machine must not count.
    const emptyCache = mkdtempSync(join(tmpdir(), 'polymodal-no-cache-'));
    const result = runCli(['train', 'polymodal.json', '--backend', 'tensorflow', '--epochs', '1', '--out', 'tf-out'], project, { POLYMODAL_CACHE: emptyCache });
    rmSync(emptyCache, { recursive: true, force: true });
    assertUserError(result, 2, [
      'backend "tensorflow" needs @tensorflow/tfjs-node, which is not installed',
      'polymodal setup tensorflow',
      'npm install @tensorflow/tfjs-node@4.22.0',
      '--backend wasm',
    ]);
    assert.deepEqual(stagingLeftovers(project), [], 'a refused backend must not leave staging folders');
  });

  it('--backend tensorflow-gpu without @tensorflow/tfjs-node-gpu installed exits 2 with the npm install line', (t) => {
    if (isInstalled('@tensorflow/tfjs-node-gpu')) {
      t.skip('@tensorflow/tfjs-node-gpu is installed here');
      return;
    }
    const emptyCache = mkdtempSync(join(tmpdir(), 'polymodal-no-cache-'));
    const result = runCli(['inspect', 'polymodal.json', '--backend', 'tensorflow-gpu'], project, { POLYMODAL_CACHE: emptyCache });
    rmSync(emptyCache, { recursive: true, force: true });
    assertUserError(result, 2, ['needs @tensorflow/tfjs-node-gpu, which is not installed', 'npm install @tensorflow/tfjs-node-gpu@4.22.0']);
  });

  for (const command of COMMANDS) {
    it(`${command} --help exits 0 and prints its usage`, () => {
      const result = runCli([command, '--help'], project);
      assertSuccess(result);
      assert.match(result.stdout, new RegExp(`^Usage: polymodal ${command}\\b`));
      assert.equal(result.stderr, '');
    });
  }

  it('--help and -h print the command list and exit 0', () => {
    for (const flag of ['--help', '-h']) {
      const result = runCli([flag], project);
      assertSuccess(result);
      for (const command of COMMANDS) assert.match(result.stdout, new RegExp(`^  ${command}\\s`, 'm'));
    }
  });

  it('predict --input naming a file that does not exist names it without blaming the manifest', () => {
    // The --input path comes from the command line, so a hint about paths "in a manifest" misleads.
    const model = subdir(root, 'model-for-missing-input');
    writeProject(model, { csv: quickstartLines(60).join('\n') + '\n' });
    assertSuccess(runCli(['train', 'polymodal.json', '--epochs', '1', '--out', 'out'], model));
    const result = runCli(['predict', 'out', '--input', 'new-customers.csv'], model);
    assertUserError(result, 1, [`${join(model, 'new-customers.csv')}: no such file`]);
    assert.doesNotMatch(result.stderr, /manifest/i, 'the hint should be about the --input path, not manifest paths');
  });
});

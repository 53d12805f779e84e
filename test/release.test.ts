// `nx release` as configured in nx.json (fixed versioning from conventional commits, changelogs, our own
// version actions in tools/release/), run as a dry run in a throwaway git repository holding the workspace's
// package.json files, with the network shut off: it must compute versions and changelogs offline and change nothing.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from './helpers.js';
import { cleanEnv } from './packaging.js';
// @ts-expect-error plain ESM tools without type declarations
import { workspacePackages } from '../tools/architecture/workspace.mjs';

const run = promisify(execFile);
let repo: string;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.org' } });
}

function copy(path: string): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  copyFileSync(join(REPO_ROOT, path), join(repo, path));
}

function touch(path: string, text: string): void {
  writeFileSync(join(repo, path), text);
}

before(() => {
  repo = mkdtempSync(join(tmpdir(), 'polymodal-release-'));
  for (const path of ['package.json', 'nx.json', 'tools/release/version-actions.cjs']) copy(path);
  for (const { dir } of workspacePackages(REPO_ROOT) as { dir: string }[]) copy(join(relative(REPO_ROOT, dir), 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(repo, 'node_modules'));
  touch('.gitignore', 'node_modules\n.nx\n');
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'chore: workspace');
  git('tag', 'v0.1.0');
  touch('packages/report/notes.md', 'regression charts\n');
  git('add', '.');
  git('commit', '-q', '-m', 'feat(report): predicted-vs-actual chart for regression');
  touch('packages/core/notes.md', 'split fix\n');
  git('add', '.');
  git('commit', '-q', '-m', 'fix(core): stratified split keeps every class');
});

after(() => rmSync(repo, { recursive: true, force: true }));

describe('nx release --dry-run', () => {
  let output: string;

  before(async () => {
    const env = {
      ...cleanEnv(), NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true',
      // Nx run-many sets FORCE_COLOR for its tasks; the assertions read plain text.
      FORCE_COLOR: '0', NO_COLOR: '1',
      // Nothing may be fetched: any registry or proxy use fails at once.
      npm_config_registry: 'http://127.0.0.1:9/', HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9',
    };
    const { stdout, stderr } = await run(join(REPO_ROOT, 'node_modules/.bin/nx'), ['release', '--dry-run', '--skip-publish'], { cwd: repo, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    // Strip any colour codes that slip through anyway.
    output = (stdout + stderr).replace(/\x1B\[[0-9;]*m/g, '');
  });

  it('bumps every package to one version from the conventional commits since the last tag', () => {
    // 0.x: a feature is a patch bump (a minor one would be breaking).
    for (const path of ['packages/core', 'packages/report', 'packages/encoder-text', 'apps/cli', 'packages/polymodal']) {
      assert.match(output, new RegExp(`New version 0\\.1\\.1 written to ${path}/package\\.json`), output);
    }
    assert.match(output, /"@polymodal\/core": "\^0\.1\.1"/, 'peer and dependency ranges follow the new version');
  });

  it('previews the changelogs with the commits in them', () => {
    assert.match(output, /Previewing an entry in CHANGELOG\.md for v0\.1\.1/);
    assert.match(output, /predicted-vs-actual chart for regression/);
    assert.match(output, /stratified split keeps every class/);
    assert.match(output, /Previewing an entry in packages\/report\/CHANGELOG\.md/);
  });

  it('changes no file, commits nothing and tags nothing', () => {
    assert.equal(git('status', '--porcelain'), '');
    assert.equal(git('tag').trim(), 'v0.1.0');
    assert.match(git('log', '-1', '--format=%s'), /^fix\(core\)/);
    assert.equal(JSON.parse(readFileSync(join(repo, 'packages/core/package.json'), 'utf8')).version, '0.1.0');
  });
});

// How `nx release` reads and writes versions of this workspace's npm packages. Nx's own implementation lives in
// @nx/js, which has no release for Nx 24; this is the part of it npm workspaces need: the version in each
// package.json, and the ranges by which our packages name each other (dependencies, peers, dev dependencies).
// Nothing here contacts a registry, so `nx release --dry-run` works offline.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');
const { VersionActions } = require('nx/src/command-line/release/version/version-actions.js');

const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];

function readJson(tree, path) {
  return JSON.parse(tree.read(path, 'utf-8'));
}

function writeJson(tree, path, value) {
  tree.write(path, JSON.stringify(value, null, 2) + '\n');
}

/** The npm package name of a workspace project (Nx records it in the project graph). */
function packageNameOf(projectGraph, project) {
  const name = projectGraph.nodes[project]?.data.metadata?.js?.packageName;
  if (!name) throw new Error(`nx release: no package name known for project "${project}"`);
  return name;
}

class NpmWorkspaceVersionActions extends VersionActions {
  validManifestFilenames = ['package.json'];

  get manifestPath() {
    return join(this.projectGraphNode.data.root, 'package.json');
  }

  async readCurrentVersionFromSourceManifest(tree) {
    const { version } = readJson(tree, this.manifestPath);
    if (typeof version !== 'string') throw new Error(`nx release: ${this.manifestPath} has no "version"`);
    return { currentVersion: version, manifestPath: this.manifestPath };
  }

  /** Versions come from git tags or package.json here, never from a registry (releases must work offline). */
  async readCurrentVersionFromRegistry() {
    return null;
  }

  async readCurrentVersionOfDependency(tree, projectGraph, dependencyProject) {
    const manifest = readJson(tree, this.manifestPath);
    const name = packageNameOf(projectGraph, dependencyProject);
    const field = DEPENDENCY_FIELDS.find((f) => manifest[f]?.[name] !== undefined) ?? null;
    return { currentVersion: field ? manifest[field][name] : null, dependencyCollection: field };
  }

  async updateProjectVersion(tree, newVersion) {
    return this.manifestsToUpdate.map(({ manifestPath }) => {
      const manifest = readJson(tree, manifestPath);
      manifest.version = newVersion;
      writeJson(tree, manifestPath, manifest);
      return `New version ${newVersion} written to ${manifestPath}`;
    });
  }

  /** `dependenciesToUpdate`: project name -> new specifier (Nx keeps the existing prefix, e.g. ^). */
  async updateProjectDependencies(tree, projectGraph, dependenciesToUpdate) {
    const logs = [];
    for (const { manifestPath } of this.manifestsToUpdate) {
      const manifest = readJson(tree, manifestPath);
      let updated = 0;
      for (const [project, specifier] of Object.entries(dependenciesToUpdate)) {
        const name = packageNameOf(projectGraph, project);
        for (const field of DEPENDENCY_FIELDS) {
          if (manifest[field]?.[name] === undefined) continue;
          manifest[field][name] = specifier;
          updated++;
        }
      }
      if (updated === 0) continue;
      writeJson(tree, manifestPath, manifest);
      logs.push(`Updated ${updated} range${updated === 1 ? '' : 's'} of our packages in ${manifestPath}`);
    }
    return logs;
  }
}

/** After a real (not dry) run, package-lock.json must name the new workspace versions or `npm ci` refuses it. */
async function afterAllProjectsVersioned(cwd, { dryRun }) {
  if (dryRun) return { changedFiles: [], deletedFiles: [] };
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd, stdio: 'inherit' });
  return { changedFiles: ['package-lock.json'], deletedFiles: [] };
}

module.exports = NpmWorkspaceVersionActions;
module.exports.default = NpmWorkspaceVersionActions;
module.exports.afterAllProjectsVersioned = afterAllProjectsVersioned;

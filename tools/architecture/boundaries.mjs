// Module boundaries between the workspace packages, pointing inward: plugins know core only, core knows neither
// the report, the CLI nor any plugin. Checked on what each package.json declares and on what each source imports.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What each kind of package may use of ours (by kind), and which third-party packages only some kinds may import. */
export const ALLOWED = {
  metrics: [],
  'backend-wasm': [],
  // The native backend knows tfjs only; core loads it lazily when a manifest or flag asks for tensorflow.
  'backend-tensorflow': [],
  core: ['metrics', 'backend-wasm', 'backend-tensorflow'],
  report: ['core', 'metrics'],
  // Model exchange formats (Keras .keras/.h5): plugins read pretrained backbones with it, export writes with it.
  exchange: ['core'],
  plugin: ['core', 'exchange'],
  // Packages built on core's API for one more job (hyperparameter search, serving): core and the report, never plugins.
  extension: ['core', 'report', 'metrics', 'exchange'],
  cli: ['core', 'report', 'backend-wasm', 'backend-tensorflow', 'extension', 'exchange'],
  bundle: ['cli', 'core', 'report', 'plugin', 'extension', 'exchange'],
};

/** First-party packages that are extensions (the other kinds follow from the name or the polymodal-plugin keyword). */
export const EXTENSIONS = ['@polymodal/tune', '@polymodal/serve', '@polymodal/export'];

/** Third-party packages that only these kinds may depend on or import (heavy or native). */
export const RESTRICTED_THIRD_PARTY = {
  vega: ['report'],
  'vega-lite': ['report'],
  sharp: ['report', 'plugin', 'bundle'],
};

/** The kind of a workspace package, from its name and keywords. */
export function kindOf(manifest) {
  const name = manifest.name;
  if (manifest.private) return 'tests';
  if (name === 'polymodal') return 'bundle';
  if (name === '@polymodal/cli') return 'cli';
  if (name === '@polymodal/core') return 'core';
  if (name === '@polymodal/report') return 'report';
  if (name === '@polymodal/metrics') return 'metrics';
  if (name === '@polymodal/backend-wasm') return 'backend-wasm';
  if (name === '@polymodal/backend-tensorflow') return 'backend-tensorflow';
  if (name === '@polymodal/keras') return 'exchange';
  if ((manifest.keywords ?? []).includes('polymodal-plugin')) return 'plugin';
  if (EXTENSIONS.includes(name) || (manifest.keywords ?? []).includes('polymodal-extension')) return 'extension';
  return 'unknown';
}

/** The package a specifier names: `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`; null for relative and node: ones. */
export function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"\n]+)['"]/g;

/** Module specifiers in a source text: static and dynamic imports, re-exports, requires. */
export function importSpecifiers(text) {
  return [...text.matchAll(IMPORT)].map((match) => match[1]);
}

function sourceFiles(dir, found = []) {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, found);
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/**
 * Checks every package (`{ dir, manifest }`, dir absolute) and returns the problems, each naming the file or
 * package.json and the rule it breaks. `root` only shortens the paths in the messages.
 */
export function checkBoundaries(root, packages) {
  const problems = [];
  const kinds = new Map(packages.map((pkg) => [pkg.manifest.name, kindOf(pkg.manifest)]));
  const allowedFor = (kind) => new Set(ALLOWED[kind] ?? []);
  const ruleFor = (kind, name, where) => {
    // The integration tests drive every package, as a user would.
    if (kind === 'tests') return null;
    const target = kinds.get(name);
    if (target !== undefined) {
      if (target === kind && kind !== 'plugin') return null;
      if (kind === 'plugin' && target === 'plugin') return `${where}: a plugin must not use another plugin (${name}); plugins know @polymodal/core only`;
      if (!allowedFor(kind).has(target)) return `${where}: a ${kind} package must not use ${name} (a ${target} package); allowed: ${ALLOWED[kind].join(', ') || 'none of ours'}`;
      return null;
    }
    const restricted = RESTRICTED_THIRD_PARTY[name];
    if (restricted && !restricted.includes(kind)) return `${where}: ${name} belongs to ${restricted.join('/')} packages only, not to a ${kind} package`;
    return null;
  };
  for (const { dir, manifest } of packages) {
    const kind = kindOf(manifest);
    const here = relative(root, join(dir, 'package.json'));
    if (kind === 'unknown') {
      problems.push(`${here}: unknown kind of package ${manifest.name} (plugins carry the "polymodal-plugin" keyword, extensions "polymodal-extension")`);
      continue;
    }
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const name of Object.keys(manifest[field] ?? {})) {
        const problem = ruleFor(kind, name, `${here} ${field}`);
        if (problem) problems.push(problem);
      }
    }
    if (kind === 'plugin' && manifest.dependencies?.['@polymodal/core']) {
      problems.push(`${here}: a plugin takes @polymodal/core as a peer dependency (a range), not a dependency, so an application has one core`);
    }
    const declared = new Set(['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'].flatMap((f) => Object.keys(manifest[f] ?? {})));
    for (const file of sourceFiles(join(dir, kind === 'bundle' ? 'bin' : kind === 'tests' ? '.' : 'src'))) {
      const where = relative(root, file);
      for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
        const name = packageOf(specifier);
        if (name === null || name === manifest.name) continue;
        const problem = ruleFor(kind, name, `${where} imports ${specifier}`);
        if (problem) problems.push(problem);
        else if (kinds.has(name) && !declared.has(name)) problems.push(`${where} imports ${specifier}, which ${here} does not declare`);
      }
    }
  }
  return problems;
}

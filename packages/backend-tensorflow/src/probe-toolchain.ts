/**
 * What building tfjs-node's binding needs besides TensorFlow: a C++ compiler and make (node-gyp drives them), node-gyp
 * itself (npm bundles one), Node's C headers (node-gyp would otherwise download them from nodejs.org) and npm.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { NativeBackendError } from './errors.js';
import { findOnPath } from './paths.js';

export interface Toolchain {
  readonly compiler: string;
  readonly make: string;
  readonly npm: string;
  /** node-gyp's JavaScript entry, run with this Node. */
  readonly nodeGyp: string;
  /** `--nodedir` for node-gyp, or null when its header cache already holds this Node's headers. */
  readonly nodeDir: string | null;
  /** The folder holding node_api.h. */
  readonly nodeHeaders: string;
}

/** node-gyp: POLYMODAL_NODE_GYP, else the one npm bundles beside this Node (`$(npm root -g)/npm/node_modules/node-gyp`). */
function findNodeGyp(env: NodeJS.ProcessEnv, npm: string | null): string | null {
  const candidates = [
    env['POLYMODAL_NODE_GYP'],
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    npm ? join(dirname(npm), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js') : undefined,
  ];
  return candidates.find((path): path is string => path !== undefined && existsSync(path)) ?? null;
}

/** Node's headers: the installation's own include/node (Debian's nodejs, the official tarballs), else node-gyp's cache. */
function findNodeDir(env: NodeJS.ProcessEnv): { nodeDir: string | null; nodeHeaders: string } | null {
  const headersIn = (dir: string) => join(dir, 'include', 'node');
  const configured = env['npm_config_nodedir'];
  if (configured && existsSync(join(headersIn(configured), 'node_api.h'))) return { nodeDir: configured, nodeHeaders: headersIn(configured) };
  const prefix = join(dirname(process.execPath), '..');
  if (existsSync(join(headersIn(prefix), 'node_api.h'))) return { nodeDir: prefix, nodeHeaders: headersIn(prefix) };
  const version = process.versions.node;
  const caches = [join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'node-gyp', version), join(homedir(), '.node-gyp', version)];
  const cached = caches.find((dir) => existsSync(join(headersIn(dir), 'node_api.h')));
  return cached ? { nodeDir: null, nodeHeaders: headersIn(cached) } : null;
}

export function probeToolchain(env: NodeJS.ProcessEnv = process.env): Toolchain {
  const compilerName = env['CXX'] || 'g++';
  const compiler = findOnPath(compilerName, env);
  if (!compiler) {
    throw new NativeBackendError(
      `no C++ compiler: ${compilerName} is not on PATH (node-gyp compiles tfjs-node's binding with it)`,
      'Install one: apt-get install g++ make (Debian/Ubuntu), dnf install gcc-c++ make (Fedora); or set CXX.',
    );
  }
  const make = findOnPath('make', env);
  if (!make) throw new NativeBackendError('no make on PATH (node-gyp builds with it)', 'Install it: apt-get install make (Debian/Ubuntu).');
  const npm = findOnPath('npm', env);
  if (!npm) throw new NativeBackendError('no npm on PATH (setup installs @tensorflow/tfjs-node with it)', 'Install npm (it comes with Node.js).');
  const nodeGyp = findNodeGyp(env, npm);
  if (!nodeGyp) {
    throw new NativeBackendError(
      "node-gyp not found (npm bundles it at $(npm root -g)/npm/node_modules/node-gyp)",
      'Install it (npm install -g node-gyp@12 on Node 20; node-gyp 13 needs Node 22) and set POLYMODAL_NODE_GYP to its bin/node-gyp.js.',
    );
  }
  const headers = findNodeDir(env);
  if (!headers) {
    throw new NativeBackendError(
      `Node ${process.versions.node}'s C headers were not found (node-gyp would download them from nodejs.org)`,
      'Install them (apt-get install libnode-dev or nodejs-dev), or run `node-gyp install` once while online, or set npm_config_nodedir to a Node source or headers folder.',
    );
  }
  return { compiler, make, npm, nodeGyp, nodeDir: headers.nodeDir, nodeHeaders: headers.nodeHeaders };
}

// Makes the files of a new Polymodal encoder plugin package, and writes them into a folder.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { camelCase, encoderTypeProblem, packageNameProblem, pascalCase } from './names.js';
import { optionsTable, TABLE_END, TABLE_START } from './options-table.js';
import { templateSchema } from './template-schema.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const TEMPLATES = join(HERE, '..', 'templates');
const OWN_MANIFEST = JSON.parse(readFileSync(join(HERE, '..', 'package.json'), 'utf8'));

/** A problem with what the user asked for: printed without a stack, exit code 2. */
export class UsageError extends Error {}

/** Files copied or filled in: template path -> path in the new package. */
const TEMPLATE_FILES = [
  ['options.ts.tmpl', 'src/options.ts'],
  ['preprocessor.ts.tmpl', 'src/preprocessor.ts'],
  ['encoder.ts.tmpl', 'src/encoder.ts'],
  ['index.ts.tmpl', 'src/index.ts'],
  ['index.test.ts.tmpl', 'src/index.test.ts'],
  ['update-readme.mjs', 'scripts/update-readme.mjs'],
  ['tsconfig.json', 'tsconfig.json'],
  // npm renames a packed .gitignore to .npmignore, so the template carries it without the dot.
  ['gitignore', '.gitignore'],
];

/** The version range of @polymodal/core the generated plugin peers on: this generator's own release line. */
export function defaultCoreRange() {
  return `^${OWN_MANIFEST.version}`;
}

function packageJson({ name, type, coreRange, tfjsRange }) {
  return {
    name,
    version: '0.1.0',
    description: `Polymodal plugin: the ${type} encoder`,
    license: 'Apache-2.0',
    type: 'module',
    main: './dist/index.js',
    types: './dist/index.d.ts',
    exports: {
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    },
    files: ['dist', '!dist/**/*.test.*', 'README.md'],
    engines: { node: '>=20' },
    keywords: ['polymodal', 'polymodal-plugin'],
    scripts: {
      build: 'tsc -p tsconfig.json && node scripts/update-readme.mjs',
      test: 'npm run build && node --test dist/',
      readme: 'node scripts/update-readme.mjs',
    },
    // Peers, not dependencies: the application installs one core and one tfjs, which every plugin shares
    // (one plugin registry, one tfjs engine, and `instanceof PolymodalError` holds across packages).
    peerDependencies: { '@polymodal/core': coreRange, '@tensorflow/tfjs': tfjsRange },
    devDependencies: {
      '@polymodal/core': coreRange,
      '@tensorflow/tfjs': tfjsRange,
      '@types/node': '^20.19.0',
      typescript: '~5.9.3',
    },
  };
}

function readme({ name, type, schema }) {
  return `# ${name}

A [Polymodal](https://www.npmjs.com/package/@polymodal/core) plugin that provides the \`${type}\` encoder:
numeric columns standardised on the training split (a missing cell becomes the training mean), then dense layers.

## Install

\`\`\`sh
npm install ${name} @polymodal/core @tensorflow/tfjs
\`\`\`

## Use

List the package in a manifest's \`plugins\` and name the encoder in an input:

\`\`\`json
{
  "plugins": ["${name}", "@polymodal/fusion-concat"],
  "inputs": { "measures": { "encoder": "${type}", "columns": ["a", "b"], "options": { "units": [16] } } }
}
\`\`\`

## Options

${TABLE_START}
${optionsTable(schema)}
${TABLE_END}

## Develop

- \`npm run build\`: compiles \`src/\` to \`dist/\` and regenerates the options table above from \`src/options.ts\`.
- \`npm test\`: builds, then runs the tests in \`dist/\` with node's test runner; \`src/index.test.ts\` runs Polymodal's
  conformance kit (\`@polymodal/core/testing\`) on the encoder.
- \`npm run readme\`: regenerates the options table only (after a build).

See Polymodal's plugin guide (docs/plugin-guide.md in the Polymodal repository) for the preprocessor lifecycle,
model-input names, state, custom layers and versioning.
`;
}

function fill(text, values) {
  return text.replace(/__([A-Z]+)__/g, (match, key) => (key in values ? values[key] : match));
}

/**
 * The new package's files, path -> contents. `name`: its npm name; `type`: the encoder type (family/variant).
 * Throws a UsageError when either is invalid.
 */
export function pluginFiles({ name, type, coreRange = defaultCoreRange(), tfjsRange = '^4.22.0' }) {
  const problem = packageNameProblem(name) ?? encoderTypeProblem(type);
  if (problem) throw new UsageError(problem);
  const schema = templateSchema();
  const values = { NAME: name, TYPE: type, PASCAL: pascalCase(type), CAMEL: camelCase(type), SCHEMA: JSON.stringify(schema, null, 2) };
  const files = new Map();
  files.set('package.json', `${JSON.stringify(packageJson({ name, type, coreRange, tfjsRange }), null, 2)}\n`);
  files.set('README.md', readme({ name, type, schema }));
  for (const [template, path] of TEMPLATE_FILES) files.set(path, fill(readFileSync(join(TEMPLATES, template), 'utf8'), values));
  // The same table code as the generator's, so `npm run readme` writes what the generator wrote.
  files.set('scripts/options-table.mjs', readFileSync(join(HERE, 'options-table.js'), 'utf8'));
  return files;
}

/** Writes the package into `targetDir`, which must be absent or empty. Returns the paths written, relative to it. */
export function generatePlugin(targetDir, options) {
  if (!targetDir) throw new UsageError('give the folder to create: create-plugin <target-dir> --name <npm-name> --type <family/variant>');
  if (existsSync(targetDir) && readdirSync(targetDir).length > 0) {
    throw new UsageError(`${targetDir} exists and is not empty; choose a new folder`);
  }
  const files = pluginFiles(options);
  for (const [path, contents] of files) {
    mkdirSync(dirname(join(targetDir, path)), { recursive: true });
    writeFileSync(join(targetDir, path), contents);
  }
  return [...files.keys()];
}

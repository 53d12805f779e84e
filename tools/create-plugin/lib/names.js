// What the generator accepts as a package name and an encoder type, and the identifiers it derives.

/** npm's rules for a (possibly scoped) package name, lower case. */
const NPM_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
/** core's rule for an encoder type (definePlugin refuses anything else). */
const ENCODER_TYPE = /^[a-z][a-z0-9-]*\/[a-z][a-z0-9-]*$/;

/** Why `name` cannot be an npm package name, or undefined when it can. */
export function packageNameProblem(name) {
  if (typeof name !== 'string' || name.length === 0) return 'a package name is required (--name my-polymodal-plugin)';
  if (name.length > 214) return `the package name "${name}" is longer than npm's 214 characters`;
  if (!NPM_NAME.test(name)) return `"${name}" is not a valid npm package name (lower case letters, digits, - . _ ~, optionally @scope/)`;
  return undefined;
}

/** Why `type` cannot be an encoder type, or undefined when it can. */
export function encoderTypeProblem(type) {
  if (typeof type !== 'string' || type.length === 0) return 'an encoder type is required (--type family/variant, e.g. --type vector/dense)';
  if (!ENCODER_TYPE.test(type)) return `"${type}" is not an encoder type: use family/variant in lower case, e.g. "vector/dense"`;
  return undefined;
}

/** `vector/dense` -> `VectorDense`; `my-data/x-y` -> `MyDataXY`. */
export function pascalCase(type) {
  return type.split(/[/-]/).filter(Boolean).map((part) => part[0].toUpperCase() + part.slice(1)).join('');
}

export function camelCase(type) {
  const pascal = pascalCase(type);
  return pascal[0].toLowerCase() + pascal.slice(1);
}

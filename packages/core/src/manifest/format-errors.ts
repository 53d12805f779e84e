import type { ErrorObject } from './ajv.js';
import { didYouMean } from '../util/did-you-mean.js';

function pointer(path: string): string {
  return path === '' ? '/' : path;
}

function describe(error: ErrorObject): string {
  const at = pointer(error.instancePath);
  const params = error.params as Record<string, any>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = params.additionalProperty as string;
      const allowed = Object.keys((error.parentSchema as any)?.properties ?? {});
      const suggestion = didYouMean(key, allowed);
      const list = allowed.length > 0 ? ` Allowed keys: ${allowed.join(', ')}.` : '';
      return `${at}: unknown key "${key}".${suggestion || list}`;
    }
    case 'required':
      return `${at}: missing required key "${params.missingProperty}"`;
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      return `${at}: ${JSON.stringify(error.data)} is not allowed; use one of ${allowed.join(', ')}.${didYouMean(String(error.data), allowed)}`;
    }
    case 'const':
      return `${at}: ${(error.parentSchema as any)?.['x-hint'] ?? `must be ${JSON.stringify(params.allowedValue)}`}`;
    case 'type':
      return `${at}: must be ${params.type}, found ${Array.isArray(error.data) ? 'array' : error.data === null ? 'null' : typeof error.data}`;
    case 'pattern':
      // Under propertyNames the offending value is a key (an input name), not the object it sits in.
      if (error.propertyName !== undefined) {
        return `${at}: key ${JSON.stringify(error.propertyName)} is not allowed; keys here must match ${params.pattern} (start with a letter; letters, digits and _ only)`;
      }
      return `${at}: ${error.message}`;
    case 'discriminator':
      return `${at}: ${(error.parentSchema as any)?.['x-hint'] ?? error.message}`;
    case 'oneOf':
      return `${at}: ${(error.parentSchema as any)?.['x-hint'] ?? error.message}`;
    default:
      return `${at}: ${error.message}`;
  }
}

/**
 * One line per problem, JSON pointer first. A failed oneOf prints its own hint in place of the complaints
 * of each branch it tried, which only confuse.
 */
export function formatSchemaErrors(errors: readonly ErrorObject[], prefix = ''): string[] {
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.schemaPath);
  const lines = errors
    .filter((e) => e.keyword === 'oneOf' || !oneOfPaths.some((path) => e.schemaPath.startsWith(path + '/')))
    // 'if' and 'propertyNames' only announce the failure of what they wrap, which has its own line.
    .filter((e) => e.keyword !== 'if' && e.keyword !== 'propertyNames')
    .map((e) => describe({ ...e, instancePath: prefix + e.instancePath }));
  return [...new Set(lines)];
}

import { isAbsolute } from 'node:path';

/**
 * npm's rules for a package name: optional `@scope/`, lower case, URL-safe characters, no leading dot or
 * underscore, at most 214 characters. A subpath (`pkg/sub`) is not a name: a plugin is a whole package,
 * its main export is the plugin, and the plugin lock records the package name.
 */
const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/;
const MAX_NAME_LENGTH = 214;
/** `node:`, `file:`, `https:`, `data:`…; a single letter before `:` is a Windows drive, which is a path. */
const SCHEME = /^[a-z][a-z0-9+.-]+:/i;

export type PluginSpecifier = { readonly kind: 'package' } | { readonly kind: 'path' };

function looksLikePath(specifier: string): boolean {
  return specifier.startsWith('.') || isAbsolute(specifier) || /^[a-z]:[\\/]/i.test(specifier) || specifier.includes('\\');
}

/**
 * What a manifest's `plugins` entry names: an npm package, or (only when the caller allows local plugins)
 * a path to a module. Returns the reason it is refused as a string.
 */
export function classifyPluginSpecifier(specifier: string, allowLocalPlugins: boolean): PluginSpecifier | string {
  if (SCHEME.test(specifier)) {
    return `"${specifier}" is a module specifier with a scheme, not an npm package name (plugins are packages you install)`;
  }
  if (looksLikePath(specifier)) {
    if (allowLocalPlugins) return { kind: 'path' };
    return `"${specifier}" is a path; plugins are npm package names (allow local plugin paths with --allow-local-plugins, or the allowLocalPlugins option)`;
  }
  if (specifier.length > MAX_NAME_LENGTH || !PACKAGE_NAME.test(specifier)) {
    const slashes = specifier.split('/').length - (specifier.startsWith('@') ? 1 : 0);
    if (slashes > 1) return `"${specifier}" names a subpath of a package; list the package itself (its main export must be the plugin)`;
    return `"${specifier}" is not a valid npm package name (lower case letters, digits, "-", ".", "_", "~", an optional @scope/)`;
  }
  return { kind: 'package' };
}

import { createRequire } from 'node:module';

/** This package's version, read from its package.json (the same relative path from src/ and dist/). */
export const CORE_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

// Rewrites the options table in README.md from the built options schema (run after `tsc`: `npm run readme`).
import { readFileSync, writeFileSync } from 'node:fs';
import { optionsTable, replaceOptionsTable } from './options-table.mjs';

const { optionsSchema } = await import('../dist/options.js');
const readme = new URL('../README.md', import.meta.url);
writeFileSync(readme, replaceOptionsTable(readFileSync(readme, 'utf8'), optionsTable(optionsSchema)));

// The README options table of a Polymodal plugin, made from its options schema. This file is copied as it
// is into every generated plugin (scripts/options-table.mjs), so the generator and the plugin's own
// `npm run readme` write the same table. Plain JavaScript with no imports, so it runs anywhere.

export const TABLE_START = '<!-- options-table:start (generated from the options schema by `npm run readme`) -->';
export const TABLE_END = '<!-- options-table:end -->';

function typeOf(property) {
  if (Array.isArray(property.enum)) return property.enum.map((value) => JSON.stringify(value)).join(' \\| ');
  if (property.type === 'array') return `${property.items ? typeOf(property.items) : 'any'}[]`;
  if (Array.isArray(property.type)) return property.type.join(' \\| ');
  return property.type ?? 'any';
}

function bounds(property) {
  const parts = [];
  if (property.minimum !== undefined) parts.push(`>= ${property.minimum}`);
  if (property.exclusiveMinimum !== undefined) parts.push(`> ${property.exclusiveMinimum}`);
  if (property.maximum !== undefined) parts.push(`<= ${property.maximum}`);
  if (property.exclusiveMaximum !== undefined) parts.push(`< ${property.exclusiveMaximum}`);
  const items = property.type === 'array' && property.items ? bounds(property.items) : '';
  return [parts.join(', '), items && `each ${items}`].filter(Boolean).join('; ');
}

/** Markdown pipes and line breaks inside a cell would break the table. */
function escapeCell(text) {
  return String(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** One row per top-level option: name, type (with bounds), default (or "required"), description. */
export function optionsTable(schema) {
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const range = bounds(property);
    const type = typeOf(property) + (range ? ` (${range})` : '');
    const fallback = required.has(name) ? 'required' : 'default' in property ? `\`${JSON.stringify(property.default)}\`` : '';
    return `| \`${name}\` | ${type} | ${fallback} | ${escapeCell(property.description ?? '')} |`;
  });
  return ['| option | type | default | description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** `readme` with the text between the table markers replaced by `table`; throws when the markers are missing. */
export function replaceOptionsTable(readme, table) {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no options table markers (${TABLE_START} ... ${TABLE_END})`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}

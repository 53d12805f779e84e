import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type VegaLiteSpec = TopLevelSpec;

/**
 * Renders a Vega-Lite spec to an SVG string in Node (vega-lite compile, then a headless vega View with
 * renderer 'none'). Element ids (gradients, clip paths) get `idPrefix` so several SVGs can share one page.
 */
export async function renderSvg(spec: VegaLiteSpec, idPrefix: string): Promise<string> {
  // vega-lite logs spec notices (e.g. union sort hints) to the console; the report has no reader for them.
  const compiled = compile(spec, { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return prefixIds(svg, idPrefix);
  } finally {
    view.finalize();
  }
}

/**
 * Makes every id in an SVG document unique to it: ids are renumbered in order of appearance as
 * `<prefix>-<n>` and `url(#x)` / `href="#x"` follow. (vega numbers gradients with a process-wide counter,
 * so renumbering also makes the output depend only on the spec.)
 */
export function prefixIds(svg: string, prefix: string): string {
  const safe = prefix.replace(/[^A-Za-z0-9_-]/g, '-');
  const ids = new Map<string, string>();
  for (const match of svg.matchAll(/\bid="([^"]+)"/g)) if (!ids.has(match[1])) ids.set(match[1], `${safe}-${ids.size + 1}`);
  const rename = (id: string) => ids.get(id) ?? id;
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${rename(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${rename(id)})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${rename(id)}"`);
}

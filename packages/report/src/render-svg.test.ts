import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prefixIds, renderSvg } from './render-svg.js';

test('renders a Vega-Lite spec to a standalone SVG with its title', async () => {
  const svg = await renderSvg({
    title: 'A line',
    data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] },
    mark: 'line',
    encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
  }, 'c1');
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.includes('>A line</text>'), 'title rendered as SVG text');
  assert.ok(svg.trimEnd().endsWith('</svg>'));
});

test('prefixes ids and their references so two charts on one page do not collide', async () => {
  const spec = {
    data: { values: [{ x: 'a', n: 1 }, { x: 'b', n: 3 }] },
    mark: 'rect' as const,
    encoding: { x: { field: 'x', type: 'nominal' as const }, color: { field: 'n', type: 'quantitative' as const } },
  };
  const svg = await renderSvg(spec, 'chart-7');
  const ids = [...svg.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(ids.length > 0, 'a continuous colour legend uses a gradient id');
  for (const id of ids) assert.ok(id.startsWith('chart-7-'), id);
  for (const ref of svg.matchAll(/url\(#([^)]+)\)/g)) assert.ok(ids.includes(ref[1]), `reference ${ref[1]} resolves`);
  assert.equal(prefixIds('<g id="a" fill="url(#a)"><use href="#b"/><g id="b"/></g>', 'p q'), '<g id="p-q-1" fill="url(#p-q-1)"><use href="#p-q-2"/><g id="p-q-2"/></g>');
});

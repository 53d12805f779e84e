import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from './graph.js';
import { add, unary } from './ops.js';
import { prune } from './prune.js';

test('nodes no output depends on are dropped, the others kept in order', () => {
  const g = new GraphBuilder();
  const x = g.input('x', [-1, 2], 'float32').name;
  const used = unary(g, 'Relu', x, 'used');
  unary(g, 'Tanh', used, 'unused');
  g.markOutput(add(g, used, g.scalar('one', 1), 'out'));
  const pruned = prune(g.build());
  assert.deepEqual(pruned.nodes.map((node) => node.output), ['used', 'out']);
  assert.equal(prune(pruned), pruned, 'nothing left to drop: the graph itself');
});

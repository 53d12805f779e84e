import assert from 'node:assert/strict';
import { test } from 'node:test';
import { patchBindingSource, STRING_LIST_MARKER } from './binding-patch.js';
import { isNativeBackendError } from './errors.js';

// The shape of tfjs-node 4.22's AssignOpAttr switch (binding/tfjs_backend.cc), cut down to what the patch reads.
const SOURCE = [
  '#include <vector>',
  'void AssignOpAttr(napi_env env, TFE_Op *tfe_op, napi_value attr_value) {',
  '  std::vector<int64_t> shape_vector;',
  '  switch (tf_attr_type) {',
  '    case TF_ATTR_STRING: {',
  '      std::string str_value;',
  '      break;',
  '    }',
  '    case TF_ATTR_TYPE: {',
  '      TF_DataType tf_data_type;',
  '      break;',
  '    }',
  '  }',
  '}',
  '',
].join('\n');

const count = (text: string, part: string) => text.split(part).length - 1;

test('the patch adds string and type list attributes before the single-value cases, once', () => {
  const patched = patchBindingSource(SOURCE);
  assert.equal(count(patched, 'TFE_OpSetAttrStringList('), 1);
  assert.equal(count(patched, 'TFE_OpSetAttrTypeList('), 1);
  assert.ok(patched.indexOf('TFE_OpSetAttrStringList(') < patched.indexOf('std::string str_value;'), 'the list case comes first in TF_ATTR_STRING');
  assert.ok(patched.indexOf('TFE_OpSetAttrTypeList(') < patched.indexOf('TF_DataType tf_data_type;'), 'the list case comes first in TF_ATTR_TYPE');
  assert.ok(patched.includes(STRING_LIST_MARKER));
  assert.equal(patchBindingSource(patched), patched, 'patching twice changes nothing');
  // Everything the original had is still there, in order.
  const kept = SOURCE.split('\n').filter((line) => line.trim());
  let at = 0;
  for (const line of kept) {
    at = patched.indexOf(line, at);
    assert.ok(at >= 0, `kept: ${line}`);
  }
});

test('a source the patch does not know is refused with an error naming the file, not patched halfway', () => {
  for (const source of [SOURCE.replace('    case TF_ATTR_TYPE: {\n', ''), SOURCE.replace('    case TF_ATTR_STRING: {\n', ''), SOURCE + SOURCE]) {
    assert.throws(() => patchBindingSource(source, '/x/binding/tfjs_backend.cc'), (error: unknown) =>
      isNativeBackendError(error) && /\/x\/binding\/tfjs_backend\.cc is not the tfjs-node binding source/.test((error as Error).message));
  }
});

/**
 * The one change `polymodal setup tensorflow` makes to tfjs-node's binding source before compiling it: string
 * and type list attributes. tfjs-node 4.22's AssignOpAttr takes one string per TF_ATTR_STRING attribute and one
 * type per TF_ATTR_TYPE, so TensorFlow's fused ops (`_FusedConv2D`: `fused_ops` ["BiasAdd", "Relu"], a list of
 * strings, and `TArgs`, a list of types) cannot be called through it. With the patch, an array value sets the
 * attribute with TFE_OpSetAttrStringList / TFE_OpSetAttrTypeList; a single value is set as before, so every
 * call tfjs-node itself makes is unchanged.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NativeBackendError } from './errors.js';

/** Where the two list cases go: the starts of AssignOpAttr's one-string and one-type cases. */
const STRING_ANCHOR = '    case TF_ATTR_STRING: {\n';
const TYPE_ANCHOR = '    case TF_ATTR_TYPE: {\n';

/** Marks patched source (the patch is applied once). */
export const STRING_LIST_MARKER = '// polymodal: string list attributes';

const STRING_LIST_CASE = `${STRING_ANCHOR}      ${STRING_LIST_MARKER}
      if (IsArray(env, nstatus, &js_value)) {
        uint32_t length;
        nstatus = napi_get_array_length(env, js_value, &length);
        ENSURE_NAPI_OK(env, nstatus);
        std::vector<std::string> strings(length);
        std::vector<const void *> values(length);
        std::vector<size_t> lengths(length);
        for (uint32_t i = 0; i < length; ++i) {
          napi_value element;
          nstatus = napi_get_element(env, js_value, i, &element);
          ENSURE_NAPI_OK(env, nstatus);
          nstatus = GetStringParam(env, element, strings[i]);
          ENSURE_NAPI_OK(env, nstatus);
          values[i] = strings[i].data();
          lengths[i] = strings[i].size();
        }
        TFE_OpSetAttrStringList(tfe_op, attr_name, values.data(), lengths.data(), static_cast<int>(length));
        break;
      }
`;

const TYPE_LIST_CASE = `${TYPE_ANCHOR}      // polymodal: type list attributes
      if (IsArray(env, nstatus, &js_value)) {
        uint32_t length;
        nstatus = napi_get_array_length(env, js_value, &length);
        ENSURE_NAPI_OK(env, nstatus);
        std::vector<TF_DataType> types(length);
        for (uint32_t i = 0; i < length; ++i) {
          napi_value element;
          nstatus = napi_get_element(env, js_value, i, &element);
          ENSURE_NAPI_OK(env, nstatus);
          nstatus = napi_get_value_int32(env, element, reinterpret_cast<int32_t *>(&types[i]));
          ENSURE_NAPI_OK(env, nstatus);
        }
        TFE_OpSetAttrTypeList(tfe_op, attr_name, types.data(), static_cast<int>(length));
        break;
      }
`;

/** `source` with the one occurrence of `anchor` replaced by `replacement`, or null if it does not occur exactly once. */
function replaceOnce(source: string, anchor: string, replacement: string): string | null {
  const at = source.indexOf(anchor);
  if (at < 0 || source.indexOf(anchor, at + 1) >= 0) return null;
  return source.slice(0, at) + replacement + source.slice(at + anchor.length);
}

/** `source` (tfjs_backend.cc) with string and type list attributes; throws when it is not the source this patch knows. */
export function patchBindingSource(source: string, file = 'binding/tfjs_backend.cc'): string {
  if (source.includes(STRING_LIST_MARKER)) return source;
  const withStrings = source.includes('std::vector') ? replaceOnce(source, STRING_ANCHOR, STRING_LIST_CASE) : null;
  const patched = withStrings && replaceOnce(withStrings, TYPE_ANCHOR, TYPE_LIST_CASE);
  if (!patched) {
    throw new NativeBackendError(
      `${file} is not the tfjs-node binding source this setup patches (AssignOpAttr's TF_ATTR_STRING and TF_ATTR_TYPE cases not found once each)`,
      'polymodal setup builds tfjs-node 4.22.0; remove the cached build folder and run it again, or report the tfjs-node version it installed.',
    );
  }
  return patched;
}

/** Patches the binding source inside an installed tfjs-node package folder. */
export function patchBinding(pkgDir: string): void {
  const file = join(pkgDir, 'binding', 'tfjs_backend.cc');
  writeFileSync(file, patchBindingSource(readFileSync(file, 'utf8'), file));
}

/**
 * The TensorFlow protobuf messages a frozen SavedModel needs, as a protobufjs JSON descriptor: the fields of
 * tensorflow/core/protobuf/saved_model.proto, meta_graph.proto and tensorflow/core/framework/{graph,node_def,
 * attr_value,tensor,tensor_shape,types,versions}.proto that the emitter writes (TensorFlow 2.21; field numbers as
 * there, so the wire format is TensorFlow's; fields left out are ones a reader treats as unset). Field names are the
 * protos' JSON names, so the GraphDef writer's JSON NodeDefs encode as they are.
 */
const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });

export const SAVED_MODEL_SCHEMA = {
  nested: {
    tensorflow: {
      nested: {
        DataType: { values: { DT_INVALID: 0, DT_FLOAT: 1, DT_INT32: 3, DT_INT64: 9, DT_BOOL: 10 } },
        TensorShapeProto: {
          fields: { dim: repeated('Dim', 2), unknownRank: { type: 'bool', id: 3 } },
          nested: { Dim: { fields: { size: { type: 'int64', id: 1 }, name: { type: 'string', id: 2 } } } },
        },
        TensorProto: {
          fields: { dtype: { type: 'DataType', id: 1 }, tensorShape: { type: 'TensorShapeProto', id: 2 }, versionNumber: { type: 'int32', id: 3 }, tensorContent: { type: 'bytes', id: 4 } },
        },
        AttrValue: {
          oneofs: { value: { oneof: ['list', 's', 'i', 'f', 'b', 'type', 'shape', 'tensor'] } },
          fields: {
            list: { type: 'ListValue', id: 1 }, s: { type: 'bytes', id: 2 }, i: { type: 'int64', id: 3 }, f: { type: 'float', id: 4 }, b: { type: 'bool', id: 5 },
            type: { type: 'DataType', id: 6 }, shape: { type: 'TensorShapeProto', id: 7 }, tensor: { type: 'TensorProto', id: 8 },
          },
          nested: {
            ListValue: {
              fields: {
                s: repeated('bytes', 2), i: { ...repeated('int64', 3), options: { packed: true } }, f: { ...repeated('float', 4), options: { packed: true } },
                b: { ...repeated('bool', 5), options: { packed: true } }, type: { ...repeated('DataType', 6), options: { packed: true } }, shape: repeated('TensorShapeProto', 7),
              },
            },
          },
        },
        NodeDef: {
          fields: { name: { type: 'string', id: 1 }, op: { type: 'string', id: 2 }, input: repeated('string', 3), device: { type: 'string', id: 4 }, attr: { keyType: 'string', type: 'AttrValue', id: 5 } },
        },
        VersionDef: { fields: { producer: { type: 'int32', id: 1 }, minConsumer: { type: 'int32', id: 2 } } },
        GraphDef: { fields: { node: repeated('NodeDef', 1), versions: { type: 'VersionDef', id: 4 } } },
        TensorInfo: { fields: { name: { type: 'string', id: 1 }, dtype: { type: 'DataType', id: 2 }, tensorShape: { type: 'TensorShapeProto', id: 3 } } },
        SignatureDef: {
          fields: { inputs: { keyType: 'string', type: 'TensorInfo', id: 1 }, outputs: { keyType: 'string', type: 'TensorInfo', id: 2 }, methodName: { type: 'string', id: 3 } },
        },
        MetaInfoDef: { fields: { metaGraphVersion: { type: 'string', id: 1 }, tags: repeated('string', 4), tensorflowVersion: { type: 'string', id: 5 } } },
        MetaGraphDef: {
          fields: { metaInfoDef: { type: 'MetaInfoDef', id: 1 }, graphDef: { type: 'GraphDef', id: 2 }, signatureDef: { keyType: 'string', type: 'SignatureDef', id: 5 } },
        },
        SavedModel: { fields: { savedModelSchemaVersion: { type: 'int64', id: 1 }, metaGraphs: repeated('MetaGraphDef', 2) } },
      },
    },
  },
} as const;

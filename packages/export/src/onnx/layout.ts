/**
 * The NHWC image ops in ONNX's NCHW layout: a Transpose in and out around each Conv or pool (a value already
 * converted, such as a conv's output feeding the next conv, is reused), kernels converted at export.
 */
import type { IrNode } from '../ir/graph.js';
import type { OnnxGraphWriter } from './writer.js';

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

export class ChannelsFirst {
  /** NHWC value name -> the same value in NCHW. */
  private readonly nchw = new Map<string, string>();

  constructor(private readonly w: OnnxGraphWriter) {}

  private input(x: string): string {
    const known = this.nchw.get(x);
    if (known !== undefined) return known;
    const converted = this.w.step('Transpose', [this.w.use(x)], `${x}/nchw`, { perm: TO_NCHW });
    this.nchw.set(x, converted);
    return converted;
  }

  private output(node: IrNode, opType: string, inputs: string[], attrs: Record<string, string | number | number[]>): void {
    const result = this.w.step(opType, inputs, `${node.output}/nchw`, attrs);
    this.w.node('Transpose', [result], [node.output], { perm: TO_NHWC });
    this.nchw.set(node.output, result);
  }

  private windowAttrs(node: IrNode, kernel: readonly number[]): Record<string, string | number[]> {
    return {
      kernel_shape: [...kernel],
      strides: node.attrs['strides'] as number[],
      auto_pad: node.attrs['padding'] === 'SAME' ? 'SAME_UPPER' : 'VALID',
    };
  }

  /** Conv2D: kernel [kh, kw, in, out] -> [out, in, kh, kw]; DepthwiseConv2D: [kh, kw, c, m] -> [c*m, 1, kh, kw], group c. */
  convolution(node: IrNode): void {
    const [x, kernelName, bias] = node.inputs;
    const kernel = this.w.constantOf(kernelName)!;
    const [kh, kw, inner, outer] = kernel.shape;
    const data = kernel.data as Float32Array;
    const depthwise = node.op === 'DepthwiseConv2D';
    const outChannels = depthwise ? inner * outer : outer;
    const inPerGroup = depthwise ? 1 : inner;
    const converted = new Float32Array(data.length);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let c = 0; c < inner; c++) {
          for (let o = 0; o < outer; o++) {
            const value = data[((i * kw + j) * inner + c) * outer + o];
            const out = depthwise ? c * outer + o : o;
            const inChannel = depthwise ? 0 : c;
            converted[((out * inPerGroup + inChannel) * kh + i) * kw + j] = value;
          }
        }
      }
    }
    const weights = this.w.floats(`${kernelName}/oihw`, converted, [outChannels, inPerGroup, kh, kw]);
    const inputs = [this.input(x), weights, ...(bias === undefined ? [] : [this.w.use(bias)])];
    const attrs: Record<string, string | number | number[]> = { ...this.windowAttrs(node, [kh, kw]), dilations: node.attrs['dilations'] as number[] };
    if (depthwise) attrs['group'] = inner;
    this.output(node, 'Conv', inputs, attrs);
  }

  pool(node: IrNode): void {
    const attrs = this.windowAttrs(node, node.attrs['kernel'] as number[]);
    // TensorFlow's average over a SAME window leaves the padding out of the count (count_include_pad = 0).
    this.output(node, node.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [this.input(node.inputs[0])], attrs);
  }
}

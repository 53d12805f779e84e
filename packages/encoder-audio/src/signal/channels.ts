/**
 * The channels a model sees: with `channels: 1` the mean of all of a file's channels (librosa's `to_mono`);
 * with N > 1 the first N channels, a mono file repeated into each. Undefined when the file has fewer channels
 * than asked for (and more than one), which `check` reports.
 */
export function selectChannels(channels: readonly Float32Array[], wanted: number): Float32Array[] | undefined {
  if (wanted === 1) {
    if (channels.length === 1) return [channels[0]];
    const mono = new Float32Array(channels[0].length);
    for (const channel of channels) for (let i = 0; i < mono.length; i++) mono[i] += channel[i];
    for (let i = 0; i < mono.length; i++) mono[i] /= channels.length;
    return [mono];
  }
  if (channels.length === 1) return Array.from({ length: wanted }, () => channels[0]);
  if (channels.length < wanted) return undefined;
  return channels.slice(0, wanted);
}

/** Which published package provides a type family, so a missing plugin gets an exact install line. */
const PROVIDERS: Record<string, string> = {
  tabular: '@polymodal/encoder-tabular',
  image: '@polymodal/encoder-image',
  text: '@polymodal/encoder-text',
  audio: '@polymodal/encoder-audio',
  concat: '@polymodal/fusion-concat',
  gated: '@polymodal/fusion-concat',
  attention: '@polymodal/fusion-attention',
};

export function knownProviderOf(type: string): string | undefined {
  return PROVIDERS[type.split('/')[0]];
}

/** The plugin packages published with Polymodal. */
export const OFFICIAL_PLUGINS: readonly string[] = [...new Set(Object.values(PROVIDERS))];

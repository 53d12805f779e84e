// One typo rule for the whole project (case-insensitive edit distance within max(2, length / 3)); it lives in
// @polymodal/metrics, the one package below core, so that metrics installs and suggests names without core.
import { closestName } from '@polymodal/metrics';

/** The closest candidate when it is close enough to be a likely typo. */
export const closestMatch: (word: string, candidates: Iterable<string>) => string | undefined = closestName;

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : ` Did you mean "${match}"?`;
}

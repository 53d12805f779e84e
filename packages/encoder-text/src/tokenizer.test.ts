// Every expectation here was traced by hand through Keras 2.x `keras/preprocessing/text.py`
// (tf.keras; identical logic in keras_preprocessing 1.1.x and keras/src/legacy/preprocessing/text.py).
// The comment on each test names the source lines it follows. Abbreviations:
//   T2WS  = text_to_word_sequence: `if lower: text = text.lower()`;
//           `text.translate(str.maketrans({c: split for c in filters}))`;
//           `seq = text.split(split)`; `return [i for i in seq if i]`
//   FIT   = fit_on_texts: `document_count += 1`; `word_counts[w] += 1` (OrderedDict);
//           `for w in set(seq): word_docs[w] += 1`;
//           `wcounts.sort(key=lambda x: x[1], reverse=True)` (stable);
//           `sorted_voc = [oov_token] (if any) + [wc[0] for wc in wcounts]`;
//           `word_index = dict(zip(sorted_voc, range(1, len(sorted_voc) + 1)))`;
//           `index_word = {c: w for w, c in word_index.items()}`;
//           `for w, c in word_docs.items(): index_docs[word_index[w]] = c`
//   T2S   = texts_to_sequences_generator: `i = word_index.get(w)`;
//           `if i is not None: if num_words and i >= num_words: (append oov_token_index if any)
//            else: append(i)`; `elif oov_token is not None: append(oov_token_index)`
//   S2T   = sequences_to_texts_generator: same branches on `index_word.get(num)`,
//           appending `index_word[oov_token_index]`; `" ".join(vect)`
//   CHAR  = `if self.char_level or isinstance(text, list): (lower each) seq = text`
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FILTERS, Tokenizer, textToWordSequence } from './tokenizer.js';

const sortedEntries = <K, V>(m: ReadonlyMap<K, V>) =>
  Array.from(m).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0));

describe('textToWordSequence', () => {
  it('lower-cases, replaces filter characters by the separator and drops empty strings (T2WS)', () => {
    // lower -> "hello, world! it's  a test--of\tthe\nfilters."; ',', '!', '-', '\t', '\n', '.'
    // become ' ' ("'" is not a default filter); split(' ') yields '' between doubled spaces, dropped.
    assert.deepEqual(textToWordSequence("Hello, World! It's  a TEST--of\tthe\nfilters."), [
      'hello', 'world', "it's", 'a', 'test', 'of', 'the', 'filters',
    ]);
    assert.equal(DEFAULT_FILTERS, '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n');
  });

  it('honours lower=false, empty filters and a custom separator (T2WS)', () => {
    // no lower, no translate; 'A,,b ,C'.split(',') = ['A', '', 'b ', 'C'] -> '' dropped, 'b ' kept.
    assert.deepEqual(textToWordSequence('A,,b ,C', { filters: '', lower: false, split: ',' }), ['A', 'b ', 'C']);
  });

  it('maps filters to a multi-character separator, so spaces no longer split (T2WS)', () => {
    // '.' -> '::' gives 'x y::z'; 'x y::z'.split('::') = ['x y', 'z'].
    assert.deepEqual(textToWordSequence('x y.z', { split: '::' }), ['x y', 'z']);
  });

  it('treats regex metacharacters and "$" in filters / split literally', () => {
    // filters '^$' -> '$&'; 'a^b$c' -> 'a$&b$&c' -> split('$&') = ['a', 'b', 'c'].
    assert.deepEqual(textToWordSequence('a^b$c', { filters: '^$', split: '$&' }), ['a', 'b', 'c']);
  });

  it('works on code points: an astral filter removes the whole character', () => {
    // Python iterates code points, so maketrans({'😀': ' '}) replaces the whole emoji.
    assert.deepEqual(textToWordSequence('ab😀cd', { filters: '😀' }), ['ab', 'cd']);
  });

  it('follows Python str.lower(): İ -> i + U+0307 and final sigma', () => {
    // Python 3: 'İstanbul'.lower() == 'i̇stanbul' (2 code points for İ); 'ΟΔΟΣ ΑΣ'.lower() == 'οδος ας'.
    assert.deepEqual(textToWordSequence('İstanbul ΟΔΟΣ ΑΣ'), ['i\u0307stanbul', 'οδος', 'ας']);
  });

  it('rejects an empty separator (Python: ValueError: empty separator)', () => {
    assert.throws(() => textToWordSequence('a b', { split: '' }), TypeError);
  });
});

describe('Tokenizer.fitOnTexts', () => {
  const texts = ['The cat sat on the mat.', 'The dog ate my homework!', 'My cat'];

  it('counts, sorts by count with stable ties and indexes from 1 (FIT)', () => {
    const tok = new Tokenizer();
    tok.fitOnTexts(texts);
    // word_counts insertion order: the3 cat2 sat1 on1 mat1 dog1 ate1 my2 homework1.
    assert.deepEqual(Array.from(tok.wordCounts), [
      ['the', 3], ['cat', 2], ['sat', 1], ['on', 1], ['mat', 1], ['dog', 1], ['ate', 1], ['my', 2], ['homework', 1],
    ]);
    // stable sort by count desc: the(3), cat(2), my(2), then the 1-counts in first-seen order.
    assert.deepEqual(Array.from(tok.wordIndex), [
      ['the', 1], ['cat', 2], ['my', 3], ['sat', 4], ['on', 5], ['mat', 6], ['dog', 7], ['ate', 8], ['homework', 9],
    ]);
    assert.deepEqual(Array.from(tok.indexWord), Array.from(tok.wordIndex, ([w, i]) => [i, w]));
    assert.equal(tok.documentCount, 3);
    // word_docs: 'the' appears twice in doc 1 but counts once per document.
    assert.deepEqual(sortedEntries(tok.wordDocs), [
      ['ate', 1], ['cat', 2], ['dog', 1], ['homework', 1], ['mat', 1], ['my', 2], ['on', 1], ['sat', 1], ['the', 2],
    ]);
    // index_docs[word_index[w]] = word_docs[w]
    assert.deepEqual(Array.from(tok.indexDocs).sort((a, b) => a[0] - b[0]), [
      [1, 2], [2, 2], [3, 2], [4, 1], [5, 1], [6, 1], [7, 1], [8, 1], [9, 1],
    ]);
  });

  it('breaks ties by first occurrence, across documents (FIT, stable sort)', () => {
    // counts b2 a2 c2 (all tied) -> insertion order b, a, c.
    const tied = new Tokenizer();
    tied.fitOnTexts(['b a', 'a b c c']);
    assert.deepEqual(Array.from(tied.wordIndex), [['b', 1], ['a', 2], ['c', 3]]);
    // counts z1 y2 x2 -> y(2), x(2), z(1).
    const mixed = new Tokenizer();
    mixed.fitOnTexts(['z y x', 'x', 'y']);
    assert.deepEqual(Array.from(mixed.wordIndex), [['y', 1], ['x', 2], ['z', 3]]);
  });

  it('counts empty and all-punctuation texts as documents without words (T2WS + FIT)', () => {
    const tok = new Tokenizer();
    tok.fitOnTexts(['', '...', 'a']);
    assert.equal(tok.documentCount, 3);
    assert.deepEqual(Array.from(tok.wordIndex), [['a', 1]]);
    assert.deepEqual(Array.from(tok.wordDocs), [['a', 1]]);
    assert.deepEqual(tok.textsToSequences(['', '!!!']), [[], []]);
  });

  it('accumulates over calls and re-indexes (FIT; index_docs is overwritten, not cleared)', () => {
    const tok = new Tokenizer();
    tok.fitOnTexts(['a b']); // a1 b1 -> a:1, b:2
    assert.deepEqual(Array.from(tok.wordIndex), [['a', 1], ['b', 2]]);
    tok.fitOnTexts(['b c']); // a1 b2 c1 -> b:1, a:2, c:3
    assert.deepEqual(Array.from(tok.wordIndex), [['b', 1], ['a', 2], ['c', 3]]);
    assert.equal(tok.documentCount, 2);
    assert.deepEqual(sortedEntries(tok.wordDocs), [['a', 1], ['b', 2], ['c', 1]]);
    // index_docs[2] = word_docs['a'] = 1, index_docs[1] = word_docs['b'] = 2, index_docs[3] = 1
    assert.deepEqual(Array.from(tok.indexDocs).sort((x, y) => x[0] - y[0]), [[1, 2], [2, 1], [3, 1]]);
  });

  it('keeps case with lower=false (T2WS `if lower`)', () => {
    const tok = new Tokenizer({ lower: false });
    tok.fitOnTexts(['Apple apple APPLE apple']); // Apple1 apple2 APPLE1
    assert.deepEqual(Array.from(tok.wordIndex), [['apple', 1], ['Apple', 2], ['APPLE', 3]]);
  });

  it('takes pre-tokenized texts verbatim apart from lower-casing (CHAR: isinstance(text, list))', () => {
    const tok = new Tokenizer();
    // ['Hello', 'WORLD!'] -> ['hello', 'world!'] (no filters); 'hello world' -> T2WS.
    tok.fitOnTexts([['Hello', 'WORLD!'], 'hello world']);
    assert.deepEqual(Array.from(tok.wordIndex), [['hello', 1], ['world!', 2], ['world', 3]]);
    assert.deepEqual(tok.textsToSequences([['WORLD!', 'world', 'x']]), [[2, 3]]);
  });

  it('uses Maps, so keys like __proto__ and constructor are ordinary words', () => {
    const tok = new Tokenizer({ filters: '', lower: false });
    tok.fitOnTexts(['__proto__ constructor __proto__ hasOwnProperty']);
    assert.deepEqual(Array.from(tok.wordIndex), [['__proto__', 1], ['constructor', 2], ['hasOwnProperty', 3]]);
    assert.deepEqual(tok.textsToSequences(['toString __proto__ constructor']), [[1, 2]]);
  });

  it('rejects a bare string as the corpus (Keras would iterate its characters)', () => {
    assert.throws(() => new Tokenizer().fitOnTexts('some text' as unknown as string[]), TypeError);
  });
});

describe('Tokenizer.textsToSequences / sequencesToTexts', () => {
  const texts = ['The cat sat on the mat.', 'The dog ate my homework!', 'My cat'];

  it('drops unknown words without an OOV token (T2S)', () => {
    const tok = new Tokenizer();
    tok.fitOnTexts(texts); // the1 cat2 my3 sat4 on5 mat6 dog7 ate8 homework9
    assert.deepEqual(tok.textsToSequences(['The cat ate the FISH!', '']), [[1, 2, 8, 1], []]);
    assert.deepEqual(Array.from(tok.textsToSequencesGenerator(['my cat'])), [[3, 2]]);
  });

  it('numWords keeps indices < numWords and drops the rest without OOV (T2S `i >= num_words`)', () => {
    const tok = new Tokenizer({ numWords: 4 });
    tok.fitOnTexts(texts); // kept: the1 cat2 my3
    assert.deepEqual(tok.textsToSequences(['the cat ate the fish', 'My homework, my cat!']), [[1, 2, 1], [3, 3, 2]]);
    // S2T without OOV: 4 (sat, >= 4), 0 (no word) and 42 (no word) are skipped.
    assert.deepEqual(tok.sequencesToTexts([[1, 2, 3, 4, 0, 42]]), ['the cat my']);
  });

  it('numWords with an OOV token: OOV is index 1 and replaces cut and unknown words (FIT + T2S)', () => {
    const tok = new Tokenizer({ numWords: 4, oovToken: '<OOV>' });
    tok.fitOnTexts(texts);
    // sorted_voc = ['<OOV>', the, cat, my, sat, on, mat, dog, ate, homework]
    assert.deepEqual(Array.from(tok.wordIndex).slice(0, 5), [['<OOV>', 1], ['the', 2], ['cat', 3], ['my', 4], ['sat', 5]]);
    assert.equal(tok.wordIndex.size, 10); // word_index holds every word, numWords only acts on conversion
    // ate(9) >= 4 -> 1, fish unknown -> 1, my(4) >= 4 -> 1, homework(10) -> 1.
    assert.deepEqual(tok.textsToSequences(['the cat ate the fish', 'My homework, my cat!']), [[2, 3, 1, 2, 1], [1, 1, 1, 3]]);
    // '<OOV>' in a text is filtered to 'oov' by T2WS ('<', '>' are filters) -> unknown -> 1.
    assert.deepEqual(tok.textsToSequences(['<OOV>']), [[1]]);
  });

  it('sequencesToTexts maps cut indices, unknown indices and 0 to the OOV token (S2T)', () => {
    const tok = new Tokenizer({ numWords: 4, oovToken: '<OOV>' });
    tok.fitOnTexts(texts);
    // 2 the, 3 cat, 9 ate >= 4 -> OOV, 0 not in index_word -> OOV, 4 my >= 4 -> OOV, 1 '<OOV>' (< 4), 42 -> OOV.
    assert.deepEqual(tok.sequencesToTexts([[2, 3, 9, 0, 4, 1, 42], []]), ['the cat <OOV> <OOV> <OOV> <OOV> <OOV>', '']);
    assert.deepEqual(Array.from(tok.sequencesToTextsGenerator([Int32Array.of(0, 2)])), ['<OOV> the']);
  });

  it('numWords 1 with OOV: everything maps to 1, even though 1 >= numWords (T2S cut branch)', () => {
    const tok = new Tokenizer({ numWords: 1, oovToken: '<OOV>' });
    tok.fitOnTexts(texts);
    assert.deepEqual(tok.textsToSequences(['the cat zebra']), [[1, 1, 1]]);
    // S2T: index 1 -> word '<OOV>', 1 >= 1 -> index_word[oov_token_index] = '<OOV>' anyway.
    assert.deepEqual(tok.sequencesToTexts([[1, 2]]), ['<OOV> <OOV>']);
  });

  it('numWords 0 means no limit (`if num_words` is falsy)', () => {
    const tok = new Tokenizer({ numWords: 0 });
    tok.fitOnTexts(texts);
    assert.deepEqual(tok.textsToSequences(['homework the']), [[9, 1]]);
  });

  it('an OOV token that also occurs in the texts keeps its first position with its last index (FIT dict(zip))', () => {
    const tok = new Tokenizer({ oovToken: 'oov' });
    tok.fitOnTexts(['oov a a']);
    // word_counts oov1 a2 -> sorted a, oov; sorted_voc ['oov', 'a', 'oov'] -> {'oov': 3, 'a': 2}.
    assert.deepEqual(Array.from(tok.wordIndex), [['oov', 3], ['a', 2]]);
    assert.deepEqual(Array.from(tok.indexWord), [[3, 'oov'], [2, 'a']]);
    // oov_token_index = word_index['oov'] = 3; index 1 has no word.
    assert.deepEqual(tok.textsToSequences(['a b oov']), [[2, 3, 3]]);
    assert.deepEqual(tok.sequencesToTexts([[1, 2, 3]]), ['oov a oov']);
    assert.deepEqual(sortedEntries(tok.indexDocs), [[2, 1], [3, 1]]);
  });

  it('refuses to convert with an OOV token before fitting (Keras would emit None / raise KeyError)', () => {
    const tok = new Tokenizer({ oovToken: '<OOV>' });
    assert.throws(() => tok.textsToSequences(['a']), /not been fitted/);
    assert.throws(() => tok.sequencesToTexts([[1]]), /not been fitted/);
    // Without an OOV token an unfitted tokenizer knows no words, as Keras's `word_index = {}`.
    assert.deepEqual(new Tokenizer().textsToSequences(['a b']), [[]]);
  });
});

describe('Tokenizer charLevel', () => {
  it('indexes every code point, ignoring filters, and joins texts with spaces (CHAR + S2T)', () => {
    const tok = new Tokenizer({ charLevel: true });
    // 'aab!' and 'b a' after lower; no filters: a3 b2 !1 ' '1 -> a1 b2 !3 ' '4.
    tok.fitOnTexts(['Aab!', 'b a']);
    assert.deepEqual(Array.from(tok.wordIndex), [['a', 1], ['b', 2], ['!', 3], [' ', 4]]);
    assert.deepEqual(sortedEntries(tok.wordDocs), [[' ', 1], ['!', 1], ['a', 2], ['b', 2]]);
    // 'bad a?': b2 a1 d(unknown) ' '4 a1 ?(unknown)
    assert.deepEqual(tok.textsToSequences(['Bad a?']), [[2, 1, 4, 1]]);
    // " ".join(['b', 'a', ' ', 'a'])
    assert.deepEqual(tok.sequencesToTexts([[2, 1, 4, 1]]), ['b a   a']);
  });

  it('splits astral characters as one token, like iterating a Python str', () => {
    const tok = new Tokenizer({ charLevel: true });
    tok.fitOnTexts(['😀😀x']);
    assert.deepEqual(Array.from(tok.wordIndex), [['😀', 1], ['x', 2]]);
    assert.deepEqual(tok.textsToSequences(['x😀']), [[2, 1]]);
  });

  it('uses OOV for unknown characters', () => {
    const tok = new Tokenizer({ charLevel: true, oovToken: '?', lower: false });
    tok.fitOnTexts(['abA']); // sorted_voc ['?', a, b, A]
    assert.deepEqual(tok.textsToSequences(['Abc']), [[4, 3, 1]]);
  });
});

describe('Tokenizer normalize', () => {
  it("'NFKC' folds compatibility characters before lower-casing and filtering", () => {
    const tok = new Tokenizer({ normalize: 'NFKC' });
    // NFKC: fullwidth 'ＨＥＬＬＯ！' -> 'HELLO!', ligature 'ﬁ' -> 'fi', 'ℌi' -> 'Hi'; then lower + filters.
    tok.fitOnTexts(['ＨＥＬＬＯ！ ﬁne ℌi']);
    assert.deepEqual(Array.from(tok.wordIndex), [['hello', 1], ['fine', 2], ['hi', 3]]);
    assert.deepEqual(tok.textsToSequences([['ＨＩ']]), [[3]]);
  });

  it("'none' (default) is Keras: fullwidth text is only lower-cased", () => {
    const tok = new Tokenizer();
    // 'ＨＥＬＬＯ！'.lower() == 'ｈｅｌｌｏ！' and '！' (U+FF01) is not a filter; 'ﬁ' and 'ℌ' have no lowercase.
    tok.fitOnTexts(['ＨＥＬＬＯ！ ﬁne ℌi']);
    assert.deepEqual(Array.from(tok.wordIndex.keys()), ['ｈｅｌｌｏ！', 'ﬁne', 'ℌi']);
  });

  it('validates options', () => {
    assert.throws(() => new Tokenizer({ normalize: 'NFC' as 'NFKC' }), TypeError);
    assert.throws(() => new Tokenizer({ numWords: -1 }), RangeError);
    assert.throws(() => new Tokenizer({ split: '' }), TypeError);
  });
});

describe('Tokenizer.fitOnSequences', () => {
  it('adds documents and per-index document counts (fit_on_sequences)', () => {
    const tok = new Tokenizer();
    tok.fitOnTexts(['a b a']); // a1 b2; index_docs {1: 1, 2: 1}
    // document_count += 2; set([1, 1, 2]) -> 1, 2 get +1; set([2]) -> 2 gets +1.
    tok.fitOnSequences([[1, 1, 2], [2]]);
    assert.equal(tok.documentCount, 3);
    assert.deepEqual(sortedEntries(tok.indexDocs), [[1, 2], [2, 3]]);
  });
});

describe('Tokenizer JSON', () => {
  it('round-trips all state, including key order, integer-like and __proto__ keys', () => {
    const tok = new Tokenizer({ numWords: 3, oovToken: '<unk>', filters: '.' });
    tok.fitOnTexts(['10 2 b 2 10 a __proto__.']);
    const restored = Tokenizer.fromJSON(JSON.stringify(tok));
    assert.deepEqual(restored.toJSON(), tok.toJSON());
    assert.deepEqual(Array.from(restored.wordCounts.keys()), ['10', '2', 'b', 'a', '__proto__']);
    assert.equal(restored.documentCount, 1);
    assert.deepEqual(restored.config, tok.config);
    assert.deepEqual(restored.textsToSequences(['a 10 zzz']), tok.textsToSequences(['a 10 zzz']));
    // Further fitting breaks ties identically because word_counts kept its order.
    tok.fitOnTexts(['a']);
    restored.fitOnTexts(['a']);
    assert.deepEqual(Array.from(restored.wordIndex), Array.from(tok.wordIndex));
  });

  it('rejects foreign documents', () => {
    assert.throws(() => Tokenizer.fromJSON('{"format":"other"}'), TypeError);
    const bad = { ...new Tokenizer().toJSON(), wordIndex: [['a', 'x']] };
    assert.throws(() => Tokenizer.fromJSON(bad as never), /wordIndex/);
  });

  it('toKerasJSON equals Python `Tokenizer.to_json()` byte for byte (get_config / to_json)', () => {
    const tok = new Tokenizer();
    tok.fitOnTexts(['b a b']); // word_counts {b: 2, a: 1}; word_index {b: 1, a: 2}
    // json.dumps({"class_name": "Tokenizer", "config": get_config()}); nested maps are json.dumps
    // strings, int keys become "1"; the Python set order of word_docs is arbitrary, here b, a.
    const expected =
      '{"class_name": "Tokenizer", "config": {"num_words": null, ' +
      '"filters": "!\\"#$%&()*+,-./:;<=>?@[\\\\]^_`{|}~\\t\\n", "lower": true, "split": " ", ' +
      '"char_level": false, "oov_token": null, "document_count": 1, ' +
      '"word_counts": "{\\"b\\": 2, \\"a\\": 1}", "word_docs": "{\\"b\\": 1, \\"a\\": 1}", ' +
      '"index_docs": "{\\"1\\": 1, \\"2\\": 1}", "index_word": "{\\"1\\": \\"b\\", \\"2\\": \\"a\\"}", ' +
      '"word_index": "{\\"b\\": 1, \\"a\\": 2}"}}';
    assert.equal(tok.toKerasJSON(), expected);
  });

  it('toKerasJSON escapes non-ASCII like json.dumps(ensure_ascii=True)', () => {
    const tok = new Tokenizer({ charLevel: true });
    tok.fitOnTexts(['é😀']);
    // inner json.dumps: {"\u00e9": 1, "\ud83d\ude00": 1}; the outer dumps escapes those backslashes.
    assert.ok(tok.toKerasJSON().includes('"word_counts": "{\\"\\\\u00e9\\": 1, \\"\\\\ud83d\\\\ude00\\": 1}"'));
    assert.deepEqual(Array.from(Tokenizer.fromKerasJSON(tok.toKerasJSON()).wordIndex), [['é', 1], ['😀', 2]]);
  });

  it('fromKerasJSON loads Python output, keeping word_counts order, and writes it back unchanged', () => {
    // What Python prints for Tokenizer(num_words=3, oov_token='<unk>').fit_on_texts(['10 2 b 2 10 a']):
    // counts 10:2, 2:2, b:1, a:1 -> sorted_voc ['<unk>', '10', '2', 'b', 'a'].
    const keras =
      '{"class_name": "Tokenizer", "config": {"num_words": 3, ' +
      '"filters": "!\\"#$%&()*+,-./:;<=>?@[\\\\]^_`{|}~\\t\\n", "lower": true, "split": " ", ' +
      '"char_level": false, "oov_token": "<unk>", "document_count": 1, ' +
      '"word_counts": "{\\"10\\": 2, \\"2\\": 2, \\"b\\": 1, \\"a\\": 1}", ' +
      '"word_docs": "{\\"b\\": 1, \\"2\\": 1, \\"10\\": 1, \\"a\\": 1}", ' +
      '"index_docs": "{\\"4\\": 1, \\"3\\": 1, \\"2\\": 1, \\"5\\": 1}", ' +
      '"index_word": "{\\"1\\": \\"<unk>\\", \\"2\\": \\"10\\", \\"3\\": \\"2\\", \\"4\\": \\"b\\", \\"5\\": \\"a\\"}", ' +
      '"word_index": "{\\"<unk>\\": 1, \\"10\\": 2, \\"2\\": 3, \\"b\\": 4, \\"a\\": 5}"}}';
    const tok = Tokenizer.fromKerasJSON(keras);
    assert.equal(tok.numWords, 3);
    assert.equal(tok.oovToken, '<unk>');
    assert.deepEqual(Array.from(tok.wordCounts.keys()), ['10', '2', 'b', 'a']);
    // T2S: a(5) >= 3 -> 1; 10 -> 2; zzz -> 1; 2(3) >= 3 -> 1.
    assert.deepEqual(tok.textsToSequences(['a 10 zzz 2']), [[1, 2, 1, 1]]);
    assert.equal(tok.toKerasJSON(), keras);
    // Refit: a becomes 2; stable sort over [10:2, 2:2, b:1, a:2] -> 10, 2, a, b.
    tok.fitOnTexts(['a']);
    assert.deepEqual(Array.from(tok.wordIndex), [['<unk>', 1], ['10', 2], ['2', 3], ['a', 4], ['b', 5]]);
  });

  it('toKerasJSON refuses NFKC tokenizers, which Keras cannot reproduce', () => {
    assert.throws(() => new Tokenizer({ normalize: 'NFKC' }).toKerasJSON(), /normalize/);
  });
});

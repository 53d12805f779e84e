import type { RawValue } from '../plugin/contracts.js';

/**
 * One column of a table, held compactly: numbers in a Float64Array, repeated strings as Int32 codes into a
 * strings table, anything else as a plain array. `undefined` is an absent JSONL key, `null` a missing value.
 */
export interface Column {
  get(index: number): RawValue | undefined;
  /**
   * For a column that stores numbers: the finite number, undefined when the cell is missing (or not finite),
   * null when the cell is kept as written (an exception): the caller then parses `get`.
   */
  number?(index: number): number | undefined | null;
}

const NULL_CODE = -1;
const ABSENT_CODE = -2;
/** A column with more distinct strings than this stops keeping a dictionary (ids, free text). */
const MAX_DICTIONARY = 1 << 16;
const INITIAL_CAPACITY = 1024;
/** A numeric column keeps up to this many non-numbers as exceptions, or one in EXCEPTION_SHARE rows if more. */
const MIN_EXCEPTIONS = 64;
const EXCEPTION_SHARE = 64;

/** `formats` code of a cell written as String(value); code k + 1 means value.toFixed(k). */
const PLAIN_FORMAT = 0;
const MAX_FIXED_DIGITS = 100;

/**
 * How a CSV cell can be stored as a double and written back exactly: PLAIN_FORMAT when String(Number(text))
 * gives it back ("12.5"), k + 1 when toFixed(k) does ("12.300", "-0.50"), or -1 when neither does ("007",
 * "1e5", " 12", "0x1a", "NaN"): such a cell stays text.
 */
export function numberFormatOf(text: string, value: number): number {
  if (text.length > 40 || Number.isNaN(value)) return -1;
  if (String(value) === text) return PLAIN_FORMAT;
  const point = text.indexOf('.');
  const digits = point < 0 ? 0 : text.length - point - 1;
  return digits <= MAX_FIXED_DIGITS && value.toFixed(digits) === text ? digits + 1 : -1;
}

class NumberColumn implements Column {
  constructor(
    private readonly values: Float64Array,
    private readonly absent: Uint8Array | undefined,
    private readonly asText: boolean,
    private readonly formats: Uint8Array | undefined,
    private readonly exceptions: ReadonlyMap<number, RawValue>,
  ) {}

  get(index: number): RawValue | undefined {
    const value = this.values[index];
    if (Number.isNaN(value)) return this.absent?.[index] ? undefined : (this.exceptions.get(index) ?? null);
    if (!this.asText) return value;
    const format = this.formats ? this.formats[index] : PLAIN_FORMAT;
    return format === PLAIN_FORMAT ? String(value) : value.toFixed(format - 1);
  }

  number(index: number): number | undefined | null {
    const value = this.values[index];
    if (Number.isFinite(value)) return value;
    return Number.isNaN(value) && this.exceptions.has(index) ? null : undefined;
  }
}

class CodeColumn implements Column {
  constructor(private readonly codes: Int32Array, private readonly strings: readonly string[]) {}

  get(index: number): RawValue | undefined {
    const code = this.codes[index];
    return code >= 0 ? this.strings[code] : code === NULL_CODE ? null : undefined;
  }
}

class ValueColumn implements Column {
  constructor(private readonly values: readonly (RawValue | undefined)[]) {}

  get(index: number): RawValue | undefined {
    return this.values[index];
  }
}

type Mode = 'numbers' | 'codes' | 'values';

function grow<T extends Float64Array | Int32Array | Uint8Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const bigger = new (array.constructor as new (n: number) => T)(Math.max(needed, array.length * 2));
  bigger.set(array);
  return bigger;
}

/**
 * Collects one column row by row. It starts as numbers (a few other values are kept aside as exceptions)
 * and falls back to codes (strings) and then to plain values (mixed types, too many distinct strings),
 * converting what it holds so every value reads back exactly as it was appended.
 */
export class ColumnBuilder {
  private mode: Mode = 'numbers';
  private length = 0;
  private numbers = new Float64Array(INITIAL_CAPACITY);
  private absent: Uint8Array | undefined;
  private formats: Uint8Array | undefined;
  private holdsNumbers = false;
  /** Numbers mode: the few cells that are not numbers (a "n/a", a "-0.000"), kept as written. */
  private exceptions = new Map<number, RawValue>();
  private codes = new Int32Array(0);
  private dictionary = new Map<string, number>();
  private strings: string[] = [];
  private values: (RawValue | undefined)[] = [];

  /** @param textCells CSV: every value is a string (or null), and numbers read back as the original text. */
  constructor(private readonly textCells: boolean) {}

  /** Pads the column with absent values up to `length` rows (a JSONL key first seen late). */
  padTo(length: number): void {
    while (this.length < length) this.append(undefined);
  }

  append(value: RawValue | undefined): void {
    if (this.mode === 'numbers') {
      if (value === null || value === undefined) return this.appendNumber(NaN, value === undefined, PLAIN_FORMAT);
      if (typeof value === 'number' && !this.textCells) {
        this.holdsNumbers = true;
        return this.appendNumber(value, false, PLAIN_FORMAT);
      }
      if (typeof value === 'string' && this.textCells) {
        const number = Number(value);
        const format = numberFormatOf(value, number);
        if (format >= 0) {
          this.holdsNumbers = true;
          return this.appendNumber(number, false, format);
        }
      }
      if (this.exceptions.size < Math.max(MIN_EXCEPTIONS, this.length / EXCEPTION_SHARE)) {
        this.exceptions.set(this.length, value);
        return this.appendNumber(NaN, false, PLAIN_FORMAT);
      }
      // JSONL numbers cannot become codes: a column holding numbers and strings keeps both as they are.
      this.switchMode(typeof value === 'string' && (this.textCells || !this.holdsNumbers) ? 'codes' : 'values');
    }
    if (this.mode === 'codes') {
      if (value === null || value === undefined) return this.appendCode(value === null ? NULL_CODE : ABSENT_CODE);
      if (typeof value === 'string') {
        let code = this.dictionary.get(value);
        if (code === undefined) {
          if (this.strings.length >= MAX_DICTIONARY) {
            this.switchMode('values');
            return this.append(value);
          }
          code = this.strings.length;
          this.strings.push(value);
          this.dictionary.set(value, code);
        }
        return this.appendCode(code);
      }
      this.switchMode('values');
    }
    this.values.push(value);
    this.length++;
  }

  build(): Column {
    if (this.mode === 'numbers') {
      return new NumberColumn(
        this.numbers.slice(0, this.length),
        this.absent?.slice(0, this.length),
        this.textCells,
        this.formats?.slice(0, this.length),
        this.exceptions,
      );
    }
    if (this.mode === 'codes') return new CodeColumn(this.codes.slice(0, this.length), this.strings);
    return new ValueColumn(this.values);
  }

  private appendNumber(value: number, absent: boolean, format: number): void {
    this.numbers = grow(this.numbers, this.length + 1);
    this.numbers[this.length] = value;
    if (format !== PLAIN_FORMAT || this.formats) {
      this.formats = grow(this.formats ?? new Uint8Array(this.numbers.length), this.numbers.length);
      this.formats[this.length] = format;
    }
    if (absent) {
      this.absent = grow(this.absent ?? new Uint8Array(this.numbers.length), this.numbers.length);
      this.absent[this.length] = 1;
    }
    this.length++;
  }

  private appendCode(code: number): void {
    this.codes = grow(this.codes, this.length + 1);
    this.codes[this.length] = code;
    this.length++;
  }

  private current(): (RawValue | undefined)[] {
    const column = this.build();
    return Array.from({ length: this.length }, (_, i) => column.get(i));
  }

  private switchMode(mode: Mode): void {
    const old = this.current();
    this.length = 0;
    this.numbers = new Float64Array(0);
    this.absent = undefined;
    this.formats = undefined;
    this.exceptions = new Map();
    this.mode = mode;
    if (mode === 'codes') this.codes = new Int32Array(Math.max(INITIAL_CAPACITY, old.length * 2));
    else {
      this.dictionary = new Map();
      this.strings = [];
      this.codes = new Int32Array(0);
    }
    for (const value of old) this.append(value);
  }
}

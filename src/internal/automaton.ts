/**
 * The pattern automaton behind `forbiddenWords` / `abortOn`: Aho–Corasick over UTF-16
 * code units, built once per pattern set and shared by every stream that uses the set
 * (a stream keeps only a {@link ScanState}). Memory is sized by the patterns: code units
 * map to a small alphabet of the units the patterns use (a two-level table: one 256-entry
 * block per high byte that occurs), and the automaton is a dense DFA over that alphabet
 * (`states × alphabet` entries), or, for very large sets, a trie with failure links and
 * sparse rows.
 */

/** Dense DFA tables above this many entries (16 MB) use the sparse form instead. */
const MAX_DENSE_ENTRIES = 1 << 22;

/** One stream's position in the automaton, and the last match. */
export interface ScanState {
  state: number;
  /** Index of the matched pattern (after `scan` returned true). */
  pattern: number;
  /** Units of the scanned text up to and including the match's last unit. */
  end: number;
}

/** What `abortOn` needs from an automaton. */
export interface PatternAutomaton {
  /** 'dense' (a DFA over the alphabet) or 'sparse' (trie + failure links). */
  readonly kind: 'dense' | 'sparse';
  /** Length of each pattern, UTF-16 units. */
  readonly lengths: Int32Array;
  /** The text must be case-folded before `scan` (case-insensitive sets with cased astral letters). */
  readonly foldsText: boolean;
  /** Bytes held by the tables (shared by every stream). */
  readonly bytes: number;
  /** A fresh per-stream state at the root. */
  start(): ScanState;
  /** Feeds `text`; true at the first match (`st.pattern`, `st.end`), else false with `st.state` advanced. */
  scan(text: string, st: ScanState): boolean;
  /** Length of the longest suffix of the text scanned so far that is a pattern prefix (what must be held back). */
  depth(st: ScanState): number;
}

const foldCache = new Map<number, string>();

/** The fold of one code point, keeping its UTF-16 length (see `AbortOnOptions.caseInsensitive`). */
function foldCodePoint(cp: number): string {
  const original = String.fromCodePoint(cp);
  const width = original.length;
  const full = original.toUpperCase().toLowerCase();
  if (full.length === width) return full;
  const lower = original.toLowerCase();
  return lower.length === width ? lower : original;
}

/** Case-folds per code point, keeping each code point's UTF-16 length. */
export function foldText(text: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x41 || (c > 0x5a && c < 0x80)) continue; // ASCII that folds to itself
    if (c >= 0x41 && c <= 0x5a) {
      out += text.slice(start, i) + String.fromCharCode(c + 32);
      start = i + 1;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    let folded = foldCache.get(cp);
    if (folded === undefined) {
      folded = foldCodePoint(cp);
      if (foldCache.size < 4096) foldCache.set(cp, folded);
    }
    out += text.slice(start, i) + folded;
    i += width - 1;
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

let preimages: Map<number, number[]> | undefined;

/** For each BMP unit that other units fold to, those units (computed once per process, on first need). */
function foldPreimages(): Map<number, number[]> {
  if (preimages) return preimages;
  preimages = new Map();
  // Only a unit that changes under case mapping can fold to another: find those with one RegExp scan.
  const parts: string[] = [];
  for (let u = 0; u < 0x10000; u += 4096) {
    const units: number[] = [];
    for (let v = u; v < u + 4096; v++) units.push(v >= 0xd800 && v <= 0xdfff ? 0x20 : v);
    parts.push(String.fromCharCode(...units));
  }
  for (const m of parts.join('').matchAll(/\p{Changes_When_Casemapped}/gu)) {
    const u = m[0].charCodeAt(0);
    const f = foldCodePoint(u).charCodeAt(0);
    if (f === u) continue;
    const list = preimages.get(f);
    if (list) list.push(u);
    else preimages.set(f, [u]);
  }
  return preimages;
}

/** True when some other code point folds to or from `cp` (a cased letter). */
function isCased(cp: number): boolean {
  const s = String.fromCodePoint(cp);
  return s.toUpperCase() !== s || s.toLowerCase() !== s;
}

/**
 * Builds the automaton of `patterns` (non-empty strings; duplicates allowed, the first
 * wins). `caseInsensitive`: text and patterns are compared folded (`foldText`); BMP units
 * are folded by the alphabet table itself, so the text is only folded per chunk when a
 * pattern has a cased astral letter. `form`: the table form; by default dense while its
 * table has at most MAX_DENSE_ENTRIES entries, sparse beyond (both answer alike).
 */
export function buildAutomaton(patterns: readonly string[], caseInsensitive: boolean, form?: 'dense' | 'sparse'): PatternAutomaton {
  const words = caseInsensitive ? patterns.map(foldText) : patterns;
  const alphabet = alphabetOf(words, caseInsensitive);
  const trie = trieOf(words, alphabet.classOfUnit);
  const { fail, out, order } = failureLinks(trie);
  const lengths = Int32Array.from(patterns, (p) => p.length);
  const depth = Int32Array.from(trie.depths);
  const { blockOf, classes, K, foldsText } = alphabet;
  const tableBytes = blockOf.byteLength + classes.byteLength + depth.byteLength * 2 + lengths.byteLength;
  const dense = form ? form === 'dense' : trie.children.length * K <= MAX_DENSE_ENTRIES;
  if (dense) {
    const delta = denseTable(trie.children, K, fail, out, order);
    return new DenseAutomaton(lengths, foldsText, tableBytes + delta.byteLength, blockOf, classes, delta, K, depth, out);
  }
  const { root, rowStart, edgeClass, edgeTo } = sparseRows(trie.children, K);
  const bytes = tableBytes + rowStart.byteLength + edgeClass.byteLength + edgeTo.byteLength + root.byteLength + fail.byteLength;
  return new SparseAutomaton(lengths, foldsText, bytes, blockOf, classes, root, rowStart, edgeClass, edgeTo, fail, depth, out);
}

interface Alphabet {
  /** The class of each unit the patterns use (folded when case-insensitive). */
  classOfUnit: Map<number, number>;
  /** Classes plus one (class 0 is every unit no pattern uses). */
  K: number;
  /** `classes[(blockOf[u >>> 8] << 8) | (u & 0xff)]`: the class of unit `u`, its case variants included. */
  blockOf: Uint16Array;
  classes: Uint16Array;
  /** A pattern has a cased astral letter: the text must be folded per chunk. */
  foldsText: boolean;
}

/** The alphabet: one class per unit the patterns use, and a two-level table from any unit to its class. */
function alphabetOf(words: readonly string[], caseInsensitive: boolean): Alphabet {
  let foldsText = false;
  const classOfUnit = new Map<number, number>();
  for (const w of words) {
    for (let i = 0; i < w.length; i++) {
      const c = w.charCodeAt(i);
      if (!classOfUnit.has(c)) classOfUnit.set(c, classOfUnit.size + 1);
      if (caseInsensitive && c >= 0xd800 && c <= 0xdbff && !foldsText) foldsText = isCased(w.codePointAt(i)!);
    }
  }
  const K = classOfUnit.size + 1;
  const unitClasses = new Map(classOfUnit);
  if (caseInsensitive) {
    const pre = foldPreimages();
    for (const [unit, cls] of classOfUnit) for (const u of pre.get(unit) ?? []) if (!unitClasses.has(u)) unitClasses.set(u, cls);
  }
  const blockOf = new Uint16Array(256);
  let blocks = 1;
  for (const u of unitClasses.keys()) if (blockOf[u >>> 8] === 0) blockOf[u >>> 8] = blocks++;
  const classes = new Uint16Array(blocks * 256);
  for (const [u, cls] of unitClasses) classes[(blockOf[u >>> 8] << 8) | (u & 0xff)] = cls;
  return { classOfUnit, K, blockOf, classes, foldsText };
}

interface Trie {
  children: Array<Map<number, number>>;
  depths: number[];
  /** The first pattern spelled exactly by a state, else -1. */
  own: number[];
}

/** The trie of the patterns, over classes. */
function trieOf(words: readonly string[], classOfUnit: Map<number, number>): Trie {
  const children: Array<Map<number, number>> = [new Map()];
  const depths: number[] = [0];
  const own: number[] = [-1];
  words.forEach((w, index) => {
    let s = 0;
    for (let i = 0; i < w.length; i++) {
      const cls = classOfUnit.get(w.charCodeAt(i))!;
      let t = children[s].get(cls);
      if (t === undefined) {
        t = children.length;
        children.push(new Map());
        depths.push(depths[s] + 1);
        own.push(-1);
        children[s].set(cls, t);
      }
      s = t;
    }
    if (own[s] < 0) own[s] = index;
  });
  return { children, depths, own };
}

/** Failure links in BFS order; out = the longest pattern ending at a state (own, else via its failure link). */
function failureLinks({ children, own }: Trie): { fail: Int32Array; out: Int32Array; order: number[] } {
  const n = children.length;
  const fail = new Int32Array(n);
  const out = new Int32Array(n).fill(-1);
  const order: number[] = [0];
  for (let q = 0; q < order.length; q++) {
    const s = order[q];
    for (const [cls, t] of children[s]) {
      if (s !== 0) {
        let f = fail[s];
        while (f !== 0 && !children[f].has(cls)) f = fail[f];
        const g = children[f].get(cls);
        fail[t] = g !== undefined && g !== t ? g : 0;
      }
      out[t] = own[t] >= 0 ? own[t] : out[fail[t]];
      order.push(t);
    }
  }
  return { fail, out, order };
}

/** delta[s·K + cls] = (t·K) << 1 | (a pattern ends at t) */
function denseTable(children: Array<Map<number, number>>, K: number, fail: Int32Array, out: Int32Array, order: number[]): Int32Array {
  const delta = new Int32Array(children.length * K);
  for (const s of order) {
    // A state's row is its failure state's row (already complete: BFS order) plus its own edges.
    const base = s * K;
    if (s !== 0) delta.copyWithin(base, fail[s] * K, fail[s] * K + K);
    for (const [cls, t] of children[s]) delta[base + cls] = ((t * K) << 1) | (out[t] >= 0 ? 1 : 0);
  }
  return delta;
}

/** Sparse rows: each state's own transitions, sorted by class; the root's dense. */
function sparseRows(children: Array<Map<number, number>>, K: number): { root: Int32Array; rowStart: Int32Array; edgeClass: Uint16Array; edgeTo: Int32Array } {
  const n = children.length;
  const rowStart = new Int32Array(n + 1);
  const edges: Array<[number, number]> = [];
  for (let s = 0; s < n; s++) {
    rowStart[s] = edges.length;
    for (const e of [...children[s]].sort((a, b) => a[0] - b[0])) edges.push(e);
  }
  rowStart[n] = edges.length;
  const edgeClass = Uint16Array.from(edges, (e) => e[0]);
  const edgeTo = Int32Array.from(edges, (e) => e[1]);
  const root = new Int32Array(K);
  for (const [cls, t] of children[0]) root[cls] = t;
  return { root, rowStart, edgeClass, edgeTo };
}

class DenseAutomaton implements PatternAutomaton {
  readonly kind = 'dense' as const;
  constructor(
    readonly lengths: Int32Array,
    readonly foldsText: boolean,
    readonly bytes: number,
    private readonly blockOf: Uint16Array,
    private readonly classes: Uint16Array,
    private readonly delta: Int32Array,
    private readonly K: number,
    private readonly depths: Int32Array,
    private readonly out: Int32Array,
  ) {}

  start(): ScanState {
    return { state: 0, pattern: -1, end: 0 };
  }

  scan(text: string, st: ScanState): boolean {
    const { blockOf, classes, delta } = this;
    let s = st.state;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const v = delta[s + classes[(blockOf[c >>> 8] << 8) | (c & 0xff)]];
      s = v >> 1;
      if ((v & 1) !== 0) {
        st.state = s;
        st.pattern = this.out[s / this.K];
        st.end = i + 1;
        return true;
      }
    }
    st.state = s;
    return false;
  }

  depth(st: ScanState): number {
    return this.depths[st.state / this.K];
  }
}

class SparseAutomaton implements PatternAutomaton {
  readonly kind = 'sparse' as const;
  constructor(
    readonly lengths: Int32Array,
    readonly foldsText: boolean,
    readonly bytes: number,
    private readonly blockOf: Uint16Array,
    private readonly classes: Uint16Array,
    private readonly root: Int32Array,
    private readonly rowStart: Int32Array,
    private readonly edgeClass: Uint16Array,
    private readonly edgeTo: Int32Array,
    private readonly fail: Int32Array,
    private readonly depths: Int32Array,
    private readonly out: Int32Array,
  ) {}

  start(): ScanState {
    return { state: 0, pattern: -1, end: 0 };
  }

  scan(text: string, st: ScanState): boolean {
    const { blockOf, classes, root, rowStart, edgeClass, edgeTo, fail, out } = this;
    let s = st.state;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const cls = classes[(blockOf[c >>> 8] << 8) | (c & 0xff)];
      for (;;) {
        if (s === 0) {
          s = cls === 0 ? 0 : root[cls];
          break;
        }
        let t = -1;
        if (cls !== 0) {
          for (let e = rowStart[s], end = rowStart[s + 1]; e < end; e++) {
            if (edgeClass[e] === cls) {
              t = edgeTo[e];
              break;
            }
            if (edgeClass[e] > cls) break;
          }
        }
        if (t >= 0) {
          s = t;
          break;
        }
        s = fail[s];
      }
      if (out[s] >= 0) {
        st.state = s;
        st.pattern = out[s];
        st.end = i + 1;
        return true;
      }
    }
    st.state = s;
    return false;
  }

  depth(st: ScanState): number {
    return this.depths[st.state];
  }
}

// POSIX regular expressions (basic and extended), translated to JavaScript RegExps: the one
// regular-expression engine of grep and pgrep/pkill. The parser follows glibc's regcomp
// (posix/regcomp.c), whose errors and regerror() messages GNU grep and procps give; each
// dialect is a set of the syntax bits in which glibc's RE_SYNTAX_* definitions differ. GNU
// grep reads a pattern twice, with glibc's regcomp for its errors and with its own dfa for
// what matches: the grep dialects give glibc's errors (then the dfa's own) and dfa's matches.
// tests/commands/regex_prop_test.ts holds the translation against GNU grep and glibc.
//
// Where POSIX and JavaScript differ, the translation says what POSIX means:
// - Everything is matched byte by byte, as in the C locale: patterns and subjects go through
//   toByteString (UTF-8 bytes, one char each), and every literal is written as \xHH, so no
//   JavaScript-only syntax (`(?`, `\d`, `\k<...>`) can leak through: `\d` is a `d`, and
//   `(?:a)` is a group whose `?` repeats nothing.
// - Bracket expressions: `]` first is literal, backslash is literal, `[:class:]` (the C
//   locale's classes), `[=c=]` and `[.c.]` of one character; a range must not go backwards.
// - `.` is any byte but newline (grep) or any byte (regcomp); `[^...]` likewise.
// - Repetitions stack (`a**`, `a{2}{3}`), which JavaScript rejects, and GNU grep's may repeat
//   an anchor (`a\>*b`). With only anchors before it in its branch, a repetition is literal
//   (BRE), repeats the anchor or nothing with GNU grep's warning (grep -E), or is an error
//   (regcomp).
// - `{` that does not start a valid interval: an error (basic expressions, regcomp), or a
//   literal `{` (GNU grep -E, RE_INVALID_INTERVAL_ORD).
// - GNU's operators, which both GNU grep and glibc's regcomp have: `\w \W \s \S \b \B \< \>
//   \` \'`, and in basic expressions `\+ \? \|`. Back-references `\1`..`\9` to a closed group.
// - Leftmost-longest (POSIX) against leftmost-first (JavaScript) changes only which text
//   matches, never whether a line matches: grep and pgrep only ask the latter.

/** The syntax bits in which the dialects differ (glibc's RE_* flags, by meaning). */
export interface Syntax {
  /** ERE (`(`, `|`, `{`, `+`, `?` are operators) or BRE (their backslashed forms are). */
  extended: boolean;
  /** A repetition operator with nothing to repeat: literal (BRE), repeats nothing with GNU
   * grep's warning (grep -E), or the error "Invalid preceding regular expression" (regcomp). */
  leadingRepetition: "literal" | "warn" | "error";
  /** RE_INVALID_INTERVAL_ORD: a `{` that starts no valid interval is a literal `{`. */
  invalidIntervalIsLiteral: boolean;
  /** RE_DOT_NEWLINE and not RE_HAT_LISTS_NOT_NEWLINE: `.` and `[^x]` match a newline. */
  dotMatchesNewline: boolean;
  /** GNU grep's dfa: `[:space:]` is an error ("character class syntax is ..."). */
  bareClassIsError: boolean;
  /** glibc's matcher decides what matches (regcomp), not GNU grep's dfa (grep). With
   * REG_ICASE glibc reads the pattern upper cased, and so the ends of a range (`[a-[]` is
   * `[A-[]`), but an escaped lower-case letter that is no operator (`\a`) as written: it
   * never equals the upper-cased text. */
  glibcMatcher: boolean;
}

/** GNU grep's basic expressions (grep, grep -G): RE_SYNTAX_GREP. */
export const GREP_BASIC: Syntax = {
  extended: false,
  leadingRepetition: "literal",
  invalidIntervalIsLiteral: false,
  dotMatchesNewline: false,
  bareClassIsError: true,
  glibcMatcher: false,
};

/** GNU grep's extended expressions (grep -E): RE_SYNTAX_EGREP. */
export const GREP_EXTENDED: Syntax = {
  extended: true,
  leadingRepetition: "warn",
  invalidIntervalIsLiteral: true,
  dotMatchesNewline: false,
  bareClassIsError: true,
  glibcMatcher: false,
};

/** regcomp(REG_EXTENDED), as procps's pgrep compiles its pattern: RE_SYNTAX_POSIX_EXTENDED. */
export const POSIX_EXTENDED: Syntax = {
  extended: true,
  leadingRepetition: "error",
  invalidIntervalIsLiteral: false,
  dotMatchesNewline: true,
  bareClassIsError: false,
  glibcMatcher: true,
};

/** A pattern regcomp rejects; the message is regerror()'s (GNU grep's, where it differs). */
export class RegexError extends Error {}

// regerror()'s texts, as glibc has them.
const BADPAT = "Invalid regular expression";
const EBRACK = "Unmatched [, [^, [:, [., or [=";
const EPAREN = "Unmatched ( or \\(";
const ERPAREN = "Unmatched ) or \\)";
const EBRACE = "Unmatched \\{";
const BADBR = "Invalid content of \\{\\}";
const BADRPT = "Invalid preceding regular expression";
const ERANGE = "Invalid range end";
const ECTYPE = "Invalid character class name";
const ECOLLATE = "Invalid collation character";
const EESCAPE = "Trailing backslash";
const ESUBREG = "Invalid back reference";
const ESIZE = "Regular expression too big";

/** glibc's RE_DUP_MAX: the largest count an interval may have. */
const RE_DUP_MAX = 0x7fff;

const encoder = new TextEncoder();

/** Bytes as a string of one char per byte (what the C locale matches, and what a RegExp of
 * compile() reads). */
export function bytesToString(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return s;
}

/** A string's UTF-8 bytes as a byte string (bytesToString). */
export function toByteString(s: string): string {
  return bytesToString(encoder.encode(s));
}

/** The C locale's character classes, as byte ranges. */
const CLASSES: Readonly<Record<string, [number, number][]>> = {
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  digit: [[0x30, 0x39]],
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  upper: [[0x41, 0x5a]],
  lower: [[0x61, 0x7a]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  print: [[0x20, 0x7e]],
  graph: [[0x21, 0x7e]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

function hex(c: number): string {
  return "\\x" + c.toString(16).padStart(2, "0");
}

/** A JavaScript character class of these byte ranges. */
function charClass(ranges: [number, number][], negated: boolean): string {
  const items = ranges.map(([lo, hi]) => lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`);
  return `[${negated ? "^" : ""}${items.join("")}]`;
}

const WORD = charClass(CLASSES.alnum.concat([[0x5f, 0x5f]]), false);
const NOT_WORD = charClass(CLASSES.alnum.concat([[0x5f, 0x5f]]), true);

/** GNU's backslash operators that are not literals: their JavaScript, and whether they are
 * anchors (Unit.anchor). */
const GNU_OPS: Readonly<Record<string, { js: string; anchor: boolean }>> = {
  w: { js: WORD, anchor: false },
  W: { js: NOT_WORD, anchor: false },
  s: { js: charClass(CLASSES.space, false), anchor: false },
  S: { js: charClass(CLASSES.space, true), anchor: false },
  b: { js: `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`, anchor: true },
  B: { js: `(?:(?<=${WORD})(?=${WORD})|(?<!${WORD})(?!${WORD}))`, anchor: true },
  "<": { js: `(?<!${WORD})(?=${WORD})`, anchor: true },
  ">": { js: `(?<=${WORD})(?!${WORD})`, anchor: true },
  "`": { js: "^", anchor: true },
  "'": { js: "$", anchor: true },
};

/** One piece of a branch: its JavaScript, and whether a repetition applies to it. */
interface Unit {
  js: string;
  /** An anchor: to glibc a repetition after it has nothing to repeat (an error in regcomp's
   * dialect); GNU grep's dfa repeats the anchor (`a\>*b`), which then needs a group. */
  anchor: boolean;
  /** Already repeated: another repetition needs a group around it. */
  repeated: boolean;
}

/** The translation of one pattern: the RegExp source and the warnings GNU grep prints. */
export interface Translation {
  source: string;
  warnings: string[];
}

/** Translates a POSIX regular expression (a byte string: toByteString) to a RegExp source
 * (for a RegExp with the "i" flag if `icase`, REG_ICASE); throws RegexError with regerror()'s
 * message where regcomp fails. */
export function translate(pattern: string, syntax: Syntax, icase = false): Translation {
  return new Parser(pattern, syntax, icase).parse();
}

/** Compiles a POSIX regular expression of text (any string) to a RegExp that matches byte
 * strings (toByteString); `icase` is REG_ICASE. */
export function compile(
  pattern: string,
  syntax: Syntax,
  icase = false,
): { re: RegExp; warnings: string[] } {
  const t = translate(toByteString(pattern), syntax, icase);
  return { re: new RegExp(t.source, icase ? "i" : ""), warnings: t.warnings };
}

/** A fixed string (grep -F) as a RegExp source that matches it byte for byte. */
export function literal(s: string): string {
  return Array.from(s, (c) => hex(c.charCodeAt(0))).join("");
}

/** A RegExp source that must match the whole subject (grep -x). */
export function wholeLine(source: string): string {
  return `^(?:${source})$`;
}

/** A RegExp source whose match must be a whole word: no word character (letter, digit, `_`)
 * right before or after it (grep -w). */
export function wholeWord(source: string): string {
  return `(?<!${WORD})(?:${source})(?!${WORD})`;
}

class Parser {
  #pos = 0;
  #groups = 0;
  readonly #closed = new Set<number>();
  readonly #warnings: string[] = [];
  /** The first error GNU grep's dfa finds where glibc finds none (`[:space:]`, or `\{` after
   * an anchor in a BRE): grep reports it once the whole pattern compiles with glibc. */
  #dfaError: string | null = null;

  constructor(readonly re: string, readonly syntax: Syntax, readonly icase: boolean) {}

  parse(): Translation {
    const source = this.#alternation(0);
    // Only a stray close can stop the top level before the end.
    if (this.#pos < this.re.length) throw new RegexError(ERPAREN);
    if (this.#dfaError !== null) throw new RegexError(this.#dfaError);
    return { source, warnings: this.#warnings };
  }

  #peek(k = 0): string | undefined {
    return this.re[this.#pos + k];
  }

  /** At `|` (ERE) or `\|` (BRE)? */
  #atBar(): boolean {
    return this.syntax.extended
      ? this.#peek() === "|"
      : this.#peek() === "\\" && this.#peek(1) === "|";
  }

  /** At the `)` (ERE) or `\)` (BRE) that closes a group? At depth 0 an ERE `)` is literal
   * (RE_UNMATCHED_RIGHT_PAREN_ORD), a BRE `\)` an error (left to parse()). */
  #atClose(depth: number): boolean {
    if (this.syntax.extended) return depth > 0 && this.#peek() === ")";
    return this.#peek() === "\\" && this.#peek(1) === ")";
  }

  #alternation(depth: number): string {
    const branches = [this.#branch(depth)];
    while (this.#atBar()) {
      this.#pos += this.syntax.extended ? 1 : 2;
      branches.push(this.#branch(depth));
    }
    return branches.join("|");
  }

  #branch(depth: number): string {
    const units: Unit[] = [];
    const start = this.#pos;
    // GNU grep's dfa's "laststart": nothing but anchors so far in this branch. A repetition
    // there is literal (BRE), or repeats the anchor before it, or nothing, with a warning.
    let lastStart = true;
    // Where glibc's parser starts an expression: at the start, after an anchor, or after a
    // `{` it skipped there. grep -E's glibc skips a `{` there, so no interval is an error
    // (`\<{2,1}`, `{{2,1}`); the rest of a valid one is literal text to it (`{1}{2,1}`).
    let glibcStart = true;
    while (this.#pos < this.re.length && !this.#atBar() && !this.#atClose(depth)) {
      const last = units.length > 0 ? units[units.length - 1] : null;
      const at = this.#pos;
      const rep = this.#repetition(last, lastStart, glibcStart);
      if (rep === null) {
        const unit = this.#atom(depth, this.#pos === start);
        units.push(unit);
        if (!unit.anchor) lastStart = false;
        glibcStart = unit.anchor || (glibcStart && this.re[at] === "{");
        continue;
      }
      if (this.re[at] === "{") glibcStart = false;
      if (rep !== "" && last !== null) {
        last.js = (last.repeated || last.anchor ? `(?:${last.js})` : last.js) + rep;
        last.repeated = true;
      }
    }
    return units.map((u) => u.js).join("");
  }

  /**
   * A repetition operator here, after `last` (null: nothing before it in the branch): its
   * JavaScript quantifier; "" for one that repeats nothing (consumed); null if there is none
   * (or it is a literal, left for #atom).
   */
  #repetition(last: Unit | null, lastStart: boolean, glibcStart: boolean): string | null {
    const ext = this.syntax.extended;
    const c = this.#peek();
    let op: string;
    let len: number;
    if (c === "*") {
      op = "*";
      len = 1;
    } else if (ext && (c === "+" || c === "?" || c === "{")) {
      op = c;
      len = 1;
    } else if (!ext && c === "\\" && ["+", "?", "{"].includes(this.#peek(1) ?? "")) {
      op = this.#peek(1)!;
      len = 2;
    } else {
      return null;
    }
    const how = this.syntax.leadingRepetition;
    // glibc: an anchor repeats nothing, so the operator starts an expression (REG_BADRPT).
    if (how === "error" && (last === null || last.anchor)) throw new RegexError(BADRPT);
    // A BRE's operator with only anchors before it is literal: `*`, `\{`, `\+` alike.
    if (how === "literal" && lastStart) return null;
    const save = this.#pos;
    this.#pos += len;
    let quant: string | null = op;
    if (op === "{" && how === "literal" && last !== null && last.anchor) {
      quant = this.#dfaInterval();
    } else if (op === "{") {
      quant = this.#interval(!(glibcStart && how === "warn"));
    }
    if (quant === null) { // an invalid interval taken as a literal `{`
      this.#pos = save;
      return null;
    }
    if (lastStart && how === "warn") {
      this.#warnings.push(`${op === "{" ? "{...}" : op} at start of expression`);
    }
    return last === null ? "" : quant;
  }

  /** A BRE's `\{` after an anchor: glibc takes it as a literal, GNU grep's dfa as an interval
   * (`a\>\{2\}`). An invalid one is dfa's error (see #dfaError), a literal meanwhile. */
  #dfaInterval(): string | null {
    try {
      return this.#interval(true);
    } catch (e) {
      if (!(e instanceof RegexError)) throw e;
      this.#dfaError ??= e.message === ESIZE
        ? "regular expression too big"
        : "invalid content of \\{\\}";
      return null;
    }
  }

  /** One token of an interval: "end", "close" (`}` in an ERE, `\}` in a BRE), or a
   * character; an escaped one is "\\", but `\,` is "," (glibc's fetch_number looks at the
   * character only). */
  #intervalToken(): string {
    if (this.#pos >= this.re.length) return "end";
    const c = this.re[this.#pos++];
    if (c !== "\\") return this.syntax.extended && c === "}" ? "close" : c;
    if (this.#pos >= this.re.length) return "end";
    const e = this.re[this.#pos++];
    if (!this.syntax.extended && e === "}") return "close";
    return e === "," ? "," : "\\";
  }

  /** glibc's fetch_number: the number before `,` or the close (-1: none; -2: not a number,
   * or the end came first), and the token that ended it. */
  #fetchNumber(): { n: number; tok: string } {
    let n = -1;
    for (;;) {
      const tok = this.#intervalToken();
      if (tok === "end") return { n: -2, tok };
      if (tok === "close" || tok === ",") return { n, tok };
      const d = tok.length === 1 && tok >= "0" && tok <= "9" ? tok.charCodeAt(0) - 0x30 : -1;
      n = d < 0 || n === -2 ? -2 : n === -1 ? d : Math.min(RE_DUP_MAX + 1, n * 10 + d);
    }
  }

  /** glibc's parse_dup_op for `{m,n}` (after the `{`): the quantifier, or null where the
   * syntax takes an invalid interval as a literal `{`. Not `strict`: any invalid one is (GNU
   * grep -E where an expression starts: its dfa reads a literal, its glibc skips the `{`). */
  #interval(strict: boolean): string | null {
    if (!strict) {
      try {
        return this.#interval(true);
      } catch (e) {
        if (e instanceof RegexError) return null;
        throw e;
      }
    }
    let { n: min, tok } = this.#fetchNumber();
    let max = -2;
    if (min === -1) {
      if (tok !== ",") throw new RegexError(BADBR); // `{}`
      min = 0; // `{,n}` is `{0,n}`
    }
    if (min !== -2) {
      if (tok === "close") max = min;
      else ({ n: max, tok } = this.#fetchNumber());
    }
    if (min === -2 || max === -2) {
      if (this.syntax.invalidIntervalIsLiteral) return null;
      throw new RegexError(tok === "end" ? EBRACE : BADBR);
    }
    if ((max !== -1 && min > max) || tok !== "close") throw new RegexError(BADBR);
    if ((max === -1 ? min : max) > RE_DUP_MAX) throw new RegexError(ESIZE);
    return max === -1 ? `{${min},}` : min === max ? `{${min}}` : `{${min},${max}}`;
  }

  /** One atom (or anchor) at the current position, consumed. */
  #atom(depth: number, branchStart: boolean): Unit {
    const ext = this.syntax.extended;
    const unit = (js: string, anchor = false): Unit => ({ js, anchor, repeated: false });
    const c = this.re[this.#pos++];
    if (c === "[") return unit(this.#bracket());
    if (c === ".") return unit(this.syntax.dotMatchesNewline ? "[^]" : "[^\\n]");
    if (c === "^" && (ext || branchStart)) return unit("^", true);
    if (c === "$" && (ext || this.#atBranchEnd(depth))) return unit("$", true);
    if (ext && c === "(") return unit(this.#group(depth));
    if (c !== "\\") return unit(hex(c.charCodeAt(0)));
    if (this.#pos >= this.re.length) throw new RegexError(EESCAPE);
    const e = this.re[this.#pos++];
    if (!ext && e === "(") return unit(this.#group(depth));
    if (e >= "1" && e <= "9") {
      if (!this.#closed.has(Number(e))) throw new RegexError(ESUBREG);
      return unit(`\\${e}`);
    }
    if (Object.hasOwn(GNU_OPS, e)) return unit(GNU_OPS[e].js, GNU_OPS[e].anchor);
    if (this.syntax.glibcMatcher && this.icase && e >= "a" && e <= "z") return unit("(?!)");
    return unit(hex(e.charCodeAt(0)));
  }

  /** In a BRE, `$` is an anchor at the end of the pattern, or before `\)` or `\|`. */
  #atBranchEnd(depth: number): boolean {
    return this.#pos >= this.re.length || this.#atBar() || this.#atClose(depth);
  }

  /** A group, after its `(` or `\(`: a capturing group, numbered as POSIX numbers it. */
  #group(depth: number): string {
    const n = ++this.#groups;
    const inner = this.#alternation(depth + 1);
    if (!this.#atClose(depth + 1)) throw new RegexError(EPAREN);
    this.#pos += this.syntax.extended ? 1 : 2;
    this.#closed.add(n);
    return `(${inner})`;
  }

  /** A bracket expression, after its `[`: a JavaScript character class. */
  #bracket(): string {
    const re = this.re;
    const negated = re[this.#pos] === "^";
    if (negated) this.#pos++;
    if (this.#pos >= re.length) throw new RegexError(BADPAT); // `[` or `[^` at the end
    const contentStart = this.#pos;
    const ranges: [number, number][] = [];
    let hasClassOrRange = false;
    let first = true;
    for (;;) {
      if (this.#pos >= re.length) throw new RegexError(EBRACK);
      if (re[this.#pos] === "]" && !first) break;
      // glibc: past the first element, a `-` that starts one must end the list.
      if (!first && re[this.#pos] === "-" && re[this.#pos + 1] !== "]") {
        throw new RegexError(ERANGE);
      }
      first = false;
      const lo = this.#bracketElement();
      if (typeof lo !== "number") { // a class
        ranges.push(...lo);
        hasClassOrRange = true;
        continue;
      }
      if (re[this.#pos] === "-" && this.#pos + 1 >= re.length) throw new RegexError(EBRACK);
      if (re[this.#pos] === "-" && re[this.#pos + 1] !== "]") {
        this.#pos++;
        const hi = this.#bracketElement();
        if (typeof hi !== "number" || this.#rangeKey(hi) < this.#rangeKey(lo)) {
          throw new RegexError(ERANGE);
        }
        if (this.syntax.glibcMatcher) {
          ranges.push([this.#rangeKey(lo), this.#rangeKey(hi)]);
        } else if (lo <= hi) ranges.push([lo, hi]); // else empty: REG_ICASE let it through
        hasClassOrRange = true;
      } else {
        ranges.push([lo, lo]);
      }
    }
    const content = re.slice(contentStart, this.#pos);
    this.#pos++; // the `]`
    if (this.syntax.bareClassIsError && !hasClassOrRange && /^:.*[^:].*:$/s.test(content)) {
      this.#dfaError ??= "character class syntax is [[:space:]], not [:space:]";
    }
    if (negated && !this.syntax.dotMatchesNewline) ranges.push([0x0a, 0x0a]);
    return charClass(ranges, negated);
  }

  /** A range's end as glibc sees it: with REG_ICASE it reads the pattern upper cased (so
   * `[a-\\]` is `[A-\\]`, no error; GNU grep's dfa then matches nothing by it). */
  #rangeKey(c: number): number {
    return this.icase && c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
  }

  /** One element of a bracket expression, consumed: a byte, or a class's ranges. */
  #bracketElement(): number | [number, number][] {
    const re = this.re;
    const c = re[this.#pos];
    const kind = re[this.#pos + 1];
    if (c === "[" && (kind === ":" || kind === "=" || kind === ".")) {
      const end = re.indexOf(kind + "]", this.#pos + 2);
      if (end < 0) throw new RegexError(EBRACK);
      const name = re.slice(this.#pos + 2, end);
      this.#pos = end + 2;
      if (kind === ":") {
        if (!Object.hasOwn(CLASSES, name)) throw new RegexError(ECTYPE);
        return CLASSES[name];
      }
      if (name.length !== 1) throw new RegexError(ECOLLATE);
      return name.charCodeAt(0);
    }
    this.#pos++;
    return c.charCodeAt(0);
  }
}

// The shell's parser (xv6's user/sh.c, lines 260-447, with POSIX's && and ||), as pure
// functions: a command line in, a command tree out, or a ParseError carrying the message sh
// prints. No system calls, no state outside a call, so it is easy to unit-test
// (tests/commands/sh_parse_test.ts) and safe to share.
//
// xv6's grammar with POSIX sh's and-or lists (the precedence of POSIX's grammar: `|` binds
// tightest, then `&&` and `||`, equal and left-associative, then `;` and `&`):
//
//   line  := andor [ ( ';' | '&' ) [ line ] ]
//   andor := pipe ( ( '&&' | '||' ) pipe )*
//   pipe  := exec [ '|' pipe ]
//   exec  := '(' line ')' redirs
//          | redirs ( WORD redirs )*          at most MAXARGS - 1 words, not empty
//   redirs:= ( ('<' | '>' | '>>') WORD )*
//
// A blank line is an empty command. `a && b &` puts the whole and-or list in the background.
// Where xv6 runs an empty command (`; b`, `| b`, `a |`), POSIX sh reports a syntax error, and
// so does this parser: `sh: syntax error: unexpected '|'` (or `unexpected end of line`). The
// errors xv6 has keep xv6's texts: `missing file for redirection`, `syntax - missing )`,
// `syntax` (a `(` among words), `too many args`, and `leftovers: REST` then `syntax` for
// what is left after a complete line (an unmatched `)`, a word after a block).
//
// Beyond xv6, what a shell user expects of a word:
//   - '...' quotes anything but a single quote, literally;
//   - "..." quotes anything, with `$?`, `$NAME` and `${NAME}` expanded and `\"`, `\\`, `\$`
//     escaped; a quote without its end is `sh: syntax error: unterminated quoted string`;
//   - outside quotes a backslash takes the next character literally;
//   - `$?` (the last command's status), `$NAME` and `${NAME}` (a shell variable; unset, it
//     is empty) expand outside quotes and inside double quotes; any other `$` is literal;
//     `${` without its `}` is `sh: syntax error: missing '}'`, a bad name in it
//     `sh: ${NAME}: bad substitution`;
//   - `#` at the start of a word starts a comment that runs to the end of the line
//     (`echo a#b` prints `a#b`, as in sh).
// Parts of one word run together: `a'b c'"$?"` is the one word `ab c0` after a success.
//
// A simple command's leading words of the form NAME=value (NAME unquoted: letters, digits and
// `_`, not starting with a digit) are assignments, kept apart from its words: alone on a
// line they set shell variables; before a command they go into that command's environment.
//
// When a command runs, each word is expanded (`fields`): a variable's value outside double
// quotes is split at blanks (space, tab, newline) into several words, and a word that was
// only such a variable, empty, disappears, as in sh; inside double quotes it stays one word.
// Assignments and redirection file names are expanded without splitting (`expand`).

import { O_APPEND, O_CREATE, O_RDONLY, O_TRUNC, O_WRONLY } from "../../kernel/uapi/fcntl.ts";

/** xv6's MAXARGS: a command has at most MAXARGS - 1 words. */
export const MAXARGS = 10;

/** A piece of a word: literal text, or a variable (`?` for `$?`, the last status), expanded
 * when the command runs; `quoted` when it stands inside double quotes (no field splitting). */
export type WordPart = string | { readonly var: string; readonly quoted: boolean };

/** A word as written: its parts, expanded by `expand` when the command runs. */
export type Word = WordPart[];

/** A redirection: open `file` with `flags` as fd `fd` (0 for `<`, 1 for `>` and `>>`). */
export interface Redir {
  fd: number;
  file: Word;
  flags: number;
}

/** A leading `NAME=value` of a simple command. */
export interface Assign {
  name: string;
  value: Word;
}

/** A simple command: its assignments, its words and its redirections, in the order written
 * (and applied in that order, so that of several redirections of one fd the last one wins, as
 * in every Unix shell; in xv6 each one wraps those before it, and the first one wins). */
export interface ExecCmd {
  type: "exec";
  assigns: Assign[];
  argv: Word[];
  redirs: Redir[];
  /** The command's source text (words and redirections), for running it in a child shell. */
  src: string;
}

/** `( line ) redirs`: `body` is the source text between the parentheses. */
export interface BlockCmd {
  type: "block";
  body: string;
  redirs: Redir[];
  src: string;
}

export interface PipeCmd {
  type: "pipe";
  left: Cmd;
  right: Cmd;
}

/** `left && right` runs right if left succeeds; `left || right` if it fails. */
export interface AndOrCmd {
  type: "&&" | "||";
  left: Cmd;
  right: Cmd;
}

export interface ListCmd {
  type: "list";
  left: Cmd;
  right: Cmd;
}

/** `cmd &`: `src` is cmd's source text (for an and-or list, which runs in a child shell). */
export interface BackCmd {
  type: "back";
  cmd: Cmd;
  src: string;
}

export type Cmd = ExecCmd | BlockCmd | PipeCmd | AndOrCmd | ListCmd | BackCmd;

/** A pipeline stage: a simple command or a block. */
export type Stage = ExecCmd | BlockCmd;

/** A pipeline of an and-or list: its stages, and how it follows the pipeline before it
 * (null for the first). */
export interface Pipeline {
  op: "&&" | "||" | null;
  stages: Stage[];
}

/** What the shell runs, one after the other: an and-or list, in the foreground or not. A
 * job in the background is one pipeline (`a && b &` becomes the block `(a && b) &`). */
export interface Job {
  pipelines: Pipeline[];
  background: boolean;
}

/** A parse error; `message` is what sh prints (followed by a newline) on fd 2. Nothing of
 * the line runs, and `$?` becomes 2, as for a syntax error in sh. */
export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParseError";
  }
}

const WHITESPACE = " \t\r\n\v";
const SYMBOLS = "<|>&;()";

/** A token's kind: an operator as written, "word", or "" at the end of the line. */
type Kind = "|" | "||" | "&" | "&&" | ";" | "(" | ")" | "<" | ">" | ">>" | "word" | "";

/** The operators of two characters: `>>`, `&&`, `||`. */
const DOUBLED = ">&|";

interface Token {
  kind: Kind;
  start: number;
  end: number;
  word: Word;
  /** For a word that starts with an unquoted `NAME=`: NAME (else ""). */
  assign: string;
}

/** A shell variable's name. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ASSIGN = /^[A-Za-z_][A-Za-z0-9_]*=/;
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Whether `s` is a valid variable name. */
export function isName(s: string): boolean {
  return NAME.test(s);
}

/** The NAME of a `NAME=` at src[start], or "". */
function assignName(src: string, start: number): string {
  if (!NAME_START.test(src[start])) return "";
  let j = start + 1;
  while (j < src.length && NAME_CHAR.test(src[j])) j++;
  return src[j] === "=" ? src.slice(start, j) : "";
}

/**
 * A `$` expansion at src[i] (which is '$'): the variable and where it ends, or null when the
 * `$` is literal (not followed by `?`, `{` or a name).
 */
function dollar(src: string, i: number, quoted: boolean): [WordPart, number] | null {
  const c = src[i + 1];
  if (c === "?") return [{ var: "?", quoted }, i + 2];
  if (c === "{") {
    const close = src.indexOf("}", i + 2);
    if (close < 0) throw new ParseError("sh: syntax error: missing '}'");
    const name = src.slice(i + 2, close);
    if (name !== "?" && !isName(name)) throw new ParseError(`sh: \${${name}}: bad substitution`);
    return [{ var: name, quoted }, close + 1];
  }
  if (c === undefined || !NAME_START.test(c)) return null;
  let j = i + 2;
  while (j < src.length && NAME_CHAR.test(src[j])) j++;
  return [{ var: src.slice(i + 1, j), quoted }, j];
}

/** Appends literal text to a word, merging it with a literal part before it. */
function addText(w: Word, s: string): void {
  if (s === "") return;
  const last = w.length - 1;
  if (last >= 0 && typeof w[last] === "string") w[last] = (w[last] as string) + s;
  else w.push(s);
}

/** Marks a word as having quoted text, even empty: then it is a word even if all else in it
 * expands to nothing (`""`, `$EMPTY''`). */
function quotedText(w: Word): void {
  if (w.length === 0 || typeof w[w.length - 1] !== "string") w.push("");
}

const UNTERMINATED = "sh: syntax error: unterminated quoted string";

/** Splits a line into tokens (xv6's gettoken, plus quotes, escapes, `$` and comments). */
export function tokenize(src: string): Token[] {
  const toks: Token[] = [];
  const n = src.length;
  let i = 0;
  for (;;) {
    while (i < n && WHITESPACE.includes(src[i])) i++;
    if (src[i] === "#") {
      // a comment, to the end of its line (a line may go on after `|`, `&&` or `||`)
      const nl = src.indexOf("\n", i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (i >= n) {
      toks.push({ kind: "", start: i, end: n, word: [], assign: "" });
      return toks;
    }
    const start = i;
    const c = src[i];
    if (SYMBOLS.includes(c)) {
      i += DOUBLED.includes(c) && src[i + 1] === c ? 2 : 1;
      toks.push({ kind: src.slice(start, i) as Kind, start, end: i, word: [], assign: "" });
      continue;
    }
    const assign = assignName(src, start);
    const word: Word = [];
    while (i < n && !WHITESPACE.includes(src[i]) && !SYMBOLS.includes(src[i])) {
      const ch = src[i];
      const dl = ch === "$" ? dollar(src, i, false) : null;
      if (ch === "'") {
        const close = src.indexOf("'", i + 1);
        if (close < 0) throw new ParseError(UNTERMINATED);
        addText(word, src.slice(i + 1, close));
        quotedText(word); // '' is an empty word, not nothing
        i = close + 1;
      } else if (ch === '"') {
        i++;
        quotedText(word);
        for (;;) {
          if (i >= n) throw new ParseError(UNTERMINATED);
          const d = src[i];
          const dl = d === "$" ? dollar(src, i, true) : null;
          if (d === '"') {
            i++;
            break;
          }
          if (d === "\\" && i + 1 < n && '"\\$'.includes(src[i + 1])) {
            addText(word, src[i + 1]);
            i += 2;
          } else if (dl !== null) {
            word.push(dl[0]);
            i = dl[1];
          } else {
            addText(word, d);
            i++;
          }
        }
      } else if (ch === "\\") {
        // A backslash quotes the next character; at the end of the line it is dropped.
        const next = src[i + 1];
        if (next !== undefined && next !== "\n" && next !== "\r") addText(word, next);
        if (word.length === 0) word.push("");
        i += next === undefined ? 1 : 2;
      } else if (dl !== null) {
        word.push(dl[0]);
        i = dl[1];
      } else {
        addText(word, ch);
        i++;
      }
    }
    toks.push({ kind: "word", start, end: i, word, assign });
  }
}

/** A variable's value by name (undefined: unset). */
export type Lookup = (name: string) => string | undefined;

const UNSET: Lookup = () => undefined;

function valueOf(part: { var: string }, status: number, lookup: Lookup): string {
  return part.var === "?" ? String(status) : lookup(part.var) ?? "";
}

/** A word's text once its variables are replaced (`$?` by `status`), without splitting. */
export function expand(w: Word, status: number, lookup: Lookup = UNSET): string {
  let s = "";
  for (const part of w) s += typeof part === "string" ? part : valueOf(part, status, lookup);
  return s;
}

const BLANKS = /[ \t\n]+/;

/**
 * The words a word expands to, as sh's field splitting makes them: the value of a variable
 * outside double quotes is split at blanks, and nothing comes of a word that was only
 * unquoted variables expanding to blanks or nothing (`""` and `''` stay one empty word).
 */
export function fields(w: Word, status: number, lookup: Lookup = UNSET): string[] {
  const out: string[] = [];
  let cur = "";
  let started = false; // whether `cur` is a word, even an empty one
  for (const part of w) {
    if (typeof part === "string" || part.quoted) {
      cur += typeof part === "string" ? part : valueOf(part, status, lookup);
      started = true;
      continue;
    }
    const pieces = valueOf(part, status, lookup).split(BLANKS);
    for (let k = 0; k < pieces.length; k++) {
      if (k > 0) {
        if (started) out.push(cur);
        cur = "";
        started = false;
      }
      if (pieces[k] !== "") {
        cur += pieces[k];
        started = true;
      }
    }
  }
  if (started) out.push(cur);
  return out;
}

/** Whether a word starts with a literal NAME= (`export` takes such a word whole). */
export function isAssignment(w: Word): boolean {
  return typeof w[0] === "string" && ASSIGN.test(w[0]);
}

/** A word's value after its leading `NAME=`. */
function afterEquals(w: Word, name: string): Word {
  const first = w[0] as string; // a word with an assignment starts with literal NAME=
  const rest = first.slice(name.length + 1);
  return rest === "" ? w.slice(1) : [rest, ...w.slice(1)];
}

/** A script's text cut into command lines, and whether its last line is unfinished. */
interface Scan {
  lines: string[];
  unfinished: boolean;
}

/**
 * Cuts a script's text into command lines at its newlines, except those inside quotes, after
 * a backslash, or after a `|`, `&&` or `||` (a pipeline or an and-or list goes on on the next
 * line, as in sh). The last line is unfinished when the text ends in one of those places.
 */
function scanLines(text: string): Scan {
  const lines: string[] = [];
  let start = 0;
  let quote = "";
  let joined = false; // the text ends in a backslash, or a backslash and a newline
  let needsMore = false; // the last token was | && or ||
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== "") {
      if (c === quote) quote = "";
      else if (c === "\\" && quote === '"') i++;
    } else if (c === "'" || c === '"') {
      quote = c;
      needsMore = false;
    } else if (c === "\\") {
      i++;
      joined = i >= text.length || (i === text.length - 1 && text[i] === "\n");
      needsMore = false;
    } else if (
      c === "#" && (i === start || WHITESPACE.includes(text[i - 1]) ||
        SYMBOLS.includes(text[i - 1]))
    ) {
      const nl = text.indexOf("\n", i);
      if (nl < 0) break;
      i = nl - 1; // a comment runs to the end of its line, quotes in it included
    } else if (c === "|" || (c === "&" && text[i + 1] === "&")) {
      if (text[i + 1] === c) i++;
      needsMore = true;
    } else if (c === "\n") {
      if (needsMore) continue;
      lines.push(text.slice(start, i));
      start = i + 1;
    } else if (!WHITESPACE.includes(c)) {
      needsMore = false;
    }
  }
  lines.push(text.slice(start));
  return { lines, unfinished: quote !== "" || joined || needsMore };
}

/** A script's text split into command lines (`scanLines`): how `sh -c` runs a text. */
export function splitLines(text: string): string[] {
  return scanLines(text).lines;
}

/** Whether a script's text ends in the middle of a command line (`scanLines`): in quotes,
 * after a backslash, or after `|`, `&&` or `||`. A shell reading a file reads on. */
export function unfinished(text: string): boolean {
  return scanLines(text).unfinished;
}

/** Parses one command line (xv6's parsecmd). Throws ParseError. */
export function parseLine(src: string): Cmd {
  const toks = tokenize(src);
  let pos = 0;

  const peek = (...kinds: Kind[]): boolean => kinds.includes(toks[pos].kind);
  const next = (): Token => {
    const t = toks[pos];
    if (t.kind !== "") pos++;
    return t;
  };
  // Whether a list ends here: at the end of the line, or of a block.
  const listEnds = (): boolean => peek("", ")");

  // The source text from token `from` up to the token before the current one.
  function text(from: number): string {
    return pos > from ? src.slice(toks[from].start, toks[pos - 1].end) : "";
  }

  function parseline(): Cmd {
    const first = pos;
    let cmd = parseandor();
    if (peek("&")) {
      cmd = { type: "back", cmd, src: text(first) };
      next();
    } else if (peek(";")) {
      next();
    } else {
      return cmd;
    }
    return listEnds() ? cmd : { type: "list", left: cmd, right: parseline() };
  }

  function parseandor(): Cmd {
    let cmd = parsepipe();
    while (peek("&&", "||")) {
      const op = next().kind as "&&" | "||";
      cmd = { type: op, left: cmd, right: parsepipe() };
    }
    return cmd;
  }

  function parsepipe(): Cmd {
    let cmd: Cmd = parseexec();
    if (peek("|")) {
      next();
      cmd = { type: "pipe", left: cmd, right: parsepipe() };
    }
    return cmd;
  }

  function parseredirs(redirs: Redir[]): void {
    while (peek("<", ">", ">>")) {
      const tok = next();
      const file = next();
      if (file.kind !== "word") throw new ParseError("missing file for redirection");
      if (tok.kind === "<") redirs.push({ fd: 0, file: file.word, flags: O_RDONLY });
      else if (tok.kind === ">") {
        redirs.push({ fd: 1, file: file.word, flags: O_WRONLY | O_CREATE | O_TRUNC });
      } else redirs.push({ fd: 1, file: file.word, flags: O_WRONLY | O_CREATE | O_APPEND });
    }
  }

  function parseblock(): BlockCmd {
    const first = pos;
    const open = next(); // the "(" parseexec saw
    parseline();
    if (!peek(")")) throw new ParseError("syntax - missing )");
    const close = next();
    const cmd: BlockCmd = {
      type: "block",
      body: src.slice(open.end, close.start),
      redirs: [],
      src: "",
    };
    parseredirs(cmd.redirs);
    cmd.src = text(first);
    return cmd;
  }

  function parseexec(): Stage {
    if (peek("(")) return parseblock();
    const first = pos;
    const cmd: ExecCmd = { type: "exec", assigns: [], argv: [], redirs: [], src: "" };
    parseredirs(cmd.redirs);
    while (!peek("|", "||", "&", "&&", ";", ")", "")) {
      const tok = next();
      if (tok.kind !== "word") throw new ParseError("syntax");
      if (tok.assign !== "" && cmd.argv.length === 0) {
        cmd.assigns.push({ name: tok.assign, value: afterEquals(tok.word, tok.assign) });
        parseredirs(cmd.redirs);
        continue;
      }
      cmd.argv.push(tok.word);
      if (cmd.argv.length >= MAXARGS) throw new ParseError("too many args");
      parseredirs(cmd.redirs);
    }
    if (isEmpty(cmd)) throw new ParseError(unexpected(toks[pos]));
    cmd.src = text(first);
    return cmd;
  }

  if (peek("")) return { type: "exec", assigns: [], argv: [], redirs: [], src: "" };
  const cmd = parseline();
  if (!peek("")) {
    throw new ParseError(`leftovers: ${src.slice(toks[pos].start)}\nsyntax`);
  }
  return cmd;
}

/** The message for a token where a command should start. */
function unexpected(tok: Token): string {
  const what = tok.kind === "" ? "end of line" : `'${tok.kind}'`;
  return `sh: syntax error: unexpected ${what}`;
}

/** The jobs of a command tree, in the order they run: `a ; b` and `a & b` run a then b; `&`
 * puts the and-or list before it in the background; `a | b | c` is one pipeline of three
 * stages, and `a && b || c` one job of three pipelines. */
export function jobsOf(cmd: Cmd): Job[] {
  switch (cmd.type) {
    case "list":
      return [...jobsOf(cmd.left), ...jobsOf(cmd.right)];
    case "back": {
      const pipelines = pipelinesOf(cmd.cmd);
      if (pipelines.length === 1) return [{ pipelines, background: true }];
      // An and-or list in the background runs in a child shell, as `( list ) &`.
      const block: BlockCmd = { type: "block", body: cmd.src, redirs: [], src: cmd.src };
      return [{ pipelines: [{ op: null, stages: [block] }], background: true }];
    }
    default:
      return [{ pipelines: pipelinesOf(cmd), background: false }];
  }
}

/** The pipelines of an and-or list, left to right. */
function pipelinesOf(cmd: Cmd): Pipeline[] {
  if (cmd.type !== "&&" && cmd.type !== "||") return [{ op: null, stages: stagesOf(cmd) }];
  const right = pipelinesOf(cmd.right);
  right[0].op = cmd.type; // the right of an and-or is a pipeline: by the grammar, one
  return [...pipelinesOf(cmd.left), ...right];
}

function stagesOf(cmd: Cmd): Stage[] {
  if (cmd.type === "pipe") return [...stagesOf(cmd.left), ...stagesOf(cmd.right)];
  if (cmd.type === "exec" || cmd.type === "block") return [cmd];
  throw new Error(`a pipeline holds commands and blocks, not a ${cmd.type}`); // not by the grammar
}

/** Parses a line into its jobs. Throws ParseError. */
export function parseJobs(src: string): Job[] {
  return jobsOf(parseLine(src));
}

/** A stage with nothing to run, no assignment and no redirection (a blank line). */
export function isEmpty(s: Stage): boolean {
  return s.type === "exec" && s.argv.length === 0 && s.assigns.length === 0 &&
    s.redirs.length === 0;
}

// grep [-c -i -v -n -l -q -s -h -H -E -F -G -w -x] [-e PATTERN]... [PATTERN] [FILE...]: GNU
// grep's everyday options on xv6's grep (user/grep.c). It prints the lines of each file (or
// of the standard input, also named `-`) that match one of the patterns: POSIX basic regular
// expressions, extended ones with -E, fixed strings with -F (commands/lib/regex.ts translates
// them as GNU grep reads them, with its messages); a pattern with newlines is several.
//
//   -c  print how many lines matched (per file)   -l  print the names of files that match
//   -i  ignore case                               -q  print nothing; status 0 at a match
//   -v  select the lines that do not match        -s  no messages about unreadable files
//   -n  put the line number before each line      -w  the match must be a whole word
//   -h  never put the file name before a line     -x  the match must be the whole line
//   -H  always put it (the default with several files)
//
// The options have GNU grep's long names too (--count, --ignore-case, --regexp=PATTERN, ...);
// -E, -F and -G together are "conflicting matchers".
//
// As GNU grep, it prints a last line that has no newline (with one), reads lines of any
// length, and says "grep: FILE: binary file matches" (on fd 2) instead of printing a line of
// a file that holds a NUL byte. Exit status: 0 if a line was selected, 1 if none was, 2 for
// an error (with -q, a selected line makes it 0 anyway).
//
// xv6's messages stay, on fd 2: "usage: grep pattern [file ...]" and "grep: cannot open
// FILE" (grep goes on with the next file).

import type { Program } from "../../kernel/uapi/abi.ts";
import { O_RDONLY } from "../../kernel/uapi/fcntl.ts";
import { Getopt, type LongOption, no_argument, required_argument } from "../lib/getopt.ts";
import {
  bytesToString,
  GREP_BASIC,
  GREP_EXTENDED,
  literal,
  RegexError,
  toByteString,
  translate,
  wholeLine,
  wholeWord,
} from "../lib/regex.ts";
import type { Call } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

const EXIT_ERROR = 2;
const NL = 0x0a;
const READ_BYTES = 4096;
const STDIN_NAME = "(standard input)";
const encoder = new TextEncoder();

const LONGOPTS: LongOption[] = [
  { name: "count", has_arg: no_argument, val: "c" },
  { name: "ignore-case", has_arg: no_argument, val: "i" },
  { name: "invert-match", has_arg: no_argument, val: "v" },
  { name: "line-number", has_arg: no_argument, val: "n" },
  { name: "files-with-matches", has_arg: no_argument, val: "l" },
  { name: "quiet", has_arg: no_argument, val: "q" },
  { name: "silent", has_arg: no_argument, val: "q" },
  { name: "no-messages", has_arg: no_argument, val: "s" },
  { name: "no-filename", has_arg: no_argument, val: "h" },
  { name: "with-filename", has_arg: no_argument, val: "H" },
  { name: "regexp", has_arg: required_argument, val: "e" },
  { name: "extended-regexp", has_arg: no_argument, val: "E" },
  { name: "fixed-strings", has_arg: no_argument, val: "F" },
  { name: "basic-regexp", has_arg: no_argument, val: "G" },
  { name: "word-regexp", has_arg: no_argument, val: "w" },
  { name: "line-regexp", has_arg: no_argument, val: "x" },
];

/** What the options ask for the output. */
interface Output {
  count: boolean;
  list: boolean;
  quiet: boolean;
  invert: boolean;
  numbers: boolean;
  names: boolean;
}

/** The lines of a file, read as they come: each without its newline (a last line without
 * one too). `binary` turns true once a NUL byte has been read. */
class LineReader {
  #pending = new Uint8Array(0);
  #scanned = 0;
  #eof = false;
  binary = false;

  constructor(readonly sys: Sys, readonly fd: number) {}

  *next(): Call<Uint8Array | null> {
    for (;;) {
      const nl = this.#pending.indexOf(NL, this.#scanned);
      if (nl >= 0) {
        const line = this.#pending.subarray(0, nl);
        this.#pending = this.#pending.subarray(nl + 1);
        this.#scanned = 0;
        return line;
      }
      this.#scanned = this.#pending.length;
      if (this.#eof) {
        if (this.#pending.length === 0) return null;
        const last = this.#pending;
        this.#pending = new Uint8Array(0);
        return last;
      }
      const buf = new Uint8Array(READ_BYTES);
      const n = yield* this.sys.read(this.fd, buf, READ_BYTES);
      if (n <= 0) {
        this.#eof = true;
        continue;
      }
      if (buf.subarray(0, n).includes(0)) this.binary = true;
      const joined = new Uint8Array(this.#pending.length + n);
      joined.set(this.#pending);
      joined.set(buf.subarray(0, n), this.#pending.length);
      this.#pending = joined;
    }
  }
}

/** Searches one open file: whether it had a selected line. With -q, exits at the first. */
function* grepFile(
  sys: Sys,
  fd: number,
  name: string,
  matchers: RegExp[],
  o: Output,
): Call<boolean> {
  const reader = new LineReader(sys, fd);
  const prefix = o.names ? `${name}:` : "";
  let selected = 0;
  let lineno = 0;
  for (let line; (line = yield* reader.next()) !== null;) {
    lineno++;
    const text = bytesToString(line);
    if (matchers.some((re) => re.test(text)) === o.invert) continue;
    selected++;
    if (o.quiet) return yield* sys.exit(0);
    if (o.list) break;
    if (o.count) continue;
    if (reader.binary) {
      yield* sys.write(2, `grep: ${name}: binary file matches\n`);
      break;
    }
    const head = encoder.encode(prefix + (o.numbers ? `${lineno}:` : ""));
    const out = new Uint8Array(head.length + line.length + 1);
    out.set(head);
    out.set(line, head.length);
    out[out.length - 1] = NL;
    yield* sys.write(1, out);
  }
  if (o.list && selected > 0) yield* sys.write(1, `${name}\n`);
  else if (o.count && !o.list) yield* sys.write(1, `${prefix}${selected}\n`);
  return selected > 0;
}

export default function* main(sys: Sys, argv: string[]): Program {
  function* usage(): Call<never> {
    yield* sys.write(2, "usage: grep pattern [file ...]\n");
    return yield* sys.exit(EXIT_ERROR);
  }
  const g = new Getopt(argv, "cilnqshHvEFGwxe:", LONGOPTS);
  const patterns: string[] = [];
  let given = false;
  const flags = new Set<string>();
  let syntax: string | null = null; // -G (basic) unless -E or -F
  for (let key; (key = g.getopt()) !== -1;) {
    if (key === "?") {
      yield* sys.write(2, g.error ?? "");
      return yield* usage();
    }
    if (key === "e") {
      patterns.push(...g.optarg!.split("\n"));
      given = true;
    } else if ("EFG".includes(key)) {
      if (syntax !== null && syntax !== key) {
        yield* sys.write(2, "grep: conflicting matchers specified\n");
        return yield* sys.exit(EXIT_ERROR);
      }
      syntax = key;
    } else {
      flags.add(key);
    }
  }
  const operands = g.argv.slice(g.optind);
  if (!given) {
    if (operands.length === 0) return yield* usage();
    patterns.push(...operands.shift()!.split("\n"));
  }
  const files = operands.length > 0 ? operands : ["-"];

  const matchers: RegExp[] = [];
  for (const p of patterns) {
    let source: string;
    try {
      if (syntax === "F") {
        source = literal(toByteString(p));
      } else {
        const dialect = syntax === "E" ? GREP_EXTENDED : GREP_BASIC;
        const t = translate(toByteString(p), dialect, flags.has("i"));
        for (const w of t.warnings) yield* sys.write(2, `grep: warning: ${w}\n`);
        source = t.source;
      }
    } catch (e) {
      if (!(e instanceof RegexError)) throw e;
      yield* sys.write(2, `grep: ${e.message}\n`);
      return yield* sys.exit(EXIT_ERROR);
    }
    if (flags.has("x")) source = wholeLine(source);
    else if (flags.has("w")) source = wholeWord(source);
    matchers.push(new RegExp(source, flags.has("i") ? "i" : ""));
  }

  const o: Output = {
    count: flags.has("c"),
    list: flags.has("l"),
    quiet: flags.has("q"),
    invert: flags.has("v"),
    numbers: flags.has("n"),
    names: flags.has("h") ? false : flags.has("H") || files.length > 1,
  };
  let matched = false;
  let failed = false;
  for (const file of files) {
    if (file === "-") {
      if (yield* grepFile(sys, 0, STDIN_NAME, matchers, o)) matched = true;
      continue;
    }
    const fd = yield* sys.open(file, O_RDONLY);
    if (fd < 0) {
      if (!flags.has("s")) yield* sys.write(2, `grep: cannot open ${file}\n`);
      failed = true;
      continue;
    }
    if (yield* grepFile(sys, fd, file, matchers, o)) matched = true;
    yield* sys.close(fd);
  }
  return yield* sys.exit(failed ? EXIT_ERROR : matched ? 0 : 1);
}

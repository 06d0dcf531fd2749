// grep, wc, cat and echo (commands/bin/) on a booted machine, each case held against the real
// tool: GNU grep 3.8, coreutils 9.1's wc and cat, coreutils' /bin/echo. The expected text of
// each case is what the real tool printed on the same files, written in here; where the real
// tool is installed, the case also runs it in a temporary directory (LC_ALL=C) and compares.
//
// A case's text is its standard error, its exit status on a line, then its standard output
// (dv6's sh has no 2>, so the command's output goes to a file that is printed last).
//
// Where dv6 keeps xv6's behaviour on purpose, `xv6` is what dv6 prints instead: xv6's
// messages ("cat: cannot open X", "grep: cannot open X", grep's usage line), wc's plain line
// ("lines words bytes name", one blank apart), and echo without arguments printing nothing.

import assert from "node:assert/strict";
import { hostFirstLine, hostSh, run } from "../helpers.ts";

const encoder = new TextEncoder();

/** The files of each case's working directory (/w on dv6). */
const FILES: Record<string, string> = {
  a: "one two\nthree\n",
  b: "x\n",
  c: "one\ntwo\nthree", // no newline at the end
  t: "The cat sat.\nthe Hat\ncat\ncatalog cat-like\nx{1}y\nxy\na+b\naab\n(paren)\n" +
    "back\\slash\nab12\n\tTab line\nfoo_bar\n",
  bin: "ab\0c\nzz\n",
};

interface Case {
  /** The real tool the case compares with. */
  tool: "grep" | "wc" | "cat" | "echo";
  /** A pipeline, as both dv6's sh and the host's sh read it. */
  cmd: string;
  /** What the real tool gives: its stderr, its status on a line, its stdout. */
  out: string;
  /** What dv6 gives where it keeps xv6's behaviour instead. */
  xv6?: string;
}

/** Runs `cmd` in /w on a fresh machine. */
function dv6(cmd: string): string {
  const image: Record<string, Uint8Array> = {};
  for (const [name, text] of Object.entries(FILES)) image[`/w/${name}`] = encoder.encode(text);
  const r = run({
    initArgv: ["init", "sh", "-c", `cd /w; ${cmd} > /o; echo $?; cat /o`],
    image,
    maxSteps: 20_000_000,
  });
  assert.equal(r.end?.kind, "halt", `${cmd}: ${JSON.stringify(r.end)}\n${r.out}`);
  return r.out;
}

/** The host's tools, where they are the ones the expected texts come from. */
const version = (prog: string) => hostFirstLine(prog, ["--version"]);
const REAL: Record<Case["tool"], string | null> = {
  grep: version("grep").startsWith("grep (GNU grep) 3.") ? "grep" : null,
  wc: version("wc").startsWith("wc (GNU coreutils)") ? "wc" : null,
  cat: version("cat").startsWith("cat (GNU coreutils)") ? "cat" : null,
  echo: version("/bin/echo").startsWith("echo (GNU coreutils)") ? "/bin/echo" : null,
};

/** Runs `cmd` with the host's tools in a temporary directory holding FILES. */
function host(c: Case): string {
  // The shell's own echo is not coreutils': name the real one.
  const cmd = c.tool === "echo" ? c.cmd.replace(/^echo /, "/bin/echo ") : c.cmd;
  return hostSh(FILES, `(${cmd}) > o 2> e; s=$?; cat e; echo $s; cat o`).out;
}

function check(cases: Case[]): void {
  for (const c of cases) {
    assert.equal(dv6(c.cmd), c.xv6 ?? c.out, `dv6: ${c.cmd}`);
    if (REAL[c.tool] !== null) assert.equal(host(c), c.out, `the real ${c.tool}: ${c.cmd}`);
  }
}

Deno.test("grep's options: -c -l -q -h -H -e -w -x -i -v -n -F; file names with several files", () => {
  check([
    { tool: "grep", cmd: "grep -i the t", out: "0\nThe cat sat.\nthe Hat\n" },
    { tool: "grep", cmd: "grep -v a t", out: "0\nx{1}y\nxy\n" },
    {
      tool: "grep",
      cmd: "grep -n at t",
      out: "0\n1:The cat sat.\n2:the Hat\n3:cat\n4:catalog cat-like\n",
    },
    { tool: "grep", cmd: "grep -c at t a", out: "0\nt:4\na:0\n" },
    { tool: "grep", cmd: "grep -l o a b c", out: "0\na\nc\n" },
    { tool: "grep", cmd: "grep -lc o a b c", out: "0\na\nc\n" },
    { tool: "grep", cmd: "grep -q sat t", out: "0\n" },
    { tool: "grep", cmd: "grep -q zzz t", out: "1\n" },
    { tool: "grep", cmd: "grep -h o a c", out: "0\none two\none\ntwo\n" },
    { tool: "grep", cmd: "grep -H o a", out: "0\na:one two\n" },
    { tool: "grep", cmd: "grep -e one -e x a b", out: "0\na:one two\nb:x\n" },
    { tool: "grep", cmd: "grep -w cat t", out: "0\nThe cat sat.\ncat\ncatalog cat-like\n" },
    { tool: "grep", cmd: "grep -x cat t", out: "0\ncat\n" },
    { tool: "grep", cmd: "grep -wi THE t", out: "0\nThe cat sat.\nthe Hat\n" },
    { tool: "grep", cmd: "grep -F a+b t", out: "0\na+b\n" },
    { tool: "grep", cmd: "grep -F '(' t", out: "0\n(paren)\n" },
    { tool: "grep", cmd: "grep -F -x xy t", out: "0\nxy\n" },
    // GNU's long names
    { tool: "grep", cmd: "grep --count --ignore-case THE t", out: "0\n2\n" },
    {
      tool: "grep",
      cmd: "grep --invert-match --line-number --regexp=a t",
      out: "0\n5:x{1}y\n6:xy\n",
    },
    {
      tool: "grep",
      cmd: "grep --files-with-matches --word-regexp --fixed-strings cat t a",
      out: "0\nt\n",
    },
    {
      tool: "grep",
      cmd: "grep -E -F 'o t' a",
      out: "grep: conflicting matchers specified\n2\n",
    },
    { tool: "grep", cmd: "grep -c -v o a c", out: "0\na:1\nc:1\n" },
  ]);
});

Deno.test("grep: basic expressions (BRE), where they differ from JavaScript's", () => {
  check([
    { tool: "grep", cmd: "grep cat t", out: "0\nThe cat sat.\ncat\ncatalog cat-like\n" },
    { tool: "grep", cmd: "grep 'c\\(a\\)t.*\\1' t", out: "0\nThe cat sat.\ncatalog cat-like\n" },
    { tool: "grep", cmd: "grep 'a\\{2\\}' t", out: "0\naab\n" },
    { tool: "grep", cmd: "grep '[[:digit:]]' t", out: "0\nx{1}y\nab12\n" },
    { tool: "grep", cmd: "grep '[[:upper:]]' t", out: "0\nThe cat sat.\nthe Hat\n\tTab line\n" },
    { tool: "grep", cmd: "grep '^[^a-z]' t", out: "0\nThe cat sat.\n(paren)\n\tTab line\n" },
    { tool: "grep", cmd: "grep 'x{1}y' t", out: "0\nx{1}y\n" },
    { tool: "grep", cmd: "grep 'a+b' t", out: "0\na+b\n" },
    { tool: "grep", cmd: "grep 'a\\+b' t", out: "0\naab\nab12\n\tTab line\n" },
    {
      tool: "grep",
      cmd: "grep 'a\\?b' t",
      out: "0\na+b\naab\nback\\slash\nab12\n\tTab line\nfoo_bar\n",
    },
    { tool: "grep", cmd: "grep 'sat\\|Hat' t", out: "0\nThe cat sat.\nthe Hat\n" },
    { tool: "grep", cmd: "grep '\\<cat\\>' t", out: "0\nThe cat sat.\ncat\ncatalog cat-like\n" },
    { tool: "grep", cmd: "grep 'cat\\b' t", out: "0\nThe cat sat.\ncat\ncatalog cat-like\n" },
    { tool: "grep", cmd: "grep '[]x]' t", out: "0\nx{1}y\nxy\n" },
    { tool: "grep", cmd: "grep 'back\\\\slash' t", out: "0\nback\\slash\n" },
    { tool: "grep", cmd: "grep '[\\]' t", out: "0\nback\\slash\n" },
    { tool: "grep", cmd: "grep '*' t", out: "1\n" },
    { tool: "grep", cmd: "grep '^*' t", out: "1\n" },
    {
      tool: "grep",
      cmd: "grep '\\w\\W\\w' t",
      out: "0\nThe cat sat.\nthe Hat\ncatalog cat-like\nx{1}y\na+b\nback\\slash\n\tTab line\n",
    },
    {
      tool: "grep",
      cmd: "grep '[[:space:]]' t",
      out: "0\nThe cat sat.\nthe Hat\ncatalog cat-like\n\tTab line\n",
    },
    { tool: "grep", cmd: "grep '[[:punct:]]$' t", out: "0\nThe cat sat.\n(paren)\n" },
  ]);
});

Deno.test("grep -E: extended expressions, where they differ from basic ones and from JavaScript's", () => {
  check([
    { tool: "grep", cmd: "grep -E 'x{1}y' t", out: "0\nxy\n" },
    { tool: "grep", cmd: "grep -E 'c(a|o)t' t", out: "0\nThe cat sat.\ncat\ncatalog cat-like\n" },
    { tool: "grep", cmd: "grep -E 'a+b' t", out: "0\naab\nab12\n\tTab line\n" },
    { tool: "grep", cmd: "grep -E '(paren)' t", out: "0\n(paren)\n" },
    { tool: "grep", cmd: "grep -E '\\(paren\\)' t", out: "0\n(paren)\n" },
    { tool: "grep", cmd: "grep -E 'a{1' t", out: "1\n" },
    { tool: "grep", cmd: "grep -E '^(the|The) ' t", out: "0\nThe cat sat.\nthe Hat\n" },
    { tool: "grep", cmd: "grep -E '(a)\\1b' t", out: "0\naab\n" },
    {
      tool: "grep",
      cmd: "grep -E 'a**b' t",
      out: "0\na+b\naab\nback\\slash\nab12\n\tTab line\nfoo_bar\n",
    },
    { tool: "grep", cmd: "grep -E '(?:a)' t", out: "grep: warning: ? at start of expression\n1\n" },
    { tool: "grep", cmd: "grep -E '\\d' t", out: "1\n" },
    {
      tool: "grep",
      cmd: "grep -E '*at' t",
      out:
        "grep: warning: * at start of expression\n0\nThe cat sat.\nthe Hat\ncat\ncatalog cat-like\n",
    },
    {
      tool: "grep",
      cmd: "grep -E 'a{,1}b' t",
      out: "0\na+b\naab\nback\\slash\nab12\n\tTab line\nfoo_bar\n",
    },
    { tool: "grep", cmd: "grep -E 'a)' t", out: "1\n" },
  ]);
});

Deno.test("grep's errors in patterns: GNU grep's (glibc's regerror) messages, status 2", () => {
  check([
    { tool: "grep", cmd: "grep 'a\\{1' t", out: "grep: Unmatched \\{\n2\n" },
    { tool: "grep", cmd: "grep -E 'a{2,1}' t", out: "grep: Invalid content of \\{\\}\n2\n" },
    { tool: "grep", cmd: "grep '[a' t", out: "grep: Unmatched [, [^, [:, [., or [=\n2\n" },
    { tool: "grep", cmd: "grep -E '(' t", out: "grep: Unmatched ( or \\(\n2\n" },
    { tool: "grep", cmd: "grep '\\(' t", out: "grep: Unmatched ( or \\(\n2\n" },
    { tool: "grep", cmd: "grep 'a\\)' t", out: "grep: Unmatched ) or \\)\n2\n" },
    { tool: "grep", cmd: "grep '[[:foo:]]' t", out: "grep: Invalid character class name\n2\n" },
    {
      tool: "grep",
      cmd: "grep '[:space:]' t",
      out: "grep: character class syntax is [[:space:]], not [:space:]\n2\n",
    },
    { tool: "grep", cmd: "grep '[z-a]' t", out: "grep: Invalid range end\n2\n" },
    { tool: "grep", cmd: "grep 'a\\' t", out: "grep: Trailing backslash\n2\n" },
    { tool: "grep", cmd: "grep '\\(a\\)\\2' t", out: "grep: Invalid back reference\n2\n" },
    { tool: "grep", cmd: "grep -E 'a{99999}' t", out: "grep: Regular expression too big\n2\n" },
    { tool: "grep", cmd: "grep '[' t", out: "grep: Invalid regular expression\n2\n" },
    // regcomp's errors come before GNU grep's own check of [:space:]
    { tool: "grep", cmd: "grep -E '[:alpha:](' t", out: "grep: Unmatched ( or \\(\n2\n" },
  ]);
});

Deno.test("grep's files: missing (xv6's message; grep goes on), binary, a last line without newline, the usage", () => {
  check([
    { tool: "grep", cmd: "grep z bin", out: "grep: bin: binary file matches\n0\n" },
    { tool: "grep", cmd: "grep -c z bin", out: "0\n1\n" },
    { tool: "grep", cmd: "grep t c", out: "0\ntwo\nthree\n" },
    { tool: "grep", cmd: "grep -x three c", out: "0\nthree\n" },
    {
      tool: "grep",
      cmd: "grep",
      out:
        "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n2\n",
      xv6: "usage: grep pattern [file ...]\n2\n",
    },
    {
      tool: "grep",
      cmd: "grep o nofile a",
      out: "grep: nofile: No such file or directory\n2\na:one two\n",
      xv6: "grep: cannot open nofile\n2\na:one two\n",
    },
    {
      tool: "grep",
      cmd: "grep -q o nofile a",
      out: "grep: nofile: No such file or directory\n0\n",
      xv6: "grep: cannot open nofile\n0\n",
    },
    { tool: "grep", cmd: "grep -s o nofile a", out: "2\na:one two\n" },
    { tool: "grep", cmd: "grep '' b", out: "0\nx\n" },
    { tool: "grep", cmd: "grep -c '' c", out: "0\n3\n" },
  ]);
});

Deno.test("wc -l -w -c: GNU's columns; without options xv6's line; a total line for several files", () => {
  check([
    { tool: "wc", cmd: "wc -l a b", out: "0\n 2 a\n 1 b\n 3 total\n" },
    { tool: "wc", cmd: "wc -w a", out: "0\n3 a\n" },
    { tool: "wc", cmd: "wc -lc a b", out: "0\n 2 14 a\n 1  2 b\n 3 16 total\n" },
    { tool: "wc", cmd: "wc -l < a", out: "0\n2\n" },
    { tool: "wc", cmd: "cat a | wc -l -w", out: "0\n      2       3\n" },
    {
      tool: "wc",
      cmd: "wc -c a nofile",
      out: "wc: nofile: No such file or directory\n1\n14 a\n14 total\n",
      xv6: "wc: cannot open nofile\n1\n14 a\n14 total\n",
    },
    {
      tool: "wc",
      cmd: "wc -c nofile a",
      out: "wc: nofile: No such file or directory\n1\n14 a\n14 total\n",
      xv6: "wc: cannot open nofile\n1\n14 a\n14 total\n",
    },
    { tool: "wc", cmd: "wc -wl a", out: "0\n 2  3 a\n" },
    { tool: "wc", cmd: "wc -lwc t", out: "0\n 13  18 101 t\n" },
    { tool: "wc", cmd: "wc --lines a c", out: "0\n 2 a\n 2 c\n 4 total\n" },
    { tool: "wc", cmd: "wc a", out: "0\n 2  3 14 a\n", xv6: "0\n2 3 14 a\n" },
    {
      tool: "wc",
      cmd: "wc a b",
      out: "0\n 2  3 14 a\n 1  1  2 b\n 3  4 16 total\n",
      xv6: "0\n2 3 14 a\n1 1 2 b\n3 4 16 total\n",
    },
    { tool: "wc", cmd: "wc < a", out: "0\n 2  3 14\n", xv6: "0\n2 3 14 \n" },
    { tool: "wc", cmd: "wc -l c", out: "0\n2 c\n" },
  ]);
});

Deno.test("cat goes on past a missing file (xv6's message), status 1; - is the input", () => {
  check([
    { tool: "cat", cmd: "cat a b", out: "0\none two\nthree\nx\n" },
    {
      tool: "cat",
      cmd: "cat a nofile b",
      out: "cat: nofile: No such file or directory\n1\none two\nthree\nx\n",
      xv6: "cat: cannot open nofile\n1\none two\nthree\nx\n",
    },
    { tool: "cat", cmd: "cat c a", out: "0\none\ntwo\nthreeone two\nthree\n" },
    { tool: "cat", cmd: "echo hi | cat a - b", out: "0\none two\nthree\nhi\nx\n" },
  ]);
});

Deno.test("echo -n: no newline; without arguments nothing, as xv6's", () => {
  check([
    { tool: "echo", cmd: "echo -n a b", out: "0\na b" },
    { tool: "echo", cmd: "echo a b", out: "0\na b\n" },
    { tool: "echo", cmd: "echo -nn -n x", out: "0\nx" },
    { tool: "echo", cmd: "echo -- z", out: "0\n-- z\n" },
    { tool: "echo", cmd: "echo -n", out: "0\n" },
    { tool: "echo", cmd: "echo", out: "0\n\n", xv6: "0\n" },
    { tool: "echo", cmd: "echo -x y", out: "0\n-x y\n" },
  ]);
});

// The shell (commands/sh/sh.ts) held against dash, the POSIX sh on this machine: the same
// script run as `sh -c SCRIPT` in dv6 and as `dash -c SCRIPT sh` in a temporary directory,
// comparing what they print on stdout and the status they end with. Each case also carries
// the error line each shell prints, where there is one (their words differ by design: dv6
// says `sh: syntax error: unexpected '|'` where dash says `sh: 1: Syntax error: "|"
// unexpected`, and keeps xv6's texts where xv6 has them). Every error here is a script's last
// output: on dv6's console the error follows the output, and nothing after it runs. Without
// dash, only dv6's side runs, against dash's output written into each case.

import assert from "node:assert/strict";
import { run } from "../helpers.ts";

interface Case {
  /** The script: both shells run it with -c. */
  script: string;
  /** What dash prints on stdout, and dv6 on its console before any error. */
  out: string;
  /** The status both end with. */
  status: number;
  /** The error each prints last: [dv6's, dash's]. */
  err?: [dv6: string, dash: string];
}

const syntax = (dv6: string, dash: string, out = ""): Pick<Case, "out" | "status" | "err"> => ({
  out,
  status: 2,
  err: [dv6, dash],
});

const CASES: Case[] = [
  // && and ||: left to right, equal precedence, a skipped pipeline keeping $?
  { script: "echo a && echo b", out: "a\nb\n", status: 0 },
  { script: "echo a || echo b", out: "a\n", status: 0 },
  { script: "(exit 3) && echo no; echo $?", out: "3\n", status: 0 },
  { script: "(exit 3) || echo yes; echo $?", out: "yes\n0\n", status: 0 },
  { script: "(exit 3) && echo no || echo $?", out: "3\n", status: 0 },
  { script: "echo a || echo no && echo b", out: "a\nb\n", status: 0 },
  { script: "echo a && echo b || echo c && echo d", out: "a\nb\nd\n", status: 0 },
  { script: "(exit 2) || (exit 3) || echo $?", out: "3\n", status: 0 },
  { script: "(exit 2) || (exit 3)", out: "", status: 3 },
  { script: "echo a && (exit 4)", out: "a\n", status: 4 },
  // | binds tighter, ; looser
  { script: "echo x | (exit 4) || echo $?", out: "4\n", status: 0 },
  { script: "echo a | cat && echo b | cat", out: "a\nb\n", status: 0 },
  { script: "echo a; (exit 1) && echo b; echo c", out: "a\nc\n", status: 0 },
  { script: "(echo a && (exit 1)) || echo $?", out: "a\n1\n", status: 0 },
  { script: "echo '&&' \"||\" \\|\\|", out: "&& || ||\n", status: 0 },
  // exit: 0 to INT_MAX, its low 8 bits
  { script: "exit 300", out: "", status: 44 },
  { script: "exit 256", out: "", status: 0 },
  { script: "exit 2147483647", out: "", status: 255 },
  { script: "exit ' +7 ' x", out: "", status: 7 },
  { script: "(exit 300); echo $?", out: "44\n", status: 0 },
  {
    script: "exit abc",
    out: "",
    status: 2,
    err: ["sh: exit: Illegal number: abc", "sh: 1: exit: Illegal number: abc"],
  },
  {
    script: "echo a; exit -1; echo b",
    out: "a\n",
    status: 2,
    err: ["sh: exit: Illegal number: -1", "sh: 1: exit: Illegal number: -1"],
  },
  {
    script: "exit 2147483648",
    out: "",
    status: 2,
    err: ["sh: exit: Illegal number: 2147483648", "sh: 1: exit: Illegal number: 2147483648"],
  },
  // several redirections of one fd: each opened in turn, the last one wins
  { script: "echo hi > a > b; cat a; echo --; cat b", out: "--\nhi\n", status: 0 },
  { script: "echo 1 > a; echo 2 > b; cat < a < b", out: "2\n", status: 0 },
  { script: "echo 1 > a; echo 2 >> a > b; cat a b", out: "1\n2\n", status: 0 },
  // syntax errors: nothing of the line runs, and the shell ends with 2
  {
    script: "; echo c",
    ...syntax("sh: syntax error: unexpected ';'", `sh: 1: Syntax error: ";" unexpected`),
  },
  {
    script: "| echo a",
    ...syntax("sh: syntax error: unexpected '|'", `sh: 1: Syntax error: "|" unexpected`),
  },
  {
    script: "&& echo a",
    ...syntax("sh: syntax error: unexpected '&&'", `sh: 1: Syntax error: "&&" unexpected`),
  },
  {
    script: "& echo a",
    ...syntax("sh: syntax error: unexpected '&'", `sh: 1: Syntax error: "&" unexpected`),
  },
  {
    script: "echo a |",
    ...syntax(
      "sh: syntax error: unexpected end of line",
      "sh: 1: Syntax error: end of file unexpected",
    ),
  },
  {
    script: "echo a &&",
    ...syntax(
      "sh: syntax error: unexpected end of line",
      "sh: 1: Syntax error: end of file unexpected",
    ),
  },
  {
    script: "echo a ||",
    ...syntax(
      "sh: syntax error: unexpected end of line",
      "sh: 1: Syntax error: end of file unexpected",
    ),
  },
  {
    script: "echo a; echo b && || echo c",
    ...syntax("sh: syntax error: unexpected '||'", `sh: 1: Syntax error: "||" unexpected`),
  },
  {
    script: "echo a ; ; echo b",
    ...syntax("sh: syntax error: unexpected ';'", `sh: 1: Syntax error: ";" unexpected`),
  },
  {
    script: "echo a & ; echo b",
    ...syntax("sh: syntax error: unexpected ';'", `sh: 1: Syntax error: ";" unexpected`),
  },
  {
    script: "echo a | | cat",
    ...syntax("sh: syntax error: unexpected '|'", `sh: 1: Syntax error: "|" unexpected`),
  },
  {
    script: "( )",
    ...syntax("sh: syntax error: unexpected ')'", `sh: 1: Syntax error: ")" unexpected`),
  },
  {
    script: "echo a; (echo b && )",
    ...syntax("sh: syntax error: unexpected ')'", `sh: 1: Syntax error: ")" unexpected`),
  },
  {
    script: 'echo a "b',
    ...syntax(
      "sh: syntax error: unterminated quoted string",
      "sh: 1: Syntax error: Unterminated quoted string",
    ),
  },
  {
    script: "echo a 'b",
    ...syntax(
      "sh: syntax error: unterminated quoted string",
      "sh: 1: Syntax error: Unterminated quoted string",
    ),
  },
  {
    script: "echo ${A",
    ...syntax("sh: syntax error: missing '}'", "sh: 1: Syntax error: Missing '}'"),
  },
  // xv6's texts, POSIX's status
  {
    script: "(echo hi",
    ...syntax("syntax - missing )", `sh: 1: Syntax error: end of file unexpected (expecting ")")`),
  },
  { script: "echo hi )", ...syntax("leftovers: )\nsyntax", `sh: 1: Syntax error: ")" unexpected`) },
  { script: "echo a (b)", ...syntax("syntax", `sh: 1: Syntax error: "(" unexpected`) },
  {
    script: "echo hi >",
    ...syntax("missing file for redirection", "sh: 1: Syntax error: end of file unexpected"),
  },
  // the lines before the one with the error run; none after it
  {
    script: "echo a\necho b |",
    ...syntax(
      "sh: syntax error: unexpected end of line",
      "sh: 2: Syntax error: end of file unexpected",
      "a\n",
    ),
  },
  {
    script: "echo a\n| echo b\necho c",
    ...syntax("sh: syntax error: unexpected '|'", `sh: 2: Syntax error: "|" unexpected`, "a\n"),
  },
  // a line goes on after | && ||, in quotes, after a backslash
  { script: "echo a |\ncat", out: "a\n", status: 0 },
  { script: "echo a &&\n\n echo b", out: "a\nb\n", status: 0 },
  { script: "echo a || # c\necho b", out: "a\n", status: 0 },
  { script: "(exit 1) ||\necho b", out: "b\n", status: 0 },
  { script: "echo x | # c |\n\ncat", out: "x\n", status: 0 },
  { script: "echo 'a\nb' | cat; echo c\\\nd", out: "a\nb\ncd\n", status: 0 },
];

/** Runs `script` with `sh -c` in /w on a fresh dv6: its console output and status. */
function dv6(script: string): { out: string; status: number } {
  const r = run({ initArgv: ["init", "sh", "-c", `mkdir /w; cd /w\n${script}`] });
  assert.equal(r.end?.kind, "halt", `${script}: ${JSON.stringify(r.end)}\n${r.out}`);
  return { out: r.out, status: r.end!.kind === "halt" ? r.end!.status : -999 };
}

/** Whether dash is installed. */
const DASH = (() => {
  try {
    return new Deno.Command("dash", { args: ["-c", "exit 0"] }).outputSync().success;
  } catch {
    return false;
  }
})();

/** Runs `script` with `dash -c SCRIPT sh` in a temporary directory. */
function dash(script: string): { out: string; err: string; status: number } {
  const dir = Deno.makeTempDirSync({ prefix: "dv6sh" });
  try {
    const p = new Deno.Command("dash", {
      args: ["-c", script, "sh"],
      cwd: dir,
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin", LC_ALL: "C" },
    }).outputSync();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return { out: decode(p.stdout), err: decode(p.stderr), status: p.code };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

for (const c of CASES) {
  Deno.test(`sh as dash: ${JSON.stringify(c.script)}`, () => {
    const errLine = (s: string | undefined) => s === undefined ? "" : s + "\n";
    assert.deepEqual(dv6(c.script), { out: c.out + errLine(c.err?.[0]), status: c.status });
    if (!DASH) return;
    assert.deepEqual(dash(c.script), { out: c.out, err: errLine(c.err?.[1]), status: c.status });
  });
}

// Property tests (fast-check) of commands/lib/regex.ts against the real readers of POSIX
// expressions on this machine: random patterns made of the pieces where POSIX and JavaScript
// part ways (groups, intervals, bracket expressions, anchors, back-references, GNU's backslash
// operators, and their BRE forms) must select the same lines of a fixed text, or fail with the
// same message, as
// - GNU grep 3.8, as basic (-G) and extended (-E) expressions, with -i, -w or -x;
// - glibc's regcomp(REG_EXTENDED) and regexec, with or without REG_ICASE, as pgrep and pkill
//   compile their patterns (through python3's ctypes: tests/commands/regcomp_glibc.py).
// Each is skipped where its oracle is missing.
//
// Not among the pieces: `[[.a.]]`, `[[=a=]]` and `\B`. After a repetition with nothing
// before it, GNU grep itself answers two ways (its dfa repeats nothing; where it falls back to
// glibc's matcher, as for these, the `{` is a literal, and `\B{,2}` repeats the anchor).
//
// FC_SEED=N fixes fast-check's seed (it prints the seed of a failure).

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  compile,
  GREP_BASIC,
  GREP_EXTENDED,
  POSIX_EXTENDED,
  RegexError,
  toByteString,
  translate,
  wholeLine,
  wholeWord,
} from "../../commands/lib/regex.ts";
import { hostFirstLine } from "../helpers.ts";

const decoder = new TextDecoder();

const GNU_GREP = hostFirstLine("grep", ["--version"]) === "grep (GNU grep) 3.8";

const PIECES = [
  "a",
  "b",
  "x",
  "1",
  "2",
  ",",
  "-",
  ":",
  "(",
  ")",
  "|",
  "*",
  "+",
  "?",
  "{",
  "}",
  "[",
  "]",
  "^",
  "$",
  ".",
  "\\",
  "\\(",
  "\\)",
  "\\{",
  "\\}",
  "\\|",
  "\\1",
  "\\<",
  "\\>",
  "\\w",
  "\\b",
  "\\s",
  "\\.",
  "\\*",
  "[:alpha:]",
  "[[:alpha:]]",
  "[^",
  "[]",
  "[a-",
  "[b-a]",
  "{1}",
  "{1,}",
  "{2,1}",
  "\\{1\\}",
];

const LINES = [
  "",
  "a",
  "b",
  "ab",
  "ba",
  "aab",
  "abab",
  "a{1}",
  "(a)",
  "a|b",
  "a*",
  "x-y",
  "a,b",
  "1:2",
  "a b",
  "^$",
  "\\",
  "bb aa",
  "]",
  "{",
  "a+",
  "a?",
  "A",
  "AB",
  "a_b",
  "ab-ba",
  "B a",
];

/** GNU grep's answer: the selected lines' numbers, or its error message. */
function gnu(dir: string, args: string[], pattern: string): string {
  const p = new Deno.Command("grep", {
    args: [...args, "-n", "--", pattern, `${dir}/lines`],
    clearEnv: true,
    env: { LC_ALL: "C" },
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  if (p.code === 2) {
    const errors = decoder.decode(p.stderr).split("\n").filter((l) => !l.includes("warning"));
    return "error: " + errors.join("").replace(/^[^:]*grep: /, ""); // the name, as run
  }
  return decoder.decode(p.stdout).split("\n").filter(Boolean).map((l) => l.split(":")[0])
    .join(",");
}

/** regex.ts's answer to the same question. */
function mine(pattern: string, extended: boolean, flags: string): string {
  let source: string;
  try {
    const dialect = extended ? GREP_EXTENDED : GREP_BASIC;
    source = translate(toByteString(pattern), dialect, flags.includes("i")).source;
  } catch (e) {
    if (e instanceof RegexError) return "error: " + e.message;
    throw e;
  }
  if (flags.includes("x")) source = wholeLine(source);
  else if (flags.includes("w")) source = wholeWord(source);
  const re = new RegExp(source, flags.includes("i") ? "i" : "");
  return LINES.flatMap((l, i) => re.test(l) ? [String(i + 1)] : []).join(",");
}

Deno.test({
  name: "POSIX expressions as GNU grep reads them: the same lines, or the same error",
  ignore: !GNU_GREP,
  fn() {
    const dir = Deno.makeTempDirSync({ prefix: "dv6regex" });
    try {
      Deno.writeTextFileSync(`${dir}/lines`, LINES.join("\n") + "\n");
      const pattern = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 6 })
        .map((p) => p.join(""));
      fc.assert(
        fc.property(
          pattern,
          fc.boolean(),
          fc.constantFrom("", "i", "w", "x", "iw"),
          (p, extended, flags) => {
            // GNU grep -w and -x put the pattern in a group of their own, which a `)` of the
            // pattern closes early: not a case to copy.
            fc.pre(flags === "" || flags === "i" || !p.includes(")"));
            const args = [extended ? "-E" : "-G", ...(flags === "" ? [] : [`-${flags}`])];
            assert.equal(
              mine(p, extended, flags),
              gnu(dir, args, p),
              `grep ${args.join(" ")} '${p}'`,
            );
          },
        ),
        { numRuns: 500, seed: Deno.env.get("FC_SEED") ? Number(Deno.env.get("FC_SEED")) : 1 },
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

/** Is there a python3 with ctypes and glibc's regcomp to ask? */
const HAVE_GLIBC = (() => {
  try {
    const py = "import ctypes; ctypes.CDLL('libc.so.6').regcomp";
    return new Deno.Command("python3", { args: ["-c", py], stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "extended expressions as pgrep's regcomp reads them: the same lines, or the same error",
  ignore: !HAVE_GLIBC,
  fn() {
    const seed = Number(Deno.env.get("FC_SEED") ?? 1);
    const cases = fc.sample(
      fc.record({
        pattern: fc.array(fc.constantFrom(...PIECES, "[[.a.]]", "[[=a=]]", "\\B"), {
          minLength: 1,
          maxLength: 6,
        }).map((p) => p.join("")),
        icase: fc.boolean(),
      }),
      { numRuns: 3000, seed },
    );
    const p = new Deno.Command("python3", {
      args: [new URL("./regcomp_glibc.py", import.meta.url).pathname],
      env: { LC_ALL: "C" },
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const writer = p.stdin.getWriter();
    writer.write(new TextEncoder().encode(JSON.stringify({ lines: LINES, cases })));
    writer.close();
    return p.output().then((out) => {
      const glibc: string[] = JSON.parse(decoder.decode(out.stdout));
      cases.forEach(({ pattern, icase }, k) => {
        let answer: string;
        try {
          const { re } = compile(pattern, POSIX_EXTENDED, icase);
          answer = LINES.flatMap((l, i) => re.test(l) ? [String(i + 1)] : []).join(",");
        } catch (e) {
          if (!(e instanceof RegexError)) throw e;
          answer = "error: " + e.message;
        }
        assert.equal(answer, glibc[k], `regcomp '${pattern}'${icase ? " REG_ICASE" : ""}`);
      });
    });
  },
});

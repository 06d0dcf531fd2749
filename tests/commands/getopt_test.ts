// The one getopt (commands/lib/getopt.ts): its contract, case by case, and the same answers as
// glibc's own getopt and getopt_long (called through python3's ctypes, where there is one) on
// random option strings, long option tables and command lines.

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  Getopt,
  type LongOption,
  no_argument,
  optional_argument,
  required_argument,
} from "../../commands/lib/getopt.ts";

/** Every call until -1: [result, optarg] (optopt too after an error), then the operands. */
function scan(argv: string[], optstring: string, longopts?: LongOption[]) {
  const g = new Getopt(["prog", ...argv], optstring, longopts);
  const calls: (string | number | null)[][] = [];
  const errors: string[] = [];
  for (let c; (c = g.getopt()) !== -1;) {
    calls.push(c === "?" || c === ":" ? [c, g.optarg, g.optopt] : [c, g.optarg]);
    if (g.error !== null) errors.push(g.error);
  }
  return { calls, operands: g.argv.slice(g.optind), errors };
}

const LONG: LongOption[] = [
  { name: "ignore-case", has_arg: no_argument, val: "i" },
  { name: "inverse", has_arg: no_argument, val: "v" },
  { name: "parent", has_arg: required_argument, val: "P" },
  { name: "hold", has_arg: optional_argument, val: "hold" },
  { name: "nonblock", has_arg: no_argument, val: "n" },
  { name: "nb", has_arg: no_argument, val: "n" },
];

Deno.test("getopt: glibc's default permutes, '+' stops at the first operand, '-' returns operands in order", () => {
  assert.deepEqual(scan(["x", "-a", "y", "-b"], "ab"), {
    calls: [["a", null], ["b", null]],
    operands: ["x", "y"],
    errors: [],
  });
  assert.deepEqual(scan(["x", "-a", "y"], "+ab").operands, ["x", "-a", "y"]);
  assert.deepEqual(scan(["-a", "x", "-b"], "-ab").calls, [["a", null], ["\x01", "x"], ["b", null]]);
  // "--" ends the options and goes; "-" is an operand; a negative number is an option.
  assert.deepEqual(scan(["-", "--", "-a"], "a").operands, ["-", "-a"]);
  assert.deepEqual(scan(["-5"], "a").calls, [["?", null, "5"]]);
});

Deno.test("getopt: clusters, attached and separate arguments, optional ones attached only", () => {
  assert.deepEqual(scan(["-abP1", "-P", "2", "-o", "-o3"], "abP:o::").calls, [
    ["a", null],
    ["b", null],
    ["P", "1"],
    ["P", "2"],
    ["o", null],
    ["o", "3"],
  ]);
});

Deno.test("getopt: errors as glibc says them, or ':' and no message after a leading ':'", () => {
  assert.deepEqual(scan(["-z", "-P"], "P:"), {
    calls: [["?", null, "z"], ["?", null, "P"]],
    operands: [],
    errors: ["prog: invalid option -- 'z'\n", "prog: option requires an argument -- 'P'\n"],
  });
  assert.deepEqual(scan(["-z", "-P"], "+:P:"), {
    calls: [["?", null, "z"], [":", null, "P"]],
    operands: [],
    errors: [],
  });
});

Deno.test("getopt_long: =value, the next argument, unique prefixes, ambiguity, glibc's messages", () => {
  assert.deepEqual(scan(["--parent=1", "--par", "2", "--ign", "--no", "--hold=3"], "", LONG), {
    calls: [["P", "1"], ["P", "2"], ["i", null], ["n", null], ["hold", "3"]],
    operands: [],
    errors: [],
  });
  const bad = scan(["--i", "--bogus=1", "--inverse=1", "--parent"], "", LONG);
  assert.deepEqual(bad.errors, [
    "prog: option '--i' is ambiguous; possibilities: '--ignore-case' '--inverse'\n",
    "prog: unrecognized option '--bogus=1'\n",
    "prog: option '--inverse' doesn't allow an argument\n",
    "prog: option '--parent' requires an argument\n",
  ]);
  // Without long options (POSIX getopt), --name is the option '-'.
  assert.deepEqual(scan(["--ign"], "i").calls, [["?", null, "-"], ["i", null], ["?", null, "g"], [
    "?",
    null,
    "n",
  ]]);
});

Deno.test("getopt: a program moves optind past an argument it takes (--hold TICKS)", () => {
  const g = new Getopt(["prog", "x", "--hold", "5", "y"], ":", LONG);
  assert.equal(g.getopt(), "hold");
  assert.equal(g.optarg, null);
  assert.equal(g.argv[g.optind], "5");
  g.optind++;
  assert.equal(g.getopt(), -1);
  assert.deepEqual(g.argv.slice(g.optind), ["x", "y"]);
});

// ---------------------------------------------------------------------------------------------
// glibc's answers

/** Is there a python3 with ctypes and glibc to ask? */
const HAVE_GLIBC = (() => {
  try {
    const py = "import ctypes; ctypes.CDLL('libc.so.6').getopt_long";
    return new Deno.Command("python3", { args: ["-c", py], stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
})();

interface Case {
  optstring: string;
  longopts: LongOption[] | null;
  argv: string[];
}

const NAMES = ["all", "alpha", "al", "beta", "bet", "hold", "help", "x"];
const TOKENS = [
  ..."abcxW".split("").map((c) => "-" + c),
  ...["-ab", "-ba", "-cx", "-a1", "-z", "-:", "--", "-", "-5", "5", "op1", "op2"],
  ...["--al", "--alpha", "--all=1", "--be", "--bet=", "--hold", "--hold=3", "--h", "--zzz"],
  ...["--x=y", "--=q"],
];

const arbCase: fc.Arbitrary<Case> = fc.record({
  prefix: fc.constantFrom("", "", "+", "-", ":", "+:", "-:"),
  letters: fc.uniqueArray(
    fc.tuple(fc.constantFrom(..."abcxW"), fc.constantFrom("", "", ":", "::")),
    { maxLength: 4, selector: ([c]) => c },
  ),
  longopts: fc.option(
    fc.uniqueArray(
      fc.record({
        name: fc.constantFrom(...NAMES),
        has_arg: fc.constantFrom(no_argument, required_argument, optional_argument),
        val: fc.constantFrom(..."abcxyz"),
      }),
      { maxLength: 5, selector: (o) => o.name },
    ),
    { freq: 3 },
  ),
  argv: fc.array(fc.constantFrom(...TOKENS), { maxLength: 7 }),
}).map(({ prefix, letters, longopts, argv }) => ({
  optstring: prefix + letters.map(([c, colons]) => c + colons).join(""),
  longopts,
  argv: ["prog", ...argv],
}));

Deno.test({
  name: "getopt and getopt_long answer as glibc's do: 3000 random cases",
  ignore: !HAVE_GLIBC,
  async fn() {
    const cases = fc.sample(arbCase, { seed: 6, numRuns: 3000 });
    const py = new Deno.Command("python3", {
      args: [new URL("./getopt_glibc.py", import.meta.url).pathname],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const w = py.stdin.getWriter();
    await w.write(new TextEncoder().encode(JSON.stringify(cases)));
    await w.close();
    const out = await py.output();
    assert.ok(out.success);
    const glibc = JSON.parse(new TextDecoder().decode(out.stdout));
    cases.forEach((c, k) => {
      const g = new Getopt(c.argv, c.optstring, c.longopts ?? undefined);
      const calls: unknown[] = [];
      let stderr = "";
      for (;;) {
        const r = g.getopt();
        const failed = r === "?" || r === ":";
        calls.push([r, g.optarg, g.optind, failed ? g.optopt : "", g.longindex]);
        stderr += g.error ?? "";
        if (r === -1) break;
      }
      assert.deepEqual({ calls, argv: g.argv, stderr }, glibc[k], JSON.stringify(c));
    });
  },
});

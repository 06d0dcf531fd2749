// pgrep and pkill (commands/bin/pgrep.ts, commands/bin/pkill.ts) on a booted machine, each option with
// procps-ng's behaviour, messages and exit statuses (0 matched, 1 nothing, 2 usage).
//
// The commands run from a script, `sh /s`, so that no process but the ones a test starts has
// the pattern in its command line (a `sh -c LINE` would match `pgrep -f` patterns of its own
// LINE, as it does on Linux). Pids are deterministic: init is 1, the shell 2, and the jobs the
// script starts take 3, 4, ... in order.
//
// The last tests hold dv6 against procps-ng 4.0.2 (regcomp's messages, the usage text, unknown
// signals, pid files): the texts procps printed are written in, and where this machine's
// pgrep is 4.0.2 they are compared with it too.

import assert from "node:assert/strict";
import { hostFirstLine, run } from "../helpers.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Runs `lines` as the script /s of `sh /s` (init's command): console output and status. */
function script(...lines: string[]): { out: string; status: number } {
  const r = run({
    initArgv: ["init", "sh", "/s"],
    image: { "/s": encoder.encode(lines.join("\n") + "\n") },
  });
  assert.equal(r.end?.kind, "halt", `${JSON.stringify(r.end)}\n${r.out}`);
  return { out: r.out, status: r.end!.kind === "halt" ? r.end!.status : -999 };
}

function out(...lines: string[]): string {
  return script(...lines).out;
}

/** Three jobs to look for: sleep (pid 3), sleep (4), spin (5), long enough for any test. */
const JOBS = ["sleep 1000 &", "sleep 2000 &", "spin 100000 &"];
const STARTED = "[3]\n[4]\n[5]\n";

Deno.test("pgrep: the pids whose name matches, in pid order, never its own; status 0 or 1", () => {
  assert.equal(out(...JOBS, "pgrep sleep; echo $?"), STARTED + "3\n4\n0\n");
  assert.equal(out(...JOBS, "pgrep 'sl.*p|spi'"), STARTED + "3\n4\n5\n");
  assert.equal(out(...JOBS, "pgrep '^s'"), STARTED + "2\n3\n4\n5\n"); // sh too
  assert.equal(out(...JOBS, "pgrep nosuch; echo $?"), STARTED + "1\n");
  // never itself
  assert.equal(out("pgrep pgrep; echo $?"), "1\n");
  assert.equal(out("pgrep -f pgrep; echo $?"), "1\n");
  // an empty pattern matches every process
  assert.equal(out("pgrep ''"), "1\n2\n");
});

Deno.test("pgrep -l: pid and name; -a: pid and command line; -d: the delimiter", () => {
  assert.equal(
    out(...JOBS, "pgrep -l s", "pgrep -a s", "pgrep -d, s", "pgrep -l --delimiter ' | ' sleep"),
    STARTED +
      "2 sh\n3 sleep\n4 sleep\n5 spin\n" +
      "2 sh /s\n3 sleep 1000\n4 sleep 2000\n5 spin 100000\n" +
      "2,3,4,5\n" +
      "3 sleep | 4 sleep\n",
  );
  assert.equal(out("pgrep --list-name init", "pgrep --list-full init"), "1 init\n1 init sh /s\n");
});

Deno.test("pgrep -c: how many; 0 matched is status 1", () => {
  assert.equal(
    out(...JOBS, "pgrep -c sleep; pgrep --count nosuch; echo $?"),
    STARTED + "2\n0\n1\n",
  );
});

Deno.test("pgrep -f: the full command line, argv joined by spaces", () => {
  assert.equal(
    out(...JOBS, "pgrep -f 'sleep 2'", "pgrep 'sleep 2'; echo $?", "pgrep -f '^sh /s$'"),
    STARTED + "4\n1\n2\n",
  );
  assert.equal(out(...JOBS, "pgrep --full 000$"), STARTED + "3\n4\n5\n");
});

Deno.test("pgrep -x: the whole name (or, with -f, the whole command line) must match", () => {
  assert.equal(
    out(
      ...JOBS,
      "pgrep -x slee; echo $?",
      "pgrep -x sleep",
      "pgrep -x 'sleep|spin'",
      "pgrep -x -f 'sleep 1000'",
      "pgrep -xf 'sleep 100'; echo $?",
      "pgrep --exact 'sh'",
    ),
    STARTED + "1\n3\n4\n3\n4\n5\n3\n1\n2\n",
  );
});

Deno.test("pgrep -i: case-insensitively; twice is a usage error", () => {
  assert.equal(out(...JOBS, "pgrep -i SLEEP; pgrep SLEEP; echo $?"), STARTED + "3\n4\n1\n");
  const r = out("pgrep -i -i x; echo $?");
  assert.match(r, /^\nUsage:\n pgrep \[options\] <pattern>\n/);
  assert.match(r, /\n2\n$/);
});

Deno.test("pgrep -n: only the newest (highest pid); -o: only the oldest", () => {
  assert.equal(
    out(...JOBS, "pgrep -n sleep", "pgrep -o sleep", "pgrep -n -l '.'", "pgrep --oldest -l ."),
    STARTED + "4\n3\n5 spin\n1 init\n",
  );
  // alone they are a criterion: the newest or oldest process of all
  assert.equal(out(...JOBS, "pgrep -n", "pgrep -o"), STARTED + "5\n1\n");
  assert.equal(out("pgrep -n nosuch; echo $?"), "1\n");
});

Deno.test("pgrep -n, -o and -v exclude one another (procps's usage error)", () => {
  for (const opts of ["-n -o", "-o -n", "-n -v", "-v -o", "-v -v", "-nn"]) {
    const r = out(`pgrep ${opts} x; echo $?`);
    assert.match(r, /^\nUsage:\n pgrep \[options\] <pattern>\n/, opts);
    assert.match(r, /\nFor more details see pgrep\(1\)\.\n2\n$/, opts);
  }
});

Deno.test("pgrep -P: only children of the parents listed", () => {
  // (sleep 3000; echo x) is a child shell (pid 6) whose child is sleep 3000 (pid 7)
  const r = out(
    ...JOBS,
    "(sleep 3000; echo never) &",
    "pgrep -P 2 -l",
    "pgrep -P 6 -l",
    "pgrep -P 6,1 -l",
    "pgrep --parent 2 sleep",
    "pgrep -P 7; echo $?",
    "pgrep -P 1,,6 -l",
  );
  assert.equal(
    r,
    STARTED + "[6]\n" +
      "3 sleep\n4 sleep\n5 spin\n6 sh\n" +
      "7 sleep\n" +
      "2 sh\n7 sleep\n" +
      "3\n4\n" +
      "1\n" +
      "1 init\n2 sh\n7 sleep\n", // an empty item is 0, as in procps: init's parent
  );
  assert.equal(
    out("pgrep -P x; echo $?", "pgrep -P 1,y z; echo $?"),
    [
      "pgrep: not a number: x",
      "2",
      "pgrep: not a number: y",
      "2",
      "",
    ].join("\n"),
  );
});

Deno.test("pgrep -g: only members of the process groups listed (0: its own)", () => {
  // a background job is a process group of its own; the script's foreground stays in init's
  assert.equal(
    out(...JOBS, "pgrep -g 4", "pgrep -g 3,5 -l", "pgrep -g 0 -l", "pgrep --pgroup 1 sh"),
    STARTED + "4\n3 sleep\n5 spin\n1 init\n2 sh\n2\n",
  );
  assert.equal(out("pgrep -g x; echo $?"), "pgrep: invalid process group: x\n2\n");
});

Deno.test("pgrep -v: the processes that do not match", () => {
  assert.equal(
    out(...JOBS, "pgrep -v -l sleep", "pgrep --inverse 'i'"),
    STARTED + [
      "1 init",
      "2 sh",
      "5 spin",
      "2",
      "3",
      "4",
      "",
    ].join("\n"),
  );
});

Deno.test("pgrep -A: never its ancestors", () => {
  assert.equal(out(...JOBS, "pgrep -A -l ."), STARTED + "3 sleep\n4 sleep\n5 spin\n");
  // from a `sh -c LINE`, -f would match the shell's own command line; -A leaves it out
  assert.equal(
    out("sleep 1000 &", "sh -c 'pgrep -f sleep; echo --; pgrep -A -f sleep'"),
    "[3]\n3\n4\n--\n3\n",
  );
});

Deno.test("pgrep's usage errors: procps's messages, status 2", () => {
  const usage = /\nUsage:\n pgrep \[options\] <pattern>\n\nOptions:\n -d, --delimiter <string>/;
  assert.equal(
    out("pgrep; echo $?"),
    "pgrep: no matching criteria specified\nTry `pgrep --help' for more information.\n2\n",
  );
  assert.equal(
    out("pgrep a b; echo $?"),
    "pgrep: only one pattern can be provided\nTry `pgrep --help' for more information.\n2\n",
  );
  for (
    const [line, first] of [
      ["pgrep -z x", "pgrep: invalid option -- 'z'"],
      ["pgrep -e x", "pgrep: invalid option -- 'e'"], // pkill's
      ["pgrep -P", "pgrep: option requires an argument -- 'P'"],
      ["pgrep --bogus x", "pgrep: unrecognized option '--bogus'"],
      ["pgrep --parent", "pgrep: option '--parent' requires an argument"],
      ["pgrep --full=1 x", "pgrep: option '--full' doesn't allow an argument"],
      [
        "pgrep --i x",
        "pgrep: option '--i' is ambiguous; possibilities: '--ignore-case' '--inverse' '--ignore-ancestors'",
      ],
      ["pgrep -P '' x", ""],
    ]
  ) {
    const r = out(line + "; echo $?");
    assert.ok(r.startsWith(first === "" ? "\nUsage:" : first + "\n\nUsage:"), r);
    assert.match(r, usage, line);
    assert.match(r, /\n2\n$/, line);
  }
  assert.equal(out("pgrep '('; echo $?"), "pgrep: regex error: Unmatched ( or \\(\n2\n");
  assert.equal(
    out("pgrep -x '[a'; echo $?"),
    "pgrep: regex error: Unmatched [, [^, [:, [., or [=\n2\n",
  );
  // --help: the usage on fd 1, status 0; long options may be shortened
  const help = out("pgrep --help; echo $?; pgrep --new --list-n");
  assert.match(help, usage);
  assert.match(help, /\n0\n2 sh\n$/);
});

Deno.test("pgrep warns when a name pattern is longer than any name can be", () => {
  assert.equal(
    out("pgrep averyverylongname; echo $?", "pgrep -f averyverylongname; echo $?"),
    "pgrep: pattern that searches for process name longer than 15 characters will result" +
      " in zero matches\nTry `pgrep -f' option to match against the complete command line.\n" +
      "1\n1\n",
  );
});

Deno.test("pkill kills the matching processes, prints nothing, status 0; none is 1", () => {
  assert.equal(
    out(
      ...JOBS,
      "pkill sleep; echo $?",
      "sleep 1", // the shell reaps the killed while it waits
      "pgrep -l .",
      "pkill sleep; echo $?",
      "pkill pkill; echo $?", // never itself
    ),
    STARTED + "0\n1 init\n2 sh\n5 spin\n1\n1\n",
  );
});

Deno.test("pkill -SIGNAL in every form: every signal kills, but 0 only asks", () => {
  for (
    const sig of [
      "-9",
      "-KILL",
      "-SIGKILL",
      "-kill",
      "-TERM",
      "-15",
      "-HUP",
      "-STOP",
      "--signal KILL",
      "--signal=9",
      "--signal sigterm",
      "--sig INT",
    ]
  ) {
    assert.equal(
      out(...JOBS, `pkill ${sig} sleep; echo $?`, "sleep 1", "pgrep -l ."),
      STARTED + "0\n1 init\n2 sh\n5 spin\n",
      sig,
    );
  }
  // the signal may stand after the pattern
  assert.equal(out(...JOBS, "pkill spin -9", "sleep 1", "pgrep spin; echo $?"), STARTED + "1\n");
  // 0: status 0 if something matched, and it lives on
  assert.equal(
    out(
      ...JOBS,
      "pkill -0 spin; echo $?; pkill --signal 0 nosuch; echo $?",
      "sleep 1",
      "pgrep spin",
    ),
    STARTED + "0\n1\n5\n",
  );
});

Deno.test("pkill with pgrep's selection: -n, -o, -f, -x, -P, -g", () => {
  const after = (sel: string) =>
    out(...JOBS, `pkill ${sel}; echo $?`, "sleep 1", "pgrep -l -P 2").slice(STARTED.length);
  assert.equal(after("-n sleep"), "0\n3 sleep\n5 spin\n");
  assert.equal(after("-o sleep"), "0\n4 sleep\n5 spin\n");
  assert.equal(after("-f 'sleep 2000'"), "0\n3 sleep\n5 spin\n");
  assert.equal(after("-x slee"), "1\n3 sleep\n4 sleep\n5 spin\n");
  assert.equal(after("-x -f 'spin 100000'"), "0\n3 sleep\n4 sleep\n");
  assert.equal(after("-P 2 's.*'"), "0\n");
  assert.equal(after("-g 4,5"), "0\n3 sleep\n");
});

Deno.test("pkill -e: what it killed; -c: how many matched", () => {
  assert.equal(
    out(...JOBS, "pkill -e sleep", "pkill -c spin; echo $?", "pkill -c -e nosuch; echo $?"),
    STARTED + "sleep killed (pid 3)\nsleep killed (pid 4)\n1\n0\n0\n1\n",
  );
});

Deno.test("pkill's usage errors: procps's messages, status 2", () => {
  assert.equal(
    out("pkill; echo $?"),
    "pkill: no matching criteria specified\nTry `pkill --help' for more information.\n2\n",
  );
  assert.equal(
    out("pkill -9 a b; echo $?"),
    "pkill: only one pattern can be provided\nTry `pkill --help' for more information.\n2\n",
  );
  // pgrep's own options are not pkill's; -BAR is no signal, so it is options B, A, R
  for (const [line, first] of [["pkill -l x", "l"], ["pkill -v x", "v"], ["pkill -BAR x", "B"]]) {
    const e = out(line + "; echo $?");
    assert.ok(e.startsWith(`pkill: invalid option -- '${first}'\n\nUsage:\n pkill`), e);
    assert.match(e, /\n2\n$/);
  }
  assert.equal(
    out("pkill '*'; echo $?"),
    "pkill: regex error: Invalid preceding regular expression\n2\n",
  );
});

// ---------------------------------------------------------------------------------------------
// Against procps-ng 4.0.2 on this machine.

/** Is the host's pgrep procps-ng 4.0.2, the version the expected texts come from? */
const PROCPS = hostFirstLine("pgrep", ["-V"]) === "pgrep from procps-ng 4.0.2";

/** Runs the host's PROG with `args` in `cwd` (LC_ALL=C): stdout, stderr, status. */
function procps(prog: string, args: string[], cwd = "/") {
  const p = new Deno.Command(prog, {
    args,
    cwd,
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin", LC_ALL: "C" },
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  return { out: decoder.decode(p.stdout), err: decoder.decode(p.stderr), status: p.code };
}

Deno.test("pgrep's patterns are regcomp's extended expressions: its errors, procps's words", () => {
  // [pattern, regcomp's error, or "" where it compiles]
  const cases: [string, string][] = [
    ["(", "Unmatched ( or \\("],
    ["a{1", "Unmatched \\{"],
    ["a{1,2", "Unmatched \\{"],
    ["a{x", "Unmatched \\{"],
    ["a{1a}", "Invalid content of \\{\\}"],
    ["a{2,1}", "Invalid content of \\{\\}"],
    ["a{}", "Invalid content of \\{\\}"],
    ["*", "Invalid preceding regular expression"],
    ["+a", "Invalid preceding regular expression"],
    ["{1}", "Invalid preceding regular expression"],
    ["a|*b", "Invalid preceding regular expression"],
    ["^*", "Invalid preceding regular expression"],
    ["(?:a)", "Invalid preceding regular expression"], // no JavaScript groups
    ["[a", "Unmatched [, [^, [:, [., or [="],
    ["[]", "Unmatched [, [^, [:, [., or [="],
    ["[[:alpha:]", "Unmatched [, [^, [:, [., or [="],
    ["[[:foo:]]", "Invalid character class name"],
    ["[z-a]", "Invalid range end"],
    ["[[.ab.]]", "Invalid collation character"],
    ["a\\", "Trailing backslash"],
    ["\\1", "Invalid back reference"],
    ["(a)\\2", "Invalid back reference"],
    ["a{32768}", "Regular expression too big"],
    [")", ""], // an unmatched ) is a literal
    ["a{,2}", ""],
    ["a{1}{2}", ""],
    ["a**", ""],
    ["[]a]", ""],
    ["[[:alpha:]]", ""],
    ["\\d", ""], // a d, not a digit
    ["\\<", ""],
    ["(a)\\1", ""],
  ];
  for (const [pattern, error] of cases) {
    const want = error === "" ? "" : `pgrep: regex error: ${error}\n2\n`;
    const got = out(`pgrep -- '${pattern}' > /o; echo $?`);
    if (error === "") assert.match(got, /^[01]\n$/, pattern);
    else assert.equal(got, want, pattern);
    if (!PROCPS) continue;
    const real = procps("pgrep", ["--", pattern]);
    if (error === "") assert.notEqual(real.status, 2, `procps: ${pattern}: ${real.err}`);
    else assert.equal(`${real.err}${real.status}\n`, want, `procps: ${pattern}`);
  }
  // -x puts the pattern in ^(...)$ first, as procps does: a back-reference counts that group
  assert.equal(out(...JOBS, "pgrep -x 'sl(e)\\2p'"), STARTED + "3\n4\n");
});

/** procps 4.0.2's usage texts, with the lines of the options dv6 has. */
const USAGE = {
  pgrep: "\nUsage:\n pgrep [options] <pattern>\n\nOptions:\n" +
    " -d, --delimiter <string>  specify output delimiter\n" +
    " -l, --list-name           list PID and process name\n" +
    " -a, --list-full           list PID and full command line\n" +
    " -v, --inverse             negates the matching\n",
  pkill: "\nUsage:\n pkill [options] <pattern>\n\nOptions:\n" +
    " -<sig>, --signal <sig>    signal to send (either number or name)\n" +
    " -e, --echo                display what is killed\n",
  common: " -c, --count               count of matching processes\n" +
    " -f, --full                use full process name to match\n" +
    " -g, --pgroup <PGID,...>   match listed process group IDs\n" +
    " -i, --ignore-case         match case insensitively\n" +
    " -n, --newest              select most recently started\n" +
    " -o, --oldest              select least recently started\n" +
    " -P, --parent <PPID,...>   match only child processes of the given parent\n" +
    " -x, --exact               match exactly with the command name\n" +
    " -F, --pidfile <file>      read PIDs from file\n" +
    " -A, --ignore-ancestors    exclude our ancestors from results\n" +
    "\n -h, --help     display this help and exit\n" +
    "\nFor more details see pgrep(1).\n",
};

Deno.test("--help: procps's usage text, the lines of what dv6 implements, in its order", () => {
  for (const prog of ["pgrep", "pkill"] as const) {
    const text = USAGE[prog] + USAGE.common;
    assert.equal(out(`${prog} --help; echo $?`), text + "0\n");
    if (!PROCPS) continue;
    // each line of dv6's is procps's, in procps's order
    const real = procps(prog, ["--help"]).out.split("\n");
    let at = 0;
    for (const line of text.split("\n")) {
      while (at < real.length && real[at] !== line) at++;
      assert.ok(at < real.length, `${prog}: ${JSON.stringify(line)} is not procps's (in order)`);
      at++;
    }
  }
});

Deno.test("pkill with a signal it does not know: -FOO is -F OO, --signal FOO is signal -1", async () => {
  // -F OO: no such pid file; status 1
  const notValid = "pkill: pidfile not valid\nTry `pkill --help' for more information.\n";
  assert.equal(out("pkill -FOO x; echo $?"), notValid + "1\n");
  // --signal FOO: kill(pid, -1) fails with EINVAL for each match; status 1, silent for none
  assert.equal(out("pkill --signal FOO nosuch; echo $?"), "1\n");
  assert.equal(
    out(...JOBS, "pkill --signal FOO sleep; echo $?", "pkill --signal 99 spin; echo $?", "pgrep s"),
    STARTED + "pkill: killing pid 3 failed: Invalid argument\n" +
      "pkill: killing pid 4 failed: Invalid argument\n1\n" +
      "pkill: killing pid 5 failed: Invalid argument\n1\n" +
      "2\n3\n4\n5\n",
  );
  if (!PROCPS) return;
  const dir = Deno.makeTempDirSync({ prefix: "dv6procps" });
  const child = new Deno.Command("sleep", { args: ["100"], stdout: "null", stderr: "null" })
    .spawn();
  try {
    let real = procps("pkill", ["-FOO", "x"], dir);
    assert.equal(real.err + `${real.status}\n`, notValid + "1\n");
    real = procps("pkill", ["--signal", "FOO", "dv6nosuch"], dir);
    assert.equal(real.err + `${real.status}\n`, "1\n");
    Deno.writeTextFileSync(`${dir}/pid`, `${child.pid}\n`);
    real = procps("pkill", ["--signal", "FOO", "-F", `${dir}/pid`]);
    assert.equal(
      real.err + `${real.status}\n`,
      `pkill: killing pid ${child.pid} failed: Invalid argument\n1\n`,
    );
  } finally {
    child.kill();
    await child.status;
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("-F FILE: only the process whose pid the file starts with; a bad file is status 1", async () => {
  const notValid = "pgrep: pidfile not valid\nTry `pgrep --help' for more information.\n1\n";
  // [the file's text (%d: the pid), whether it is valid]
  const files: [string, boolean][] = [
    ["%d\n", true],
    ["  %d junk", true], // blanks first; after the number, a blank ends it
    ["%dx\n", false],
    ["x\n", false],
    ["", false],
    ["0\n", false],
    ["-%d\n", false],
  ];
  for (const [text, valid] of files) {
    // dv6's echo writes the file: with its newline, or with -n none
    const line = text.replace("%d", "4");
    const echo = line.endsWith("\n") ? `echo '${line.slice(0, -1)}'` : `echo -n '${line}'`;
    const lines = [...JOBS, `${echo} > /p`, "pgrep -F /p; echo $?"];
    assert.equal(out(...lines), STARTED + (valid ? "4\n0\n" : notValid), JSON.stringify(text));
  }
  // with a pattern too, and for pkill
  assert.equal(
    out(...JOBS, "echo 4 > /p", "pgrep -F /p spin; echo $?", "pkill -F /p", "sleep 1", "pgrep s"),
    STARTED + "1\n2\n3\n5\n",
  );
  assert.equal(out("pgrep -F /nope; echo $?"), notValid);
  if (!PROCPS) return;
  const dir = Deno.makeTempDirSync({ prefix: "dv6procps" });
  const child = new Deno.Command("sleep", { args: ["100"], stdout: "null", stderr: "null" })
    .spawn();
  try {
    for (const [text, valid] of files) {
      Deno.writeTextFileSync(`${dir}/p`, text.replace("%d", String(child.pid)));
      const real = procps("pgrep", ["-F", `${dir}/p`]);
      const want = valid ? `${child.pid}\n0\n` : notValid;
      assert.equal(real.err + real.out + `${real.status}\n`, want, JSON.stringify(text));
    }
  } finally {
    child.kill();
    await child.status;
    Deno.removeSync(dir, { recursive: true });
  }
});

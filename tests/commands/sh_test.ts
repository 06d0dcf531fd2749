// The shell (commands/sh/sh.ts) on a booted machine: `sh -c LINE` and `sh FILE` run by init, and
// interactive sessions typed into the console, with xv6's transcripts, redirections, pipes,
// blocks, background jobs, statuses, builtins, ^C and process groups.

import assert from "node:assert/strict";
import type { MachineEnd } from "../../kernel/machine.ts";
import { PROGRAMS } from "../../commands/programs.ts";
import { headerFor, machineFrom } from "../../shell/host.ts";
import { EV, type Program, report, reports, run, say, steps, type Sys } from "../helpers.ts";
import { O_CREATE, O_TRUNC, O_WRONLY } from "../../kernel/uapi/fcntl.ts";
import { SYS } from "../../kernel/uapi/syscall.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** pg TAG: writes "TAG pid pgid" of itself to the file /pg.TAG (its stdout may be a pipe). */
function* pg(sys: Sys, argv: string[]): Program {
  const me = yield* sys.getpid();
  const p = (yield* sys.procs()).find((q) => q.pid === me)!;
  const fd = yield* sys.open(`/pg.${argv[1]}`, O_WRONLY | O_CREATE | O_TRUNC);
  yield* sys.write(fd, `${argv[1]} ${me} ${p.pgid}\n`);
  return 0;
}

/** procs: reports "procs NAME..." of every process but itself, in table order. */
function* procs(sys: Sys): Program {
  const me = yield* sys.getpid();
  const names = (yield* sys.procs()).filter((q) => q.pid !== me).map((q) => q.name);
  yield* say(sys, "procs", ...names);
  return 0;
}

/** status N: exits with status N. */
function* status(_sys: Sys, argv: string[]): Program {
  return Number(argv[1]);
}

const TEST_PROGRAMS = { pg, procs, status };

/** `sh -c LINE` as init's only command: console output and the status it halts with. */
function shc(line: string, image?: Record<string, Uint8Array>): { out: string; status: number } {
  const r = run({ initArgv: ["init", "sh", "-c", line], programs: TEST_PROGRAMS, image });
  assert.equal(r.end?.kind, "halt", `${line}: ${JSON.stringify(r.end)}\n${r.out}`);
  return { out: r.out, status: r.end!.kind === "halt" ? r.end!.status : -999 };
}

function out(line: string): string {
  return shc(line).out;
}

/**
 * An interactive session: boots init with `initArgv` (sh itself by default, so the machine
 * halts with sh's status) and types each input into the console once sh waits at its prompt
 * (or, for input such as ^C that interrupts a running command, after `busySteps` steps).
 * Returns the transcript (echo included, but not the echo of ^D, which is the console's
 * business) and how the machine ended (null: it waits for input).
 */
function session(
  inputs: string[],
  initArgv = ["init", "sh"],
  busySteps = 300_000,
): { out: string; end: MachineEnd | null } {
  const h = headerFor({ initArgv }, "test");
  let text = "";
  const m = machineFrom(h, undefined, (b) => {
    text += decoder.decode(b);
  }, { ...PROGRAMS, ...TEST_PROGRAMS });
  const settle = (limit: number): MachineEnd | null => {
    for (let n = 0; n < limit; n += 10_000) {
      const end = m.run(10_000);
      if (end !== null) return end;
      if (m.stall === "input" || text.endsWith("$ ")) return null;
    }
    return null;
  };
  for (const input of inputs) {
    const end = settle(busySteps);
    if (end !== null) return { out: text.replaceAll("\x04", ""), end };
    m.input(encoder.encode(input));
  }
  const end = settle(20_000_000);
  return { out: text.replaceAll("\x04", ""), end };
}

Deno.test("xv6's typical transcripts", () => {
  const r = session([
    "echo hello world\n",
    "nosuch\n",
    "cat < nofile\n",
    "cd nodir\n",
    "echo a b c | wc\n",
    "\n",
    "echo 1 2 3 4 5 6 7 8 9\n",
    "echo hi >\n",
    "(echo hi\n",
    "echo hi )\n",
    "\x04",
  ]);
  assert.equal(
    r.out,
    [
      "$ echo hello world",
      "hello world",
      "$ nosuch",
      "exec nosuch failed",
      "$ cat < nofile",
      "open nofile failed",
      "$ cd nodir",
      "cannot cd nodir",
      "$ echo a b c | wc",
      "1 3 6 ",
      "$ ",
      "$ echo 1 2 3 4 5 6 7 8 9",
      "too many args",
      "$ echo hi >",
      "missing file for redirection",
      "$ (echo hi",
      "syntax - missing )",
      "$ echo hi )",
      "leftovers: )",
      "",
      "syntax",
      "$ ",
    ].join("\n"),
  );
  // ^D at the start of a line ends sh with the last command's status (the parse error's, 2
  // as in sh: xv6's texts, POSIX's status).
  assert.deepEqual(r.end, { kind: "halt", status: 2 });
});

Deno.test("at the console a line is whole: a syntax error, $? 2, and the shell goes on", () => {
  const r = session(["echo a |\n", "echo $?\n", "echo 'b\n", "exit 300 x\n"]);
  assert.equal(
    r.out,
    [
      "$ echo a |",
      "sh: syntax error: unexpected end of line",
      "$ echo $?",
      "2",
      "$ echo 'b",
      "sh: syntax error: unterminated quoted string",
      "$ exit 300 x",
      "",
    ].join("\n"),
  );
  assert.deepEqual(r.end, { kind: "halt", status: 44 });
  // a bad exit is an error of the shell's: at the console it goes on, with $? 2
  const bad = session(["exit x\n", "echo $?\n", "\x04"]);
  assert.equal(bad.out, "$ exit x\nsh: exit: Illegal number: x\n$ echo $?\n2\n$ ");
});

Deno.test("^D ends sh; init starts a new one", () => {
  const r = session(["echo one\n", "\x04", "echo two\n"], ["init"]);
  assert.equal(
    r.out,
    "init: starting sh\n$ echo one\none\n$ init: starting sh\n$ echo two\ntwo\n$ ",
  );
});

Deno.test("redirections: of one fd the last one written wins; >> appends; < reads", () => {
  // every one is opened, in order (a is made empty); the output goes to the last, as in sh
  assert.equal(out("echo x > a > b; cat a; echo --; cat b; echo --"), "--\nx\n--\n");
  assert.equal(out("echo 1 > a; echo 2 > b; cat < a < b; echo x >> a > c; cat a c"), "2\n1\nx\n");
  // they stop at the first that fails: a is made, b is not
  assert.deepEqual(shc("echo x > a < nofile > b; cat a b; echo $?"), {
    out: "open nofile failed\ncat: cannot open b\n1\n",
    status: 0,
  });
  // in the shell itself (a builtin, or no command) too
  assert.equal(out("cd / > a > b; > c > d; cat a b c d; echo $?"), "0\n");
  assert.equal(out("echo one > f; echo two >> f; cat < f; echo 1 > f; cat f"), "one\ntwo\n1\n");
  assert.equal(out("echo abc > f; cat < f > g; wc < g"), "1 1 4 \n");
  assert.equal(out("> empty; wc empty"), "0 0 0 empty\n");
  assert.equal(out("cd / > made; cat made; echo $?"), "0\n");
  assert.deepEqual(shc("echo x < nofile"), { out: "open nofile failed\n", status: 1 });
  assert.deepEqual(shc("nosuch > out; cat out; echo $?"), {
    out: "exec nosuch failed\n0\n",
    status: 0,
  });
});

Deno.test("$? and statuses: 127 for a command that cannot run, 2 for a parse error", () => {
  assert.equal(out("status 7; echo $?; echo $?"), "7\n0\n");
  assert.equal(out("nosuch; echo $?"), "exec nosuch failed\n127\n");
  assert.equal(out("/bin; echo $?"), "exec /bin failed\n127\n");
  // a status is its low 8 bits, as WEXITSTATUS gives it
  assert.equal(
    out("status 300; echo $?; status 255; echo $?; status 256; echo $?"),
    "44\n255\n0\n",
  );
  // but -1, a killed process's status (xv6 has no signals), stays, and a shell passes it on
  assert.deepEqual(shc("status -1; echo $?; status -1"), { out: "-1\n", status: -1 });
  // a parse error runs nothing of the line, and ends a shell that is not interactive, with 2
  assert.deepEqual(shc("echo a (b); echo $?"), { out: "syntax\n", status: 2 });
  assert.equal(out(`status 3; echo "<$?>" '<$?>' x$?y`), "<3> <$?> x3y\n");
  assert.deepEqual(shc("status 5"), { out: "", status: 5 });
  assert.deepEqual(shc("status 5; echo hi"), { out: "hi\n", status: 0 });
  assert.deepEqual(shc("echo a )"), { out: "leftovers: )\nsyntax\n", status: 2 });
  assert.deepEqual(shc("echo a\necho b |\n"), {
    out: "a\nsh: syntax error: unexpected end of line\n",
    status: 2,
  });
  assert.deepEqual(shc(""), { out: "", status: 0 });
  assert.deepEqual(shc("# a comment"), { out: "", status: 0 });
});

Deno.test("&& runs the next pipeline after a success, || after a failure", () => {
  assert.equal(out("echo a && echo b; echo $?"), "a\nb\n0\n");
  assert.equal(out("echo a || echo b; echo $?"), "a\n0\n");
  assert.equal(out("status 3 && echo no; echo $?"), "3\n");
  assert.equal(out("status 3 || echo yes; echo $?"), "yes\n0\n");
  // left to right, a skipped pipeline leaving $? as it was
  assert.equal(out("status 3 && echo no || echo $?"), "3\n");
  assert.equal(out("echo a || echo no && echo b"), "a\nb\n");
  assert.equal(out("echo a b | wc && echo a | status 4 || echo $?"), "1 2 4 \n4\n");
  // builtins too, in the shell itself
  assert.equal(out("cd nodir || cd /nodir || echo $?"), "cannot cd nodir\ncannot cd /nodir\n1\n");
  assert.deepEqual(shc("status 1 && exit 5; echo here && exit 6 || echo no"), {
    out: "here\n",
    status: 6,
  });
  assert.equal(out("(status 2 || echo in) && echo out"), "in\nout\n");
  // & puts the whole and-or list in the background, in a child shell
  const r = shc("status 1 || echo bg > f & cat f; wait; cat f; echo $?");
  assert.match(r.out, /^\[\d+\]\n(cat: cannot open f\n)?bg\n0\n$/);
});

Deno.test("quotes and comments reach the program as one word each", () => {
  assert.equal(out(`echo 'a  b' "c | d" e#f # comment`), "a  b c | d e#f\n");
  assert.equal(out(`echo "" x | wc`), "1 1 3 \n");
});

Deno.test("pipelines: every stage runs at once, the last one's status is the pipeline's", () => {
  assert.equal(out("echo a b c | wc"), "1 3 6 \n");
  assert.equal(out("echo a b c | cat | cat | cat | wc"), "1 3 6 \n");
  assert.equal(out("echo a | nosuch | wc"), "exec nosuch failed\n0 0 0 \n");
  assert.equal(out("echo a | status 4; echo $?"), "4\n");
  assert.equal(out("status 4 | echo x; echo $?"), "x\n0\n");
  assert.equal(out("echo a | nosuch; echo $?"), "exec nosuch failed\n127\n");
  // a redirection inside a stage wins over the pipe, as in xv6
  assert.equal(out("echo hi > f | wc; cat f"), "0 0 0 \nhi\n");
});

Deno.test("blocks run in a child shell, with their redirections", () => {
  assert.equal(out("(echo a; echo b) | wc"), "2 2 4 \n");
  assert.equal(out("(echo a; echo b) > f; (cat) < f"), "a\nb\n");
  assert.equal(out("( (echo 'x)') | cat ) | wc"), "1 1 3 \n");
  assert.equal(out("mkdir d; (cd d; echo in > f); cat d/f; cat f"), "in\ncat: cannot open f\n");
  assert.equal(out("(status 6); echo $?"), "6\n");
  assert.equal(out("(exit 9); echo $?"), "9\n");
});

Deno.test("builtins: cd, exit, wait", () => {
  assert.equal(out("mkdir d; cd d; echo x > f; cd /d; cat f; cd; cat d/f"), "x\nx\n");
  assert.deepEqual(shc("cd nodir"), { out: "cannot cd nodir\n", status: 1 });
  assert.deepEqual(shc("cd 'a b'"), { out: "cannot cd a b\n", status: 1 });
  assert.deepEqual(shc("status 4; exit; echo no"), { out: "", status: 4 });
  assert.deepEqual(shc("exit 3; echo no"), { out: "", status: 3 });
  // exit N: 0 to INT_MAX, its low 8 bits; anything else is dash's error, status 2
  assert.deepEqual(shc("exit 300; echo no"), { out: "", status: 44 });
  assert.deepEqual(shc("exit ' +7 ' x"), { out: "", status: 7 });
  for (const n of ["x", "-1", "2147483648", "0x10", "''", "5x"]) {
    const shown = n === "''" ? "" : n;
    assert.deepEqual(shc(`exit ${n}; echo no`), {
      out: `sh: exit: Illegal number: ${shown}\n`,
      status: 2,
    }, n);
  }
  assert.deepEqual(shc("exit 2147483647"), { out: "", status: 255 });
  // in a pipeline a builtin runs in a child shell: it cannot end this one
  assert.deepEqual(shc("exit 3 | cat; echo $?"), { out: "0\n", status: 0 });
  // wait: for every background job
  const r = shc("(sleep 3; echo late) & wait; echo done");
  assert.match(r.out, /^\[\d+\]\nlate\ndone\n$/);
});

Deno.test("variables: NAME=value, $NAME and ${NAME}, export, unset, NAME=value COMMAND", () => {
  const r = session([
    "A=1 B='x  y'\n",
    `echo $A\${A}2 "$B" $B '$A' [$NONE]\n`,
    "env\n",
    "export A C=3\n",
    "env\n",
    "A=9 D=4 env | cat\n",
    "echo $A $D; export\n",
    "unset A C; env; echo [$A]\n",
    "export 2x\n",
    "echo ${A\n",
    "\x04",
  ]);
  assert.equal(
    r.out,
    [
      "$ A=1 B='x  y'",
      "$ echo $A${A}2 \"$B\" $B '$A' [$NONE]",
      "112 x  y x y $A []",
      "$ env",
      "$ export A C=3",
      "$ env",
      "A=1",
      "C=3",
      "$ A=9 D=4 env | cat",
      "A=9",
      "C=3",
      "D=4",
      "$ echo $A $D; export",
      "1",
      "export A='1'",
      "export C='3'",
      "$ unset A C; env; echo [$A]",
      "[]",
      "$ export 2x",
      "export: 2x: bad variable name",
      "$ echo ${A",
      "sh: syntax error: missing '}'",
      "$ ",
    ].join("\n"),
  );
  assert.deepEqual(r.end, { kind: "halt", status: 2 });
});

Deno.test("an unquoted variable splits into words; an empty one is no word; quoted, one", () => {
  // echo's last argument is the empty "$E": a blank before the newline
  assert.equal(out(`L=' a  b '; E=; echo [$L] "[$L]" $E x "$E"`), "[ a b ] [ a  b ] x \n");
  assert.equal(out(`L=' a  b '; E=; echo [$L] "[$L]" $E x "$E" | wc`), "1 9 20 \n");
  assert.equal(out(`L='a b'; status $L; echo $?; echo x > "$L"; cat 'a b'`), "0\nx\n");
  assert.equal(out("E=; $E; echo $?; $E echo hi"), "0\nhi\n");
  // a command name may come from a variable
  assert.equal(out("C='echo hi'; $C there"), "hi there\n");
});

Deno.test("export and unset run in the shell; in a pipeline, in a child shell", () => {
  assert.equal(out("export A=1 | cat; env; unset X | cat; echo $?"), "0\n");
  assert.equal(out("export A=1; unset A | cat; env"), "A=1\n");
});

Deno.test("a background job prints [PID], runs in its own group, and the shell goes on", () => {
  const r = shc("sleep 20 & procs; wait; procs");
  const [bg] = /^\[(\d+)\]\n/.exec(r.out)!.slice(1).map(Number);
  assert.ok(bg > 0, r.out);
  assert.deepEqual(reports(r.out, "procs"), ["init sh sleep", "init sh"]);
  // the pid that [PID] shows is the job's first process; the job is its own process group
  const p = shc("pg a | pg b & wait; cat /pg.a /pg.b");
  const [first] = /\[(\d+)\]/.exec(p.out)!.slice(1).map(Number);
  const [apid, agroup] = report(p.out, "a").map(Number);
  const [bpid, bgroup] = report(p.out, "b").map(Number);
  assert.equal(apid, first);
  assert.deepEqual([agroup, bgroup], [apid, apid]);
  assert.notEqual(bpid, apid);
});

Deno.test("foreground jobs of an interactive shell get their own group; -c ones do not", () => {
  const r = session([
    "pg a | pg b\n",
    "pg c\n",
    "sh -c 'pg d | pg e'\n",
    "cat /pg.a /pg.b /pg.c /pg.d /pg.e\n",
    "\x04",
  ]);
  const [apid, agroup] = report(r.out, "a").map(Number);
  const [, bgroup] = report(r.out, "b").map(Number);
  const [cpid, cgroup] = report(r.out, "c").map(Number);
  assert.deepEqual([agroup, bgroup, cgroup], [apid, apid, cpid]);
  const [, dgroup] = report(r.out, "d").map(Number);
  const [, egroup] = report(r.out, "e").map(Number);
  assert.equal(dgroup, egroup); // the child shell's own group, not one per job
  assert.notEqual(dgroup, cpid);
  assert.deepEqual(r.end, { kind: "halt", status: 0 });
});

Deno.test("^C stops the foreground job, not the shell nor a background job", () => {
  const r = session([
    "sleep 100000000 &\n",
    "cat | wc\n",
    "abc\n",
    "\x03",
    "echo $?\n",
    "(cat; echo not reached)\n",
    "\x03",
    "procs\n",
    "\x03",
    "echo still here\n",
    "\x04",
  ]);
  assert.match(
    r.out,
    /^\$ sleep 100000000 &\n\[\d+\]\n\$ cat \| wc\nabc\n\^C\n\$ echo \$\?\n-1\n/,
  );
  assert.doesNotMatch(r.out, /\nnot reached\n/);
  assert.deepEqual(reports(r.out, "procs"), ["init sh sleep"]);
  assert.match(r.out, /\$ \^C\n\$ echo still here\nstill here\n\$ $/);
  assert.deepEqual(r.end, { kind: "halt", status: 0 });
});

Deno.test("sh FILE runs the file's lines without prompts, and ends with the last status", () => {
  const script = "echo one\n# a comment\n\nnosuch\necho $?\nstatus 2\n";
  const r = shc("sh /s; echo sh said $?", { "/s": encoder.encode(script) });
  assert.equal(r.out, "one\nexec nosuch failed\n127\nsh said 2\n");
  assert.deepEqual(shc("sh /s", { "/s": encoder.encode("echo a\nexit 4\necho b\n") }), {
    out: "a\n",
    status: 4,
  });
  // a line goes on after | && ||, in quotes and after a backslash
  assert.equal(
    shc("sh /s", { "/s": encoder.encode("echo a |\ncat &&\necho 'b\nc'\necho d \\\ne\n") }).out,
    "a\nb\nc\nd e\n",
  );
  assert.deepEqual(shc("sh /s", { "/s": encoder.encode("echo a\necho 'b\n") }), {
    out: "a\nsh: syntax error: unterminated quoted string\n",
    status: 2,
  });
  // the last line needs no newline
  assert.equal(shc("sh /s", { "/s": encoder.encode("echo a\necho b") }).out, "a\nb\n");
  // the script's own fd does not leak into the commands: a pipe still sees its end
  assert.equal(shc("sh /s", { "/s": encoder.encode("echo x | wc\n") }).out, "1 1 2 \n");
  assert.deepEqual(shc("sh nofile"), { out: "sh: cannot open nofile\n", status: 1 });
  assert.deepEqual(shc("sh /bin"), { out: "sh: /bin is a directory\n", status: 1 });
  assert.deepEqual(shc("sh a b"), { out: "usage: sh [-c LINE | FILE]\n", status: 1 });
});

Deno.test("a line longer than MAXLINE is refused, and the next line runs", () => {
  const script = "echo " + "x".repeat(5000) + "\necho after\n";
  const r = shc("sh /s; echo $?", { "/s": encoder.encode(script) });
  assert.equal(r.out, "sh: line too long (at most 1024 bytes)\nafter\n0\n");
});

Deno.test("sh opens the console as fds 0, 1 and 2 when they are closed", () => {
  function* closed(sys: Sys): Program {
    for (const fd of [0, 1, 2]) yield* sys.close(fd);
    const pid = yield* sys.spawn("/bin/sh", ["sh", "-c", "echo hi; nosuch"]);
    const [, st] = yield* sys.wait();
    yield* sys.open("/console", 2);
    yield* sys.dup(0);
    yield* say(sys, "closed", pid > 0 ? "ok" : "fail", st);
    return 0;
  }
  const r = run({ initArgv: ["init", "closed"], programs: { closed } });
  assert.equal(r.out, "hi\nexec nosuch failed\nclosed ok 127\n");
});

Deno.test("the shell never forks: every command is a spawn", () => {
  const r = run({
    initArgv: ["init", "sh", "-c", "echo a | wc; (echo b) > f; cat < f; nosuch; echo c & wait"],
  });
  assert.equal(r.end?.kind, "halt", r.out);
  const calls = steps(r.journal).filter((s) => s.ev.k === EV.SYSCALL);
  assert.equal(calls.filter((s) => s.ev.k === EV.SYSCALL && s.ev.n === SYS.fork).length, 0);
  const spawns = calls.filter((s) => s.ev.k === EV.SYSCALL && s.ev.n === SYS.spawn);
  // init spawns sh; sh spawns echo, wc, the block's sh, cat, (nosuch fails), echo
  assert.equal(spawns.filter((s) => s.pid === 2).length, 6);
});

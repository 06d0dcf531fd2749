// The process environment from the user's side: the shell's variables, `export`, `unset`,
// `NAME=value COMMAND`, the env program (coreutils' options, messages and statuses), and the
// environment passed on through exec, spawn and fork and recorded in the journal (every exec
// and spawn system call carries the environment it gives, and a run replays from its journal).

import assert from "node:assert/strict";
import { EV } from "../../kernel/event.ts";
import { JournalReader } from "../../kernel/journal.ts";
import type { Program } from "../../kernel/uapi/abi.ts";
import { SYS } from "../../kernel/uapi/syscall.ts";
import type { Sys } from "../../commands/lib/usys.ts";
import { replay, run } from "../helpers.ts";

const encoder = new TextEncoder();

/** forkenv: forks; the child prints its environment as its Sys has it, then execs `env`
 * without giving an environment (so its own goes on); the parent waits for it. */
function* forkenv(sys: Sys): Program {
  const pid = yield* sys.fork();
  if (pid === 0) {
    yield* sys.write(1, `child sees ${sys.env.join(",")}\n`);
    yield* sys.exec("/bin/env", ["env"]);
    return 1;
  }
  yield* sys.wait();
  return 0;
}

/** spawnenv: spawns `env` without giving an environment (its own goes on), then `env` with
 * one of its own making. */
function* spawnenv(sys: Sys): Program {
  yield* sys.spawn("/bin/env", ["env"]);
  yield* sys.wait();
  yield* sys.spawn("/bin/env", ["env"], [], 0, 0, ["MADE=here"]);
  yield* sys.wait();
  return 0;
}

const PROGRAMS = { forkenv, spawnenv };

/** Boots init with `initArgv`: console output, the status it halts with, the journal. */
function boot(initArgv: string[], image?: Record<string, Uint8Array>) {
  const r = run({ initArgv, programs: PROGRAMS, image });
  assert.equal(r.end?.kind, "halt", `${initArgv.join(" ")}: ${JSON.stringify(r.end)}\n${r.out}`);
  return { out: r.out, status: r.end!.kind === "halt" ? r.end!.status : -999, journal: r.journal };
}

/** `sh -c LINE` as init's command. */
function sh(line: string, image?: Record<string, Uint8Array>) {
  return boot(["init", "sh", "-c", line], image);
}

function out(line: string): string {
  return sh(line).out;
}

/** `sh -c LINE`: its output and status. */
function shc(line: string): { out: string; status: number } {
  const r = sh(line);
  return { out: r.out, status: r.status };
}

type Call = { pid: number; n: number; a: unknown[]; r: unknown };

/** The system calls a journal records, decoded with JournalReader. */
function syscalls(journal: Uint8Array): Call[] {
  const reader = new JournalReader(journal);
  const calls: Call[] = [];
  for (const rec of reader.records()) {
    if (rec.type === "step" && rec.ev.k === EV.SYSCALL) {
      calls.push({ pid: rec.pid, n: rec.ev.n, a: rec.ev.a, r: rec.ev.r });
    }
  }
  assert.equal(reader.broken, null);
  return calls;
}

/** The argv and environment of every spawn and exec that succeeded, in order. */
function starts(journal: Uint8Array): { pid: number; call: string; argv: string; env: string[] }[] {
  return syscalls(journal).filter((c) =>
    (c.n === SYS.spawn && (c.r as number) > 0) || (c.n === SYS.exec && c.r !== -1)
  ).map((c) => ({
    pid: c.pid,
    call: c.n === SYS.spawn ? "spawn" : "exec",
    argv: (c.a[1] as string[]).join(" "),
    env: (c.n === SYS.spawn ? c.a[5] : c.a[2]) as string[],
  }));
}

Deno.test("shell variables: NAME=value, $NAME, ${NAME}, quotes; unset names are empty", () => {
  assert.equal(
    out(`A=1; B='x  y'; echo $A \${A}2 "$B" $B '$A' "\${B}!" [$NONE] "[$NONE]"`),
    "1 12 x  y x y $A x  y! [] []\n",
  );
  // a line of assignments only: several, each seeing the ones before it; $? is 0 after it
  assert.equal(out("status=7 A=$? B=a$A; echo $? $status $A $B"), "0 7 0 a0\n");
  // not exported: the commands the shell starts do not get them
  assert.deepEqual(shc("A=1; env"), { out: "", status: 0 });
});

Deno.test("the shell starts with its own environment exported", () => {
  const r = boot(["init", "env", "A=1", "B=x y", "sh", "-c", 'echo $A "$B"; C=3; env']);
  assert.equal(r.out, "1 x y\nA=1\nB=x y\n");
  // a name that is not a variable's passes through env, but the shell does not take it
  assert.equal(boot(["init", "env", "1X=2", "Y=3", "sh", "-c", "env"]).out, "Y=3\n");
});

Deno.test("export: exported variables go to every command; export alone lists them", () => {
  assert.equal(out("export A=1 B; env; B=2; A=3; env"), "A=1\nA=3\nB=2\n");
  assert.equal(out("X=1; export X; env; X=2; env"), "X=1\nX=2\n");
  assert.equal(
    out(`export Q="it's" E=; export P; export; export -p > f; cat f`),
    "export E=''\nexport P\nexport Q='it'\\''s'\n".repeat(2),
  );
  // `export NAME=$VALUE` takes the value whole, as an assignment does
  assert.equal(out(`V='a b'; export W=$V; env`), "W=a b\n");
  assert.deepEqual(shc("export 1A=2 B=3; echo $?; env"), {
    out: "export: 1A=2: bad variable name\n1\nB=3\n",
    status: 0,
  });
  assert.equal(out("export -x A; echo $?"), "usage: export [-p] [NAME[=VALUE]...]\n1\n");
});

Deno.test("unset removes variables, exported or not", () => {
  assert.equal(out("export A=1 B=2; C=3; unset A C; env; echo [$A$C]"), "B=2\n[]\n");
  assert.equal(out("unset NOTSET; echo $?; unset -v B; echo $?"), "0\n0\n");
  assert.equal(out("unset 9x; echo $?"), "unset: 9x: bad variable name\n1\n");
  assert.equal(out("unset -f x; echo $?"), "usage: unset [-v] NAME...\n1\n");
});

Deno.test("NAME=value COMMAND: the assignment is in COMMAND's environment only", () => {
  assert.equal(out(`A=1 B="x y" env; env; echo "[$A]"`), "A=1\nB=x y\n[]\n");
  // over an exported variable: the command sees the new value, the shell keeps the old one
  assert.equal(out("export A=0 Z=9; A=1 env; env"), "A=1\nZ=9\nA=0\nZ=9\n");
  // the words are expanded before the assignments; the assignments left to right
  assert.equal(out("A=old; A=new echo $A; A=1 B=$A env"), "old\nA=1\nB=1\n");
  // in a pipeline, each stage its own: env's has no B, so grep finds none (status 1)
  assert.equal(out("A=1 env | B=2 grep B; echo $?"), "1\n");
  assert.equal(out("A=1 env | cat; B=2 env | cat"), "A=1\nB=2\n");
  // before a builtin that is not special, nothing changes; before export, it stays
  assert.equal(out("A=1 cd /; echo [$A]; B=2 export C=3; echo $B; env"), "[]\n2\nC=3\n");
});

Deno.test("child shells (blocks, builtins in a pipeline) see every variable", () => {
  assert.equal(out(`A=1; export B=2; (echo $A $B; env)`), "1 2\nB=2\n");
  assert.equal(out(`Q="it's  'q'"; (echo "$Q")`), "it's  'q'\n");
  assert.equal(out(`N='a\nb'; (echo "$N") | wc`), "2 2 4 \n");
  // a builtin in a pipeline runs in a child shell: cd $D works there and changes nothing here
  assert.equal(out("mkdir d; D=d; cd $D | cat; echo $?; cd $D; echo x > f; cat /d/f"), "0\nx\n");
  // a block's variables stay in the block
  assert.equal(out("A=1; (A=2; export B=3); echo $A [$B]"), "1 []\n");
});

Deno.test("sh -c: a newline in quotes stays in the word; a backslash joins lines", () => {
  assert.equal(out("echo 'a\nb' | wc; echo c\\\nd"), "2 2 4 \ncd\n");
});

Deno.test("parse errors of ${...}: the line is refused, and sh -c ends with status 2", () => {
  assert.deepEqual(shc("echo ${A; echo $?"), { out: "sh: syntax error: missing '}'\n", status: 2 });
  assert.deepEqual(shc("echo ${A-x}\necho $?"), {
    out: "sh: ${A-x}: bad substitution\n",
    status: 2,
  });
});

Deno.test("env prints the environment; NAME=value, -i, -, -u, -0 change it", () => {
  const e = (line: string) => boot(["init", "env", "A=1", "B=2", "sh", "-c", line]).out;
  assert.equal(e("env"), "A=1\nB=2\n");
  assert.equal(e("env C=3 A=9"), "A=9\nB=2\nC=3\n");
  assert.equal(e("env -i C=3"), "C=3\n");
  assert.equal(e("env - C=3 env D=4"), "C=3\nD=4\n");
  assert.equal(e("env -u A -uB C=3"), "C=3\n");
  assert.equal(e("env --unset=A --ignore-environment; echo $?"), "0\n");
  assert.equal(e("env --unset A; env -u NOTSET"), "B=2\nA=1\nB=2\n");
  assert.equal(e("env -0 C=3 | wc"), "0 3 12 \n"); // wc splits words at NUL
  assert.equal(e("env =x 'Q=a b' A=3"), "A=3\nB=2\n=x\nQ=a b\n");
  assert.equal(e("env -i"), "");
});

Deno.test("env COMMAND runs the command, by exec, with the environment changed", () => {
  assert.equal(out("env A=1 sh -c 'echo $A; env'"), "1\nA=1\n");
  assert.equal(out("env A=1 /bin/env B=2"), "A=1\nB=2\n");
  // options stop at the first assignment or command
  assert.equal(out("env A=1 echo -i; env echo -u x"), "-i\n-u x\n");
  assert.equal(out("mkdir d; echo hi > d/f; env -C d cat f"), "hi\n");
  // exec: env's own process becomes the command (init waits for that pid)
  assert.deepEqual(boot(["init", "env", "sh", "-c", "exit 3"]).status, 3);
});

Deno.test("env's errors: coreutils' messages, 125, 126, 127", () => {
  const cases: [string, string, number][] = [
    ["env nosuch", "env: 'nosuch': No such file or directory\n", 127],
    ["env /bin", "env: '/bin': Permission denied\n", 126],
    ["env -z", "env: invalid option -- 'z'\nTry 'env --help' for more information.\n", 125],
    [
      "env --bogus",
      "env: unrecognized option '--bogus'\nTry 'env --help' for more information.\n",
      125,
    ],
    [
      "env -u",
      "env: option requires an argument -- 'u'\nTry 'env --help' for more information.\n",
      125,
    ],
    [
      "env --unset",
      "env: option '--unset' requires an argument\nTry 'env --help' for more information.\n",
      125,
    ],
    [
      "env --null=1",
      "env: option '--null' doesn't allow an argument\nTry 'env --help' for more information.\n",
      125,
    ],
    ["env -u A=B", "env: cannot unset 'A=B': Invalid argument\n", 125],
    [
      "env -0 echo",
      "env: cannot specify --null (-0) with command\nTry 'env --help' for more information.\n",
      125,
    ],
    [
      "env -C /",
      "env: must specify command with --chdir (-C)\nTry 'env --help' for more information.\n",
      125,
    ],
    [
      "env -C nodir echo",
      "env: cannot change directory to 'nodir': No such file or directory\n",
      125,
    ],
  ];
  for (const [line, message, status] of cases) {
    assert.equal(out(line + "; echo $?"), message + status + "\n", line);
  }
  const help = sh("env --help; echo $?").out;
  assert.match(
    help,
    /^Usage: env \[OPTION\]\.\.\. \[-\] \[NAME=VALUE\]\.\.\. \[COMMAND \[ARG\]\.\.\.\]\n/,
  );
  assert.match(help, /\n0\n$/);
});

Deno.test("spawn passes the environment on; the journal records it on each spawn", () => {
  const r = sh("export A=1; B=2 env; env; C=3; (env)");
  assert.equal(r.out, "A=1\nB=2\nA=1\nA=1\n");
  const spawns = starts(r.journal).filter((s) => s.call === "spawn" && s.pid === 2);
  assert.deepEqual(spawns.map((s) => [s.argv, s.env]), [
    ["env", ["A=1", "B=2"]],
    ["env", ["A=1"]],
    ["sh -c C='3'\nenv", ["A=1"]], // the block's child shell gets C on its first line
  ]);
  // init's spawn of sh carries init's (empty) environment
  assert.deepEqual(starts(r.journal)[0], {
    pid: 1,
    call: "spawn",
    argv: "sh -c " + "export A=1; B=2 env; env; C=3; (env)",
    env: [],
  });
  // a program's spawn without an environment passes its own on
  const p = sh("export K=v; spawnenv");
  assert.equal(p.out, "K=v\nMADE=here\n");
  assert.deepEqual(
    starts(p.journal).filter((s) => s.argv === "env").map((s) => s.env),
    [["K=v"], ["MADE=here"]],
  );
});

Deno.test("fork passes the environment on; exec gives a new one; both in the journal", () => {
  const r = sh("export A=1 B=2; forkenv");
  assert.equal(r.out, "child sees A=1,B=2\nA=1\nB=2\n");
  const execs = starts(r.journal).filter((s) => s.call === "exec");
  assert.deepEqual(execs.map((s) => [s.argv, s.env]), [["env", ["A=1", "B=2"]]]);
  // the child that forkenv forked made the exec
  const forkenvPid = starts(r.journal).find((s) => s.argv === "forkenv")!.pid;
  assert.notEqual(execs[0].pid, forkenvPid);

  // env's exec: the record carries the environment env made
  const e = sh("export A=1; env -u A B=2 env");
  assert.equal(e.out, "B=2\n");
  assert.deepEqual(
    starts(e.journal).filter((s) => s.call === "exec").map((s) => [s.argv, s.env]),
    [["env", ["B=2"]]],
  );
});

Deno.test("a run with environments replays from its journal, step for step", () => {
  const line = "export A=1; B=2 env | cat; (env); env -i C=3 forkenv";
  const r = run({ initArgv: ["init", "sh", "-c", line], programs: PROGRAMS });
  assert.equal(r.out, "A=1\nB=2\nA=1\nchild sees C=3\nC=3\n");
  const p = replay(r.journal, PROGRAMS);
  assert.equal(p.divergence, null);
  assert.equal(p.truncated, null);
  assert.deepEqual(p.end, r.end);
  assert.equal(p.out, r.out);
  // the same boot gives the same journal
  const again = run({ initArgv: ["init", "sh", "-c", line], programs: PROGRAMS });
  assert.deepEqual(again.journal, r.journal);
});

Deno.test("sh FILE keeps its variables from line to line", () => {
  const script = "A=1\nexport B=2\necho $A $B\nenv\n";
  assert.equal(boot(["init", "sh", "/s"], { "/s": encoder.encode(script) }).out, "1 2\nB=2\n");
});

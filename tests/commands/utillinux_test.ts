// flock, ipcmk, ipcs, ipcrm (commands/bin/, commands/lib/utillinux.ts) held against util-linux
// 2.38: each case's expected text is what util-linux 2.38.1 printed on the reference machine
// (stdout and stderr together), and where the tools are installed here the same commands run
// on the host too (in a temporary directory, through sh) and must print the same. On the host,
// semaphore sets are made only by the cases that say so, with their own ids and keys, and
// removed in a finally; no case removes what it did not make (no -a there).

import assert from "node:assert/strict";
import { hostSh, run } from "../helpers.ts";

/** Is util-linux 2.38 installed here? */
const UTIL_LINUX = (() => {
  try {
    const p = new Deno.Command("flock", { args: ["--version"], stdout: "piped", stderr: "null" })
      .outputSync();
    return new TextDecoder().decode(p.stdout).includes("util-linux 2.38");
  } catch {
    return false;
  }
})();

/** `cmd` in sh on a fresh dv6 (cwd /): what the console shows, without the background jobs'
 * `[PID]` lines (dash prints none). */
function dv6(cmd: string): string {
  const r = run({ initArgv: ["init", "sh", "-c", cmd], maxSteps: 20_000_000 });
  assert.equal(r.end?.kind, "halt", `${cmd}: ${JSON.stringify(r.end)}\n${r.out}`);
  return r.out.replace(/^\[\d+\]\n/gm, "");
}

/** `cmd` in the host's sh, in a temporary directory: stdout and stderr together. */
function host(cmd: string): string {
  return hostSh({}, `(${cmd}) 2>&1`).out;
}

interface Case {
  cmd: string;
  /** util-linux's output, each command followed by `echo $?`. */
  out: string;
  /** The host's command where dv6's needs other words (sleep in seconds, not ticks). */
  host?: string;
}

/** Runs each command with its status after it, on dv6 and (where installed) on the host. */
function check(cases: Case[]): void {
  for (const c of cases) {
    const cmd = `${c.cmd}; echo $?`;
    assert.equal(dv6(cmd), c.out, `dv6: ${c.cmd}`);
    if (UTIL_LINUX) assert.equal(host(c.host ?? cmd), c.out, `util-linux: ${c.cmd}`);
  }
}

const TRY = (prog: string) => `Try '${prog} --help' for more information.\n`;

Deno.test("flock: util-linux's usage errors (64), a bad fd (65), a file it cannot open (66), a command it cannot run (69)", () => {
  check([
    { cmd: "flock", out: `flock: not enough arguments\n${TRY("flock")}64\n` },
    { cmd: "flock -x", out: "flock: requires file descriptor, file or directory\n64\n" },
    {
      cmd: "flock /nonexistent/x echo",
      out: "flock: cannot open lock file /nonexistent/x: No such file or directory\n66\n",
    },
    { cmd: "flock 99", out: "flock: 99: Bad file descriptor\n65\n" },
    {
      cmd: "flock lk nosuchcommand",
      out: "flock: failed to execute nosuchcommand: No such file or directory\n69\n",
    },
    { cmd: "flock -w 1 lk", out: "flock: bad file descriptor: 'lk'\n64\n" },
    { cmd: "flock -w abc lk echo", out: "flock: invalid timeout value: 'abc'\n64\n" },
    { cmd: "flock -w -1 lk echo", out: "flock: cannot set up timer: Invalid argument\n71\n" },
    { cmd: "flock -E 300 lk echo", out: "flock: exit code out of range (expected 0 to 255)\n64\n" },
    { cmd: "flock -E abc lk echo", out: "flock: invalid exit code: 'abc'\n64\n" },
    { cmd: "flock -Q lk echo", out: `flock: invalid option -- 'Q'\n${TRY("flock")}64\n` },
    { cmd: "flock --foo lk", out: `flock: unrecognized option '--foo'\n${TRY("flock")}64\n` },
    { cmd: "flock -w", out: `flock: option requires an argument -- 'w'\n${TRY("flock")}64\n` },
    { cmd: "flock lk -c", out: "flock: -c requires exactly one command argument\n64\n" },
    { cmd: "flock lk -c a b", out: "flock: -c requires exactly one command argument\n64\n" },
    { cmd: "flock -c x lk", out: `flock: invalid option -- 'c'\n${TRY("flock")}64\n` },
  ]);
});

Deno.test("flock: -c, -u, -w 0, FD; a conflict under -n, -w or -E is silent, with the code", () => {
  check([
    { cmd: "flock lk -c 'echo a; echo b'", out: "a\nb\n0\n" },
    { cmd: "flock -u lk echo unlocked", out: "unlocked\n0\n" },
    { cmd: "flock -s -w 0 lk echo free", out: "free\n0\n" },
    { cmd: "flock 1", out: "0\n" },
    {
      // dv6: -w 3 is three ticks; the holder keeps the lock 20.
      cmd:
        "flock lk --hold 20 & sleep 2; flock -n lk echo no; echo $?; flock -w 3 lk echo no; echo $?; flock -E 7 -n lk echo no",
      host:
        "flock lk sleep 1 & sleep 0.3; flock -n lk echo no; echo $?; flock -w 0.1 lk echo no; echo $?; flock -E 7 -n lk echo no; echo $?; wait",
      out: "1\n1\n7\n",
    },
  ]);
});

Deno.test("ipcmk, ipcs, ipcrm: util-linux's messages and statuses for what names nothing", () => {
  // On the host, ids with seq 0 are long gone and these keys unused: nothing is removed.
  check([
    { cmd: "ipcmk", out: `ipcmk: bad usage\n${TRY("ipcmk")}1\n` },
    { cmd: "ipcmk -S abc", out: "ipcmk: failed to parse elements: 'abc'\n1\n" },
    {
      cmd: "ipcmk -S 99999999999",
      out: "ipcmk: failed to parse elements: '99999999999': Numerical result out of range\n1\n",
    },
    { cmd: "ipcmk -S 0", out: "ipcmk: create semaphore failed: Invalid argument\n1\n" },
    { cmd: "ipcmk -S 32001", out: "ipcmk: create semaphore failed: Invalid argument\n1\n" },
    { cmd: "ipcmk -S 1 -p 9", out: "ipcmk: failed to parse mode: Success\n1\n" },
    { cmd: "ipcmk -z", out: `ipcmk: invalid option -- 'z'\n${TRY("ipcmk")}1\n` },
    { cmd: "ipcs -s -i 7", out: "ipcs: id 7 not found\n0\n" },
    { cmd: "ipcs -m -i 7", out: "ipcs: id 7 not found\n0\n" },
    { cmd: "ipcs -i 7", out: "ipcs: when using an ID, a single resource must be specified\n1\n" },
    { cmd: "ipcs -i abc", out: "ipcs: failed to parse id argument: 'abc'\n1\n" },
    { cmd: "ipcs -z", out: `ipcs: invalid option -- 'z'\n${TRY("ipcs")}1\n` },
    { cmd: "ipcrm", out: "0\n" },
    { cmd: "ipcrm -s 7", out: "ipcrm: invalid id (7)\n1\n" },
    { cmd: "ipcrm -s 7 -s 8", out: "ipcrm: invalid id (7)\nipcrm: invalid id (8)\n1\n" },
    { cmd: "ipcrm -S 0x1234", out: "ipcrm: invalid key (0x1234)\n1\n" },
    { cmd: "ipcrm -S 010", out: "ipcrm: invalid key (010)\n1\n" },
    { cmd: "ipcrm -S 0", out: "ipcrm: illegal key (0)\n1\n" },
    { cmd: "ipcrm -s abc", out: "ipcrm: failed to parse argument: 'abc'\n1\n" },
    {
      cmd: "ipcrm -S 99999999999999999999",
      out:
        "ipcrm: failed to parse argument: '99999999999999999999': Numerical result out of range\n1\n",
    },
    { cmd: "ipcrm -m 7", out: "ipcrm: invalid id (7)\n1\n" },
    { cmd: "ipcrm -M 0x1234", out: "ipcrm: invalid key (0x1234)\n1\n" },
    { cmd: "ipcrm --all=foo", out: "ipcrm: unknown argument: foo\n1\n" },
    { cmd: "ipcrm extra", out: `ipcrm: unknown argument: extra\n${TRY("ipcrm")}1\n` },
    { cmd: "ipcrm sem 7 x", out: "ipcrm: invalid id (7)\nipcrm: invalid id: x\n1\n" },
    { cmd: "ipcrm sem", out: `ipcrm: not enough arguments\n${TRY("ipcrm")}1\n` },
    { cmd: "ipcrm -s", out: `ipcrm: option requires an argument -- 's'\n${TRY("ipcrm")}1\n` },
  ]);
});

/** A set's listing and details with what differs by machine made fixed: the key and id,
 * times (a date on Linux, ticks on dv6). */
function normalized(text: string): string {
  return text.replace(/^0x[0-9a-f]{8} \d+ +/gm, "KEY ID ").replace(/semid=\d+/, "semid=ID")
    .replace(/^(ctime = ).*$/gm, "$1TIME").replace(/id \(\d+\)/g, "id (ID)")
    .replace(/id \d+ not found/g, "id ID not found");
}

/** ipcmk -S 2 -p 600, then the set as ipcs lists and details it, ipcrm -S KEY, ipcrm -s ID
 * (again), ipcs -s -i ID; `sh` runs a shell line and gives its output. */
function lifecycle(sh: (cmd: string) => string): string {
  const made = sh("ipcmk -S 2 -p 600; echo $?");
  const m = /^Semaphore id: (\d+)\n0\n$/.exec(made);
  assert.ok(m, made);
  const id = Number(m[1]);
  try {
    const line = sh("ipcs -s").split("\n").find((l) => new RegExp(`^0x[0-9a-f]{8} ${id} `).test(l));
    assert.ok(line !== undefined, `ipcs -s lists ${id}`);
    return normalized(line + "\n" + sh(`ipcs -s -i ${id}; echo $?`)) +
      normalized(sh(`ipcrm -S ${line.slice(0, 10)}; echo $?; ipcrm -s ${id}; echo $?`)) +
      normalized(sh(`ipcs -s -i ${id}; echo $?`));
  } finally {
    sh(`ipcrm -s ${id} 2>/dev/null`); // already gone unless a step failed
  }
}

/** dv6 as one session: each call runs, on a fresh machine, the earlier commands (their output
 * left out) and then this one; dv6 is deterministic, so that is running them in turn. */
function dv6Session(): (cmd: string) => string {
  const before: string[] = [];
  return (cmd) => {
    const out = dv6([...before, "echo @@@", cmd].join("; "));
    before.push(cmd);
    return out.slice(out.indexOf("@@@\n") + 4);
  };
}

Deno.test("ipcmk, ipcs, ipcrm: a set made, listed, detailed, removed by key; its id then unknown", () => {
  const expected = "KEY ID root       600        2         \n" +
    `
Semaphore Array semid=ID
uid=0\t gid=0\t cuid=0\t cgid=0
mode=0600, access_perms=0600
nsems = 2
otime = Not set                   
ctime = TIME
semnum     value      ncount     zcount     pid       
0          0          0          0          0         
1          0          0          0          0         

0
0
ipcrm: invalid id (ID)
1
ipcs: id ID not found
0
`;
  assert.equal(lifecycle(dv6Session()), expected);
  if (UTIL_LINUX) assert.equal(lifecycle(host), expected);
});

Deno.test("ipcmk: ids as current Linux gives them: made, made, one removed, made are consecutive", () => {
  assert.equal(
    dv6("ipcmk -S 1; ipcmk -S 1; ipcrm -s 0; ipcmk -S 1"),
    "Semaphore id: 0\nSemaphore id: 1\nSemaphore id: 2\n",
  );
  if (!UTIL_LINUX) return;
  // The host's ids go on from where its table is: consecutive, unless the index cycle (64
  // while few sets are in use) wraps in the middle; then once more, after the wrap.
  for (let attempt = 0; attempt < 2; attempt++) {
    const ids = host(
      "a=$(ipcmk -S 1 | cut -d' ' -f3); b=$(ipcmk -S 1 | cut -d' ' -f3); ipcrm -s $a; " +
        "c=$(ipcmk -S 1 | cut -d' ' -f3); ipcrm -s $b -s $c; echo $a $b $c",
    ).trim().split(" ").map(Number);
    if (ids[0] % 32768 > 61) continue;
    assert.deepEqual(ids, [ids[0], ids[0] + 1, ids[0] + 2]);
    return;
  }
  assert.fail("the host's ids wrapped twice");
});

/** The --help text: util-linux 2.38's, where the lines that say "dv6" are dv6's own. */
const HELPS: Record<string, string[]> = {
  flock: ["flock [options] <file>|<directory> --hold [<ticks>]"],
  ipcmk: [],
  ipcs: ["ipcs [resource-option...]"],
  ipcrm: [],
};

Deno.test("--help: util-linux's text for what dv6 has, status 0; dv6's own lines say so", () => {
  for (const [prog, own] of Object.entries(HELPS)) {
    const out = dv6(`${prog} --help; echo $?`);
    assert.ok(
      out.startsWith("\nUsage:\n") && out.endsWith(`For more details see ${prog}(1).\n0\n`),
    );
    if (!UTIL_LINUX) continue;
    // Every line but dv6's is the real tool's, in the real tool's order.
    const real = host(`${prog} --help`).split("\n");
    let at = 0;
    for (const line of out.split("\n").slice(0, -2)) {
      if (/dv6/.test(line) || own.includes(line.trim())) continue;
      const i = real.indexOf(line, at);
      assert.ok(i >= 0, `${prog} --help: ${JSON.stringify(line)} is not util-linux's`);
      at = i + 1;
    }
  }
});

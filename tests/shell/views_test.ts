// Views of a journal: dv6 log's filters (--only, --cpu, --syscall), dv6 timeline's chart and
// dv6 trace's Chrome trace-event file, each run as a user runs it, on small real journals.

import assert from "node:assert/strict";
import { dv6 } from "../helpers.ts";

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dv6-views-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Records a journal of `args` (a dv6 command line) in `home`, and returns its path. */
async function journal(home: string, name: string, args: string[]): Promise<string> {
  const f = `${home}/${name}.log`;
  const r = await dv6([...args, "--journal", f], { home });
  assert.equal(r.code, 0, r.err);
  return f;
}

// ---- dv6 log --only ------------------------------------------------------------------------

/** A line of dv6 log: a step's (with its number, CPU, pid, interrupt and event), or the
 * host's (input, tick) or the end's, which have only `event`. */
interface LogLine {
  text: string;
  step?: number;
  cpu?: number;
  pid?: number;
  intr: string;
  event: string;
}

const STEP_LINE = /^ *(\d+) cpu(\d+) +(\d+) \S+ +(\[timer\] |\[device\] )?(.*)$/;

async function log(home: string, f: string, ...args: string[]): Promise<LogLine[]> {
  const r = await dv6(["log", f, ...args], { home });
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split("\n");
  assert.match(lines[0], /^# dv6 journal: /);
  return lines.slice(1).map((text) => {
    const m = STEP_LINE.exec(text);
    if (m === null) return { text, intr: "", event: text.trim() };
    return { text, step: +m[1], cpu: +m[2], pid: +m[3], intr: m[4] ?? "", event: m[5] };
  });
}

const callOf = (event: string) => /^(\w+)\(/.exec(event)?.[1] ?? "";
const isCall = (l: LogLine) => l.step !== undefined && /^\w+\(.*\)/.test(l.event);
const isExit = (l: LogLine) =>
  l.step !== undefined &&
  (l.event === "killed" || / \(killed\)$/.test(l.event) || /^(exit|halt)\(/.test(l.event));
const calls = (names: string) => {
  const set = new Set(names.split(" "));
  return (l: LogLine) => isCall(l) && set.has(callOf(l.event));
};
const FS = calls(
  "open read write close dup pipe fstat mkdir mknod unlink link chdir flock fcntl poll",
);
const IPC = calls(
  "semget semop semctl shmopen shmunlink futexwait futexwake setrobustlist psemregister psemop",
);
const PROC = calls("fork exec spawn exit wait kill halt getpid procs");

/** What each category holds, told from the lines dv6 log prints. */
const CATEGORIES: Record<string, (l: LogLine) => boolean> = {
  sched: (l) => l.step !== undefined && /^(swtch|wfi)/.test(l.event),
  lock: (l) => l.step !== undefined && /^(acquire|release) /.test(l.event),
  syscall: (l) => isCall(l) || isExit(l),
  intr: (l) => l.intr !== "" || l.event === "tick",
  ipc: (l) => IPC(l) || /^atomic /.test(l.event),
  fs: FS,
  proc: (l) => PROC(l) || isExit(l),
  console: (l) =>
    l.intr === "[device] " || /^input /.test(l.event) ||
    /^(acquire|release) (uart|cons|sleep lock \(console write\))$/.test(l.event) ||
    /\(sleep on (console read|uart|console write)\)$/.test(l.event),
};
const isEnd = (l: LogLine) =>
  /^(halt|panic|deadlock|stopped)/.test(l.event) && l.step === undefined;

Deno.test("dv6 log --only: each category's lines, and only those", async (t) => {
  await withTemp(async (home) => {
    const pipeline = await journal(home, "pipe", ["-c", "echo hi | wc"]);
    await Deno.writeTextFile(
      `${home}/sem.sh`,
      "ipcmk -S 1 --value 1\nsemop 0 0:-1:u --hold &\nsleep 2\npkill -x semop; sleep 1\n" +
        "semctl 0 0 getval\n",
    );
    const sem = await journal(home, "sem", ["run", `${home}/sem.sh`]);
    // Lines every category's listing must hold (one journal or the other).
    const known: Record<string, [string, RegExp][]> = {
      sched: [[pipeline, /^swtch -> scheduler \(sleep on wait\)$/], [pipeline, /^wfi$/]],
      lock: [[pipeline, /^acquire pipe#\d+$/], [pipeline, /^release wait_lock$/]],
      syscall: [[pipeline, /^pipe\(\) = \[3, 4\]$/], [pipeline, /^exit\(0\)$/]],
      intr: [[pipeline, /^acquire uart$/], [sem, /^acquire time$/]],
      ipc: [[sem, /^semget\(/], [sem, /^semop\(0, \[\[0, -1, 4096\]\], -1\) = 0$/]],
      fs: [[pipeline, /^write\(1, "hi"\) = 2$/], [pipeline, /^read\(0, 512\) = "hi\\n"$/]],
      proc: [[pipeline, /^spawn\("\/bin\/wc"/], [sem, /^kill\(\d+\) = 0$/], [sem, /\(killed\)$/]],
      console: [[pipeline, /^input "echo hi \| wc\\n"$/], [pipeline, /^acquire cons$/]],
    };
    const everything = new Map([[pipeline, await log(home, pipeline)], [
      sem,
      await log(home, sem),
    ]]);
    for (const [category, holds] of Object.entries(CATEGORIES)) {
      await t.step(category, async () => {
        for (const [f, all] of everything) {
          const lines = await log(home, f, "--only", category);
          const wrong = lines.filter((l) => !holds(l) && !isEnd(l));
          assert.deepEqual(wrong.map((l) => l.text), [], `lines not of ${category}`);
          // Nothing of the category is left out, and the lines keep dv6 log's format.
          assert.deepEqual(
            lines.map((l) => l.text),
            all.filter((l) => holds(l) || isEnd(l)).map((l) => l.text),
          );
          for (const [where, line] of known[category]) {
            if (where !== f) continue;
            assert.ok(lines.some((l) => line.test(l.event)), `no ${line} in --only ${category}`);
          }
        }
      });
    }
    await t.step("several categories: a line of any of them", async () => {
      const all = everything.get(sem)!;
      const lines = await log(home, sem, "--only", "ipc,proc");
      assert.deepEqual(
        lines.map((l) => l.text),
        all.filter((l) => CATEGORIES.ipc(l) || CATEGORIES.proc(l) || isEnd(l)).map((l) => l.text),
      );
    });
    await t.step("--pid, --cpu and --syscall narrow --only further", async () => {
      const all = everything.get(pipeline)!;
      const sh = all.find((l) => /^pipe\(/.test(l.event))!.pid!;
      const lines = await log(home, pipeline, "--only", "lock", "--pid", String(sh), "--cpu", "1");
      assert.ok(lines.filter((l) => l.step !== undefined).length > 5);
      assert.deepEqual(
        lines.map((l) => l.text),
        all.filter((l) => (CATEGORIES.lock(l) && l.pid === sh && l.cpu === 1) || isEnd(l))
          .map((l) => l.text),
      );
      const writes = await log(home, pipeline, "--syscall", "write");
      assert.deepEqual(
        writes.map((l) => l.text),
        all.filter((l) => (isCall(l) && callOf(l.event) === "write") || isEnd(l)).map((l) =>
          l.text
        ),
      );
      assert.ok(writes.some((l) => l.event === 'write(1, "hi") = 2'));
      // write is fs, not console: nothing is both.
      const none = await log(home, pipeline, "--syscall", "write", "--only", "console");
      assert.deepEqual(none.map((l) => l.event), ["halt 0"]);
    });
    await t.step("an unknown category or call: one line naming it and the valid ones", async () => {
      const bad = await dv6(["log", pipeline, "--only", "sched,bogus"], { home });
      assert.equal(bad.code, 2);
      assert.equal(bad.out, "");
      assert.equal(
        bad.err.split("\n")[0],
        "dv6: unknown category 'bogus' for --only (categories: sched, lock, syscall, intr, ipc, " +
          "fs, proc, console)",
      );
      const call = await dv6(["log", pipeline, "--syscall", "forkk"], { home });
      assert.equal(call.code, 2);
      assert.match(
        call.err.split("\n")[0],
        /^dv6: unknown system call 'forkk' for --syscall \(calls: fork, exit, wait, .*, getrandom\)$/,
      );
    });
  });
});

// ---- dv6 timeline --------------------------------------------------------------------------

Deno.test("dv6 timeline: fits its width, names real processes, shows who ran", async (t) => {
  await withTemp(async (home) => {
    const f = await journal(home, "spin", ["--cpus", "2", "-c", "spin & sleep 2; pkill spin"]);
    const spawned = new Map<number, string>([[1, "init"]]); // pid -> program, from the log
    for (const l of await log(home, f, "--syscall", "spawn")) {
      const m = /^spawn\("\/bin\/(\w+)".* = (\d+)$/.exec(l.event);
      if (m !== null) spawned.set(+m[2], m[1]);
    }
    for (const width of [20, 37, 80, 131]) {
      await t.step(`--width ${width}`, async () => {
        const r = await dv6(["timeline", f, "--width", String(width)], { home });
        assert.equal(r.code, 0, r.err);
        const lines = r.out.trimEnd().split("\n");
        for (const l of lines) assert.ok(l.length <= width, `${l.length} > ${width}: '${l}'`);
        const rows = lines.filter((l) => /\|[^|]*\|$/.test(l));
        assert.ok(new Set(rows.map((l) => l.length)).size === 1, "rows of different lengths");
        const cpuRows = rows.filter((l) => /^cpu\d/.test(l));
        assert.deepEqual(cpuRows.map((l) => l.slice(0, 4)), ["cpu0", "cpu1"]);
        // The legend: letters of real processes, named as they were.
        const legend = new Map<string, number>();
        for (const [, letter, pid, name] of r.out.matchAll(/(?:^| {2})(\w)=(\d+) (\w+)/gm)) {
          assert.equal(name.slice(0, 5), spawned.get(+pid)?.slice(0, 5), `pid ${pid}`);
          legend.set(letter, +pid);
        }
        assert.ok(legend.size >= 2);
        const cells = (l: string) => l.slice(l.indexOf("|") + 1, -1);
        for (const row of cpuRows) {
          for (const c of cells(row)) assert.ok(c === "." || legend.has(c), `'${c}' in ${row}`);
        }
        // The spinner runs all along, on one CPU or the other; its row is R.
        const spin = [...spawned].find(([, name]) => name === "spin")![0];
        const spinLetter = [...legend].find(([, pid]) => pid === spin)![0];
        const spinRow = rows.find((l) => new RegExp(`^ *${spin} `).test(l))!;
        const ncols = cells(spinRow).length;
        assert.ok(ncols >= width - 18, `${ncols} columns`);
        assert.ok(
          [...cells(spinRow)].filter((c) => c === "R").length >= ncols - 1,
          `spin's row: ${spinRow}`,
        );
        for (let c = 1; c < ncols - 1; c++) {
          assert.ok(cpuRows.some((l) => cells(l)[c] === spinLetter), `column ${c}: no spin`);
        }
        // sh waits (sleeps) for the line's commands.
        const shRow = rows.find((l) => /^ *2 sh/.test(l))!;
        assert.match(cells(shRow), /^R+s+/);
      });
    }
    await t.step("--from and --to", async () => {
      const r = await dv6(["timeline", f, "--from", "100", "--to", "399", "--width", "40"], {
        home,
      });
      assert.equal(r.code, 0, r.err);
      // 30 columns of 10 steps; the header wraps at the width
      assert.match(r.out, /^timeline of steps 100\.\.399: 10 steps a\ncolumn\n/);
      assert.match(r.out, /\nstep {5}100 {7}200 {7}300 {7}\n/);
      const past = await dv6(["timeline", f, "--from", "99999999"], { home });
      assert.equal(past.code, 2);
      assert.equal(past.out, "");
      assert.match(
        past.err,
        /^dv6 timeline: no steps from 99999999 to the end \(the journal has \d+\)\n$/,
      );
    });
  });
});

// ---- dv6 trace -----------------------------------------------------------------------------

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  s?: string;
  args?: Record<string, unknown>;
}

async function trace(home: string, f: string): Promise<TraceEvent[]> {
  const out = `${home}/trace.json`;
  const r = await dv6(["trace", f, "-o", out], { home });
  assert.equal(r.code, 0, r.err);
  const events: TraceEvent[] = JSON.parse(await Deno.readTextFile(out)).traceEvents;
  assert.equal(
    r.out,
    `trace: ${
      events.length.toLocaleString("en-US")
    } events to ${out} (open it in https://ui.perfetto.dev)\n`,
  );
  return events;
}

Deno.test("dv6 trace: Perfetto's JSON, with tracks per CPU, process, lock and semaphore", async (t) => {
  await withTemp(async (home) => {
    await Deno.writeTextFile(
      `${home}/sem.sh`,
      "ipcmk -S 1 --value 1\nsemop 0 0:-1:u --hold &\nsleep 2\npkill -x semop; sleep 1\n" +
        "semctl 0 0 getval\n",
    );
    const f = await journal(home, "sem", ["run", `${home}/sem.sh`]);
    const events = await trace(home, f);
    const meta = (name: string) =>
      events.filter((e) => e.ph === "M" && e.name === name).map((e) => ({
        pid: e.pid,
        tid: e.tid!,
        name: String(e.args!.name),
      }));
    const threads = meta("thread_name"), processes = meta("process_name");
    const machine = processes.find((p) => p.name === "dv6 machine")!.pid;
    const pidOf = (name: string) => processes.find((p) => p.name === name)!.pid;
    const timed = events.filter((e) => e.ph !== "M");

    await t.step("timestamps never go back; slices of a track never overlap", () => {
      for (let i = 1; i < timed.length; i++) {
        assert.ok(timed[i].ts! >= timed[i - 1].ts!, `event ${i}`);
      }
      const ends = new Map<string, number>();
      for (const e of timed.filter((e) => e.ph === "X")) {
        assert.ok(e.dur! >= 0);
        const track = `${e.pid}/${e.tid}`;
        assert.ok((ends.get(track) ?? 0) <= e.ts!, `${JSON.stringify(e)} overlaps`);
        ends.set(track, e.ts! + e.dur!);
      }
    });
    await t.step("a thread per CPU, each with its process runs", () => {
      const cpus = threads.filter((th) => th.pid === machine && /^cpu\d$/.test(th.name));
      assert.deepEqual(cpus.map((c) => c.name), ["cpu0", "cpu1", "cpu2"]);
      const runs = timed.filter((e) => e.ph === "X" && cpus.some((c) => c.tid === e.tid));
      for (const name of ["init", "sh", "ipcmk", "semop", "sleep", "pkill", "semctl"]) {
        const pid = pidOf(name);
        assert.ok(runs.some((e) => e.name === `${name} (${pid})` && e.args!.pid === pid), name);
      }
    });
    await t.step("a process per dv6 process, a slice per system call with args", () => {
      const semop = pidOf("semop");
      const calls = timed.filter((e) => e.ph === "X" && e.pid === semop);
      const take = calls.find((e) => e.name === "semop")!;
      assert.deepEqual(take.args, { args: "0, [[0, -1, 4096]], -1", result: "0" });
      // --hold sleeps until it is killed: the call spans the sleep and ends in the kill.
      const held = calls.find((e) => e.name === "sleep (killed)")!;
      assert.ok(held.dur! > 10_000, `sleep held ${held.dur} cycles`);
      const sh = pidOf("sh");
      assert.ok(
        timed.some((e) =>
          e.pid === sh && e.name === "spawn" && String(e.args!.args).startsWith('"/bin/semop"')
        ),
      );
    });
    await t.step("the kill as instants, the undo on the semaphore's counter", () => {
      const semop = pidOf("semop"), pkill = pidOf("pkill");
      const kill = timed.find((e) => e.ph === "i" && e.name === `kill by pid ${pkill}`)!;
      assert.equal(kill.pid, semop);
      const killed = timed.find((e) => e.ph === "i" && e.name === "killed" && e.pid === semop)!;
      assert.ok(killed.ts! >= kill.ts!);
      const sem = timed.filter((e) => e.ph === "C" && e.name === "sem 0").map((e) => e.args!["0"]);
      // made (0), set (1), taken (0), given back by the kernel when its holder died (1)
      assert.deepEqual(sem, [0, 1, 0, 1]);
      const back = timed.filter((e) => e.ph === "C").at(-1)!;
      assert.ok(back.ts! >= killed.ts!);
    });
    await t.step("lock holds and interrupts on the CPUs' tracks", () => {
      const lanes = threads.filter((th) => th.pid === machine && / locks/.test(th.name));
      assert.ok(lanes.some((l) => l.name === "cpu0 locks"));
      const holds = timed.filter((e) => e.ph === "X" && lanes.some((l) => l.tid === e.tid));
      assert.ok(holds.some((e) => e.name === "sem"));
      assert.ok(holds.some((e) => e.name === "wait_lock"));
      assert.ok(timed.some((e) => e.ph === "i" && e.name === "timer interrupt"));
      assert.ok(timed.some((e) => e.ph === "i" && e.name === "device interrupt"));
      const end = timed.at(-1)!;
      assert.deepEqual([end.ph, end.s, end.name, end.args], ["i", "g", "halt", { status: 0 }]);
    });
  });
});

Deno.test("dv6 trace: a panic is a global instant with its message", async () => {
  await withTemp(async (home) => {
    const f = `${home}/panic.log`;
    const r = await dv6(["exec", "kill", "1", "--journal", f], { home });
    assert.equal(r.code, 3);
    const end = (await trace(home, f)).at(-1)!;
    assert.equal(end.name, "panic");
    assert.equal(end.s, "g");
    assert.match(String(end.args!.message), /init exiting/);
  });
});

Deno.test("dv6 trace: typed input and an injected kill are instants", async () => {
  await withTemp(async (home) => {
    const f = `${home}/inject.log`;
    const r = await dv6(
      ["-c", "sleep 100 & sleep 1", "--inject", "kill:sleep@300", "--journal", f],
      { home },
    );
    assert.equal(r.code, 0, r.err);
    const events = await trace(home, f);
    const input = events.find((e) => e.ph === "i" && e.name === "console input")!;
    assert.equal(input.args!.bytes, '"sleep 100 & sleep 1\\n"');
    const kill = events.find((e) => e.ph === "i" && e.name === "kill by the host (--inject)")!;
    const killed = events.find((e) => e.ph === "i" && e.name === "killed" && e.pid === kill.pid);
    assert.ok(killed !== undefined && killed.ts! >= kill.ts!, "the victim dies of it");
  });
});

Deno.test("dv6 trace: a file it cannot write is one line, status 2", async () => {
  await withTemp(async (home) => {
    const f = await journal(home, "echo", ["exec", "echo", "hi"]);
    const r = await dv6(["trace", f, "-o", `${home}/no/such/dir/t.json`], { home });
    assert.equal(r.code, 2);
    assert.equal(r.out, "");
    assert.match(r.err, /^dv6: cannot write .*\/no\/such\/dir\/t\.json: .+\n$/);
  });
});

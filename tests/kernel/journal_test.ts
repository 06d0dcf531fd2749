// The journal: determinism (the same options make byte-identical journals, with nothing of the
// host in them), replay that verifies every step, the first divergent step of a changed record,
// crash logs that replay to the same panic, and journals that are cut short or damaged.

import assert from "node:assert/strict";
import { JournalError, JournalReader } from "../../kernel/journal.ts";
import { SYS } from "../../kernel/uapi/syscall.ts";
import {
  encode,
  EV,
  headerOf,
  indexesOf,
  joinFrames,
  type Program,
  type Programs,
  records,
  replay,
  runFor as run,
  type RunOptions,
  say,
  splitFrames,
  steps,
  type Sys,
} from "../helpers.ts";

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// A small program with a bit of everything: forks, pipes, sleeps, a kill at a timer.
function* mix(sys: Sys): Program {
  const fds: number[] = [];
  yield* sys.pipe(fds);
  const spinner = yield* sys.fork();
  if (spinner === 0) { for (;;) yield* sys.spin(); }
  for (let i = 0; i < 4; i++) {
    const pid = yield* sys.fork();
    if (pid === 0) {
      yield* sys.write(fds[1], "x");
      yield* sys.sleep(i);
      return i;
    }
  }
  const buf = new Uint8Array(4);
  let got = 0;
  while (got < 4) got += yield* sys.read(fds[0], buf);
  yield* sys.kill(spinner);
  let sum = 0;
  for (;;) {
    const [pid, status] = yield* sys.wait();
    if (pid < 0) break;
    sum += status;
  }
  yield* say(sys, "mix", got, sum, yield* sys.uptime());
  return 0;
}

const programs: Programs = { mix };

Deno.test("the same options give byte-identical journals", async (t) => {
  const configs = [
    { sched: "rr", seed: 0, cpus: 3 },
    { sched: "rr", seed: 0, cpus: 1 },
    { sched: "random", seed: 5, cpus: 3 },
    { sched: "random", seed: 6, cpus: 2 },
  ] as const;
  const journals: Uint8Array[] = [];
  for (const c of configs) {
    await t.step(`${c.sched} ${c.seed}, ${c.cpus} cpus`, () => {
      const a = run({ initArgv: ["init", "mix"], programs, ...c });
      const b = run({ initArgv: ["init", "mix"], programs, ...c });
      assert.deepEqual(a.end, { kind: "halt", status: 0 }, a.out);
      assert.match(a.out, /^mix 4 5 \d+\n$/);
      assert.equal(a.out, b.out);
      assert.ok(same(a.journal, b.journal), "two runs, two different journals");
      journals.push(a.journal);
    });
  }
  await t.step("and other options give other journals", () => {
    for (let i = 0; i < journals.length; i++) {
      for (let j = i + 1; j < journals.length; j++) {
        assert.ok(!same(journals[i], journals[j]), `configs ${i} and ${j} made the same journal`);
      }
    }
  });
});

Deno.test("the journal header holds the boot options and nothing of the host", () => {
  const r = run({
    initArgv: ["init", "mix"],
    programs,
    sched: "random",
    seed: 12,
    cpus: 2,
    nproc: 9,
  });
  const h = headerOf(r.journal);
  for (const key of ["format", "build", "image", "options"]) assert.ok(key in h, key);
  assert.deepEqual(
    { ncpu: h.ncpu, nproc: h.nproc, sched: h.sched, seed: h.seed, initArgv: h.initArgv },
    { ncpu: 2, nproc: 9, sched: "random", seed: 12, initArgv: ["init", "mix"] },
  );
  assert.equal(h.build, "test"); // what the harness passes: the build id comes from outside
  const json = JSON.stringify(h);
  for (const host of [Deno.cwd(), Deno.env.get("HOME") ?? "/nonexistent", Deno.execPath()]) {
    assert.ok(!json.includes(host), `the header holds ${host}`);
  }
  assert.equal(new JournalReader(r.journal).header.seed, 12);
  // No host path and no date anywhere in the journal's records.
  const text = splitFrames(r.journal).frames.map((f) => new TextDecoder().decode(f.payload)).join(
    "",
  );
  for (const host of [Deno.cwd(), import.meta.url, Deno.env.get("HOME") ?? "/nonexistent"]) {
    assert.ok(!text.includes(host), `the journal holds ${host}`);
  }
  const today = new Date().toISOString().slice(0, 10);
  assert.ok(!text.includes(today) && !text.includes(today.replace(/-/g, "")));
});

// A random-policy run of a few 100,000 steps over 3 CPUs, and a journal of many frames.
const BIG: RunOptions = {
  initArgv: ["init", "usertests", "reparent2"],
  sched: "random",
  seed: 7,
  cpus: 3,
};

Deno.test("replay of a 100,000-step random run verifies every step", () => {
  const r = run(BIG);
  assert.deepEqual(r.end, { kind: "halt", status: 0 }, r.out);
  assert.ok(r.steps >= 100_000, `only ${r.steps} steps`);
  assert.equal(steps(r.journal).length, r.steps, "one record per step");
  const p = replay(r.journal);
  assert.equal(p.divergence, null);
  assert.equal(p.truncated, null);
  assert.equal(p.steps, r.steps);
  assert.deepEqual(p.end, r.end);
  assert.equal(p.out, r.out);
});

// Writes two marked lines, with other work between them.
function* marker(sys: Sys): Program {
  yield* sys.write(1, "MARKER-ONE");
  for (let i = 0; i < 3; i++) {
    const pid = yield* sys.fork();
    if (pid === 0) return 0;
    yield* sys.wait();
  }
  yield* sys.write(1, "MARKER-TWO");
  return 0;
}

Deno.test("a changed record makes replay report the first divergent step", async (t) => {
  const r = run({ initArgv: ["init", "marker"], programs: { marker }, sched: "random", seed: 3 });
  assert.deepEqual(r.end, { kind: "halt", status: 0 });
  const all = steps(r.journal);
  const stepOf = (m: string) =>
    all.findIndex((s) =>
      s.ev.k === EV.SYSCALL && s.ev.n === SYS.write &&
      new TextDecoder().decode(s.ev.a[1] as Uint8Array) === m
    );
  const one = stepOf("MARKER-ONE"), two = stepOf("MARKER-TWO");
  assert.ok(one > 0 && two > one);

  // write()'s record ends with its arguments and its result: [fd, bytes] then 10 (zigzag 20).
  // Make a marker's write return 11 instead, re-deflate its frame, recompute the checksum.
  const changed = (marks: string[]) => {
    const { preamble, frames } = splitFrames(r.journal);
    const payloads = frames.map((f) => f.payload.slice());
    for (const mark of marks) {
      const hits = payloads.flatMap((p, fi) => indexesOf(p, encode(mark)).map((at) => [fi, at]));
      assert.equal(hits.length, 1, `${mark} found ${hits.length} times`);
      const [fi, at] = hits[0];
      const end = at + mark.length;
      assert.deepEqual([...payloads[fi].subarray(end, end + 2)], [1, 20], "write(...) = 10");
      payloads[fi][end + 1] = 22; // = 11
    }
    return joinFrames(preamble, payloads);
  };

  await t.step("one changed result", () => {
    const p = replay(changed(["MARKER-TWO"]), { marker });
    assert.ok(p.divergence !== null, "replay did not notice");
    assert.equal(p.divergence.step, two + 1, "steps count from 1");
    assert.equal(p.steps, two, "every step before it was verified");
    assert.match(p.divergence.recorded, /write\(1, "MARKER-TWO"\) = 11$/);
    assert.match(p.divergence.replayed, /write\(1, "MARKER-TWO"\) = 10$/);
    assert.match(p.divergence.message, new RegExp(`step ${two + 1}\\b`));
  });
  await t.step("two changed results: the first is reported", () => {
    const p = replay(changed(["MARKER-TWO", "MARKER-ONE"]), { marker });
    assert.equal(p.divergence?.step, one + 1);
    assert.match(p.divergence?.recorded ?? "", /"MARKER-ONE"\) = 11$/);
  });
  await t.step("the untouched journal replays", () => {
    const p = replay(changed([]), { marker });
    assert.equal(p.divergence, null);
    assert.equal(p.steps, r.steps);
  });
});

Deno.test("a panic's crash log replays to the same panic at the same step", async (t) => {
  for (const [sched, seed, cpus] of [["rr", 0, 3], ["random", 8, 2]] as const) {
    await t.step(`${sched} ${seed}, ${cpus} cpus`, () => {
      const r = run({ initArgv: ["init", "kill", "1"], sched, seed, cpus });
      assert.equal(r.end?.kind, "panic");
      const last = records(r.journal).at(-1);
      assert.deepEqual(last, { type: "end", end: r.end }, "the crash log ends in the panic");
      const p = replay(r.journal);
      assert.equal(p.divergence, null);
      assert.equal(p.truncated, null);
      assert.deepEqual(p.end, r.end); // message and procdump
      assert.equal(p.steps, r.steps);
      assert.equal(p.out, r.out);
    });
  }
});

Deno.test("a deadlock's crash log replays to the same deadlock at the same step", () => {
  function* stuck(sys: Sys): Program {
    const fds: number[] = [];
    yield* sys.pipe(fds);
    yield* sys.read(fds[0], new Uint8Array(1)); // it holds the write end itself
    return 0;
  }
  const r = run({ initArgv: ["init", "stuck"], programs: { stuck } });
  assert.equal(r.end?.kind, "deadlock");
  const report = r.end?.kind === "deadlock" ? r.end.report : "";
  assert.match(report, /^deadlock: /);
  assert.match(report, /\n {2}pid 2 \(stuck\) waits for /);
  assert.match(report, /\n {2}pid 1 \(init\) waits for /);
  const p = replay(r.journal, { stuck });
  assert.equal(p.divergence, null);
  assert.deepEqual(p.end, r.end);
  assert.equal(p.steps, r.steps);
});

Deno.test("a truncated or damaged journal replays up to its last intact frame", async (t) => {
  const r = run(BIG);
  const { frames } = splitFrames(r.journal);
  assert.ok(frames.length >= 5, `only ${frames.length} frames`);
  const k = 3; // the frame that breaks; frames 1 and 2 hold the steps before it
  const at = frames[k].at;
  const intact = steps(r.journal.slice(0, at)).length;
  assert.ok(intact > 0 && intact < r.steps);

  const check = (journal: Uint8Array, why: RegExp) => {
    const p = replay(journal);
    assert.equal(p.steps, intact, "steps verified");
    assert.match(p.truncated ?? "", why);
    assert.equal(p.divergence, null);
    assert.equal(p.end, null);
    assert.ok(r.out.startsWith(p.out), "the output so far is the recorded output's start");
    return p;
  };
  await t.step("cut in the middle of a frame", () => {
    check(r.journal.slice(0, at + 8 + 100), new RegExp(`^frame at byte ${at} is cut short`));
  });
  await t.step("cut in the middle of a frame's header", () => {
    check(r.journal.slice(0, at + 5), new RegExp(`^partial frame header at byte ${at}$`));
  });
  await t.step("a flipped byte in a frame", () => {
    const bad = r.journal.slice();
    bad[at + 8 + 50] ^= 0x10;
    check(bad, new RegExp(`^frame at byte ${at} is damaged`));
  });
  await t.step("a flipped byte in a frame's length", () => {
    const bad = r.journal.slice();
    bad[at + 3] ^= 0x40; // a length past the end of the file
    check(bad, new RegExp(`^frame at byte ${at} is cut short`));
  });
  await t.step("a damaged header is a JournalError, not a crash", () => {
    const bad = r.journal.slice();
    bad[5 + 8 + 3] ^= 0xff;
    assert.throws(() => new JournalReader(bad), JournalError);
    assert.throws(() => new JournalReader(r.journal.slice(0, 9)), JournalError);
    assert.throws(() => new JournalReader(encode("hello, world\n")), JournalError);
    assert.throws(() => new JournalReader(new Uint8Array(0)), JournalError);
  });
});

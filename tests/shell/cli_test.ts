// The dv6 command line, run as a child process: exec, replay and log, their exit statuses,
// crash logs, options anywhere on the line, --help and --version, and clear one-line errors
// (never a host stack trace) for bad journals, host files and usage.

import assert from "node:assert/strict";
import { SYS } from "../../kernel/uapi/syscall.ts";
import {
  assertClean,
  decode,
  dv6 as dv6Run,
  type Dv6Run,
  encode,
  EV,
  headerOf,
  indexesOf,
  joinFrames,
  splitFrames,
  steps,
  withTemp,
} from "../helpers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

type Result = Dv6Run;

/** Runs `dv6 ARGS` with its own DV6_HOME, from the repository's root unless told. */
function dv6(args: string[], o: { home: string; cwd?: string }): Promise<Result> {
  return dv6Run(args, { home: o.home, cwd: o.cwd ?? ROOT });
}

const lastLine = (s: string) => s.trimEnd().split("\n").at(-1) ?? "";

Deno.test("dv6 exec echo hi prints hi and exits 0", async () => {
  await withTemp(async (home) => {
    const r = await dv6(["exec", "echo", "hi"], { home });
    assert.deepEqual(r, { code: 0, out: "hi\n", err: "" });
    // A run that halts keeps no journal of its own.
    const left = [...Deno.readDirSync(home)].map((e) => e.name);
    assert.deepEqual(left, []);
  });
});

Deno.test("dv6 exec passes the program's exit status through", async (t) => {
  await withTemp(async (home) => {
    await t.step("kill with no arguments: its usage, status 1", async () => {
      const r = await dv6(["exec", "kill"], { home });
      assert.equal(r.code, 1);
      assert.equal(r.out, "usage: kill pid...\n");
    });
    await t.step("usertests with an unknown test: status 1", async () => {
      const r = await dv6(["exec", "usertests", "nosuchtest"], { home });
      assert.equal(r.code, 1);
      assert.ok(r.out.endsWith("NO TESTS EXECUTED\n"), r.out);
    });
    await t.step("no such program: init's message, status 127", async () => {
      const r = await dv6(["exec", "nosuchprogram"], { home });
      assert.equal(r.code, 127);
      assert.equal(r.out, "init: exec nosuchprogram failed\n");
    });
    await t.step("the program's arguments, after --", async () => {
      const r = await dv6(["exec", "echo", "--", "--cpus", "0"], { home });
      assert.deepEqual(r, { code: 0, out: "--cpus 0\n", err: "" });
    });
  });
});

Deno.test("dv6 exec kill 1: panic, crash log, and its replay ends in the same panic", async () => {
  await withTemp(async (home) => {
    const r = await dv6(["exec", "kill", "1"], { home });
    assertClean(r);
    assert.equal(r.code, 3);
    assert.ok(r.out.includes("panic: init exiting\n"), r.out);
    const m = /crash log: (\S+)/.exec(r.err);
    assert.ok(m !== null, r.err);
    const log = m[1];
    assert.ok(log.startsWith(home + "/"), `${log} is not under DV6_HOME`);
    const journal = Deno.readFileSync(log);
    const n = steps(journal).length;

    const p = await dv6(["replay", log], { home });
    assertClean(p);
    assert.equal(p.code, 0);
    assert.equal(
      p.out,
      `panic: init exiting\nreplay: ${n} steps verified, ending in the recorded panic: init exiting\n` +
        `replay: to look around where it ended: dv6 debug ${log} -x "goto end; ps; log 20"\n`,
    );
  });
});

Deno.test("dv6 exec --journal, then dv6 replay: the same output and every step verified", async (t) => {
  await withTemp(async (home) => {
    for (
      const opts of [[], ["--sched", "random", "--seed", "9", "--cpus", "2"], [
        "--cpus=1",
        "--nproc=10",
      ]]
    ) {
      await t.step(opts.join(" ") || "defaults", async () => {
        const f = `${home}/run.log`;
        const r = await dv6(["exec", "forktest", ...opts, "--journal", f], { home });
        assert.deepEqual(r, { code: 0, out: "fork test\nfork test OK\n", err: "" });
        const journal = Deno.readFileSync(f);
        const n = steps(journal).length;
        assert.ok(n > 100);
        const p = await dv6(["replay", f], { home });
        assert.deepEqual(p, { code: 0, out: r.out + `replay: ${n} steps verified\n`, err: "" });
      });
    }
    await t.step("the options are in the header", () => {
      const h = headerOf(Deno.readFileSync(`${home}/run.log`));
      assert.equal(h.ncpu, 1);
      assert.equal(h.nproc, 10);
      assert.deepEqual(h.initArgv, ["init", "forktest"]);
    });
  });
});

Deno.test("journals from two runs in different places and times are identical", async () => {
  await withTemp(async (a) => {
    await withTemp(async (b) => {
      const args = ["exec", "forktest", "--sched", "random", "--seed", "4"];
      const r1 = await dv6([...args, "--journal", `${a}/j.log`], { home: a });
      await new Promise((ok) => setTimeout(ok, 1100)); // another second on the host's clock
      const r2 = await dv6([...args, "--journal", "j.log"], { home: b, cwd: b });
      assert.equal(r1.code, 0);
      assert.equal(r2.code, 0);
      const j1 = Deno.readFileSync(`${a}/j.log`), j2 = Deno.readFileSync(`${b}/j.log`);
      assert.ok(j1.length === j2.length && j1.every((x, i) => x === j2[i]), "journals differ");
      const h = headerOf(j1);
      assert.match(String(h.build), /^[0-9a-f]{16}$/);
      const text = splitFrames(j1).frames.map((f) => decode(f.payload)).join("\n");
      for (const host of [a, b, ROOT, Deno.env.get("HOME") ?? "/nonexistent", "dv6-cli-test"]) {
        assert.ok(!text.includes(host), `the journal holds '${host}'`);
      }
    });
  });
});

Deno.test("dv6 replay of a changed record names the first divergent step, with both versions", async () => {
  await withTemp(async (home) => {
    const f = `${home}/echo.log`;
    assert.equal((await dv6(["exec", "echo", "MARKER-XYZ", "--journal", f], { home })).code, 0);
    const journal = Deno.readFileSync(f);
    const at = steps(journal).findIndex((s) =>
      s.ev.k === EV.SYSCALL && s.ev.n === SYS.write &&
      decode(s.ev.a[1] as Uint8Array) === "MARKER-XYZ"
    );
    assert.ok(at > 0);
    // write(1, "MARKER-XYZ") = 10: the result's bytes (number tag 1, zigzag 20) follow the data.
    const { preamble, frames } = splitFrames(journal);
    const payloads = frames.map((fr) => fr.payload.slice());
    const hits = payloads.flatMap((p, i) =>
      indexesOf(p, encode("MARKER-XYZ")).map((o) => [i, o + 10]).filter(([i, e]) =>
        payloads[i][e] === 1 && payloads[i][e + 1] === 20
      )
    );
    assert.equal(hits.length, 1);
    payloads[hits[0][0]][hits[0][1] + 1] = 22; // = 11
    Deno.writeFileSync(f, joinFrames(preamble, payloads));

    const r = await dv6(["replay", f], { home });
    assertClean(r);
    assert.equal(r.code, 1);
    const lines = r.out.trimEnd().split("\n").slice(-3);
    // (The line may follow the replayed output on the same line: see the ignored test below.)
    assert.ok(lines[0].endsWith(`replay: diverged at step ${at + 1}`), lines[0]);
    assert.match(lines[1], /^ {2}recorded: .*write\(1, "MARKER-XYZ"\) = 11$/);
    assert.match(lines[2], /^ {2}replayed: .*write\(1, "MARKER-XYZ"\) = 10$/);
  });
});

Deno.test("dv6 replay of a truncated or damaged journal: exit 2, one clear line", async (t) => {
  await withTemp(async (home) => {
    const f = `${home}/full.log`;
    const rec = await dv6(["exec", "usertests", "twochildren", "--journal", f], { home });
    assert.equal(rec.code, 0, rec.out);
    const journal = Deno.readFileSync(f);
    const { frames } = splitFrames(journal);
    assert.ok(frames.length >= 3, `${frames.length} frames`);
    const at = frames[2].at;
    const intact = steps(journal.slice(0, at)).length;

    const replayOf = async (bytes: Uint8Array, damaged = true) => {
      const g = `${home}/bad.log`;
      Deno.writeFileSync(g, bytes);
      const r = await dv6(["replay", g], { home });
      assertClean(r);
      assert.equal(r.code, 2);
      if (!damaged) return r;
      // dv6 log prints what it can read, then says where the journal breaks.
      const l = await dv6(["log", g], { home });
      assertClean(l);
      assert.equal(l.code, 2);
      assert.match(
        lastLine(l.out),
        new RegExp(`^dv6 log: the journal breaks after step ${intact}: `),
      );
      return r;
    };
    // The summary is the last line (it may follow replayed output that did not end a line).
    const summary = (r: Result) => /replay: .*$/.exec(lastLine(r.out))?.[0] ?? "";
    await t.step("cut in the middle of a frame", async () => {
      const r = await replayOf(journal.slice(0, at + 20));
      const len = new DataView(journal.buffer).getUint32(at, true);
      assert.equal(
        summary(r),
        `replay: ${intact} steps verified; the journal breaks there: ` +
          `frame at byte ${at} is cut short (12 of ${len} bytes)`,
      );
      // The replayed output so far is the start of the recorded one.
      // What the replay printed before its summary (which starts a line of its own) is a
      // prefix of what the recording printed.
      const printed = r.out.slice(0, r.out.lastIndexOf("replay: ")).replace(/\n$/, "");
      assert.ok(rec.out.startsWith(printed));
    });
    await t.step("cut at a frame boundary, before the end record", async () => {
      const r = await replayOf(journal.slice(0, at), false);
      assert.match(summary(r), new RegExp(`^replay: ${intact} steps verified; .*cut short`));
    });
    await t.step("a flipped byte", async () => {
      const bad = journal.slice();
      bad[at + 30] ^= 0x01;
      const r = await replayOf(bad);
      assert.match(
        summary(r),
        new RegExp(`^replay: ${intact} steps verified; .*frame at byte ${at} is damaged`),
      );
    });
    await t.step("cut inside the header", async () => {
      const r = await replayOf(journal.slice(0, 12), false);
      assert.equal(r.out, "");
      assert.match(r.err, /^dv6: journal header unreadable: .+\n$/);
    });
  });
});

Deno.test("dv6 replay of a file that is not a journal: exit 2, one clear line", async (t) => {
  await withTemp(async (home) => {
    for (
      const [name, bytes] of [
        ["text", encode("hello, world\n")],
        ["empty", new Uint8Array(0)],
        ["magic only", encode("DV6J")],
        ["another format", Uint8Array.of(0x44, 0x56, 0x36, 0x4a, 99)],
      ] as const
    ) {
      await t.step(name, async () => {
        const g = `${home}/not.log`;
        Deno.writeFileSync(g, bytes);
        for (const cmd of ["replay", "log"]) {
          const r = await dv6([cmd, g], { home });
          assertClean(r);
          assert.equal(r.code, 2);
          assert.equal(r.out, "");
          assert.match(r.err, /^dv6: .*journal.*\n$/);
        }
      });
    }
    await t.step("no such file", async () => {
      const r = await dv6(["replay", `${home}/nonexistent.log`], { home });
      assertClean(r);
      assert.equal(r.code, 2);
      assert.match(r.err, /^dv6: cannot read .*nonexistent\.log.*\n$/);
    });
  });
});

Deno.test("dv6 usage errors exit 2 with a message", async (t) => {
  await withTemp(async (home) => {
    const cases: [string[], RegExp][] = [
      [["frob"], /unknown command 'frob'/],
      [["--cpus", "0"], /--cpus .*'0'/],
      [["stray"], /unknown command 'stray'/],
      [["exec"], /exec needs a PROGRAM/],
      [["exec", "echo", "hi", "--cpus", "0"], /--cpus .*'0'/],
      [["exec", "echo", "hi", "--cpus", "two"], /--cpus .*'two'/],
      [["exec", "echo", "hi", "--sched", "fifo"], /--sched is rr or random, not 'fifo'/],
      [["exec", "echo", "hi", "--seed"], /--seed needs a value/],
      [["exec", "echo", "hi", "--nproc", "1"], /--nproc .*'1'/],
      [["replay"], /replay needs one LOG/],
      [["log", "a", "b"], /log needs one LOG/],
    ];
    for (const [args, message] of cases) {
      await t.step(args.join(" ") || "(nothing)", async () => {
        const r = await dv6(args, { home });
        assertClean(r);
        assert.equal(r.code, 2);
        assert.equal(r.out, "");
        assert.match(r.err.split("\n")[0], /^dv6: /);
        assert.match(r.err, message);
        assert.match(r.err, /\nusage: dv6 /);
      });
    }
  });
});

Deno.test("dv6 log: strace-like lines, --pid, --from and --to", async (t) => {
  await withTemp(async (home) => {
    const f = `${home}/echo.log`;
    assert.equal((await dv6(["exec", "echo", "hi", "there", "--journal", f], { home })).code, 0);
    const n = steps(Deno.readFileSync(f)).length;
    const STEP = /^ *(\d+) cpu(\d+) +(\d+) (\S+) +(.*)$/;
    const log = async (...args: string[]) => {
      const r = await dv6(["log", f, ...args], { home });
      assert.equal(r.code, 0, r.err);
      const lines = r.out.trimEnd().split("\n");
      assert.match(lines[0], /^# dv6 journal: build [0-9a-f]{16}, 3 cpus, nproc 64, sched rr/);
      return lines.slice(1).map((l) => ({ l, m: STEP.exec(l) }));
    };
    const all = await log();
    const stepLines = all.filter((x) => x.m !== null);

    await t.step(
      "every step, numbered from 1, with cpu, pid, name, call, arguments and result",
      () => {
        assert.deepEqual(
          stepLines.map((x) => Number(x.m![1])),
          [...Array(n).keys()].map((i) => i + 1),
        );
        const calls = stepLines.map((x) => `${x.m![3]} ${x.m![4]} ${x.m![5]}`);
        assert.ok(
          calls.some((c) =>
            /^1 init spawn\("\/bin\/echo", \["echo", "hi", "there"\].*\) = 2$/.test(c)
          ),
        );
        assert.ok(calls.includes(`1 init wait() = [2, 0]`));
        assert.ok(calls.includes(`2 echo write(1, "hi") = 2`));
        assert.ok(calls.includes(`2 echo write(1, " ") = 1`));
        assert.ok(calls.includes(`1 init halt(0)`));
        assert.equal(all.at(-1)!.l.trim(), "halt 0");
      },
    );
    await t.step("--pid 1 prints only pid 1's lines", async () => {
      const mine = await log("--pid", "1");
      const lines = mine.filter((x) => x.m !== null);
      assert.ok(lines.length > 10);
      assert.ok(lines.every((x) => x.m![3] === "1"), "a line of another pid");
      assert.deepEqual(
        lines.map((x) => x.l),
        stepLines.filter((x) => x.m![3] === "1").map((x) => x.l),
      );
      assert.ok(mine.every((x) => x.m !== null || x.l.trim() === "halt 0"), "other lines");
    });
    await t.step("--from and --to bound the steps", async () => {
      const some = await log("--from", "10", "--to", "20");
      const lines = some.filter((x) => x.m !== null);
      assert.deepEqual(lines.map((x) => Number(x.m![1])), [
        10,
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        19,
        20,
      ]);
      assert.deepEqual(lines.map((x) => x.l), stepLines.slice(9, 20).map((x) => x.l));
      const tail = await log("--from", String(n - 3), "--pid", "1");
      assert.ok(
        tail.filter((x) => x.m !== null).every((x) => Number(x.m![1]) >= n - 3 && x.m![3] === "1"),
      );
    });
  });
});

Deno.test("dv6 replay of a journal from another build says so", async () => {
  await withTemp(async (home) => {
    const f = `${home}/run.log`;
    assert.equal((await dv6(["exec", "echo", "hi", "--journal", f], { home })).code, 0);
    const journal = Deno.readFileSync(f);
    const ours = String(headerOf(journal).build);
    const { preamble, frames } = splitFrames(journal);
    const header = { ...headerOf(journal), build: "0123456789abcdef" };
    const payloads = [encode(JSON.stringify(header)), ...frames.slice(1).map((fr) => fr.payload)];
    Deno.writeFileSync(f, joinFrames(preamble, payloads));
    const r = await dv6(["replay", f], { home });
    assertClean(r);
    assert.match(r.err, new RegExp(`build 0123456789abcdef.*this is build ${ours}`));
    // Then it replays anyway (this journal's steps are the same).
    assert.equal(r.code, 0);
    assert.match(lastLine(r.out), /^replay: \d+ steps verified$/);
  });
});

// When the replayed console output does not end with a newline (a journal cut in the middle of
// a line, or a divergence after a partial line), replay's summary still starts a line of its own.
Deno.test({
  name: "dv6 replay's summary starts a line of its own",
  fn: async () => {
    await withTemp(async (home) => {
      const f = `${home}/echo.log`;
      assert.equal((await dv6(["exec", "echo", "MARKER-XYZ", "--journal", f], { home })).code, 0);
      // Change write(1, "MARKER-XYZ")'s result: the replay diverges after echo's partial line.
      const { preamble, frames } = splitFrames(Deno.readFileSync(f));
      const payloads = frames.map((fr) => fr.payload.slice());
      const [hit] = indexesOf(payloads[1], Uint8Array.of(...encode("MARKER-XYZ"), 1, 20));
      payloads[1][hit + 11] = 22;
      Deno.writeFileSync(f, joinFrames(preamble, payloads));
      const r = await dv6(["replay", f], { home });
      assert.equal(r.code, 1);
      // the partial line (as far as the UART had sent it), then the summary on its own line
      assert.match(r.out, /^MARK[A-Z-]*\nreplay: diverged at step \d+\n/);
    });
  },
});

// A --journal path that cannot be created (no such directory): one clear line, exit status 2,
// as for unreadable journals.
Deno.test({
  name: "dv6 exec --journal to a path that cannot be written: exit 2, one clear line",
  fn: async () => {
    await withTemp(async (home) => {
      const r = await dv6(["exec", "echo", "hi", "--journal", `${home}/no/such/dir/j.log`], {
        home,
      });
      assertClean(r);
      assert.equal(r.code, 2);
      assert.match(r.err, /^dv6: .*no\/such\/dir\/j\.log.*\n$/);
    });
  },
});

/** The journal header of a run recorded to `f`, for what the options made of the machine. */
const headerAt = (f: string) => headerOf(Deno.readFileSync(f));

Deno.test("dv6's options stand anywhere on the line, before the command too", async (t) => {
  await withTemp(async (home) => {
    const f = `${home}/j.log`;
    await t.step("--cpus 2 run FILE", async () => {
      Deno.writeTextFileSync(`${home}/s.sh`, "echo hi\n");
      const r = await dv6(["--cpus", "2", "run", `${home}/s.sh`, "--journal", f], { home });
      assert.deepEqual(r, { code: 0, out: "$ echo hi\nhi\n$ \x04\n", err: "" });
      assert.equal(headerAt(f).ncpu, 2);
    });
    await t.step("--seed 3 -c LINE", async () => {
      const r = await dv6(["--seed", "3", "--journal", f, "-c", "echo hi", "--sched=random"], {
        home,
      });
      assert.deepEqual(r, { code: 0, out: "$ echo hi\nhi\n$ \x04\n", err: "" });
      assert.equal(headerAt(f).seed, 3);
      assert.equal(headerAt(f).sched, "random");
    });
    await t.step("--cpus 2 exec echo hi", async () => {
      const r = await dv6(["--cpus", "2", "--journal", f, "exec", "echo", "hi"], { home });
      assert.deepEqual(r, { code: 0, out: "hi\n", err: "" });
      assert.equal(headerAt(f).ncpu, 2);
    });
  });
});

Deno.test("dv6 exec: after PROGRAM, what dv6 does not know is the program's", async (t) => {
  await withTemp(async (home) => {
    const f = `${home}/j.log`;
    await t.step("unknown options, in their places, between dv6's", async () => {
      const r = await dv6(["exec", "echo", "-q", "--cpus", "1", "--x=1", "a", "--journal", f], {
        home,
      });
      assert.deepEqual(r, { code: 0, out: "-q --x=1 a\n", err: "" });
      assert.equal(headerAt(f).ncpu, 1);
      assert.deepEqual(headerAt(f).initArgv, ["init", "echo", "-q", "--x=1", "a"]);
    });
    await t.step("sh -c LINE", async () => {
      const r = await dv6(["exec", "sh", "-c", "echo a b; echo c"], { home });
      assert.deepEqual(r, { code: 0, out: "a b\nc\n", err: "" });
    });
    await t.step("--help and --version after PROGRAM are the program's", async () => {
      const r = await dv6(["exec", "echo", "hi", "--help", "--version", "-h"], { home });
      assert.deepEqual(r, { code: 0, out: "hi --help --version -h\n", err: "" });
    });
    await t.step("everything after -- is the program's", async () => {
      const r = await dv6(["exec", "--cpus", "1", "--", "echo", "--cpus", "2", "--"], { home });
      assert.deepEqual(r, { code: 0, out: "--cpus 2 --\n", err: "" });
    });
  });
});

Deno.test("dv6 --help, -h and dv6 help print the usage, status 0", async () => {
  await withTemp(async (home) => {
    const outs = await Promise.all(
      [["--help"], ["-h"], ["help"], ["--cpus", "2", "--help"]].map((a) => dv6(a, { home })),
    );
    for (const r of outs) {
      assert.equal(r.code, 0);
      assert.equal(r.err, "");
      assert.equal(r.out, outs[0].out);
    }
    const out = outs[0].out;
    assert.ok(out.startsWith("usage: dv6 [options] "), out);
    for (const c of ["run FILE", "-c LINE", "exec PROGRAM", "replay LOG", "log LOG", "help"]) {
      assert.ok(out.includes(`\n       dv6 ${c}`), `${c} in:\n${out}`);
    }
    for (const o of ["--cpus N", "--journal LOG", "--broken-sleep", "--hz N", "--pid P"]) {
      assert.ok(out.includes(`\n  ${o} `), `${o} in:\n${out}`);
    }
    assert.ok(out.includes("\n  -h, --help "), out);
    assert.ok(out.includes("\n  --version "), out);
  });
});

Deno.test("every command has its own --help: its usage, status 0", async (t) => {
  await withTemp(async (home) => {
    const commands: [string, string, string[]][] = [
      ["run", "usage: dv6 run FILE [options]\n", ["--cpus N", "--journal LOG"]],
      ["-c", "usage: dv6 -c LINE [options]\n", ["--cpus N", "--fs DIR"]],
      ["exec", "usage: dv6 exec PROGRAM [ARGS...] [options]\n", ["--seed S"]],
      ["replay", "usage: dv6 replay LOG\n", []],
      ["log", "usage: dv6 log LOG [options]\n", ["--pid P", "--from STEP", "--to STEP"]],
    ];
    for (const [command, first, options] of commands) {
      await t.step(command, async () => {
        const [r, also, help] = await Promise.all([
          dv6([command, "--help"], { home }),
          dv6([command, "-h", "some-operand", "--cpus", "2"], { home }),
          dv6(["help", command], { home }),
        ]);
        assert.equal(r.code, 0);
        assert.equal(r.err, "");
        assert.ok(r.out.startsWith(first), r.out);
        for (const o of [...options, "-h, --help"]) {
          assert.ok(r.out.includes(`\n  ${o} `), `${o} in:\n${r.out}`);
        }
        if (command !== "log") assert.ok(!r.out.includes("--pid"), r.out);
        if (command === "replay") assert.ok(!r.out.includes("--cpus"), r.out);
        assert.deepEqual(also, r);
        assert.deepEqual(help, r);
      });
    }
  });
});

Deno.test("dv6 --version: the version and the build id journals record", async () => {
  await withTemp(async (home) => {
    const f = `${home}/j.log`;
    const [r, j] = await Promise.all([
      dv6(["--version"], { home }),
      dv6(["exec", "echo", "--journal", f], { home }),
    ]);
    assert.equal(j.code, 0);
    assert.equal(r.code, 0);
    assert.equal(r.err, "");
    const m = /^dv6 \d+\.\d+\.\d+ \(build ([0-9a-f]{16})\)\n$/.exec(r.out);
    assert.ok(m !== null, r.out);
    assert.equal(m[1], headerAt(f).build);
  });
});

Deno.test("dv6 options that are wrong name themselves: exit 2, the command's usage", async (t) => {
  await withTemp(async (home) => {
    const cases: [string[], string, string][] = [
      [["run", "--bogus", "FILE"], "unknown option '--bogus'", "usage: dv6 run FILE"],
      [["run", "--bogus"], "unknown option '--bogus'", "usage: dv6 run FILE"],
      [["--bogus"], "unknown option '--bogus'", "usage: dv6 [options]"],
      [["--bogus=1", "exec", "echo"], "unknown option '--bogus'", "usage: dv6 exec PROGRAM"],
      [["exec", "-y", "echo"], "unknown option '-y'", "usage: dv6 exec PROGRAM"],
      [["exec", "-x", "ls", "echo"], "exec takes no option '-x'", "usage: dv6 exec PROGRAM"],
      [["log", "x.log", "--cpus", "2"], "log takes no option '--cpus'", "usage: dv6 log LOG"],
      [["replay", "--pid", "1", "x.log"], "replay takes no option '--pid'", "usage: dv6 replay"],
      [["-c", "echo", "--hz", "5"], "-c takes no option '--hz'", "usage: dv6 -c LINE"],
      [["--pid", "1"], "the REPL takes no option '--pid'", "usage: dv6 [options]"],
      [["-c", "x", "--broken-sleep=yes"], "option --broken-sleep takes no value", "usage: dv6 -c"],
      [["run", "f", "--journal"], "option --journal needs a value", "usage: dv6 run FILE"],
      [["-c"], "-c needs one LINE", "usage: dv6 -c LINE"],
      [["run", "a", "b"], "run needs one FILE", "usage: dv6 run FILE"],
      [["help", "frob"], "unknown command 'frob'", "usage: dv6 [options]"],
    ];
    for (const [args, message, usage] of cases) {
      await t.step(args.join(" "), async () => {
        const r = await dv6(args, { home });
        assertClean(r);
        assert.equal(r.code, 2);
        assert.equal(r.out, "");
        assert.ok(r.err.startsWith(`dv6: ${message}\n${usage}`), r.err);
      });
    }
  });
});

Deno.test("host files that cannot be used: one line, exit 2, no usage", async (t) => {
  await withTemp(async (home) => {
    const file = `${home}/file`;
    Deno.writeTextFileSync(file, "not a directory\n");
    const cases: [string[], RegExp][] = [
      [["exec", "echo", "--journal", `${home}/no/dir/j.log`], /journal .*no\/dir\/j\.log/],
      [["exec", "echo", "--journal", home], /journal .*: Is a directory/],
      [["-c", "echo", "--journal", home], /journal .*: Is a directory/],
      [["--journal", home], /journal .*: Is a directory/],
      [["exec", "echo", "--fs", file], /^dv6: --fs: cannot read .*\/file: Not a directory\n$/],
      [["exec", "echo", "--fs", `${home}/none`], /^dv6: --fs: cannot read .*\/none: No such/],
      [["run", `${home}/none.sh`], /^dv6: cannot read .*\/none\.sh: No such file or directory\n$/],
      [["run", home], /^dv6: cannot read .*: Is a directory\n$/],
      [["replay", home], /^dv6: cannot read .*: Is a directory\n$/],
      [["log", home], /^dv6: cannot read .*: Is a directory\n$/],
      [
        ["log", `${home}/none.log`],
        /^dv6: cannot read .*\/none\.log: No such file or directory\n$/,
      ],
    ];
    for (const [args, message] of cases) {
      await t.step(args.join(" ").replaceAll(home, "TMP"), async () => {
        const r = await dv6(args, { home });
        assertClean(r);
        assert.equal(r.code, 2);
        assert.equal(r.out, "");
        assert.match(r.err, /^dv6: [^\n]+\n$/);
        assert.match(r.err, message);
      });
    }
  });
});

Deno.test("dv6 run of a CRLF script runs as its LF twin", async () => {
  await withTemp(async (home) => {
    const lines = ["echo one", "echo two | wc", "nosuch", "echo $?"];
    Deno.writeTextFileSync(`${home}/lf.sh`, lines.map((l) => l + "\n").join(""));
    Deno.writeTextFileSync(`${home}/crlf.sh`, lines.map((l) => l + "\r\n").join(""));
    const [lf, crlf] = await Promise.all(
      ["lf", "crlf"].map((n) => dv6(["run", `${home}/${n}.sh`], { home })),
    );
    assert.ok(lf.out.includes("\n127\n"), lf.out);
    assert.deepEqual(crlf, lf);
  });
});

Deno.test("a full process table: the shell says fork failed, as bash does", async (t) => {
  await withTemp(async (home) => {
    await t.step("--nproc 2: init and sh fill it", async () => {
      const r = await dv6(["--nproc", "2", "-c", "echo hi"], { home });
      assert.deepEqual(r, {
        code: 126,
        out: "$ echo hi\nsh: fork: EAGAIN (Resource temporarily unavailable)\n$ \x04\n",
        err: "",
      });
    });
    await t.step("a program that is not there is still exec's failure", async () => {
      const r = await dv6(["--nproc", "2", "-c", "nosuch; /README"], { home });
      assert.equal(r.out, "$ nosuch; /README\nexec nosuch failed\nexec /README failed\n$ \x04\n");
      assert.equal(r.code, 127);
    });
  });
});

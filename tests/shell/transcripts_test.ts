// Golden transcripts: each tests/transcripts/NAME.sh is a script for `dv6 run`, and NAME.out is
// the transcript it prints (what a terminal would show, the echo of typed lines included). The
// scripts run in-process the way `dv6 run` runs them (transcript.ts: the journal header of its
// options, a machine booted from it, init running sh, lines typed by typeScript), and once more
// as a real `dv6 run` child process, whose stdout must be the same bytes.
//
// To accept a changed transcript, rewrite the .out files and review them in the diff:
//
//   DV6_UPDATE_GOLDEN=1 deno test -A tests/shell/transcripts_test.ts
//   deno test -A tests/shell/transcripts_test.ts -- --update
//
// Control characters are typed as raw bytes in the script lines (`cat -v` shows them). Under
// `--sched random` every script whose output does not depend on the order things run in must
// print the same transcript; the others (ps listings, pids of concurrent forks) are listed in
// ORDER_DEPENDENT with the reason.

import assert from "node:assert/strict";
import { headerFor, machineFrom } from "../../shell/host.ts";
import { typeScript } from "../../shell/session.ts";
import { assertSameBytes, Bytes, dv6, exitStatus, transcript, visible } from "../helpers.ts";

const DIR = new URL("./transcripts/", import.meta.url);
const UPDATE = Deno.env.get("DV6_UPDATE_GOLDEN") === "1" || Deno.args.includes("--update");

const encoder = new TextEncoder();

/** Scripts whose transcript depends on the schedule, so `--sched random` may print another. */
const ORDER_DEPENDENT: Record<string, string> = {
  background: "ps shows the states and ticks of running jobs",
  zombie: "the pids of fork's children race with the shell's next command",
  orphan: "ps lists processes in table-slot order, which depends on who exits first",
  ctrl_c: "the newline typed after ^C goes to the dying job, or to the shell as an empty line",
};

const RANDOM_SEEDS = [1, 2];

function scripts(): string[] {
  return [...Deno.readDirSync(DIR)]
    .filter((e) => e.isFile && e.name.endsWith(".sh"))
    .map((e) => e.name.slice(0, -3))
    .sort();
}

/** A script's lines, read as `dv6 run FILE` reads them (main.ts readScript). */
function scriptLines(name: string): string[] {
  const lines = Deno.readTextFileSync(new URL(`${name}.sh`, DIR)).split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function golden(name: string): Uint8Array {
  try {
    return Deno.readFileSync(new URL(`${name}.out`, DIR));
  } catch {
    throw new Error(
      `no tests/transcripts/${name}.out: make it with DV6_UPDATE_GOLDEN=1 and review it`,
    );
  }
}

Deno.test("there are golden transcripts for every script, and no stray ones", () => {
  const names = scripts();
  assert.ok(names.length >= 8, `scripts: ${names}`);
  const outs = [...Deno.readDirSync(DIR)].filter((e) => e.name.endsWith(".out"))
    .map((e) => e.name.slice(0, -4)).sort();
  if (!UPDATE) assert.deepEqual(outs, names);
  for (const name of Object.keys(ORDER_DEPENDENT)) assert.ok(names.includes(name), name);
});

Deno.test("golden transcripts (rr, 3 CPUs: dv6 run's defaults)", async (t) => {
  for (const name of scripts()) {
    await t.step(name, () => {
      const { out, end } = transcript(scriptLines(name));
      assert.notEqual(end.kind, "panic", `${name}: ${JSON.stringify(end)}`);
      if (UPDATE) {
        Deno.writeFileSync(new URL(`${name}.out`, DIR), out);
        return;
      }
      assertSameBytes(out, golden(name), `${name}.out`);
    });
  }
});

Deno.test("the same transcripts under --sched random, where the order does not show", async (t) => {
  for (const name of scripts()) {
    if (name in ORDER_DEPENDENT) continue;
    await t.step(name, () => {
      const want = golden(name);
      for (const seed of RANDOM_SEEDS) {
        const { out } = transcript(scriptLines(name), { sched: "random", seed });
        assertSameBytes(out, want, `${name} --sched random --seed ${seed}`);
      }
    });
  }
});

Deno.test("order-dependent scripts still run the same twice under one seed", async (t) => {
  for (const name of Object.keys(ORDER_DEPENDENT)) {
    await t.step(name, () => {
      const o = { sched: "random", seed: RANDOM_SEEDS[0] };
      const a = transcript(scriptLines(name), o), b = transcript(scriptLines(name), o);
      assert.notEqual(a.end.kind, "panic", visible(a.out));
      assertSameBytes(b.out, a.out, `${name}, twice`);
      assert.deepEqual(b.end, a.end);
    });
  }
});

Deno.test("dv6 run FILE prints the golden transcript and exits with the last status", async (t) => {
  if (UPDATE) return;
  const home = await Deno.makeTempDir({ prefix: "dv6-golden-" });
  try {
    for (const name of scripts()) {
      await t.step(name, async () => {
        const { code, out, err } = await dv6(["run", new URL(`${name}.sh`, DIR).pathname], {
          home,
        });
        assertSameBytes(encoder.encode(out), golden(name), `dv6 run ${name}.sh (stderr: ${err})`);
        assert.equal(code, exitStatus(transcript(scriptLines(name)).end), `${name}: status`);
      });
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

// ^C while the foreground command computes (no one reads the console): typed between steps,
// as the REPL types the host's Ctrl-C. sh_test covers ^C of console readers; here spin, which
// never enters the kernel but to be preempted, is killed in user mode by the timer interrupt's
// check, and the shell prompts again.
Deno.test("^C stops a foreground command that computes; the shell prompts again", () => {
  const out = new Bytes();
  const m = machineFrom(headerFor({ initArgv: ["init", "sh"] }, "test"), undefined, out.write);
  assert.equal(m.run(), null);
  m.input(encoder.encode("spin\n"));
  assert.equal(m.run(200_000), null);
  assert.equal(m.stall, "steps", "spin runs until stopped");
  assert.ok(m.cons.fgpgid > 0, "spin is the foreground job");
  m.input(Uint8Array.of(3));
  const end = typeScript(m, ["echo $?", "ps"]);
  assert.deepEqual(end, { kind: "halt", status: 0 });
  const text = out.text;
  assert.match(text, /^\$ spin\n\^C\n\$ echo \$\?\n-1\n\$ ps\n/);
  assert.doesNotMatch(text, / spin /, "no spin in ps: it is gone");
});

// `dv6 run` types the next line when the shell waits at its prompt, even while a background
// job keeps the machine busy (the issue: "each when the shell is waiting at its prompt").
Deno.test({
  name: "dv6 run types the next line while a background job still runs",
  fn: async () => {
    const home = await Deno.makeTempDir({ prefix: "dv6-golden-" });
    try {
      const { code, out } = await dv6(["run", "-"], {
        home,
        stdin: "spin &\nsleep 100 &\nkill 3 4\nwait\necho done\n",
      });
      assert.equal(
        out,
        "$ spin &\n[3]\n$ sleep 100 &\n[4]\n$ kill 3 4\n$ wait\n$ echo done\ndone\n$ \x04\n",
      );
      assert.equal(code, 0);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});

// The REPL end to end: `dv6 --hz 1000` (deno run -A main.ts) as a child process with piped
// stdin, so it reads plain lines; the test types lines, reads stdout, and checks the prompt,
// the output, the monitor commands (:ps, :journal, :help, :quit), that a saved journal replays,
// that the host's SIGINT becomes ^C at the console without killing dv6, and the exit status.
//
// The timeouts only keep a hang from stalling the suite; nothing here measures time.

import assert from "node:assert/strict";
import { dv6, dv6Command } from "../helpers.ts";

const encoder = new TextEncoder();
const PATIENCE_MS = 120_000;

/** What a user must never see: a host stack trace or an uncaught error. */
function assertClean(text: string): void {
  for (const bad of ["Uncaught", "    at ", "Stack backtrace"]) {
    assert.ok(!text.includes(bad), `'${bad}' in the output:\n${text}`);
  }
}

/** A dv6 child process whose stdout the test reads as it comes. */
class Dv6 {
  readonly proc: Deno.ChildProcess;
  text = "";
  err = "";
  private readonly stdin: WritableStreamDefaultWriter<Uint8Array>;
  private readonly reading: Promise<void>;
  private wake: () => void = () => {};

  constructor(args: string[], home: string) {
    const [cmd, ...rest] = dv6Command(args);
    this.proc = new Deno.Command(cmd, {
      args: rest,
      env: { DV6_HOME: home, NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.stdin = this.proc.stdin.getWriter();
    const read = async (s: ReadableStream<Uint8Array>, into: "text" | "err") => {
      const d = new TextDecoder();
      for await (const chunk of s) {
        this[into] += d.decode(chunk, { stream: true });
        this.wake();
      }
    };
    this.reading = Promise.all([read(this.proc.stdout, "text"), read(this.proc.stderr, "err")])
      .then(() => this.wake());
  }

  async type(...lines: string[]): Promise<void> {
    await this.stdin.write(encoder.encode(lines.map((l) => l + "\n").join("")));
  }

  /** Waits until stdout from `from` on matches; returns the match. */
  async waitFor(re: RegExp, from = 0): Promise<RegExpExecArray> {
    const deadline = Date.now() + PATIENCE_MS;
    for (;;) {
      const m = re.exec(this.text.slice(from));
      if (m !== null) return m;
      if (Date.now() > deadline) {
        throw new Error(`no ${re} in dv6's output:\n${this.text}\n--- stderr:\n${this.err}`);
      }
      const woken = new Promise<void>((ok) => this.wake = ok);
      const timer = setTimeout(() => this.wake(), 1000);
      await woken;
      clearTimeout(timer);
    }
  }

  /** Closes stdin and waits for dv6 to exit. */
  async finish(): Promise<Deno.CommandStatus> {
    await this.stdin.close().catch(() => {});
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), PATIENCE_MS);
    const status = await this.proc.status;
    clearTimeout(timer);
    await this.reading;
    return status;
  }
}

async function withHome(fn: (home: string) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "dv6-repl-test-" });
  try {
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

async function dv6Replay(path: string, home: string): Promise<{ code: number; out: string }> {
  const r = await dv6(["replay", path], { home });
  assertClean(r.out + r.err);
  return r;
}

Deno.test("the REPL: typed lines, prompt, output, :ps, :journal, :quit, exit 0", async () => {
  await withHome(async (home) => {
    const saved = `${home}/saved.log`;
    const dv6 = new Dv6(["--hz", "1000"], home);
    // All at once, as `dv6 < FILE` would: each line is typed when the shell waits for one, and
    // each monitor command runs in its turn, between the lines around it.
    await dv6.type(
      "echo hello",
      "ls /demo",
      "echo one two | wc",
      ":ps",
      `:journal ${saved}`,
      ":help",
      "nosuch",
      ":nosuch",
      ":quit",
      "echo never typed",
    );
    const status = await dv6.finish();
    const out = dv6.text;
    assertClean(out + dv6.err);
    assert.equal(status.code, 0, out + dv6.err);
    assert.match(out, /^dv6: 3 cpus, 1000 ticks\/s; journal \S+session-\S+\.log; :help for help\n/);
    // Without a terminal the echo of each line is shown, after the prompt `$ `.
    assert.match(
      out,
      /\nhello\n\$ ls \/demo\n\.  +1 \d+ \d+\n\.\.  +1 1 \d+\nlong\.txt  +2 \d+ 3392\n/,
    );
    assert.match(out, /\n\$ echo one two \| wc\n1 2 8 \n/);
    // :ps, the kernel's view: a header with the clock, the CPUs (all idle: the shell waits for
    // a line), then init waiting for its child and sh reading the console.
    const ps = /\ncycles (\d+), ticks \d+, steps (\d+)\n((?:cpu\d: .*\n)+)(PID .*\n)((?:\d.*\n)+)/
      .exec(out);
    assert.ok(ps !== null, out);
    assert.equal(ps[3], "cpu0: idle (wfi)\ncpu1: idle (wfi)\ncpu2: idle (wfi)\n");
    assert.equal(ps[4], "PID  PPID PGID STATE  TICKS KILLED NAME            WAITS FOR\n");
    const rows = ps[5].trimEnd().split("\n").map((l) => l.split(/\s+/));
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[3], r[6]]), [
      ["1", "0", "sleep", "init"],
      ["2", "1", "sleep", "sh"],
    ]);
    assert.match(ps[5], /^1 .* init +wait\n2 .* sh +console read\n$/);
    // :journal, then :help; the machine's lines and the monitor's stay in order.
    const steps = Number(ps[2]);
    assert.ok(out.includes(`journal saved to ${saved} (${steps} steps)\n`), out);
    assert.match(out, /\nmonitor commands \(the machine never sees these lines\):\n {2}:help/);
    assert.match(out, /\n\$ nosuch\nexec nosuch failed\n/);
    assert.match(out, /\nunknown monitor command ':nosuch' \(try :help\)\n/);
    assert.ok(!out.includes("never typed"), "lines after :quit are not typed");
    assert.match(out, /\n\$ \n$/, "the last prompt, then dv6's newline");

    // The saved journal replays: every step up to where it was saved. (The summary follows the
    // replayed console output, here the prompt `$ `, on its line: see cli_test.ts.)
    const r = await dv6Replay(saved, home);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`replay: ${steps} steps verified\\n$`));
    assert.match(r.out, /\n\$ echo one two \| wc\n1 2 8 \n/);
    // So does the session journal dv6 kept in DV6_HOME, to where :quit stopped the machine.
    const session = /journal (\S+session-\S+\.log);/.exec(out)![1];
    assert.ok(session.startsWith(home + "/"), session);
    const s = await dv6Replay(session, home);
    assert.equal(s.code, 0, s.out);
    assert.match(s.out, /replay: \d+ steps verified\n$/);
    assert.match(s.out, /\n\$ nosuch\nexec nosuch failed\n/);
  });
});

Deno.test("SIGINT to dv6 is ^C at the console: it stops the foreground command, not dv6", async () => {
  await withHome(async (home) => {
    const dv6 = new Dv6(["--hz", "1000"], home);
    try {
      await dv6.waitFor(/^dv6: .*\n/);
      await dv6.type("cat");
      // Until the kernel shows cat reading the console (as the foreground job), ask again.
      for (let from = dv6.text.length;; from = dv6.text.length) {
        await dv6.type(":ps");
        const ps = await dv6.waitFor(/\nPID .*\n((?:\d.*\n)+)/, from);
        if (/ cat +console read$/m.test(ps[1])) break;
      }
      let from = dv6.text.length;
      dv6.proc.kill("SIGINT");
      await dv6.waitFor(/\^C\n/, from);
      from = dv6.text.length;
      await dv6.type("echo status $?");
      await dv6.waitFor(/\nstatus -1\n/, from);
      // A second SIGINT at the prompt: only an empty line for the shell.
      from = dv6.text.length;
      dv6.proc.kill("SIGINT");
      await dv6.waitFor(/\^C\n/, from);
      await dv6.type("echo still alive", ":quit");
      await dv6.waitFor(/\nstill alive\n/, from);
    } finally {
      const status = await dv6.finish();
      assertClean(dv6.text + dv6.err);
      assert.equal(status.signal, null, "dv6 was not killed by the signal");
      assert.equal(status.code, 0, dv6.text + dv6.err);
    }
  });
});

// Without a terminal the REPL prints what the machine writes as it comes: lines that arrive one
// at a time on the pipe still see every prompt.
Deno.test({
  name: "the REPL shows the prompt when lines arrive one at a time on a pipe",
  fn: async () => {
    await withHome(async (home) => {
      const dv6 = new Dv6(["--hz", "1000"], home);
      try {
        await dv6.waitFor(/\ninit: starting sh\n/);
        for (const word of ["one", "two"]) {
          const from = dv6.text.length;
          await dv6.type(`echo ${word}`);
          await dv6.waitFor(new RegExp(`\\n${word}\\n`), from);
        }
        await dv6.type(":quit");
      } finally {
        await dv6.finish();
      }
      assert.match(dv6.text, /\ninit: starting sh\n\$ echo one\none\n\$ echo two\ntwo\n\$ \n$/);
    });
  },
});

// The REPL as a person meets it: `deno task start` (main.ts with the start task's flags) in a
// pseudo-terminal, typed at key by key, the screen read as a terminal shows it (tests/e2e/pty.ts).
// A background job runs while we type; Ctrl-C, Ctrl-P, Tab and Ctrl-D are pressed; nothing is
// written while nothing happens; the session's journal replays.
//
// The timeouts only keep a hang from stalling the suite; nothing here measures time.

import assert from "node:assert/strict";
import { dv6, dv6Command } from "../helpers.ts";
import { HAVE_PTY, playPty, type PtyAction, type PtyResult } from "./pty.ts";

const PROMPT = "\\n\\$ $"; // the shell's prompt, last on the screen
const BOOT_S = 60;

/** Fails with the screen and the step that did not come. */
function assertPlayed(r: PtyResult, actions: PtyAction[]): void {
  const failed = r.results.findIndex((x) => !x.ok);
  const n = r.results.length;
  if (failed >= 0 || n < actions.length) {
    const at = failed >= 0 ? failed : n;
    throw new Error(`step ${at} (${JSON.stringify(actions[at])}) failed; screen:\n${r.output}`);
  }
  for (const bad of ["Uncaught", "    at ", "Stack backtrace"]) {
    assert.ok(!r.output.includes(bad), `'${bad}' on the screen:\n${r.output}`);
  }
}

async function play(actions: PtyAction[], home: string): Promise<PtyResult> {
  const r = await playPty(dv6Command(), actions, { DV6_HOME: home });
  assertPlayed(r, actions);
  return r;
}

Deno.test({
  name: "REPL in a terminal: a background job, ps and kill, Ctrl-C, Ctrl-P, Tab, Ctrl-D",
  ignore: !HAVE_PTY,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "dv6-pty-test-" });
    try {
      const saved = `${home}/saved.log`;
      const actions: PtyAction[] = [
        { expect: PROMPT, timeout: BOOT_S },
        // The prompt comes back after `spin &`, and ps shows the spinner running.
        { send: "spin &\r" },
        { expect: "\\n\\[3\\]\\n\\$ $" },
        { mark: true },
        { send: "ps\r" },
        { expect: "\\n +3 +2 run\\S* +\\d+ spin .*\\n(.*\\n)*\\$ $" },
        { mark: true },
        { send: "kill 3\r" },
        { expect: PROMPT },
        { mark: true },
        { send: "ps\r" },
        { expect: "\\n +\\d+ +2 run +\\d+ ps .*\\n\\$ $" },
        // Ctrl-C stops a foreground spin; the shell prompts again.
        { mark: true },
        { send: "spin\r" },
        { quiet: 0.3 },
        { send: "\x03" },
        { expect: "\\n\\^C\\n\\$ $" },
        // Ctrl-C drops a line being edited; it stays on the screen with ^C after it.
        { mark: true },
        { send: "echo never" },
        { send: "\x03" },
        { expect: "^\\$ echo never\\^C\\n\\$ $" },
        // Ctrl-P: the kernel's process list (xv6's procdump), the edited line kept intact.
        { mark: true },
        { send: "echo kept" },
        { send: "\x10" },
        { expect: "\\n1 sleep +init\\n2 sleep +sh\\n" },
        { send: "\r" },
        { expect: "\\nkept\\n\\$ $" },
        // Tab completes a unique program with the space bash adds; twice lists candidates.
        { mark: true },
        { send: "ech\t" },
        { send: "tabbed\r" },
        { expect: "^\\$ echo tabbed\\ntabbed\\n\\$ $" },
        { mark: true },
        { send: "cat /demo/\t\t" },
        { expect: "long\\.txt" },
        { send: "\x15echo listed\r" }, // Ctrl-U first
        { expect: "\\nlisted\\n\\$ $" },
        // Up is the host's history: the last line again.
        { mark: true },
        { send: "\x1b[A\r" },
        { expect: "^\\$ echo listed\\nlisted\\n\\$ $" },
        // A background job's output goes above the line being edited, which stays intact. (The
        // output follows the prompt it came after, as on any terminal.)
        { mark: true },
        { send: "(sleep 3; echo late) &\r" },
        { expect: "\\[\\d+\\]\\n\\$ $" },
        { send: "echo typing" },
        { expect: "\\n\\$ late\\necho typing$", timeout: 20 },
        { send: "\x15" },
        { expect: "\\n\\$ late\\n ?$" }, // (readline draws an empty line as a space)
        { send: "\r" },
        { expect: PROMPT },
        // A host error is one line; the session goes on.
        { mark: true },
        { send: `:journal ${home}/no/such/dir/x.log\r` },
        { expect: ":journal: cannot write \\S+x\\.log: No such file or directory\\n\\$ $" },
        { send: ":journal\r" },
        { expect: "usage: :journal PATH\\n\\$ $" },
        // Nothing is written while nothing happens (a sleeper in the background).
        { send: "sleep 1000 &\r" },
        { expect: "\\[\\d+\\]\\n\\$ $" },
        { quiet: 0.5 },
        { quiet: 2 },
        { send: `:journal ${saved}\r` },
        { expect: "journal saved to \\S+saved\\.log \\(\\d+ steps\\)\\n\\$ $" },
        // Ctrl-D with a job running: said once; the second leaves, on a line of its own.
        { mark: true },
        { send: "\x04" },
        { expect: "dv6: jobs are running \\(\\d+ sleep\\); Ctrl-D again leaves" },
        { send: "\x04" },
        { exit: 20 },
      ];
      const r = await play(actions, home);
      assert.equal(r.status, 0, r.output);
      const quiet = r.results[actions.findIndex((a) => "quiet" in a && a.quiet === 2)];
      assert.equal(quiet.bytes, 0, "bytes written to the terminal at idle");
      assert.match(r.output, /\n\$ \n$/, "the host's prompt starts on its own line");

      // The saved journal and the session's own replay.
      const replayed = await dv6(["replay", saved], { home });
      assert.equal(replayed.code, 0, replayed.out + replayed.err);
      assert.match(replayed.out, /replay: \d+ steps verified\n$/);
      const session = /journal (\S+session-\S+\.log);/.exec(r.output)![1];
      const s = await dv6(["replay", session], { home });
      assert.equal(s.code, 0, s.out + s.err);
      assert.match(s.out, /\necho kept\nkept\n/);
      assert.match(s.out, /replay: \d+ steps verified\n$/);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name: "REPL in a terminal: :quit leaves at once, even while a job computes",
  ignore: !HAVE_PTY,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "dv6-pty-test-" });
    try {
      const actions: PtyAction[] = [
        { expect: PROMPT, timeout: BOOT_S },
        { send: "spin &\r" },
        { expect: "\\[3\\]\\n\\$ $" },
        { send: "spin\r" },
        { quiet: 0.3 },
        { send: ":quit\r" },
        { exit: 20 },
      ];
      const r = await play(actions, home);
      assert.equal(r.status, 0, r.output);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});

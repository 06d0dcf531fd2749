// dv6 debug as a person meets it: in a terminal (a pty), with the REPL's line editor: Tab
// completes its commands, Up recalls the last one, Ctrl-C drops the line being typed, a bad
// command is one line and the session goes on, Ctrl-D leaves with status 0. The journal is the
// README's lost wakeup.
//
// The timeouts only keep a hang from stalling the suite; nothing here measures time.

import assert from "node:assert/strict";
import { dv6, dv6Command, withTemp } from "../helpers.ts";
import { HAVE_PTY, playPty, type PtyAction } from "./pty.ts";

const PROMPT = "\\(dv6\\) $";

Deno.test({
  name: "dv6 debug in a terminal: moving, Tab, Up, Ctrl-C, a bad command, Ctrl-D",
  ignore: !HAVE_PTY,
  async fn() {
    await withTemp(async (home) => {
      const log = `${home}/lw.log`;
      const args = ["--broken-sleep", "--sched", "random", "--seed", "2", "--journal", log];
      const rec = await dv6(["-c", "cat /demo/long.txt", ...args], { home });
      assert.equal(rec.code, 4, rec.out + rec.err);
      const actions: PtyAction[] = [
        {
          expect: `^step 0 of [\\d,]+, tick 0 \\(the machine as it booted\\)\\n${PROMPT}`,
          timeout: 60,
        },
        { send: "goto end\r" },
        { expect: `\\nstep ([\\d,]+) of \\1, tick \\d+: .*\\n${PROMPT}` },
        { mark: true },
        { send: "wh\t" },
        { quiet: 0.3 },
        { send: "y 3\r" }, // Tab offered when/why; the rest is typed
        {
          expect:
            `^\\(dv6\\) why 3\\npid 3 \\(cat\\) waits for room .*its wakeup was lost\\n${PROMPT}`,
        },
        { mark: true },
        { send: "watc\t" },
        { expect: "watch $" },
        { send: "proc 3\r" },
        { expect: `^\\(dv6\\) watch proc 3\\nwatch 1: proc 3\\n${PROMPT}` },
        { send: "rc\r" },
        {
          expect:
            `\\nwatch 1 \\(proc 3\\) = sleeping on uart\\n.*pid 3 \\(cat\\): swtch -> scheduler \\(sleep on uart\\)\\n${PROMPT}`,
        },
        { mark: true },
        { send: "\x1b[A\r" }, // Up: rc again, to where cat last started running
        { expect: `^\\(dv6\\) rc\\nwatch 1 \\(proc 3\\) = running\\n` },
        { expect: PROMPT },
        { mark: true },
        { send: "goto 5" }, // ^C drops the line being typed
        { send: "\x03" },
        { expect: `^\\(dv6\\) goto 5\\^C\\n${PROMPT}` },
        { mark: true },
        { send: "frob\r" },
        {
          expect:
            `^\\(dv6\\) frob\\nunknown command 'frob' \\(type help for the commands\\)\\n${PROMPT}`,
        },
        { send: "\x04" },
        { exit: 20 },
      ];
      const r = await playPty(dv6Command(["debug", log]), actions, { DV6_HOME: home });
      const failed = r.results.findIndex((x) => !x.ok);
      assert.ok(failed < 0 && r.results.length === actions.length, `step ${failed}:\n${r.output}`);
      assert.equal(r.status, 0);
      for (const bad of ["Uncaught", "    at ", "Stack backtrace"]) {
        assert.ok(!r.output.includes(bad));
      }
      // The next session's Up recalls the last line of this one (dv6's data directory keeps
      // the debugger's history, as the REPL's).
      const again: PtyAction[] = [
        { expect: PROMPT, timeout: 60 },
        { send: "\x1b[A" },
        { expect: "\\(dv6\\) frob$" },
        { send: "\x15quit\r" },
        { exit: 20 },
      ];
      const r2 = await playPty(dv6Command(["debug", log]), again, { DV6_HOME: home });
      assert.ok(r2.results.every((x) => x.ok) && r2.results.length === again.length, r2.output);
    });
  },
});

Deno.test({
  name: "dv6 debug in a terminal: Ctrl-C stops a long goto where it got; the next one goes on",
  ignore: !HAVE_PTY,
  async fn() {
    await withTemp(async (home) => {
      const log = `${home}/spin.log`;
      const rec = await dv6(["exec", "spin", "-w", "3000000", "--journal", log], { home });
      assert.equal(rec.code, 0, rec.out + rec.err);
      const actions: PtyAction[] = [
        { expect: PROMPT, timeout: 60 },
        { send: "goto end\r" },
        { quiet: 0.2 },
        { send: "\x03" },
        { expect: `\ninterrupted: step ([\\d,]+) of ([\\d,]+), .*\\n${PROMPT}`, timeout: 60 },
        { mark: true },
        { send: "goto end\r" },
        { expect: `^\\(dv6\\) goto end\\nstep ([\\d,]+) of \\1, .*\\n${PROMPT}`, timeout: 60 },
        { send: "quit\r" },
        { exit: 20 },
      ];
      const r = await playPty(dv6Command(["debug", log]), actions, { DV6_HOME: home });
      const failed = r.results.findIndex((x) => !x.ok);
      assert.ok(failed < 0 && r.results.length === actions.length, `step ${failed}:\n${r.output}`);
      const at = /interrupted: step ([\d,]+) of ([\d,]+)/.exec(r.output)!;
      assert.ok(Number(at[1].replaceAll(",", "")) < Number(at[2].replaceAll(",", "")));
      assert.equal(r.status, 0);
    });
  },
});

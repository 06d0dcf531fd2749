// Least privilege: `deno task start` and `deno task dv6` give dv6 only what it uses (files, and
// the environment variables it reads), no network, no subprocesses, no FFI, and every way of
// running dv6 works under exactly those flags: the REPL (piped here; in a terminal in
// repl_pty_test.ts, which runs with the same flags), run, -c, exec, replay and log.

import assert from "node:assert/strict";
import { dv6, START_FLAGS } from "../helpers.ts";

Deno.test("the start and dv6 tasks grant files and three variables, nothing more", () => {
  const tasks = JSON.parse(Deno.readTextFileSync(new URL("../../deno.json", import.meta.url)))
    .tasks;
  assert.equal(tasks.dv6, tasks.start);
  assert.deepEqual(START_FLAGS, [
    "--allow-read",
    "--allow-write",
    "--allow-env=DV6_HOME,XDG_DATA_HOME,HOME",
    "--no-prompt",
  ]);
});

Deno.test("dv6 works under the start task's flags: REPL, run, -c, exec, replay, log", async (t) => {
  const home = await Deno.makeTempDir({ prefix: "dv6-perm-test-" });
  try {
    const journal = `${home}/exec.log`;
    await t.step("the REPL, piped, with :journal", async () => {
      const { code, out } = await dv6([], {
        home,
        stdin: `echo hi\n:journal ${home}/repl.log\n:quit\n`,
      });
      assert.equal(code, 0, out);
      assert.match(out, /\nhi\n/);
      assert.match(out, /journal saved to/);
    });
    await t.step("run and -c", async () => {
      await Deno.writeTextFile(`${home}/s.sh`, "echo from a script\n");
      const { code, out } = await dv6(["run", `${home}/s.sh`], { home });
      assert.equal(code, 0, out);
      assert.match(out, /\nfrom a script\n/);
      const { code: code2, out: out2 } = await dv6(["-c", "echo one line"], { home });
      assert.equal(code2, 0, out2);
      assert.match(out2, /\none line\n/);
    });
    await t.step("exec with --journal and --fs, then replay and log", async () => {
      await Deno.mkdir(`${home}/fs`);
      await Deno.writeTextFile(`${home}/fs/f.txt`, "a file\n");
      const { code, out } = await dv6(
        ["exec", "cat", "/f.txt", "--journal", journal, "--fs", `${home}/fs`],
        { home },
      );
      assert.equal(code, 0, out);
      assert.equal(out, "a file\n");
      const { code: code2, out: out2 } = await dv6(["replay", journal], { home });
      assert.equal(code2, 0, out2);
      assert.match(out2, /replay: \d+ steps verified\n$/);
      const { code: code3, out: out3 } = await dv6(["log", journal, "--to", "3"], { home });
      assert.equal(code3, 0, out3);
      assert.match(out3, /^# dv6 journal: build /);
    });
    await t.step("the session journals and the crash log go to DV6_HOME", async () => {
      const { code, out } = await dv6(["exec", "kill", "1"], { home });
      assert.equal(code, 3, out); // init killed: the kernel panics, as xv6's does
      const names = [...Deno.readDirSync(home)].map((e) => e.name);
      assert.ok(names.some((n) => n.startsWith("crash-")), names.join(" "));
      assert.ok(names.some((n) => n.startsWith("session-")), names.join(" "));
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

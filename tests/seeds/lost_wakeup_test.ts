// The lost wakeup with the broken sleep: some seeds of the random policy hang `cat` of a long
// file in the UART writer for good; the journal of such a run replays to the same hang at the
// same step (seeds 0..99 here, 100..199 in lost_wakeup_b_test.ts, so that --parallel shares
// them); and `dv6 run --broken-sleep` shows it at the shell, with a crash log to replay.
// (The correct sleep never hangs: lost_wakeup_sound_*_test.ts.)

import assert from "node:assert/strict";
import { brokenSeedsHangAndReplay, SEEDS } from "./lost_wakeup.ts";
import { dv6, exitStatus, transcript } from "../helpers.ts";

const decoder = new TextDecoder();

Deno.test("with the broken sleep, seeds of 0..99 hang cat in the UART writer, and replay", () => {
  // At this writing 72 of these 100 seeds hang (and 66 of 100..199: lost_wakeup_b_test.ts).
  brokenSeedsHangAndReplay(SEEDS.slice(0, 100));
});

Deno.test("dv6 run --broken-sleep: cat hangs at the shell; the crash log replays to the hang", async () => {
  // The first seed that hangs when cat is typed at the shell (the shell changes the schedule).
  const options = { brokenSleep: true };
  const seed = SEEDS.find((s) =>
    transcript(["cat /demo/long.txt"], { sched: "random", seed: s, options }).end.kind !==
      "halt"
  );
  assert.ok(seed !== undefined, "no seed of 0..199 hangs cat at the shell");
  const t = transcript(["cat /demo/long.txt", "echo never typed"], {
    sched: "random",
    seed,
    options,
  });
  assert.equal(t.end.kind, "deadlock");
  assert.match(
    t.end.kind === "deadlock" ? t.end.report : "",
    /\n {2}pid \d+ \(cat\) waits for uart\n/,
  );

  const home = await Deno.makeTempDir({ prefix: "dv6-lost-wakeup-" });
  try {
    const journal = `${home}/hang.log`;
    const args = ["--broken-sleep", "--sched", "random", "--seed", String(seed)];
    const { code, out, err } = await dv6(
      ["-c", "cat /demo/long.txt", ...args, "--journal", journal],
      { home },
    );
    assert.equal(code, exitStatus(t.end), out + err);
    assert.equal(out, decoder.decode(t.out).replace("$ echo never typed\n", ""));
    assert.match(out, /^\$ cat \/demo\/long\.txt\nline {2}1: /);
    assert.match(out, /\ndeadlock: no process can run, and nothing will wake one\n/);
    assert.match(out, /\n {2}pid \d+ \(cat\) waits for uart\n$/);
    assert.equal(
      err,
      `dv6: deadlock; crash log: ${journal}\ndv6: replay it with: dv6 replay ${journal}\n` +
        `dv6: look around where it ended: dv6 debug ${journal} -x "goto end; why ${catPid(out)}"\n`,
    );
    const rep = await dv6(["replay", journal], { home });
    const rout = rep.out;
    assert.equal(rep.code, 0, rout + rep.err);
    // (the summary follows the replayed output, which stops mid-line: see cli_test.ts)
    assert.match(
      rout,
      /replay: \d+ steps verified, ending in the recorded deadlock\nreplay: to look around where it ended: dv6 debug .* -x "goto end; why \d+"\n$/,
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

/** The pid the deadlock report gives cat. */
function catPid(out: string): string {
  return /pid (\d+) \(cat\) waits for uart/.exec(out)![1];
}

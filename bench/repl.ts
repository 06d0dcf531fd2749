// The REPL as a person feels it (issue 9's figure): `echo hello` typed at `deno task start` in a
// pseudo-terminal, from the Enter key to the next prompt on the screen, host milliseconds;
// then the same with two `spin &` jobs computing in the background. The median of many round
// trips each; the ratio of the two is the figure (within 2x: background jobs must not make the
// terminal sluggish). Then issue 11's: `forktest` typed at the REPL (xv6 in QEMU: 80 ms), and a
// command that only computes (`spin -w 5000000`) typed at the REPL against the same program
// run by `dv6 exec`'s machine in this process (boot to halt): the REPL must run at the host's
// speed, not at its clock's. Driven by tests/pty_driver.py, as the end-to-end tests are.

import { num, ratio, type Row, runAlone, Table } from "./table.ts";
import { HAVE_PTY, playPty, type PtyAction } from "../tests/e2e/pty.ts";
import { dv6Command } from "../tests/helpers.ts";
import { boot } from "./boot.ts";

const FULL = { trips: 50, forks: 5, spinSteps: 5_000_000, spins: 3 };
const QUICK = { trips: 3, forks: 1, spinSteps: 100_000, spins: 1 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** `trips` round trips of `echo hello`: for each, the host ms from Enter to the next prompt. */
function roundTrips(trips: number): PtyAction[] {
  const actions: PtyAction[] = [];
  for (let i = 0; i < trips; i++) {
    actions.push({ mark: true }, { send: `echo hello${i}\r` }, {
      expect: `\\nhello${i}\\n\\$ $`,
    });
  }
  return actions;
}

export async function replFigures(quick: boolean, tmp: string, _build: string, first = 1) {
  const table = new Table();
  table.section(
    `${first}. REPL round trip through a pseudo-terminal: echo hello to the next prompt`,
  );
  if (!HAVE_PTY) {
    table.row("host ms, median", "skipped", "(no python3 with pty here)");
    return table.rows;
  }
  const { trips, forks, spinSteps, spins } = quick ? QUICK : FULL;
  const actions: PtyAction[] = [
    { expect: "\\n\\$ $", timeout: 60 },
    ...roundTrips(trips),
    { mark: true },
    { send: "spin &\r" },
    { expect: "\\[\\d+\\]\\n\\$ $" },
    { mark: true },
    { send: "spin &\r" },
    { expect: "\\[\\d+\\]\\n\\$ $" },
    ...roundTrips(trips),
    { send: ":quit\r" },
    { exit: 20 },
  ];
  const r = await playPty(dv6Command(), actions, { DV6_HOME: tmp });
  if (r.results.length !== actions.length || r.results.some((x) => !x.ok)) {
    throw new Error(`the REPL did not answer as expected:\n${r.output}`);
  }
  const trip = (i: number) => i >= 2 && "expect" in actions[i] && "mark" in actions[i - 2];
  const expects = r.results.filter((_, i) => trip(i));
  const idle = median(expects.slice(0, trips).map((x) => x.ms));
  const busy = median(expects.slice(trips).map((x) => x.ms));
  table.row("host ms, median, nothing else running", num(idle, 1), `(${trips} round trips)`);
  table.row("host ms, median, 2 `spin &` jobs running", num(busy, 1), `(${trips} round trips)`);
  table.row("ratio with jobs / without", ratio(busy / idle), "(target <= 2)");

  // Typed commands that take a while: each is timed from its Enter to the next prompt.
  const typed = (cmd: string, n: number, expect: string): PtyAction[] =>
    Array.from({ length: n }, () =>
      [{ mark: true }, { send: `${cmd}\r` }, {
        expect,
        timeout: 120,
      }] as PtyAction[]).flat();
  const spin = `spin -w ${spinSteps}`;
  const more: PtyAction[] = [
    { expect: "\\n\\$ $", timeout: 60 },
    ...typed("forktest", forks, "fork test OK\\n\\$ $"),
    ...typed(spin, spins, `${spin}\\n\\$ $`),
    { send: ":quit\r" },
    { exit: 20 },
  ];
  const r2 = await playPty(dv6Command(), more, { DV6_HOME: tmp });
  if (r2.results.length !== more.length || r2.results.some((x) => !x.ok)) {
    throw new Error(`the REPL did not answer as expected:\n${r2.output}`);
  }
  const timed = r2.results.filter((_, i) => i >= 2 && "mark" in more[i - 2]).map((x) => x.ms);
  const forkMs = median(timed.slice(0, forks));
  const replSpinMs = median(timed.slice(forks));
  const execSpin: number[] = [];
  for (let i = 0; i < spins; i++) {
    const b = boot({ argv: ["spin", "-w", String(spinSteps)], tmp, build: _build, journal: true });
    if (b.end?.kind !== "halt") throw new Error(`exec ${spin}: ${JSON.stringify(b.end)}`);
    execSpin.push(b.ms);
  }
  const execSpinMs = median(execSpin);
  table.row("forktest at the REPL: host ms, median", num(forkMs, 1), `(target <= 40)`);
  table.row(`${spin} at the REPL: host ms, median`, num(replSpinMs, 1), `(${spins} runs)`);
  table.row(`${spin} by exec's machine: host ms, median`, num(execSpinMs, 1), `(${spins} runs)`);
  table.row("ratio REPL / exec", ratio(replSpinMs / execSpinMs), "(target <= 1.5)");
  return table.rows as Row[];
}

if (import.meta.main) {
  await runAlone(
    "repl",
    Deno.args,
    replFigures,
    (quick) => `dv6 REPL bench${quick ? " --quick" : ""}`,
  );
}

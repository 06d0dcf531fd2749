// The REPL as a person feels it (issue 9's figure): `echo hello` typed at `deno task start` in a
// pseudo-terminal, from the Enter key to the next prompt on the screen, host milliseconds;
// then the same with two `spin &` jobs computing in the background. The median of many round
// trips each; the ratio of the two is the figure (within 2x: background jobs must not make the
// terminal sluggish). Driven by tests/pty_driver.py, as the end-to-end tests are.

import { num, ratio, type Row, runAlone, Table } from "./table.ts";
import { HAVE_PTY, playPty, type PtyAction } from "../tests/e2e/pty.ts";
import { dv6Command } from "../tests/helpers.ts";

const FULL = { trips: 50 };
const QUICK = { trips: 3 };

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
  const { trips } = quick ? QUICK : FULL;
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

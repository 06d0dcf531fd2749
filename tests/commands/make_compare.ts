// What make's tests share: a machine booted with a makefile's files (dv6), the host's GNU make
// 4.3 run on the same files in a temporary directory (gnu, where GNU says the host has it), and
// check(), which holds both to the output GNU make 4.3 prints, written into the test.

import assert from "node:assert/strict";
import { hostSh, type Program, run, type Sys } from "../helpers.ts";

export const encoder = new TextEncoder();

/** suicide: kills itself (dv6's kill makes it exit with -1, which make reports as Killed). */
function* suicide(sys: Sys): Program {
  yield* sys.kill(yield* sys.getpid());
  yield* sys.sleep(1);
  return 0;
}

/** toerr WORDS...: writes its arguments to stderr (dv6's sh has no `>&2`). */
function* toerr(sys: Sys, argv: string[]): Program {
  yield* sys.write(2, argv.slice(1).join(" ") + "\n");
  return 0;
}

export const TEST_PROGRAMS = { suicide, toerr };

export interface Case {
  name: string;
  /** Files of the working directory (/w on dv6, a temporary directory for GNU make). */
  files: Record<string, string>;
  /** A shell command run in that directory (`;` between commands, which both shells know). */
  cmd: string;
  /** What GNU make 4.3 prints (stdout and stderr together), the directory written /w. */
  out: string;
  /** The shell's status (the last command's). */
  status: number;
  /** Where the host's GNU make needs something else (a command dv6 does not have). */
  gnu?: { files?: Record<string, string>; cmd?: string };
  /** Only the first line is GNU's (make's usage text differs after it). */
  firstLine?: boolean;
}

/** Runs `cmd` in /w on a fresh machine: console output and the status it halts with. */
export function dv6(
  files: Record<string, string>,
  cmd: string,
  opts: { seed?: number; sched?: string } = {},
) {
  const image: Record<string, Uint8Array> = {};
  for (const [p, c] of Object.entries(files)) {
    image[p.startsWith("/") ? p : `/w/${p}`] = encoder.encode(c);
  }
  const r = run({
    initArgv: ["init", "sh", "-c", `cd /w; ${cmd}`],
    image,
    programs: TEST_PROGRAMS,
    seed: opts.seed,
    sched: opts.sched,
    maxSteps: 50_000_000,
  });
  assert.equal(r.end?.kind, "halt", `${cmd}: ${JSON.stringify(r.end)}\n${r.out}`);
  return { out: r.out, status: r.end!.kind === "halt" ? r.end!.status : -999, r };
}

/** Is the host's make GNU make 4.3? */
export const GNU = (() => {
  try {
    const p = new Deno.Command("make", { args: ["--version"], stdout: "piped", stderr: "null" })
      .outputSync();
    return new TextDecoder().decode(p.stdout).startsWith("GNU Make 4.3");
  } catch {
    return false;
  }
})();

/** Runs `cmd` with the host's GNU make in a temporary directory holding `files`. */
export function gnu(files: Record<string, string>, cmd: string): { out: string; status: number } {
  return hostSh(files, `(${cmd}) 2>&1`);
}

const firstLine = (s: string) => s.slice(0, s.indexOf("\n") + 1);

export function check(c: Case): void {
  const d = dv6(c.files, c.cmd);
  if (c.firstLine) {
    assert.equal(firstLine(d.out), firstLine(c.out), `${c.name}: dv6`);
  } else {
    assert.equal(d.out, c.out, `${c.name}: dv6`);
  }
  assert.equal(d.status, c.status, `${c.name}: dv6 status`);
  if (!GNU) return;
  const g = gnu({ ...c.files, ...c.gnu?.files }, c.gnu?.cmd ?? c.cmd);
  if (c.firstLine) assert.equal(firstLine(g.out), firstLine(c.out), `${c.name}: GNU make`);
  else assert.equal(g.out, c.out, `${c.name}: GNU make`);
  assert.equal(g.status, c.status, `${c.name}: GNU make status`);
}

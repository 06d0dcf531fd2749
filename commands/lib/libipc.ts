// What dv6's IPC commands (semop, semctl, psem, mutex, lockf, exithandlers; flock's --hold)
// share: strict number parsing, the `--hold [TICKS]` option, usage and error exits. Constants
// only at module level: nothing here keeps state between calls. (flock, ipcmk, ipcs and ipcrm
// answer in util-linux's words: utillinux.ts.)

import { type Getopt, type LongOption, optional_argument } from "./getopt.ts";
import { type Call, perror } from "./ulib.ts";
import type { Sys } from "./usys.ts";

/** How long one sleep of a hold without end lasts (it sleeps again and again). */
const HOLD_FOREVER_CHUNK = 1_000_000;

/** A decimal integer ("12", "-3", "+7") that fits a C int, or null. */
export function int32(s: string | undefined): number | null {
  if (s === undefined || !/^[+-]?[0-9]{1,10}$/.test(s)) return null;
  const n = Number(s);
  return n >= -0x80000000 && n <= 0x7fffffff ? n : null;
}

/** A decimal integer however large (clamped to a safe integer), for a value the kernel judges
 * (ERANGE, EFBIG, ...), or null. */
export function integer(s: string | undefined): number | null {
  if (s === undefined || !/^[+-]?[0-9]+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : Math.sign(n) * Number.MAX_SAFE_INTEGER;
}

/** A decimal integer that fits a C int and is not negative, or null. */
export function count(s: string | undefined): number | null {
  const n = int32(s);
  return n !== null && n >= 0 && /^[0-9]/.test(s!) ? n : null;
}

/** dv6's `--hold [TICKS]`, for a program's long options: getopt returns "hold". */
export const HOLD: LongOption = { name: "hold", has_arg: optional_argument, val: "hold" };

/**
 * The ticks of the --hold that getopt just returned (-1: forever): `--hold=TICKS`, or
 * `--hold TICKS` when the next argument is a count, which it then takes (getopt's optional
 * arguments are attached only); null when an attached TICKS is not a count.
 */
export function holdTicks(g: Getopt): number | null {
  if (g.optarg !== null) return count(g.optarg);
  const ticks = count(g.argv[g.optind]);
  if (ticks === null) return -1;
  g.optind++;
  return ticks;
}

/** Keeps the process alive (`--hold`): `ticks` ticks, or forever when negative, so that a
 * user can kill it while it holds what it took. */
export function* hold(sys: Sys, ticks: number): Call<void> {
  if (ticks >= 0) {
    yield* sys.sleep(ticks);
    return;
  }
  for (;;) yield* sys.sleep(HOLD_FOREVER_CHUNK);
}

/** "usage: LINE" on fd 2, then exit(1). */
export function* usage(sys: Sys, line: string): Call<never> {
  yield* sys.write(2, `usage: ${line}\n`);
  return yield* sys.exit(1);
}

/** "PROG: ENAME (text)" on fd 2, then exit(1). */
export function* fail(sys: Sys, prog: string, err: number): Call<never> {
  yield* perror(sys, prog, err);
  return yield* sys.exit(1);
}

/** One line on fd `fd`, in one write. */
export function* say(sys: Sys, fd: number, line: string): Call<void> {
  yield* sys.write(fd, line + "\n");
}

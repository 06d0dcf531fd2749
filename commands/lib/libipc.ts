// What the IPC commands (ipcmk, ipcs, ipcrm, semop, semctl, psem, mutex, flock, lockf) share:
// strict number parsing, `--hold [TICKS]`, usage and error exits. Constants only at module
// level: nothing here keeps state between calls.

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

/**
 * Takes `--hold [TICKS]` out of `args` (TICKS: the next argument if it is a count).
 * Returns the hold in ticks (-1: forever) or null when there is no --hold.
 */
export function takeHold(args: string[]): number | null {
  const i = args.indexOf("--hold");
  if (i < 0) return null;
  const ticks = count(args[i + 1]);
  args.splice(i, ticks === null ? 1 : 2);
  return ticks === null ? -1 : ticks;
}

/** Takes a flag (e.g. `--robust`) out of `args`: whether it was there. */
export function takeFlag(args: string[], flag: string): boolean {
  const i = args.indexOf(flag);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
}

/**
 * Takes `OPTION VALUE` (e.g. `--timeout 5`) out of `args`: the value, undefined when the
 * option is absent, null when it has no value.
 */
export function takeValue(args: string[], option: string): string | null | undefined {
  const i = args.indexOf(option);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v === undefined ? null : v;
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

/** One option that getopt found: its letter and its argument ("" for a flag). */
export interface Opt {
  name: string;
  arg: string;
}

/**
 * POSIX getopt over `args` (argv without argv[0]): `spec` lists the option letters, a letter
 * followed by ':' takes an argument ("-S 3" or "-S3"); flags may be bundled ("-sn"). It stops
 * at "--" (skipped), "-", or the first argument that is not an option. Returns the options in
 * order and the arguments left, or null for an unknown option or a missing argument.
 */
export function getopt(args: string[], spec: string): { opts: Opt[]; rest: string[] } | null {
  const opts: Opt[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-") || a === "-") break;
    for (let j = 1; j < a.length; j++) {
      const name = a[j];
      const at = spec.indexOf(name);
      if (name === ":" || at < 0) return null;
      if (spec[at + 1] !== ":") {
        opts.push({ name, arg: "" });
        continue;
      }
      if (j + 1 < a.length) opts.push({ name, arg: a.slice(j + 1) });
      else if (i + 1 < args.length) opts.push({ name, arg: args[++i] });
      else return null;
      break;
    }
  }
  return { opts, rest: args.slice(i) };
}

// What the util-linux programs (flock, ipcmk, ipcs, ipcrm) share, as util-linux's c.h and
// strutils.c have it: err()/warnx() messages ("PROG: MESSAGE[: strerror]"), errtryhelp(),
// and its number parsing (strtos32_or_err and C's strtol/strtoul underneath), so that what a
// user mistypes is answered in util-linux's words and with its statuses.

import { ERRNO, strerror } from "../../kernel/uapi/errno.ts";
import type { Getopt } from "./getopt.ts";
import type { Call } from "./ulib.ts";
import type { Sys } from "./usys.ts";

/** util-linux's STRTOXX_EXIT_CODE and most programs' failure. */
export const EXIT_FAILURE = 1;

/** warnx(): "PROG: MESSAGE" on stderr; with `errno`, warn(): ": strerror(errno)" after it. */
export function* warnx(sys: Sys, prog: string, message: string, errno?: number): Call<void> {
  const tail = errno === undefined ? "" : `: ${strerror(errno)}`;
  yield* sys.write(2, `${prog}: ${message}${tail}\n`);
}

/** errx() (err() with `errno`): warnx, then exit(status). */
export function* errx(
  sys: Sys,
  prog: string,
  status: number,
  message: string,
  errno?: number,
): Call<never> {
  yield* warnx(sys, prog, message, errno);
  return yield* sys.exit(status);
}

/** errtryhelp(): "Try 'PROG --help' for more information.", then exit(status). */
export function* errtryhelp(sys: Sys, prog: string, status: number): Call<never> {
  yield* sys.write(2, `Try '${prog} --help' for more information.\n`);
  return yield* sys.exit(status);
}

/** A bad option: getopt's own message (glibc's), then errtryhelp. */
export function* badOption(sys: Sys, g: Getopt, prog: string, status: number): Call<never> {
  if (g.error !== null) yield* sys.write(2, g.error);
  return yield* errtryhelp(sys, prog, status);
}

const SPACE = /^[ \t\n\v\f\r]*/;

/**
 * C's strtoimax (`unsigned` false) or strtoumax (true) over the whole of `s`, in `base` (0:
 * a 0x prefix is hexadecimal, a leading 0 octal): the number, "invalid" (no digits, or
 * something after them) or "range" (ERANGE: past 64 bits). strtoumax takes a minus sign and
 * negates modulo 2^64, as C does.
 */
export function strtoint(
  s: string,
  base: 0 | 8 | 10,
  unsigned: boolean,
): bigint | "invalid" | "range" {
  let i = SPACE.exec(s)![0].length;
  const negative = s[i] === "-";
  if (s[i] === "-" || s[i] === "+") i++;
  let radix: number = base;
  if (base === 0) {
    if (/^0[xX][0-9a-fA-F]/.test(s.slice(i))) {
      radix = 16;
      i += 2;
    } else radix = s[i] === "0" ? 8 : 10;
  }
  const digits = s.slice(i);
  const valid = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return "invalid";
  const prefix = radix === 16 ? "0x" : radix === 8 ? "0o" : "";
  const magnitude = BigInt(prefix + digits);
  if (unsigned) {
    if (magnitude > 0xffffffffffffffffn) return "range";
    return negative ? (0x10000000000000000n - magnitude) % 0x10000000000000000n : magnitude;
  }
  const n = negative ? -magnitude : magnitude;
  return n < -0x8000000000000000n || n > 0x7fffffffffffffffn ? "range" : n;
}

/** strtos32_or_err(): a decimal C int, or `errx(status, "MESSAGE: 'ARG'")` (with err()'s
 * strerror(ERANGE) when it is out of range). */
export function* strtos32OrErr(
  sys: Sys,
  prog: string,
  arg: string,
  message: string,
  status = EXIT_FAILURE,
): Call<number> {
  const n = strtoint(arg, 10, false);
  const range = n === "range" || (n !== "invalid" && (n < -0x80000000n || n > 0x7fffffffn));
  if (n === "invalid" || range) {
    return yield* errx(sys, prog, status, `${message}: '${arg}'`, range ? ERRNO.ERANGE : undefined);
  }
  return Number(n);
}

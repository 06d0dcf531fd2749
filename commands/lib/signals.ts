// Signal names and numbers, as Linux and procps have them. dv6 has no signals (as xv6, every
// kill is a kill), but kill, pkill and pgrep take signals the way their procps versions do.

/** Linux's signal numbers, by name (procps's table). */
const SIGNALS: Readonly<Record<string, number>> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  IOT: 6,
  BUS: 7,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  STKFLT: 16,
  CHLD: 17,
  CLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  POLL: 29,
  IO: 29,
  PWR: 30,
  SYS: 31,
  EXIT: 0,
  NULL: 0,
};

/** glibc's SIGRTMIN, the first real-time signal (procps's RTMIN, RTMIN+n). */
const SIGRTMIN = 34;

/** procps's signal_name_to_number: a name (any case, with or without SIG), RTMIN or
 * RTMIN+n, or a number; -1 if it is none of them. */
export function signalNumber(s: string): number {
  let name = s.toUpperCase().replace(/^SIG/, "");
  if (Object.hasOwn(SIGNALS, name)) return SIGNALS[name];
  if (name === "RTMIN") return SIGRTMIN;
  let offset = 0;
  if (name.startsWith("RTMIN+")) {
    name = name.slice("RTMIN+".length);
    offset = SIGRTMIN;
  }
  if (!/^[0-9]+$/.test(name)) return -1;
  const n = Number(name);
  return n + SIGRTMIN <= 127 ? n + offset : -1; // as procps: above that, not a signal
}

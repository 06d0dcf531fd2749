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

/** procps's signal_name_to_number: a name (any case, with or without SIG) or a number; -1
 * if it is neither. */
export function signalNumber(s: string): number {
  const name = s.toUpperCase().replace(/^SIG/, "");
  if (Object.hasOwn(SIGNALS, name)) return SIGNALS[name];
  if (!/^[0-9]+$/.test(name)) return -1;
  const n = Number(name);
  return n <= 93 ? n : -1; // as procps: above SIGRTMIN + that, not a signal
}

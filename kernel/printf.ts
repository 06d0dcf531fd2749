// Kernel messages and panic, as in xv6's kernel/printf.c.

/** Thrown by panic(); the machine catches it, stops, and writes the crash log. */
export class KernelPanic extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KernelPanic";
  }
}

/** A broken kernel invariant: the machine stops with `panic: msg`. */
export function panic(msg: string): never {
  throw new KernelPanic(msg);
}

/** `%p` of xv6's printf: 0x and 16 hex digits. */
export function ptr(n: number): string {
  return "0x" + n.toString(16).padStart(16, "0");
}

// The console device (xv6's kernel/console.c, device major CONSOLE): reads take bytes the host
// typed, at most one line per read; writes go to the host's terminal. Kernel messages
// (kprint, xv6's printf) go straight out, as uartputc_sync does.

import type { Chan, KGen } from "./event.ts";
import type { Device } from "./file.ts";
import type { Machine } from "./machine.ts";
import { sleep, wakeup } from "./proc.ts";
import { acquire, release, Spinlock } from "./spinlock.ts";

const encoder = new TextEncoder();

export class Console implements Device {
  readonly lock = new Spinlock("cons");
  /** Readers wait here for input (xv6's &cons.r). */
  readonly readChan: Chan = { what: "console read" };
  private readonly buf: number[] = []; // input ready for readers
  private readonly rx: number[] = []; // received, not yet taken by the interrupt handler

  constructor(private readonly m: Machine) {}

  /** A kernel message: written at once, bypassing everything buffered. */
  kprint(s: string): void {
    this.m.output(encoder.encode(s));
  }

  /** Bytes from the host arrive in the receive buffer; the machine raises an interrupt. */
  receive(bytes: Uint8Array): void {
    for (const b of bytes) this.rx.push(b);
  }

  /** The receive interrupt: hand what arrived to readers (xv6's uartintr -> consoleintr). */
  *intr(m: Machine): KGen {
    yield* acquire(m, this.lock);
    for (const b of this.rx.splice(0)) this.buf.push(b);
    yield* wakeup(m, this.readChan);
    yield* release(m, this.lock);
  }

  *read(m: Machine, n: number): KGen<Uint8Array | number> {
    const p = m.myproc();
    yield* acquire(m, this.lock);
    while (this.buf.length === 0) {
      if (p.killed) {
        yield* release(m, this.lock);
        return -1;
      }
      yield* sleep(m, this.readChan, this.lock);
    }
    let count = 0;
    while (count < n && count < this.buf.length) {
      if (this.buf[count++] === 0x0a) break; // one line per read
    }
    const out = new Uint8Array(this.buf.splice(0, count));
    yield* release(m, this.lock);
    return out;
  }

  *write(m: Machine, src: Uint8Array): KGen<number> {
    yield* acquire(m, this.lock);
    m.output(src.slice());
    yield* release(m, this.lock);
    return src.length;
  }
}

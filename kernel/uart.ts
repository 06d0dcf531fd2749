// The UART (a 16550a, as xv6's kernel/uart.c drives it, 2022 version): a 32-byte transmit
// ring that writers fill and the transmit-complete interrupt drains one byte at a time.
//
// The device itself: a byte written to the transmit holding register takes UART_TX_CYCLES
// cycles to go out; then the UART raises an interrupt. Received bytes (host input) wait in
// the receive FIFO and raise an interrupt too. uartputc_sync (kernel messages and input echo)
// writes straight out, bypassing the ring, so it can overtake bytes still queued there.

import type { Chan, KGen } from "./event.ts";
import type { Machine } from "./machine.ts";
import { brokenSleep, sleep, wakeup } from "./proc.ts";
import { acquire, popOff, pushOff, release, Spinlock } from "./spinlock.ts";

export const UART_TX_BUF_SIZE = 32;
/** Cycles the UART takes to send one byte (about 38.4K baud against a 10,000-cycle tick). */
export const UART_TX_CYCLES = 4;

export class Uart {
  // the transmit output buffer.
  readonly txLock = new Spinlock("uart");
  private readonly txBuf = new Uint8Array(UART_TX_BUF_SIZE);
  private txW = 0; // write next to uart_tx_buf[uart_tx_w % UART_TX_BUF_SIZE]
  private txR = 0; // read next from uart_tx_buf[uart_tx_r % UART_TX_BUF_SIZE]
  /** Writers wait here for room in the ring (xv6's &uart_tx_r). */
  readonly txChan: Chan = { what: "uart" };

  // device registers
  private thr = 0; // transmit holding register
  /** When the byte in the holding register will be out (the UART is idle: Infinity). */
  txDoneAt = Infinity;
  private readonly rxFifo: number[] = [];

  /** The lecture's broken sleep replaces sleep() in uartputc (boot option --broken-sleep). */
  constructor(private readonly m: Machine, private readonly brokenSleep: boolean) {}

  // add a character to the output buffer and tell the UART to start sending if it isn't
  // already. blocks if the output buffer is full. because it may block, it can't be called
  // from interrupts; it's only suitable for use by write().
  *putc(m: Machine, c: number): KGen {
    yield* acquire(m, this.txLock);
    while (this.txW === this.txR + UART_TX_BUF_SIZE) {
      // buffer is full. wait for uartstart() to open up space in the buffer.
      if (this.brokenSleep) yield* brokenSleep(m, this.txChan, this.txLock);
      else yield* sleep(m, this.txChan, this.txLock);
    }
    this.txBuf[this.txW++ % UART_TX_BUF_SIZE] = c;
    yield* this.start(m);
    yield* release(m, this.txLock);
  }

  // alternate version of uartputc() that doesn't use interrupts, for use by kernel printf()
  // and to echo characters. it spins waiting for the uart's output register to be empty.
  putcSync(bytes: Uint8Array, echo: boolean): void {
    pushOff(this.m);
    this.m.output(bytes, echo);
    popOff(this.m);
  }

  // if the UART is idle, and a character is waiting in the transmit buffer, send it.
  // caller must hold uart_tx_lock.
  private *start(m: Machine): KGen {
    while (this.txW !== this.txR && this.txDoneAt === Infinity) {
      const c = this.txBuf[this.txR++ % UART_TX_BUF_SIZE];
      // maybe uartputc() is waiting for space in the buffer.
      yield* wakeup(m, this.txChan);
      this.thr = c;
      this.txDoneAt = m.cycles + UART_TX_CYCLES;
    }
  }

  /** The bytes waiting in the transmit ring, oldest first (for a debugger). */
  queued(): Uint8Array {
    return Uint8Array.from(
      { length: this.txW - this.txR },
      (_, i) => this.txBuf[(this.txR + i) % UART_TX_BUF_SIZE],
    );
  }

  /** The byte on the wire, if one is being sent. */
  sending(): number | null {
    return this.txDoneAt === Infinity ? null : this.thr;
  }

  /** The device: the byte in the holding register is out; the UART interrupts. */
  transmitted(): void {
    this.txDoneAt = Infinity;
    this.m.output(Uint8Array.of(this.thr), false);
  }

  /** Before power-off: the byte on the wire and the ring go out now, so the output programs
   * wrote before the halt is not lost. Under the lock, no byte is between ring and wire. */
  *drain(m: Machine): KGen {
    yield* acquire(m, this.txLock);
    if (this.txDoneAt !== Infinity) this.transmitted();
    while (this.txR !== this.txW) {
      this.thr = this.txBuf[this.txR++ % UART_TX_BUF_SIZE];
      this.transmitted();
    }
    yield* release(m, this.txLock);
  }

  /** The device: bytes arrive from the host. */
  receive(bytes: Uint8Array): void {
    for (const b of bytes) this.rxFifo.push(b);
  }

  // handle a uart interrupt, raised because input has arrived, or the uart is ready for more
  // output, or both.
  *intr(m: Machine): KGen {
    // read and process incoming characters.
    while (this.rxFifo.length > 0) yield* m.cons.intr(m, this.rxFifo.shift()!);
    // send buffered characters.
    yield* acquire(m, this.txLock);
    yield* this.start(m);
    yield* release(m, this.txLock);
  }
}

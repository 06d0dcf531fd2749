// Console input and output, to the uart (xv6's kernel/console.c). Reads are line at a time.
// Implements special input characters:
//   newline -- end of line
//   control-h -- backspace
//   control-u -- kill line
//   control-d -- end of file
//   control-p -- print process list
//   control-c -- (dv6) kill the foreground process group, or drop the line at a prompt

import type { Chan, KGen } from "./event.ts";
import type { Device } from "./file.ts";
import type { Machine } from "./machine.ts";
import { ERRNO } from "./uapi/errno.ts";
import { pollwakeup } from "./poll.ts";
import { killedNoLock, killpg, procdump, sleep, wakeup } from "./proc.ts";
import { panic } from "./printf.ts";
import { acquiresleep, holdingsleep, releasesleep, Sleeplock } from "./sleeplock.ts";
import { acquire, holding, release, Spinlock } from "./spinlock.ts";
import { POLLIN, POLLOUT } from "./uapi/poll.ts";

const BACKSPACE = 0x100;
const C = (x: string) => x.charCodeAt(0) - "@".charCodeAt(0); // Control-x
export const INPUT_BUF_SIZE = 128;

const encoder = new TextEncoder();

export class Console implements Device {
  readonly lock = new Spinlock("cons");
  /** Held across a write() (Linux's atomic_write_lock); ps shows its waiters' channel. */
  readonly writeLock = new Sleeplock("console write");
  // input
  private readonly buf = new Uint8Array(INPUT_BUF_SIZE);
  private r = 0; // Read index
  private w = 0; // Write index
  private e = 0; // Edit index
  /** Readers wait here for a line (xv6's &cons.r). */
  readonly readChan: Chan = { what: "console read" };
  polled = false; // a poller has looked: a line that arrives wakes the pollers too
  /** The foreground process group, which ^C kills; 0 when there is none (a shell prompt). */
  fgpgid = 0;
  /** Input bytes this handler has dealt with, to the end (a reader woken for a line): the
   * host compares it with what it typed to tell a reader that waits for more from one that
   * has not yet been handed what came. */
  handledBytes = 0;

  constructor(private readonly m: Machine) {}

  // send one character to the uart. called by printf(), and to echo input characters, but
  // not from write().
  private putc(c: number): void {
    if (c === BACKSPACE) this.m.uart.putcSync(encoder.encode("\b \b"), true); // overwrite with a space
    else this.m.uart.putcSync(Uint8Array.of(c), true);
  }

  /** The kernel's printf: straight to the UART, bypassing the transmit ring. */
  kprint(s: string): void {
    this.m.uart.putcSync(encoder.encode(s), false);
  }

  // user write()s to the console go here. dv6: one write() is one piece of output, as Linux's
  // tty layer makes it (atomic_write_lock): the writer holds a sleep lock while it puts its
  // bytes through the UART, sleeping for room in the ring, so concurrent writers' bytes never
  // interleave (xv6 lets them, byte by byte). A writer killed meanwhile still finishes, as
  // uartputc's sleep does not check killed, and lets go before it dies at the return to user
  // mode; one waiting for the lock gets its turn, then dies the same way.
  *write(m: Machine, src: Uint8Array): KGen<number> {
    yield* acquiresleep(m, this.writeLock);
    for (let i = 0; i < src.length; i++) yield* m.uart.putc(m, src[i]);
    // (as xv6's iunlock() and brelse() check their sleep locks before letting go)
    if (!(yield* holdingsleep(m, this.writeLock))) panic("consolewrite");
    yield* releasesleep(m, this.writeLock);
    return src.length;
  }

  // user read()s from the console go here. copy (up to) a whole input line to dst. returns
  // the bytes read, or -1 if the reader is killed (-EAGAIN if no line is there and the reader
  // would not wait).
  *read(m: Machine, n: number, nonblock: boolean): KGen<Uint8Array | number> {
    const target = n;
    const out: number[] = [];
    yield* acquire(m, this.lock);
    if (nonblock && this.r === this.w) {
      yield* release(m, this.lock);
      return -ERRNO.EAGAIN;
    }
    while (n > 0) {
      // wait until interrupt handler has put some input into cons.buffer.
      while (this.r === this.w) {
        if (killedNoLock(m.myproc())) {
          yield* release(m, this.lock);
          return -1;
        }
        yield* sleep(m, this.readChan, this.lock);
      }
      this.bufok("consoleread");
      const c = this.buf[this.r++ % INPUT_BUF_SIZE];
      if (c === C("D")) { // end-of-file
        if (n < target) {
          // Save ^D for next time, to make sure caller gets a 0-byte result.
          this.r--;
        }
        break;
      }
      out.push(c);
      --n;
      if (c === 0x0a) break; // a whole line has arrived, return to the user-level read().
    }
    yield* release(m, this.lock);
    return new Uint8Array(out);
  }

  // what poll() sees: a line to read; writes always go (they wait for the UART's room).
  *poll(m: Machine): KGen<number> {
    yield* acquire(m, this.lock);
    this.polled = true;
    const r = this.r !== this.w ? POLLIN | POLLOUT : POLLOUT;
    yield* release(m, this.lock);
    return r;
  }

  // The input buffer's invariant, with cons.lock held: r <= w <= e <= r + INPUT_BUF_SIZE (read,
  // then lines handed over, then the line being edited, all within the buffer).
  private bufok(fn: string): void {
    if (!(this.r <= this.w && this.w <= this.e && this.e - this.r <= INPUT_BUF_SIZE)) {
      panic(`${fn}: input buffer indices`);
    }
  }

  // a line (or end-of-file) has arrived: wake consoleread(), and pollers.
  private *lineArrived(m: Machine): KGen {
    if (!holding(m, this.lock)) panic("lineArrived");
    this.w = this.e;
    this.bufok("lineArrived");
    yield* wakeup(m, this.readChan);
    if (this.polled) yield* pollwakeup(m);
  }

  // the console input interrupt handler. uartintr() calls this for input character. do
  // erase/kill processing, append to cons.buf, wake up consoleread() if a whole line has
  // arrived.
  *intr(m: Machine, c: number): KGen {
    yield* acquire(m, this.lock);
    this.bufok("consoleintr"); // (broken, ^U's loop would never end)
    switch (c) {
      case C("P"): // Print process list.
        this.kprint(procdump(m));
        break;
      case C("U"): // Kill line.
        while (this.e !== this.w && this.buf[(this.e - 1) % INPUT_BUF_SIZE] !== 0x0a) {
          this.e--;
          this.putc(BACKSPACE);
        }
        break;
      case C("H"): // Backspace
      case 0x7f: // Delete key
        if (this.e !== this.w) {
          this.e--;
          this.putc(BACKSPACE);
        }
        break;
      case C("C"): // dv6: interrupt.
        this.kprint("^C\n"); // not an echo: a line-editing host shows nothing for ^C
        this.e = this.w; // drop the line being edited
        if (this.fgpgid !== 0) yield* killpg(m, this.fgpgid);
        else if (this.e - this.r < INPUT_BUF_SIZE) {
          // At a prompt: an empty line, so the shell prompts again.
          this.buf[this.e++ % INPUT_BUF_SIZE] = 0x0a;
          yield* this.lineArrived(m);
        }
        break;
      default:
        if (c !== 0 && this.e - this.r < INPUT_BUF_SIZE) {
          c = c === 0x0d ? 0x0a : c;
          // echo back to the user.
          this.putc(c);
          // store for consumption by consoleread().
          this.buf[this.e++ % INPUT_BUF_SIZE] = c;
          if (c === 0x0a || c === C("D") || this.e - this.r === INPUT_BUF_SIZE) {
            // wake up consoleread() if a whole line (or end-of-file) has arrived.
            yield* this.lineArrived(m);
          }
        }
        break;
    }
    this.handledBytes++;
    yield* release(m, this.lock);
  }
}

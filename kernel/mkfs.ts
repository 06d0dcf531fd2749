// The boot image's files besides /bin (xv6's mkfs puts README and the programs on the disk).

import type { FsImage } from "./fs.ts";

const README = `dv6: a simulated xv6-like kernel, journaled step by step.

Programs live in /bin; the shell finds them there. Try:
  help                    what each program does
  ls /bin                 the programs
  ps                      the processes, and what each one waits for
  fork -n 3 --zombie      children that stay zombies until their parent reaps them
  spin &                  a process that burns CPU; then: kill PID
  cat /demo/long.txt      a long file through the UART's 32-byte ring
Keys: ^C stops the foreground command, ^P lists processes, ^U erases the line,
^D at the prompt ends the shell (init starts a new one).
`;

// A file long enough that its writer fills the UART's transmit ring many times over: with
// --broken-sleep some schedules lose a wakeup and hang it for good.
const LONG = Array.from(
  { length: 64 },
  (_, i) => `line ${String(i + 1).padStart(2)}: the quick brown fox jumps over the lazy dog\n`,
).join("");

export const BOOT_FILES: FsImage = {
  "/README": README,
  "/demo/long.txt": LONG,
};

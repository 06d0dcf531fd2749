// The boot image's files besides /bin (xv6's mkfs puts README and the programs on the disk).

import type { FsImage } from "../kernel/machine.ts";

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

// The jobserver demo (README.md, "make -j and the token leak"): a parallel build whose sub-make
// is killed while it holds job tokens. Its jobs only sleep, so it can be run again and again.
const DEMO_MAKEFILE = `# make -j and the token leak. Run it three ways and compare:
#
#   make -j4 -k --timeline                              GNU make's pipe jobserver
#   make -j4 -k --timeline --jobserver-style=sysvsem    a System V semaphore, SEM_UNDO
#   make -j4 -k --timeline --jobserver-style=psem       a robust POSIX semaphore
#
# 'build' runs a sub-make (sub.mk) whose jobs take the free job tokens; 'killer' kills that
# sub-make (the newest make) while they run. The six 'w' jobs that follow show how many of the
# four job slots are left: with the pipe, the tokens the sub-make held are gone for the rest
# of the build, and make says so at exit; with the semaphores the kernel gives them back.

all: build after

build:
\t+@$(MAKE) -f sub.mk

after: w1 w2 w3 w4 w5 w6

w1 w2 w3 w4 w5 w6: killer
\t@sleep 25

killer:
\t@sleep 50
\t@echo killing the sub-make
\t@pkill -n -x make
`;

const DEMO_SUBMAKE = `# The sub-make of /demo/Makefile: more jobs than free slots, each a long one.

all: s1 s2 s3 s4 s5 s6

s1 s2 s3 s4 s5 s6:
\t@sleep 150
`;

export const BOOT_FILES: FsImage = {
  "/README": README,
  "/demo/long.txt": LONG,
  "/demo/Makefile": DEMO_MAKEFILE,
  "/demo/sub.mk": DEMO_SUBMAKE,
};

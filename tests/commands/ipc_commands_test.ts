// Transcript tests of the IPC commands (ipcmk, ipcs, ipcrm, semop, semctl, psem, mutex, flock,
// lockf, exithandlers): each script is typed line by line into sh on a fresh machine (rr, the
// default 3 CPUs, --robust-fast=pcrange), as `dv6 run` types a script, and the console
// transcript must be exactly the one below. A holder is killed "in the middle" on the line
// that starts it (the next line is only typed once the machine is idle), with --hold TICKS so
// that a wrong pid costs 100 ticks rather than a run that never ends. Pids are deterministic
// under rr; the transcripts depend on the schedule (background output, ps). The shell prints
// a background job's `[PID]` line with xv6's printf, a write() per byte, so the job's own first
// line (one write) can come out inside it: `[40` then `]`.

import assert from "node:assert/strict";
import type { MachineEnd } from "../../kernel/machine.ts";
import { headerFor, machineFrom } from "../../shell/host.ts";
import { typeScript } from "../../shell/session.ts";
import { Bytes } from "../helpers.ts";

/** Types `lines` into sh on a fresh machine: the console transcript and how the run ended. */
function session(lines: string[]): { text: string; end: MachineEnd } {
  const out = new Bytes();
  const m = machineFrom(headerFor({ initArgv: ["init", "sh"] }, "test"), undefined, out.write);
  const end = typeScript(m, lines);
  return { text: out.text, end };
}

/** The script's transcript must be `expected`, line by line (for a readable diff). */
function check(lines: string[], expected: string, end: MachineEnd): void {
  const r = session(lines);
  // Inode numbers depend on how many programs /bin holds: not part of the transcript.
  const text = r.text.replace(/lock on inode \d+/g, "lock on inode N");
  assert.deepEqual(text.split("\n"), expected.split("\n"));
  assert.deepEqual(r.end, end);
}

const SEM_SCRIPT = [
  "ipcmk -S 2 --value 1",
  "semop 0 0:-1:u --hold 100 & sleep 2; semctl 0 0 getval; kill 4; sleep 1; semctl 0 0 getval",
  "semop 0 0:-1 --hold 100 & sleep 2; semctl 0 0 getval; kill 10; sleep 1; semctl 0 0 getval",
  "semctl 0 0 setval 1; semop 0 0:-1:u --hold 100 & sleep 2; semop 0 0:32767; kill 17",
  "semctl 0 0 getval",
  "semop 0 0:1",
  "semop 0 1:-1",
  "semop 0 1:-1:n",
  "semop 0 1:-1 --timeout 3",
  "semop 0 0:1x501",
  "semop 0 2:1",
  "semop 9 0:1",
  "semop 0 0:x",
  "semctl 0 0 setall 1",
  "semctl 0 0 setall 1 40000",
  "semctl 0 0 getall",
  "semop 0 1:-2 & sleep 2; ps; semctl 0 1 getncnt; ipcs -s -i 0; ipcrm -s 0; sleep 1",
  "ipcs -s",
  "ipcmk -S 0",
  "ipcmk -S 1 --value 32768",
];

const SEM = `$ ipcmk -S 2 --value 1
Semaphore id: 0
$ semop 0 0:-1:u --hold 100 & sleep 2; semctl 0 0 getval; kill 4; sleep 1; semctl 0 0 getval
[4]
0
1
$ semop 0 0:-1 --hold 100 & sleep 2; semctl 0 0 getval; kill 10; sleep 1; semctl 0 0 getval
[10]
0
0
$ semctl 0 0 setval 1; semop 0 0:-1:u --hold 100 & sleep 2; semop 0 0:32767; kill 17
[17]
$ semctl 0 0 getval
32767
$ semop 0 0:1
semop: ERANGE (Numerical result out of range)
$ semop 0 1:-1
$ semop 0 1:-1:n
semop: EAGAIN (Resource temporarily unavailable)
$ semop 0 1:-1 --timeout 3
semop: EAGAIN (Resource temporarily unavailable)
$ semop 0 0:1x501
semop: E2BIG (Argument list too long)
$ semop 0 2:1
semop: EFBIG (File too large)
$ semop 9 0:1
semop: EINVAL (Invalid argument)
$ semop 0 0:x
semop: invalid operation '0:x'
usage: semop ID SEMNUM:DELTA[:FLAGS][xCOUNT]... [--timeout TICKS] [--hold [TICKS]] (FLAGS: u SEM_UNDO, n IPC_NOWAIT)
$ semctl 0 0 setall 1
semctl: EINVAL (Invalid argument)
$ semctl 0 0 setall 1 40000
semctl: ERANGE (Numerical result out of range)
$ semctl 0 0 getall
32767 0
$ semop 0 1:-2 & sleep 2; ps; semctl 0 1 getncnt; ipcs -s -i 0; ipcrm -s 0; sleep 1
[33]
  PID  PPID STATE   TICKS NAME            WCHAN
    1     0 sleep       0 init            wait
    2     1 sleep       0 sh              wait
   33     2 sleep       0 semop           semop 0[1]
   35     2 run         0 ps              -
1

Semaphore Array semid=0
uid=0	 gid=0	 cuid=0	 cgid=0
mode=0644, access_perms=0644
nsems = 2
otime = tick 8                    
ctime = tick 6                    
semnum     value      ncount     zcount     pid       
0          32767      0          0          17        
1          0          1          0          23        

semop: EIDRM (Identifier removed)
$ ipcs -s

------ Semaphore Arrays --------
key        semid      owner      perms      nsems     

$ ipcmk -S 0
ipcmk: create semaphore failed: Invalid argument
$ ipcmk -S 1 --value 32768
ipcmk: set semaphore values failed: Numerical result out of range
$ `;

Deno.test("ipcmk, semop, semctl, ipcs, ipcrm: a SEM_UNDO holder killed in the middle gives its token back, one without leaks it; the exit clamp; errors; EIDRM", () => {
  check(SEM_SCRIPT, SEM, { "kind": "halt", "status": 1 });
});

const PSEM_SCRIPT = [
  "psem s create 2",
  "psem s wait --robust --hold 100 & sleep 2; psem s value; kill 4; sleep 1; psem s value",
  "psem s wait --hold 100 & sleep 2; psem s value; kill 10; sleep 1; psem s value",
  "psem f create 1 --fast",
  "psem f wait --robust --hold 100 & sleep 2; psem f value; kill 17; sleep 1; psem f value",
  "psem f post --robust --hold 100 & sleep 2; psem f value; kill 23; sleep 1; psem f value",
  "psem f wait --robust; psem f value",
  "psem s trywait; psem s trywait",
  "psem s wait --timeout 2",
  "psem s create 1",
  "psem nope value",
  "psem s wait & sleep 2; ps; psem s post; sleep 1; psem s value",
  "psem s unlink; psem s value",
];

const PSEM = `$ psem s create 2
$ psem s wait --robust --hold 100 & sleep 2; psem s value; kill 4; sleep 1; psem s value
[4]
1
2
$ psem s wait --hold 100 & sleep 2; psem s value; kill 10; sleep 1; psem s value
[10]
1
1
$ psem f create 1 --fast
$ psem f wait --robust --hold 100 & sleep 2; psem f value; kill 17; sleep 1; psem f value
[17]
0
1
$ psem f post --robust --hold 100 & sleep 2; psem f value; kill 23; sleep 1; psem f value
[23]
2
1
$ psem f wait --robust; psem f value
1
$ psem s trywait; psem s trywait
psem: EAGAIN (Resource temporarily unavailable)
$ psem s wait --timeout 2
psem: ETIMEDOUT (Connection timed out)
$ psem s create 1
psem: EEXIST (File exists)
$ psem nope value
psem: ENOENT (No such file or directory)
$ psem s wait & sleep 2; ps; psem s post; sleep 1; psem s value
[36]
  PID  PPID STATE   TICKS NAME            WCHAN
    1     0 sleep       0 init            wait
    2     1 sleep       0 sh              wait
   36     2 sleep       0 psem            psem s
   38     2 run         0 ps              -
0
$ psem s unlink; psem s value
psem: ENOENT (No such file or directory)
$ `;

Deno.test("psem: robust waits and posts undone when the holder is killed (system-call and fast paths), a plain wait leaks; ps; errors", () => {
  check(PSEM_SCRIPT, PSEM, { "kind": "halt", "status": 1 });
});

const MUTEX_SCRIPT = [
  "mutex m create --robust",
  "mutex m lock --hold 100 & sleep 2; mutex m lock --consistent --unlock & sleep 2; ps; kill 4; sleep 1",
  "mutex m lock --unlock",
  "mutex m lock --hold 100 & sleep 2; kill 12; sleep 1; mutex m lock --unlock",
  "mutex m lock",
  "mutex m lock",
  "mutex m lock --consistent",
  "mutex nope lock",
];

const MUTEX = `$ mutex m create --robust
$ mutex m lock --hold 100 & sleep 2; mutex m lock --consistent --unlock & sleep 2; ps; kill 4; sleep 1
[40
]
[6]
  PID  PPID STATE   TICKS NAME            WCHAN
    1     0 sleep       0 init            wait
    2     1 sleep       0 sh              wait
    4     2 sleep       0 mutex           ticks
    6     2 sleep       0 mutex           mutex m
    8     2 run         0 ps              -
EOWNERDEAD
$ mutex m lock --unlock
0
$ mutex m lock --hold 100 & sleep 2; kill 12; sleep 1; mutex m lock --unlock
[10
2]
EOWNERDEAD
$ mutex m lock
ENOTRECOVERABLE
$ mutex m lock
ENOTRECOVERABLE
$ mutex m lock --consistent
ENOTRECOVERABLE
$ mutex nope lock
mutex: ENOENT (No such file or directory)
$ `;

Deno.test("mutex: the robust owner killed while a waiter sleeps (ps shows it): EOWNERDEAD, consistent; unlocked inconsistent: ENOTRECOVERABLE", () => {
  check(MUTEX_SCRIPT, MUTEX, { "kind": "halt", "status": 1 });
});

const PLAIN_SCRIPT = [
  "mutex p create",
  "mutex p lock --hold 100 & sleep 2; kill 4; sleep 1; ps; mutex p lock",
];

const PLAIN = `$ mutex p create
$ mutex p lock --hold 100 & sleep 2; kill 4; sleep 1; ps; mutex p lock
[4]
0
  PID  PPID STATE   TICKS NAME            WCHAN
    1     0 sleep       0 init            wait
    2     1 sleep       0 sh              wait
    8     2 run         0 ps              -
`;

Deno.test("mutex: a plain mutex's owner killed: the next lock sleeps forever, and the run ends in a deadlock", () => {
  check(PLAIN_SCRIPT, PLAIN, {
    "kind": "deadlock",
    "report":
      "deadlock: no process can run, and nothing will wake one\n  pid 1 (init) waits for wait\n  pid 2 (sh) waits for wait\n  pid 9 (mutex) waits for mutex p (held by pid 4, which has exited)\n",
  });
});

const FLOCK_SCRIPT = [
  "flock /lk --hold 100 & sleep 2; flock -n /lk echo got it; kill 3; sleep 1; flock -n /lk echo got it",
  "flock /lk sleep 5 & sleep 1; kill 10; sleep 1; flock -n /lk echo no; sleep 5; flock -n /lk echo free",
  "flock -s /lk --hold 100 & sleep 1; flock -s -n /lk echo shared; flock -n -E 7 /lk echo x; echo $?; kill 19",
  "flock -o /lk sleep 5 & sleep 1; kill 26; sleep 1; flock -n /lk echo -o: free with flock gone",
  "flock /lk --hold 100 & sleep 1; flock /lk echo got it & sleep 1; ps; kill 33; sleep 1",
  "lockf /r w:0:10 --hold 100 & sleep 2; lockf /r t:0:1; lockf -n /r w:5:1; kill 41; sleep 1; lockf /r t:0:1",
  "lockf /r w:0:10 close --hold 100 & sleep 2; lockf /r t:0:10; kill 48",
  "lockf /r w:0:10 sleep:5 w:10:10 & lockf /r w:10:10 w:0:10",
  "lockf /r w:-1:5",
];

const FLOCK =
  `$ flock /lk --hold 100 & sleep 2; flock -n /lk echo got it; kill 3; sleep 1; flock -n /lk echo got it
[3]
got it
$ flock /lk sleep 5 & sleep 1; kill 10; sleep 1; flock -n /lk echo no; sleep 5; flock -n /lk echo free
[10]
free
$ flock -s /lk --hold 100 & sleep 1; flock -s -n /lk echo shared; flock -n -E 7 /lk echo x; echo $?; kill 19
[19]
shared
7
$ flock -o /lk sleep 5 & sleep 1; kill 26; sleep 1; flock -n /lk echo -o: free with flock gone
[26]
-o: free with flock gone
$ flock /lk --hold 100 & sleep 1; flock /lk echo got it & sleep 1; ps; kill 33; sleep 1
[33]
[35]
  PID  PPID STATE   TICKS NAME            WCHAN
    1     0 sleep       0 init            wait
    2     1 sleep       0 sh              wait
   33     2 sleep       0 flock           ticks
   35     2 sleep       0 flock           lock on inode N
   27     1 sleep       0 sleep           ticks
   37     2 run         0 ps              -
got it
$ lockf /r w:0:10 --hold 100 & sleep 2; lockf /r t:0:1; lockf -n /r w:5:1; kill 41; sleep 1; lockf /r t:0:1
[41]
write 0 10 pid 41
lockf: EAGAIN (Resource temporarily unavailable)
unlocked
$ lockf /r w:0:10 close --hold 100 & sleep 2; lockf /r t:0:10; kill 48
[48]
unlocked
$ lockf /r w:0:10 sleep:5 w:10:10 & lockf /r w:10:10 w:0:10
[52]
lockf: EDEADLK (Resource deadlock avoided)
$ lockf /r w:-1:5
lockf: EINVAL (Invalid argument)
$ `;

Deno.test("flock and lockf: the lock stays with the command after flock is killed; -n, -s, -E, -o; a waiter in ps; record locks, close, EDEADLK", () => {
  check(FLOCK_SCRIPT, FLOCK, { "kind": "halt", "status": 1 });
});

const EXIT_SCRIPT = [
  "exithandlers; echo status $?",
  "exithandlers --_exit; echo status $?",
  "exithandlers --hold 100 & sleep 1; kill 7; wait; echo killed: no handler ran",
];

const EXIT = `$ exithandlers; echo status $?
on_exit function called: status=2, arg=20
atexit function 2 called
atexit function 1 called
on_exit function called: status=2, arg=10
status 2
$ exithandlers --_exit; echo status $?
status 2
$ exithandlers --hold 100 & sleep 1; kill 7; wait; echo killed: no handler ran
[7]
killed: no handler ran
$ `;

Deno.test("exithandlers: Linux's order at exit(2); none with _exit or when killed", () => {
  check(EXIT_SCRIPT, EXIT, { "kind": "halt", "status": 0 });
});

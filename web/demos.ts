// The demos one click away: each boots with its options, types its script into the console a
// command at a time (each at the shell's prompt), and says what to look for, and where.

export interface Demo {
  name: string;
  title: string;
  /** Boot options, as the page's query string. */
  query: string;
  script: string[];
  note: string;
}

export const DEMOS: Demo[] = [
  {
    name: "lost-wakeup",
    title: "The lost wakeup",
    query: "broken-sleep&sched=random&seed=2",
    script: ["cat /demo/long.txt"],
    note: "Under --broken-sleep, cat's write releases the UART's lock before it is asleep, and " +
      "the transmit interrupt's wakeup can come in between: then the file stops part way and " +
      "cat sleeps for good. The processes panel shows cat sleeping, waiting for uart; the UART " +
      "panel shows the ring empty and cat still sleeping on it: the wakeup came and went. " +
      "(The CLI calls it a deadlock; here the clock keeps ticking, so the page just waits.)",
  },
  {
    name: "jobserver",
    title: "make -j: the token leak",
    query: "",
    script: [
      "cd /demo",
      "make -j4 -k --timeline",
      "make -j4 -k --timeline --jobserver-style=sysvsem",
    ],
    note: "A sub-make is killed while its jobs hold job slots. GNU make's pipe jobserver loses " +
      "them (the INTERNAL line; slots 3 and 4 idle in its timeline); the System V semaphore " +
      "jobserver gets them back: the kernel undoes the dead make's semop (SEM_UNDO). While the " +
      "second make runs, the semaphores panel shows the jobserver's semaphore and the " +
      "processes panel who holds tokens.",
  },
  {
    name: "robust-mutex",
    title: "A robust mutex whose owner dies",
    query: "",
    script: [
      "mutex m create --robust",
      "mutex m lock --hold &",
      "sleep 5",
      "pkill -n -x mutex",
      "mutex m lock --consistent --unlock",
    ],
    note: "A process takes the robust mutex m and is killed holding it. The semaphores panel " +
      "shows m's owner while it holds it; the next locker gets EOWNERDEAD (the kernel saw the " +
      "owner die), makes the mutex consistent, and unlocks it.",
  },
  {
    name: "sem-undo",
    title: "SEM_UNDO gives a token back",
    query: "",
    script: [
      "ipcmk -S 1 --value 1",
      "semop 0 0:-1:u --hold &",
      "sleep 5",
      "semctl 0 0 getval",
      "pkill -n -x semop",
      "semctl 0 0 getval",
    ],
    note: "semop takes the semaphore's only token with SEM_UNDO and holds it: the value reads " +
      "0. It is killed, and the kernel undoes its semop at its exit: the value reads 1 again. " +
      "The semaphores panel shows the value and the undo the holder carries.",
  },
];

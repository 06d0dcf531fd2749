/*
 * The host's real Linux semop(2), for bench/main.ts: PAIRS P/V pairs with SEM_UNDO on one
 * private semaphore of value 1, in one process, as dv6's `semloop` does them. Prints
 * "CALLS NANOSECONDS" (the loop only, CLOCK_MONOTONIC) on one line; exits 1 on any failure.
 *
 *   cc -O2 -o semop_bench semop_bench.c && ./semop_bench 1000000
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <time.h>

union semun {
  int val;
  struct semid_ds *buf;
  unsigned short *array;
};

int main(int argc, char **argv) {
  long pairs = argc > 1 ? atol(argv[1]) : 1000000;
  int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
  if (id < 0) {
    perror("semget");
    return 1;
  }
  union semun arg;
  arg.val = 1;
  if (semctl(id, 0, SETVAL, arg) < 0) {
    perror("semctl");
    semctl(id, 0, IPC_RMID);
    return 1;
  }
  struct sembuf p = {0, -1, SEM_UNDO}, v = {0, 1, SEM_UNDO};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < pairs; i++) {
    if (semop(id, &p, 1) < 0 || semop(id, &v, 1) < 0) {
      perror("semop");
      semctl(id, 0, IPC_RMID);
      return 1;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  semctl(id, 0, IPC_RMID);
  double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
  printf("%ld %.0f\n", 2 * pairs, ns);
  return 0;
}

// The program table: what exec finds by name (xv6's UPROGS). One line per program, by name.

import type { ProgramMain } from "../kernel/uapi/abi.ts";
import type { Sys } from "./lib/usys.ts";
import cat from "./bin/cat.ts";
import echo from "./bin/echo.ts";
import env from "./bin/env.ts";
import exithandlers from "./bin/exithandlers.ts";
import flock from "./bin/flock.ts";
import fork from "./bin/fork.ts";
import forktest from "./bin/forktest.ts";
import grep from "./bin/grep.ts";
import halt from "./bin/halt.ts";
import help from "./bin/help.ts";
import init from "./bin/init.ts";
import ipcmk from "./bin/ipcmk.ts";
import ipcrm from "./bin/ipcrm.ts";
import ipcs from "./bin/ipcs.ts";
import jobtoken from "./make/jobtoken.ts";
import kill from "./bin/kill.ts";
import ln from "./bin/ln.ts";
import lockf from "./bin/lockf.ts";
import ls from "./bin/ls.ts";
import make from "./make/make.ts";
import mkdir from "./bin/mkdir.ts";
import mutex from "./bin/mutex.ts";
import pgrep from "./bin/pgrep.ts";
import pkill from "./bin/pkill.ts";
import ps from "./bin/ps.ts";
import psem from "./bin/psem.ts";
import rm from "./bin/rm.ts";
import semctl from "./bin/semctl.ts";
import semop from "./bin/semop.ts";
import sh from "./sh/sh.ts";
import sleep from "./bin/sleep.ts";
import spin from "./bin/spin.ts";
import uptime from "./bin/uptime.ts";
import usertests from "./bin/usertests.ts";
import wc from "./bin/wc.ts";

export const PROGRAMS: Record<string, ProgramMain<Sys>> = {
  cat,
  echo,
  env,
  exithandlers,
  flock,
  fork,
  forktest,
  grep,
  halt,
  help,
  init,
  ipcmk,
  ipcrm,
  ipcs,
  jobtoken,
  kill,
  ln,
  lockf,
  ls,
  make,
  mkdir,
  mutex,
  pgrep,
  pkill,
  ps,
  psem,
  rm,
  semctl,
  semop,
  sh,
  sleep,
  spin,
  uptime,
  usertests,
  wc,
};

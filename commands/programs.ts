// The program table: what exec finds by name (xv6's UPROGS). One line per program, by name.

import type { ProgramMain } from "../kernel/abi.ts";
import type { Sys } from "./usys.ts";
import cat from "./cat.ts";
import echo from "./echo.ts";
import env from "./env.ts";
import exithandlers from "./exithandlers.ts";
import flock from "./flock.ts";
import fork from "./fork.ts";
import forktest from "./forktest.ts";
import grep from "./grep.ts";
import halt from "./halt.ts";
import help from "./help.ts";
import init from "./init.ts";
import ipcmk from "./ipcmk.ts";
import ipcrm from "./ipcrm.ts";
import ipcs from "./ipcs.ts";
import jobtoken from "./jobtoken.ts";
import kill from "./kill.ts";
import ln from "./ln.ts";
import lockf from "./lockf.ts";
import ls from "./ls.ts";
import make from "./make.ts";
import mkdir from "./mkdir.ts";
import mutex from "./mutex.ts";
import pgrep from "./pgrep.ts";
import pkill from "./pkill.ts";
import ps from "./ps.ts";
import psem from "./psem.ts";
import rm from "./rm.ts";
import semctl from "./semctl.ts";
import semop from "./semop.ts";
import sh from "./sh.ts";
import sleep from "./sleep.ts";
import spin from "./spin.ts";
import uptime from "./uptime.ts";
import usertests from "./usertests.ts";
import wc from "./wc.ts";

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

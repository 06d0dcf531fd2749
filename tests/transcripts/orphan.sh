# an orphan reaped by init: fork --orphan exits at once; init adopts its children (PPID 1)
# and reaps them when they exit, 50 ticks later
fork --orphan -n 2; ps
ps
kill 4 5

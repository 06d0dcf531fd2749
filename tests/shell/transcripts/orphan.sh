# an orphan reaped by init: fork --orphan exits at once; init adopts its children (PPID 1)
# and reaps them when they exit, 50 ticks later
fork --orphan -n 2; ps
sleep 60
ps
kill 4 5

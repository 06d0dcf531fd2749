# background jobs: `&` prints the job's [PID] and the shell goes on; kill ends a job.
# (each job below is killed in the line that starts it, so that it still runs when kill comes)
sleep 100 & ps; kill 3; ps
spin & sleep 3; ps; kill -9 7; wait; echo $?
(sleep 5; echo from the background) & echo started; wait; echo all done
sleep 1 & sleep 2 & wait; echo both reaped
kill 3
kill -TERM 999
kill

# a zombie ignores kill -9 until it is reaped: fork --zombie leaves its children unreaped
# for 50 ticks; kill finds them (they exist) but cannot make them any deader
fork --zombie -n 2 > /o & sleep 5; ps; kill -9 4 5; ps; wait; ps
cat /o
kill -9 4 5

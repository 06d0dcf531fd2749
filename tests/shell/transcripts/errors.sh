# bad commands: a message each, and the lines after them still run
nosuch
/nosuch/either
/bin
echo $?
cat /nonexistent
grep
ls /nonexistent
wc /nonexistent
mkdir
rm /nonexistent
sleep x
fork -x
sh /nonexistent
cd /README
echo a "b
echo $?
echo still running

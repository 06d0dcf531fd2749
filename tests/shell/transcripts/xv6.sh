# xv6's typical transcripts (reference 5.4), with xv6's messages
echo hello world
nosuch
cat < nofile
cd nodir
echo a b c | wc

echo 1 2 3 4 5 6 7 8 9
echo 1 2 3 4 5 6 7 8
echo hi >
(echo hi
echo hi )
echo a (b)
cd

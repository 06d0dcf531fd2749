# redirections: < reads, > creates or truncates, >> appends; of one fd, the last written wins
echo one > f
echo two >> f
cat f
wc < f
cat < f > g
cat g
echo three > f
cat f
echo x > a > b
cat a
wc b
< /demo/long.txt wc
grep fox < /demo/long.txt > fox; wc fox
cat < nofile > never
cat never
echo hi > /nodir/f
echo $?
mkdir d
echo in > d/f; cat d/f
cd d
cat < f

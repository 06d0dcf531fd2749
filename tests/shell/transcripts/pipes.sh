# pipes of several stages: every stage runs at once; the last stage's status is the pipeline's
echo a b c | cat | cat | cat | wc
cat /README | grep the | wc
grep fox /demo/long.txt | grep 'line  ' | wc
cat /demo/long.txt | cat | grep 'line 6' | cat
grep 'line .0:' /demo/long.txt | grep 'dog$' | cat | wc
echo a | nosuch | wc
echo $?
(echo one; echo two; echo three) | grep t | wc
cat /demo/long.txt | wc

# ^C stops the foreground job (the console kills its process group); the shell prompts again
# (the newline after each ^C goes to the dying job, or to the shell as an empty line)
cat
typed at cat

cat | wc

echo $?
(cat; echo not reached)

# ^C at the prompt drops the line being typed
echo dropped
echo still here

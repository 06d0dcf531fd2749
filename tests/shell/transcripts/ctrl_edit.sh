# console line editing, typed as raw bytes in the lines of this script (cat -v shows them)
# ^U erases the line typed so far; DEL and ^H erase one character
echo typoecho fixed
echo abcdxyz
echo nothing to erase
# ^P lists the processes (the kernel prints it: no echo, nothing stored)

echo abcd
# ^D after some characters ends the read without a newline; the next read sees end of file
echo ab
wc
one two
echo wc read one line

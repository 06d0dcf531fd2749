# ^D at the start of a line is end of file: sh exits, and the run ends with it (init halts
# with sh's status, the last command's); the lines after it are never typed
echo before
nosuch

echo never typed

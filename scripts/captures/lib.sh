# r CMD... : run, log "$ CMD", output and exit code to $CMDS
r() { echo "\$ $*" >>"$CMDS"; "$@" >>"$CMDS" 2>&1; echo "[exit $?]" >>"$CMDS"; }
rs() { echo "\$ $1" >>"$CMDS"; bash -c "$1" >>"$CMDS" 2>&1; echo "[exit $?]" >>"$CMDS"; }
note() { echo "# $*" >>"$CMDS"; }

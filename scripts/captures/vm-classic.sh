# nlmon-vm scenario: usersock.pcap (nlmon) + crypto.pcap (self-recorded by crypto-query)
# The nlmon VM scenario that recorded examples/usersock/usersock.pcap and captures/crypto.pcap:
# gcc -o usersock-demo examples/usersock/usersock-demo.c; gcc -o crypto-query scripts/captures/crypto-query.c
# bash ../shared/nlmon-vm/run.sh -s scripts/captures/vm-classic.sh -b usersock-demo -b crypto-query -o /tmp/nls-vm-out
cap_start usersock
log "usersock: server binds port 1000, client joins group 1"
/usr/local/bin/usersock-demo server > /out/usersock-server.txt 2>&1 &
SP=$!
sleep 1
r /usr/local/bin/usersock-demo client
wait $SP; echo "# server (background, started first): exit $?" >> /out/usersock.cmds.txt
sed 's/^/# server: /' /out/usersock-server.txt >> /out/usersock.cmds.txt
sleep 1
cap_stop
NAME=crypto; : > /out/crypto.cmds.txt
r modprobe crypto_user
r /usr/local/bin/crypto-query /out/crypto.pcap

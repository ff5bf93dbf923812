# Scenario for ../shared/nlmon-vm/run.sh (-b target/debug/nlscope): loads the modules that
# register generic netlink families and writes the running kernel's genl family list and
# attribute policies (nlctrl CTRL_CMD_GETPOLICY) to /out. The policies are the facts the
# types and nesting of assets/specs/*.yaml are written from. Run with
#   EXTRA_KMODS="drivers/block/nbd drivers/net/ieee802154/mac802154_hwsim drivers/nfc/nfcsim \
#                fs/nfsd/nfsd fs/lockd/lockd" bash ../shared/nlmon-vm/run.sh \
#     -s scripts/vm/genl-policies.sh -b target/debug/nlscope -o OUTDIR
for m in cfg80211 mac80211 mac80211_hwsim team macsec gtp l2tp_core l2tp_netlink l2tp_eth l2tp_ip \
         fou ila drop_monitor psample act_sample openvswitch tipc nbd batman-adv hsr ieee802154 \
         mac802154 mac802154_hwsim nfc nfcsim smc smc_diag ip_vs nfsd lockd wireguard \
         ieee802154_socket ieee802154_6lowpan; do
  modprobe $m 2>>/out/modprobe.log || log "modprobe $m failed"
done
uname -r > /out/kernel.txt
genl ctrl list > /out/genl-ctrl-list.txt 2>&1
/usr/local/bin/nlscope specs policy all --json > /out/policy.json 2>/out/policy.err
/usr/local/bin/nlscope specs policy all > /out/policy.txt 2>>/out/policy.err
log "policies written"

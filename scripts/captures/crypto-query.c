/* NETLINK_CRYPTO (21) CRYPTO_MSG_GETALG: dump (first recv buffer only), get "sha256", get a missing alg.
 * Writes every buffer it sends/receives to OUT.pcap as LINKTYPE_NETLINK (nlmon framing:
 * 16-byte cooked header, pkttype 4, ARPHRD_NETLINK 824, protocol 21), since nlmon does not tap CRYPTO
 * and the VM has no strace.  usage: crypto-query OUT.pcap */
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <unistd.h>
#define CRYPTO_MSG_GETALG 0x13
struct crypto_user_alg { char name[64], driver[64], module[64]; uint32_t type, mask, refcnt, flags; };
static FILE *pc;
static void rec(const void *b, int n) {
	struct timeval tv; gettimeofday(&tv, 0);
	uint32_t h[4] = { tv.tv_sec, tv.tv_usec, n + 16, n + 16 };
	uint16_t ck[8] = { htons(4), htons(824), 0, 0, 0, 0, 0, htons(21) };
	fwrite(h, 4, 4, pc); fwrite(ck, 2, 8, pc); fwrite(b, 1, n, pc); fflush(pc);
}
static char buf[65536];
static int query(int seq, int flags, const char *name, int maxrecv) {
	int fd = socket(AF_NETLINK, SOCK_RAW, 21);
	if (fd < 0) { perror("socket(NETLINK_CRYPTO)"); return -1; }
	struct { struct nlmsghdr h; struct crypto_user_alg a; } req;
	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = sizeof req; req.h.nlmsg_type = CRYPTO_MSG_GETALG; req.h.nlmsg_flags = flags; req.h.nlmsg_seq = seq;
	if (name) strncpy(req.a.name, name, 63);
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&k, sizeof k) < 0) { perror("sendto"); return -1; }
	rec(&req, sizeof req);
	for (int i = 0; i < maxrecv; i++) {
		int n = recv(fd, buf, flags & NLM_F_DUMP ? 4096 : sizeof buf, 0);
		if (n <= 0) { perror("recv"); break; }
		rec(buf, n);
		int done = 0, cnt = 0;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			cnt++;
			if (h->nlmsg_type == NLMSG_ERROR) { printf("seq %d: NLMSG_ERROR %d\n", seq, ((struct nlmsgerr *)NLMSG_DATA(h))->error); done = 1; }
			else if (h->nlmsg_type == NLMSG_DONE) { printf("seq %d: DONE\n", seq); done = 1; }
			else printf("seq %d: type 0x%x len %u alg %s driver %s\n", seq, h->nlmsg_type, h->nlmsg_len,
				((struct crypto_user_alg *)NLMSG_DATA(h))->name, ((struct crypto_user_alg *)NLMSG_DATA(h))->driver);
		}
		if (done) break;
	}
	close(fd);
	return 0;
}
int main(int argc, char **argv) {
	pc = fopen(argc > 1 ? argv[1] : "crypto.pcap", "wb");
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 253 };
	fwrite(gh, 4, 6, pc);
	query(1, NLM_F_REQUEST | NLM_F_DUMP, NULL, 1);
	query(2, NLM_F_REQUEST | NLM_F_ACK, "sha256", 3);
	query(3, NLM_F_REQUEST | NLM_F_ACK, "nlscope-no-such-alg", 3);
	fclose(pc);
	return 0;
}

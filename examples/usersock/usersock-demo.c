/* nlscope-demo over NETLINK_USERSOCK (2). See usersock-demo.md.
 * usersock-demo server   : bind port 1000 + group 1, answer one GET, multicast NOTIFY
 * usersock-demo client   : bind auto port, join group 1, send GET to 1000, print reply/ack/notify */
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#define DEMO_GET 0x10
#define DEMO_NEW 0x11
#define DEMO_NOTIFY 0x12
#define A_ID 1
#define A_NAME 2
#define A_INFO 3
#define A_INFO_COUNT 1
#define A_INFO_FLAGS 2
#define SERVER_PORT 1000
#define GROUP 1
static char buf[8192];
static int put(char *b, int off, int type, const void *d, int len) {
	struct nlattr *a = (struct nlattr *)(b + off);
	a->nla_type = type; a->nla_len = NLA_HDRLEN + len;
	memcpy(b + off + NLA_HDRLEN, d, len);
	memset(b + off + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	return off + NLA_ALIGN(a->nla_len);
}
static int build(char *b, int type, int flags, int seq, int pid, uint32_t id, const char *name, uint64_t count, uint32_t fl) {
	struct nlmsghdr *h = (struct nlmsghdr *)b;
	int off = NLMSG_HDRLEN;
	off = put(b, off, A_ID, &id, 4);
	off = put(b, off, A_NAME, name, strlen(name) + 1);
	int nest = off; off += NLA_HDRLEN;
	off = put(b, off, A_INFO_COUNT, &count, 8);
	off = put(b, off, A_INFO_FLAGS, &fl, 4);
	((struct nlattr *)(b + nest))->nla_type = A_INFO | NLA_F_NESTED;
	((struct nlattr *)(b + nest))->nla_len = off - nest;
	h->nlmsg_len = off; h->nlmsg_type = type; h->nlmsg_flags = flags; h->nlmsg_seq = seq; h->nlmsg_pid = pid;
	return off;
}
static int sendto_nl(int fd, void *b, int len, uint32_t pid, uint32_t groups) {
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_pid = pid, .nl_groups = groups };
	int r = sendto(fd, b, len, 0, (struct sockaddr *)&a, sizeof a);
	if (r < 0) perror("sendto");
	return r;
}
static void dump(const char *who, char *b, int n) {
	for (struct nlmsghdr *h = (struct nlmsghdr *)b; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n))
		printf("%s: got type 0x%x flags 0x%x seq %u pid %u len %u\n", who, h->nlmsg_type, h->nlmsg_flags, h->nlmsg_seq, h->nlmsg_pid, h->nlmsg_len);
	fflush(stdout);
}
int main(int argc, char **argv) {
	alarm(10);
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_USERSOCK);
	if (fd < 0) { perror("socket"); return 1; }
	int server = argc > 1 && !strcmp(argv[1], "server");
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_pid = server ? SERVER_PORT : 0, .nl_groups = server ? 0 : (1 << (GROUP - 1)) };
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
	if (server) {
		struct sockaddr_nl from; socklen_t fl = sizeof from;
		int n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
		if (n < 0) { perror("recv"); return 1; }
		dump("server", buf, n);
		struct nlmsghdr *req = (struct nlmsghdr *)buf;
		uint32_t cpid = from.nl_pid, seq = req->nlmsg_seq, rflags = req->nlmsg_flags;
		struct nlmsghdr rq = *req;
		char out[1024];
		int len = build(out, DEMO_NEW, 0, seq, SERVER_PORT, 42, "demo-object", 12345678901ULL, 0x5);
		sendto_nl(fd, out, len, cpid, 0);
		if (rflags & NLM_F_ACK) {
			struct { struct nlmsghdr h; struct nlmsgerr e; } ack = {0};
			ack.h.nlmsg_len = sizeof ack; ack.h.nlmsg_type = NLMSG_ERROR; ack.h.nlmsg_flags = NLM_F_CAPPED;
			ack.h.nlmsg_seq = seq; ack.h.nlmsg_pid = SERVER_PORT;
			ack.e.error = 0; ack.e.msg = rq;
			sendto_nl(fd, &ack, sizeof ack, cpid, 0);
		}
		len = build(out, DEMO_NOTIFY, 0, 0, SERVER_PORT, 42, "demo-object", 12345678902ULL, 0x7);
		sendto_nl(fd, out, len, 0, 1 << (GROUP - 1));
		printf("server: replied, acked, notified group %d\n", GROUP);
		return 0;
	}
	int len = build(buf, DEMO_GET, NLM_F_REQUEST | NLM_F_ACK, 1, 0, 42, "demo-object", 0, 0x1);
	struct sockaddr_nl me; socklen_t ml = sizeof me;
	getsockname(fd, (struct sockaddr *)&me, &ml);
	((struct nlmsghdr *)buf)->nlmsg_pid = me.nl_pid;
	if (sendto_nl(fd, buf, len, SERVER_PORT, 0) < 0) return 1;
	for (int i = 0; i < 3; i++) {
		int n = recv(fd, buf, sizeof buf, 0);
		if (n < 0) { perror("recv"); return 1; }
		dump("client", buf, n);
	}
	return 0;
}

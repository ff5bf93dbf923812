/*
 * rtnl-extra: makes the kernel emit rtnetlink messages that iproute2 never asks for, so the
 * nlmon VM can record them (scripts/record-rt-extra.sh, captures/README.md):
 *
 *   rtnl-extra mcdump                 RTM_GETMULTICAST and RTM_GETANYCAST dumps (AF_INET6)
 *   rtnl-extra dcb IFNAME             RTM_GETDCB (DCB_CMD_GSTATE, DCB_CMD_IEEE_GET) and an
 *                                     RTM_SETDCB DCB_CMD_IEEE_SET with ETS, PFC and an APP table
 *   rtnl-extra listen SECONDS         joins RTNLGRP_ND_USEROPT, RTNLGRP_IPV4_MROUTE_R and
 *                                     RTNLGRP_IPV6_MROUTE_R and reads until SECONDS have passed
 *                                     (nlmon only sees a notification that has a listener)
 *   rtnl-extra ra IFNAME              sends a router advertisement with RDNSS, DNSSL and prefix
 *                                     options out of IFNAME (the peer's kernel then sends
 *                                     RTM_NEWNDUSEROPT and RTM_NEWPREFIX)
 *   rtnl-extra mroute IN OUT SECONDS  becomes the IPv4 and IPv6 multicast router with vifs on
 *                                     IN and OUT, then waits: an unresolved (S,G) arriving on IN
 *                                     makes the kernel send RTM_NEWCACHEREPORT
 *   rtnl-extra mcsend IFNAME          sends one UDP datagram to 239.1.2.3 and one to ff0e::123
 *                                     out of IFNAME
 *
 * Build: gcc -O2 -Wall -o rtnl-extra rtnl-extra.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/dcbnl.h>
#include <linux/mroute.h>
#include <linux/mroute6.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int seq = 1;

static int nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("netlink");
		exit(1);
	}
	return fd;
}

/* Reads replies until NLMSG_DONE or NLMSG_ERROR; prints what arrived. */
static void nl_replies(int fd, const char *what)
{
	char buf[65536];
	int n_msgs = 0;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 2000) <= 0) {
			printf("%s: no answer\n", what);
			return;
		}
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			perror("recv");
			return;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				printf("%s: %d messages, done\n", what, n_msgs);
				return;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				printf("%s: %d messages, error %d (%s)\n", what, n_msgs, e->error,
				       e->error ? strerror(-e->error) : "ack");
				return;
			}
			n_msgs++;
		}
	}
}

static void nl_send(int fd, void *msg)
{
	struct nlmsghdr *h = msg;
	h->nlmsg_seq = seq++;
	if (send(fd, msg, h->nlmsg_len, 0) < 0) {
		perror("send");
		exit(1);
	}
}

/* Appends an attribute to the message at h (buffer large enough); returns its payload. */
static struct nlattr *put(struct nlmsghdr *h, int type, const void *data, int len)
{
	struct nlattr *a = (struct nlattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (data)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static void nest_end(struct nlmsghdr *h, struct nlattr *a)
{
	a->nla_len = (char *)h + h->nlmsg_len - (char *)a;
}

static void mcdump(void)
{
	int fd = nl_open();
	const struct {
		int type;
		const char *name;
	} kinds[] = {{RTM_GETMULTICAST, "RTM_GETMULTICAST"}, {RTM_GETANYCAST, "RTM_GETANYCAST"}};
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct {
			struct nlmsghdr h;
			struct ifaddrmsg ifa;
		} req = {
			.h = {.nlmsg_len = sizeof(req), .nlmsg_type = kinds[i].type,
			      .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
			.ifa = {.ifa_family = AF_INET6},
		};
		nl_send(fd, &req);
		nl_replies(fd, kinds[i].name);
	}
	close(fd);
}

static void dcb(const char *ifname)
{
	int fd = nl_open();
	int cmds[] = {DCB_CMD_GSTATE, DCB_CMD_IEEE_GET};
	const char *names[] = {"RTM_GETDCB DCB_CMD_GSTATE", "RTM_GETDCB DCB_CMD_IEEE_GET"};
	union {
		struct nlmsghdr h;
		char b[1024];
	} m;
	for (int i = 0; i < 2; i++) {
		memset(&m, 0, sizeof(m));
		m.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct dcbmsg));
		m.h.nlmsg_type = RTM_GETDCB;
		m.h.nlmsg_flags = NLM_F_REQUEST;
		struct dcbmsg *d = NLMSG_DATA(&m.h);
		d->dcb_family = AF_UNSPEC;
		d->cmd = cmds[i];
		put(&m.h, DCB_ATTR_IFNAME, ifname, strlen(ifname) + 1);
		nl_send(fd, &m);
		nl_replies(fd, names[i]);
	}
	/* DCB_CMD_IEEE_SET: ETS, PFC, an APP table and a DCBX mode. */
	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct dcbmsg));
	m.h.nlmsg_type = RTM_SETDCB;
	m.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	struct dcbmsg *d = NLMSG_DATA(&m.h);
	d->cmd = DCB_CMD_IEEE_SET;
	put(&m.h, DCB_ATTR_IFNAME, ifname, strlen(ifname) + 1);
	struct nlattr *ieee = put(&m.h, DCB_ATTR_IEEE, NULL, 0);
	struct ieee_ets ets = {.willing = 1, .ets_cap = 8, .cbs = 0};
	for (int i = 0; i < IEEE_8021QAZ_MAX_TCS; i++) {
		ets.prio_tc[i] = i / 2;
		ets.tc_tsa[i] = i < 4 ? IEEE_8021QAZ_TSA_ETS : IEEE_8021QAZ_TSA_STRICT;
		ets.tc_tx_bw[i] = i < 4 ? 25 : 0;
	}
	put(&m.h, DCB_ATTR_IEEE_ETS, &ets, sizeof(ets));
	struct ieee_pfc pfc = {.pfc_cap = 8, .pfc_en = 0x18, .mbc = 0, .delay = 100};
	put(&m.h, DCB_ATTR_IEEE_PFC, &pfc, sizeof(pfc));
	struct nlattr *apps = put(&m.h, DCB_ATTR_IEEE_APP_TABLE, NULL, 0);
	struct dcb_app app1 = {.selector = IEEE_8021QAZ_APP_SEL_ETHERTYPE, .priority = 3,
			       .protocol = 0x8906};
	struct dcb_app app2 = {.selector = IEEE_8021QAZ_APP_SEL_DSCP, .priority = 5, .protocol = 46};
	put(&m.h, DCB_ATTR_IEEE_APP, &app1, sizeof(app1));
	put(&m.h, DCB_ATTR_IEEE_APP, &app2, sizeof(app2));
	nest_end(&m.h, apps);
	nest_end(&m.h, ieee);
	unsigned char mode = DCB_CAP_DCBX_VER_IEEE | DCB_CAP_DCBX_HOST;
	put(&m.h, DCB_ATTR_DCBX, &mode, 1);
	nl_send(fd, &m);
	nl_replies(fd, "RTM_SETDCB DCB_CMD_IEEE_SET");
	close(fd);
}

static void join(int fd, int group)
{
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		perror("NETLINK_ADD_MEMBERSHIP");
}

static void listen_for(int seconds)
{
	int fd = nl_open();
	join(fd, RTNLGRP_ND_USEROPT);
	join(fd, RTNLGRP_IPV4_MROUTE_R);
	join(fd, RTNLGRP_IPV6_MROUTE_R);
	time_t end = time(NULL) + seconds;
	char buf[65536];
	while (time(NULL) < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 200) <= 0)
			continue;
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; len > 0 && NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len))
			printf("listen: type %u len %u\n", h->nlmsg_type, h->nlmsg_len);
		fflush(stdout);
	}
	close(fd);
}

static void ra(const char *ifname)
{
	int ifindex = if_nametoindex(ifname);
	int fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	if (fd < 0 || !ifindex) {
		perror("ra");
		exit(1);
	}
	int hops = 255;
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops));
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex));
	unsigned char pkt[160] = {0};
	struct nd_router_advert *r = (struct nd_router_advert *)pkt;
	r->nd_ra_type = ND_ROUTER_ADVERT;
	r->nd_ra_curhoplimit = 64;
	r->nd_ra_router_lifetime = htons(0); /* not a default router: only the options matter */
	size_t off = sizeof(*r);
	/* RDNSS (RFC 8106, type 25): lifetime 600 s, one server 2001:db8::53. */
	unsigned char *o = pkt + off;
	o[0] = 25;
	o[1] = 3;
	*(uint32_t *)(o + 4) = htonl(600);
	inet_pton(AF_INET6, "2001:db8::53", o + 8);
	off += 24;
	/* DNSSL (type 31): lifetime 600 s, "example.org". */
	o = pkt + off;
	static const unsigned char name[] = "\x07" "example" "\x03" "org";
	o[0] = 31;
	o[1] = 3;
	*(uint32_t *)(o + 4) = htonl(600);
	memcpy(o + 8, name, sizeof(name));
	off += 24;
	/* Prefix information (type 3): 2001:db8:42::/64, on-link and autonomous, valid 3600 s,
	 * preferred 1800 s (the receiver also sends RTM_NEWPREFIX and adds an address). */
	o = pkt + off;
	o[0] = 3;
	o[1] = 4;
	o[2] = 64;
	o[3] = 0xc0;
	*(uint32_t *)(o + 4) = htonl(3600);
	*(uint32_t *)(o + 8) = htonl(1800);
	inet_pton(AF_INET6, "2001:db8:42::", o + 16);
	off += 32;
	struct sockaddr_in6 dst = {.sin6_family = AF_INET6, .sin6_scope_id = ifindex};
	inet_pton(AF_INET6, "ff02::1", &dst.sin6_addr);
	if (sendto(fd, pkt, off, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		perror("sendto RA");
	else
		printf("ra: %zu bytes sent on %s\n", off, ifname);
	close(fd);
}

static void mroute(const char *in, const char *out, int seconds)
{
	int v4 = socket(AF_INET, SOCK_RAW, IPPROTO_IGMP);
	int v6 = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	int one = 1;
	if (v4 < 0 || v6 < 0) {
		perror("mroute socket");
		exit(1);
	}
	if (setsockopt(v4, IPPROTO_IP, MRT_INIT, &one, sizeof(one)) < 0)
		perror("MRT_INIT");
	if (setsockopt(v6, IPPROTO_IPV6, MRT6_INIT, &one, sizeof(one)) < 0)
		perror("MRT6_INIT");
	const char *ifs[] = {in, out};
	for (int i = 0; i < 2; i++) {
		struct vifctl vc = {.vifc_vifi = i, .vifc_flags = VIFF_USE_IFINDEX, .vifc_threshold = 1,
				    .vifc_lcl_ifindex = if_nametoindex(ifs[i])};
		if (setsockopt(v4, IPPROTO_IP, MRT_ADD_VIF, &vc, sizeof(vc)) < 0)
			perror("MRT_ADD_VIF");
		struct mif6ctl mc = {.mif6c_mifi = i, .mif6c_pifi = if_nametoindex(ifs[i]),
				     .vifc_threshold = 1};
		if (setsockopt(v6, IPPROTO_IPV6, MRT6_ADD_MIF, &mc, sizeof(mc)) < 0)
			perror("MRT6_ADD_MIF");
	}
	printf("mroute: vifs on %s and %s\n", in, out);
	fflush(stdout);
	/* Drain the upcalls (IGMPMSG_NOCACHE / MRT6MSG_NOCACHE) while waiting. */
	time_t end = time(NULL) + seconds;
	char buf[2048];
	while (time(NULL) < end) {
		struct pollfd p[2] = {{.fd = v4, .events = POLLIN}, {.fd = v6, .events = POLLIN}};
		if (poll(p, 2, 200) <= 0)
			continue;
		for (int i = 0; i < 2; i++)
			if (p[i].revents & POLLIN && recv(p[i].fd, buf, sizeof(buf), 0) > 0)
				printf("mroute: upcall on the %s socket\n", i ? "IPv6" : "IPv4");
		fflush(stdout);
	}
	close(v4);
	close(v6);
}

static void mcsend(const char *ifname)
{
	int ifindex = if_nametoindex(ifname);
	int s4 = socket(AF_INET, SOCK_DGRAM, 0);
	struct ip_mreqn mr = {.imr_ifindex = ifindex};
	setsockopt(s4, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr));
	struct sockaddr_in d4 = {.sin_family = AF_INET, .sin_port = htons(5000)};
	inet_pton(AF_INET, "239.1.2.3", &d4.sin_addr);
	if (sendto(s4, "nlscope", 7, 0, (struct sockaddr *)&d4, sizeof(d4)) < 0)
		perror("sendto 239.1.2.3");
	int s6 = socket(AF_INET6, SOCK_DGRAM, 0);
	setsockopt(s6, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex));
	struct sockaddr_in6 d6 = {.sin6_family = AF_INET6, .sin6_port = htons(5000)};
	inet_pton(AF_INET6, "ff0e::123", &d6.sin6_addr);
	if (sendto(s6, "nlscope", 7, 0, (struct sockaddr *)&d6, sizeof(d6)) < 0)
		perror("sendto ff0e::123");
	printf("mcsend: sent on %s\n", ifname);
	close(s4);
	close(s6);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "mcdump"))
		mcdump();
	else if (argc >= 3 && !strcmp(argv[1], "dcb"))
		dcb(argv[2]);
	else if (argc >= 3 && !strcmp(argv[1], "listen"))
		listen_for(atoi(argv[2]));
	else if (argc >= 3 && !strcmp(argv[1], "ra"))
		ra(argv[2]);
	else if (argc >= 5 && !strcmp(argv[1], "mroute"))
		mroute(argv[2], argv[3], atoi(argv[4]));
	else if (argc >= 3 && !strcmp(argv[1], "mcsend"))
		mcsend(argv[2]);
	else {
		fprintf(stderr, "usage: see the comment at the top of rtnl-extra.c\n");
		return 2;
	}
	return 0;
}

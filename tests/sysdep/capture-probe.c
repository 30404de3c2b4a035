/*
 * capture-probe - runs the capture module (nhrp/sysdep_capture.c) on a
 * libev loop for the real-kernel tests tests/netns/13-capture-*.sh.
 *
 * usage: capture-probe command ...
 * Commands run in order; after each one the loop runs until idle:
 *   capture IF MODE [LOCAL...]  capture_iface_set (MODE redirect,
 *                               multicast, both or none) after
 *                               capture_iface_set_local(LOCAL...);
 *                               prints "capture err=N"
 *   relay NBMA...               relay every captured multicast packet to
 *                               these NBMA addresses (replaces the list)
 *   relay-fake N FIRST          append N addresses FIRST, FIRST+1, ...
 *   mcast-send IF LEN GROUP [COUNT]
 *                               capture_mcast_send of a crafted LEN-byte
 *                               UDP packet to GROUP (source 10.0.0.1)
 *                               to the relay list: "send ret=N"; with
 *                               COUNT, that many times, then one line
 *                               "send count=C sent=S errors=E"
 *   udp-mcast IF GROUP LEN N    send N LEN-byte UDP datagrams to GROUP out
 *                               of IF with a plain socket (TTL 1)
 *   wait-multicast N SECS       run until N multicast captures (or SECS)
 *   wait-redirect N SECS        run until N redirect captures (or SECS)
 *   sleep SECS                  run the loop for SECS
 *   run CMD                     system(CMD)
 *   stats [IF]                  "stats redirect=.. multicast=.. invalid=..
 *                               kdrops=.. relayed=.. calls=.. queued=..
 *                               dropped=.." (global, or one interface)
 *   echo TEXT                   prints TEXT
 * Every capture prints one line:
 *   multicast ifindex=N len=L src=A dst=G
 *   redirect ifindex=N nbma=X len=L tot=T src=A dst=B
 * and every relay "relay ret=N".
 *
 * capture-probe sniff IF SECS [COUNT]: an unfiltered ETH_P_ALL packet
 * socket on IF; prints "ready", then for each IPv4 frame
 *   sniff pkttype=P nbma=X len=L src=A dst=B
 * until COUNT frames (default: no limit) or SECS; then "sniffed N".
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include <ev.h>

#include "addr.h"
#include "nhrp/capture.h"
#include "nhrp/log.h"

#define MAX_TARGETS	100000

static struct ev_loop *loop;
static unsigned long n_mcast, n_redir;
static struct nhrp_addr *targets;
static size_t ntargets;

static void
usage(void)
{
	fprintf(stderr, "usage: capture-probe command ...\n"
	    "       capture-probe sniff IF SECS [COUNT]\n");
	exit(2);
}

static int
ifindex_of(const char *s)
{
	unsigned i;
	char *end;

	i = if_nametoindex(s);
	if (i == 0) {
		i = (unsigned)strtoul(s, &end, 10);
		if (*end != '\0')
			i = 0;
	}
	if (i == 0) {
		fprintf(stderr, "no interface %s\n", s);
		exit(2);
	}
	return (int)i;
}

static void
ipstr(const uint8_t *p, char *buf, size_t len)
{
	inet_ntop(AF_INET, p, buf, (socklen_t)len);
}

static void
on_multicast(void *arg, int ifindex, const uint8_t *ip, size_t len)
{
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	int r;

	n_mcast++;
	ipstr(ip + 12, s, sizeof(s));
	ipstr(ip + 16, d, sizeof(d));
	printf("multicast ifindex=%d len=%zu src=%s dst=%s\n", ifindex, len,
	    s, d);
	if (ntargets > 0) {
		r = capture_mcast_send(ifindex, ip, len, targets, ntargets);
		printf("relay ret=%d\n", r);
	}
	fflush(stdout);
}

static void
on_redirect(void *arg, int ifindex, const struct nhrp_addr *nbma,
    const uint8_t *ip, size_t len)
{
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN], n[NHRP_ADDRSTRLEN];

	n_redir++;
	ipstr(ip + 12, s, sizeof(s));
	ipstr(ip + 16, d, sizeof(d));
	if (nbma->afn == NHRP_AFN_NONE)
		snprintf(n, sizeof(n), "-");
	else
		nhrp_addr_format(nbma, n, sizeof(n));
	printf("redirect ifindex=%d nbma=%s len=%zu tot=%u src=%s dst=%s\n",
	    ifindex, n, len, (unsigned)ip[2] << 8 | ip[3], s, d);
	fflush(stdout);
}

static const struct capture_ops ops = { on_redirect, on_multicast };

static void
timeout_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	ev_break(l, EVBREAK_ALL);
}

static unsigned long wait_target;
static unsigned long *wait_counter;

static void
prepare_cb(struct ev_loop *l, ev_prepare *w, int revents)
{
	if (wait_counter != NULL && *wait_counter >= wait_target)
		ev_break(l, EVBREAK_ALL);
}

/* Run the loop for secs, or until *counter reaches target. */
static void
run_for(double secs, unsigned long *counter, unsigned long target)
{
	ev_timer t;
	ev_prepare p;

	wait_counter = counter;
	wait_target = target;
	ev_timer_init(&t, timeout_cb, secs, 0.);
	ev_timer_start(loop, &t);
	ev_prepare_init(&p, prepare_cb);
	ev_prepare_start(loop, &p);
	if (counter == NULL || *counter < target)
		ev_run(loop, 0);
	ev_prepare_stop(loop, &p);
	ev_timer_stop(loop, &t);
	wait_counter = NULL;
}

static void
print_stats(const struct capture_stats *st)
{
	printf("stats redirect=%llu multicast=%llu invalid=%llu kdrops=%llu "
	    "relayed=%llu calls=%llu queued=%llu dropped=%llu\n",
	    (unsigned long long)st->redirect_captured,
	    (unsigned long long)st->multicast_captured,
	    (unsigned long long)st->invalid,
	    (unsigned long long)st->kernel_drops,
	    (unsigned long long)st->relayed,
	    (unsigned long long)st->send_calls,
	    (unsigned long long)st->queued,
	    (unsigned long long)st->dropped);
}

static void
add_target(const char *s)
{
	if (ntargets >= MAX_TARGETS ||
	    nhrp_addr_parse(s, &targets[ntargets], 0, NULL) != 0) {
		fprintf(stderr, "bad NBMA %s\n", s);
		exit(2);
	}
	ntargets++;
}

static size_t
mkudp(uint8_t *b, size_t len, const char *group)
{
	struct in_addr a;
	size_t i;

	memset(b, 0, len);
	b[0] = 0x45;
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	b[8] = 1;
	b[9] = 17;
	inet_pton(AF_INET, "10.0.0.1", &a);
	memcpy(b + 12, &a, 4);
	inet_pton(AF_INET, group, &a);
	memcpy(b + 16, &a, 4);
	b[20] = 0x13;
	b[21] = 0x88;
	b[22] = 0x13;
	b[23] = 0x88;
	b[24] = (uint8_t)((len - 20) >> 8);
	b[25] = (uint8_t)(len - 20);
	for (i = 28; i < len; i++)
		b[i] = (uint8_t)i;
	return len;
}

static int
udp_mcast(const char *ifname, const char *group, size_t len, int count)
{
	struct sockaddr_in sin;
	struct ip_mreqn mr;
	static uint8_t payload[65536];
	int fd, ttl = 1, i, sent = 0;

	if (len > sizeof(payload))
		return -1;
	memset(payload, 0xa5, sizeof(payload));
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	memset(&mr, 0, sizeof(mr));
	mr.imr_ifindex = ifindex_of(ifname);
	(void)setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr));
	(void)setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(5000);
	inet_pton(AF_INET, group, &sin.sin_addr);
	for (i = 0; i < count; i++)
		if (sendto(fd, payload, len, 0, (struct sockaddr *)&sin,
		    sizeof(sin)) == (ssize_t)len)
			sent++;
		else
			fprintf(stderr, "udp-mcast: %s\n", strerror(errno));
	close(fd);
	return sent;
}

static int
sniff(const char *ifname, double secs, long count)
{
	static uint8_t buf[65536];
	union {
		struct sockaddr_ll	ll;
		uint8_t			raw[sizeof(struct sockaddr_ll) + 16];
	} from;
	struct sockaddr_ll sll;
	struct pollfd pfd;
	struct timespec t0, t;
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN], nb[INET6_ADDRSTRLEN];
	socklen_t fl;
	ssize_t n;
	long seen = 0;
	double left;
	int fd;

	fd = socket(PF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	if (fd == -1) {
		perror("socket");
		return 2;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex_of(ifname);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		perror("bind");
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (count <= 0 || seen < count) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = secs - ((double)(t.tv_sec - t0.tv_sec) +
		    (double)(t.tv_nsec - t0.tv_nsec) / 1e9);
		if (left <= 0)
			break;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		fl = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		    &fl);
		if (n < 20 || from.ll.sll_protocol != htons(ETH_P_IP) ||
		    (buf[0] >> 4) != 4)
			continue;
		if (from.ll.sll_halen == 4)
			inet_ntop(AF_INET, from.ll.sll_addr, nb, sizeof(nb));
		else
			snprintf(nb, sizeof(nb), "-");
		ipstr(buf + 12, s, sizeof(s));
		ipstr(buf + 16, d, sizeof(d));
		printf("sniff pkttype=%u nbma=%s len=%zd src=%s dst=%s\n",
		    from.ll.sll_pkttype, nb, n, s, d);
		fflush(stdout);
		seen++;
	}
	printf("sniffed %ld\n", seen);
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	struct capture_stats st;
	struct nhrp_addr local[64];
	static uint8_t pkt[65536];
	const char *cmd;
	size_t nl, len;
	unsigned mode;
	uint32_t first;
	long n;
	int i, j, r, ifindex;

	if (argc >= 4 && strcmp(argv[1], "sniff") == 0)
		return sniff(argv[2], atof(argv[3]),
		    argc > 4 ? atol(argv[4]) : 0);
	if (argc < 2)
		usage();
	log_init(1, 1);
	loop = ev_default_loop(0);
	if ((targets = calloc(MAX_TARGETS, sizeof(*targets))) == NULL)
		return 2;
	if ((r = capture_init(loop, &ops, NULL)) != 0) {
		printf("init err=%d\n", r);
		return 1;
	}
	for (i = 1; i < argc; i++) {
		cmd = argv[i];
#define ARG(k)	(i + (k) < argc ? argv[i + (k)] : (usage(), ""))
		if (strcmp(cmd, "capture") == 0) {
			ifindex = ifindex_of(ARG(1));
			if (strcmp(ARG(2), "redirect") == 0)
				mode = CAPTURE_REDIRECT;
			else if (strcmp(argv[i + 2], "multicast") == 0)
				mode = CAPTURE_MULTICAST;
			else if (strcmp(argv[i + 2], "both") == 0)
				mode = CAPTURE_REDIRECT | CAPTURE_MULTICAST;
			else if (strcmp(argv[i + 2], "none") == 0)
				mode = 0;
			else
				usage();
			i += 2;
			nl = 0;
			while (i + 1 < argc && nl < 64 &&
			    nhrp_addr_parse(argv[i + 1], &local[nl], 0,
			    NULL) == 0) {
				nl++;
				i++;
			}
			r = capture_iface_set(ifindex, mode);
			if (r == 0 && mode != 0)
				r = capture_iface_set_local(ifindex, local, nl);
			printf("capture err=%d\n", r);
		} else if (strcmp(cmd, "relay") == 0) {
			ntargets = 0;
			while (i + 1 < argc && strchr(argv[i + 1], '.') != NULL &&
			    strchr(argv[i + 1], ' ') == NULL &&
			    argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9')
				add_target(argv[++i]);
		} else if (strcmp(cmd, "relay-fake") == 0) {
			n = atol(ARG(1));
			first = ntohl(inet_addr(ARG(2)));
			for (j = 0; j < n && ntargets < MAX_TARGETS; j++)
				nhrp_addr_set_ipv4(&targets[ntargets++],
				    htonl(first + (uint32_t)j));
			i += 2;
		} else if (strcmp(cmd, "mcast-send") == 0) {
			ifindex = ifindex_of(ARG(1));
			len = (size_t)atol(ARG(2));
			if (len < 28 || len > sizeof(pkt))
				usage();
			mkudp(pkt, len, ARG(3));
			i += 3;
			if (i + 1 < argc && (n = atol(argv[i + 1])) > 0) {
				long sent = 0, errs = 0;

				i++;
				for (j = 0; j < n; j++) {
					r = capture_mcast_send(ifindex, pkt,
					    len, targets, ntargets);
					if (r < 0)
						errs++;
					else
						sent += r;
				}
				printf("send count=%ld sent=%ld errors=%ld\n",
				    n, sent, errs);
			} else {
				r = capture_mcast_send(ifindex, pkt, len,
				    targets, ntargets);
				printf("send ret=%d\n", r);
			}
		} else if (strcmp(cmd, "udp-mcast") == 0) {
			r = udp_mcast(ARG(1), ARG(2), (size_t)atol(ARG(3)),
			    atoi(ARG(4)));
			printf("udp-mcast sent=%d\n", r);
			i += 4;
		} else if (strcmp(cmd, "wait-multicast") == 0 ||
		    strcmp(cmd, "wait-redirect") == 0) {
			run_for(atof(ARG(2)), cmd[5] == 'm' ? &n_mcast :
			    &n_redir, (unsigned long)atol(ARG(1)));
			i += 2;
		} else if (strcmp(cmd, "sleep") == 0) {
			run_for(atof(ARG(1)), NULL, 0);
			i++;
		} else if (strcmp(cmd, "run") == 0) {
			fflush(stdout);
			r = system(ARG(1));
			(void)r;
			i++;
		} else if (strcmp(cmd, "stats") == 0) {
			if (i + 1 < argc && if_nametoindex(argv[i + 1]) != 0) {
				r = capture_iface_stats(ifindex_of(argv[++i]),
				    &st);
				if (r != 0)
					memset(&st, 0, sizeof(st));
			} else
				capture_get_stats(&st);
			print_stats(&st);
		} else if (strcmp(cmd, "echo") == 0) {
			printf("%s\n", ARG(1));
			i++;
		} else
			usage();
#undef ARG
		fflush(stdout);
		run_for(0.05, NULL, 0);
		fflush(stdout);
	}
	capture_shutdown();
	free(targets);
	return 0;
}

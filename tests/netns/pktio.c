/*
 * pktio: send and receive NHRP frames on a GRE device through AF_PACKET,
 * the way the daemon does, for the real-kernel tests.
 *
 *   pktio send IFACE NBMA HEX [PROTO]
 *	Send the bytes HEX (spaces and colons ignored; "-" reads the hex
 *	from stdin) as one SOCK_DGRAM frame with ethertype PROTO (default
 *	0x2001) to the link-layer address NBMA (IPv4 or IPv6).
 *   pktio recv IFACE TIMEOUT [COUNT [PROTO]]
 *	Print "ready" once the socket is bound, then one line per frame
 *	received within TIMEOUT seconds (at most COUNT, default 1):
 *	"hatype 778 pkttype 0 proto 0x2001 nbma 198.51.100.1 len 4 data 0a0b0c0d"
 *	Exit 0 when COUNT frames arrived, 1 on timeout, 2 on errors.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/if_packet.h>
#include <net/if.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PKTIO_MAX	65536

static void usage(void) __attribute__((__noreturn__));

static void
usage(void)
{
	fprintf(stderr,
	    "usage: pktio send IFACE NBMA HEX|- [PROTO]\n"
	    "       pktio recv IFACE TIMEOUT [COUNT [PROTO]]\n");
	exit(2);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode hex, skipping blanks and colons. Returns the length or -1. */
static ssize_t
parse_hex(const char *s, unsigned char *buf, size_t size)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s != '\0'; s++) {
		if (isspace((unsigned char)*s) || *s == ':')
			continue;
		if ((v = hexval((unsigned char)*s)) < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == size)
			return -1;
		buf[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return -1;
	return (ssize_t)n;
}

static int
parse_proto(const char *s, unsigned short *proto)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > 0xffff)
		return -1;
	*proto = (unsigned short)v;
	return 0;
}

static int
open_socket(const char *ifname, unsigned short proto, struct sockaddr_ll *sll)
{
	int fd;

	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_protocol = htons(proto);
	sll->sll_ifindex = (int)if_nametoindex(ifname);
	if (sll->sll_ifindex == 0) {
		fprintf(stderr, "pktio: %s: %s\n", ifname, strerror(errno));
		return -1;
	}
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(proto));
	if (fd < 0) {
		perror("pktio: socket");
		return -1;
	}
	if (bind(fd, (struct sockaddr *)sll, sizeof(*sll)) < 0) {
		perror("pktio: bind");
		close(fd);
		return -1;
	}
	return fd;
}

static int
do_send(int argc, char **argv)
{
	static unsigned char buf[PKTIO_MAX];
	static char text[4 * PKTIO_MAX];
	struct sockaddr_ll sll;
	unsigned short proto = 0x2001;
	const char *hex;
	size_t tl;
	ssize_t len;
	int fd;

	if (argc < 3 || argc > 4)
		usage();
	if (argc == 4 && parse_proto(argv[3], &proto) < 0)
		usage();
	hex = argv[2];
	if (strcmp(hex, "-") == 0) {
		tl = fread(text, 1, sizeof(text) - 1, stdin);
		text[tl] = '\0';
		hex = text;
	}
	if ((len = parse_hex(hex, buf, sizeof(buf))) < 0) {
		fprintf(stderr, "pktio: bad hex data\n");
		return 2;
	}
	if ((fd = open_socket(argv[0], proto, &sll)) < 0)
		return 2;
	if (inet_pton(AF_INET, argv[1], sll.sll_addr) == 1)
		sll.sll_halen = 4;
	else if (inet_pton(AF_INET6, argv[1], sll.sll_addr) == 1)
		sll.sll_halen = 16;
	else {
		fprintf(stderr, "pktio: bad NBMA address %s\n", argv[1]);
		close(fd);
		return 2;
	}
	if (sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&sll,
	    sizeof(sll)) != len) {
		perror("pktio: sendto");
		close(fd);
		return 2;
	}
	close(fd);
	return 0;
}

static void
print_frame(const struct sockaddr_ll *from, const unsigned char *buf,
    size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	size_t i;

	printf("hatype %u pkttype %u proto 0x%04x nbma ",
	    (unsigned)from->sll_hatype, (unsigned)from->sll_pkttype,
	    (unsigned)ntohs(from->sll_protocol));
	if (from->sll_halen == 4 &&
	    inet_ntop(AF_INET, from->sll_addr, addr, sizeof(addr)) != NULL)
		fputs(addr, stdout);
	else if (from->sll_halen == 16 &&
	    inet_ntop(AF_INET6, from->sll_addr, addr, sizeof(addr)) != NULL)
		fputs(addr, stdout);
	else if (from->sll_halen == 0)
		fputs("-", stdout);
	else
		for (i = 0; i < from->sll_halen && i < 8; i++)
			printf("%02x", from->sll_addr[i]);
	printf(" len %zu data ", len);
	for (i = 0; i < len; i++)
		printf("%02x", buf[i]);
	if (len == 0)
		fputs("-", stdout);
	putchar('\n');
	fflush(stdout);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
do_recv(int argc, char **argv)
{
	static unsigned char buf[PKTIO_MAX];
	struct sockaddr_ll sll, from;
	struct pollfd pfd;
	socklen_t fromlen;
	unsigned short proto = 0x2001;
	long long deadline, left;
	char *end;
	double timeout;
	long count = 1, got = 0;
	ssize_t len;
	int fd, r;

	if (argc < 2 || argc > 4)
		usage();
	timeout = strtod(argv[1], &end);
	if (*end != '\0' || timeout < 0)
		usage();
	if (argc >= 3) {
		count = strtol(argv[2], &end, 10);
		if (*end != '\0' || count < 1)
			usage();
	}
	if (argc == 4 && parse_proto(argv[3], &proto) < 0)
		usage();
	if ((fd = open_socket(argv[0], proto, &sll)) < 0)
		return 2;
	printf("ready\n");
	fflush(stdout);

	deadline = now_ms() + (long long)(timeout * 1000);
	while (got < count) {
		left = deadline - now_ms();
		if (left <= 0)
			break;
		pfd.fd = fd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("pktio: poll");
			close(fd);
			return 2;
		}
		if (r == 0)
			continue;
		fromlen = sizeof(from);
		len = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (len < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			perror("pktio: recvfrom");
			close(fd);
			return 2;
		}
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		print_frame(&from, buf, (size_t)len);
		got++;
	}
	close(fd);
	if (got < count) {
		fprintf(stderr, "pktio: timeout: %ld of %ld frames\n", got,
		    count);
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "send") == 0)
		return do_send(argc - 2, argv + 2);
	if (strcmp(argv[1], "recv") == 0)
		return do_recv(argc - 2, argv + 2);
	usage();
}

/*
 * sysdep_packet.c - NHRP packet I/O: an AF_PACKET SOCK_DGRAM socket for
 * ethertype 0x2001.  The GRE device's header_ops build and parse the
 * outer IP/GRE header, so a datagram is the bare NHRP packet and
 * sll_addr is the peer's NBMA address (the outer source on receive).
 *
 * The socket is not bound: it sees NHRP on every interface and reports
 * the ifindex; the core accepts only its configured interfaces.
 * (The capture socket of issue 5 will live here too.)
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_arp.h>
#include <linux/if_packet.h>

#include <ev.h>

#include "log.h"
#include "sysdep.h"
#include "sysdep_nl.h"

#define ETH_P_NHRP	0x2001
#define PK_BATCH	64		/* datagrams per wakeup */
#define PK_RCVBUF	(4 * 1024 * 1024)

#ifndef ARPHRD_IP6GRE
#define ARPHRD_IP6GRE	823
#endif

static struct {
	struct ev_loop		*loop;
	const struct sysdep_ops	*ops;
	void			*arg;
	int			fd;
	ev_io			w;
} pk = { .fd = -1 };

/* one more than any NHRP packet (16-bit length), so nothing truncates */
static uint8_t pkbuf[65536 + 1];

int
sysdep_packet_classify(unsigned pkttype, unsigned hatype, unsigned halen,
    const uint8_t *sll_addr, size_t msglen, size_t buflen,
    struct nhrp_addr *src)
{
	nhrp_addr_clear(src);
	if (pkttype == PACKET_OUTGOING)
		return -1;		/* our own transmissions */
	if (msglen > buflen)
		return -1;		/* truncated */
	if (hatype == ARPHRD_IPGRE && halen == 4)
		nhrp_addr_set(src, NHRP_AFN_IPV4, sll_addr, 4);
	else if (hatype == ARPHRD_IP6GRE && halen == 16)
		nhrp_addr_set(src, NHRP_AFN_IPV6, sll_addr, 16);
	if (nhrp_addr_is_unspec(src))
		nhrp_addr_clear(src);
	return 0;
}

static void
pk_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	union {
		struct sockaddr_ll	ll;
		uint8_t			raw[sizeof(struct sockaddr_ll) + 16];
	} from;
	struct nhrp_addr src;
	socklen_t fromlen;
	ssize_t n;
	int i;

	for (i = 0; i < PK_BATCH && pk.fd != -1; i++) {
		fromlen = sizeof(from);
		memset(&from, 0, sizeof(from));
		n = recvfrom(pk.fd, pkbuf, sizeof(pkbuf), MSG_TRUNC,
		    (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_debug("NHRP packet socket: %s",
				    strerror(errno));
			break;
		}
		if (fromlen < offsetof(struct sockaddr_ll, sll_addr) ||
		    from.ll.sll_halen > sizeof(from.raw) -
		    offsetof(struct sockaddr_ll, sll_addr))
			continue;
		if (sysdep_packet_classify(from.ll.sll_pkttype,
		    from.ll.sll_hatype, from.ll.sll_halen, from.ll.sll_addr,
		    (size_t)n, sizeof(pkbuf) - 1, &src) != 0) {
			if ((size_t)n > sizeof(pkbuf) - 1)
				log_debug("NHRP packet of %zd bytes on "
				    "ifindex %d dropped (too long)", n,
				    from.ll.sll_ifindex);
			continue;
		}
		if (pk.ops->nhrp_packet != NULL)
			pk.ops->nhrp_packet(pk.arg, from.ll.sll_ifindex, &src,
			    pkbuf, (size_t)n);
	}
}

int
sysdep_packet_init(struct ev_loop *loop, const struct sysdep_ops *ops,
    void *arg)
{
	int size = PK_RCVBUF, err;

	pk.loop = loop;
	pk.ops = ops;
	pk.arg = arg;
	pk.fd = socket(PF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    htons(ETH_P_NHRP));
	if (pk.fd == -1) {
		err = -errno;
		log_warn("NHRP packet socket");
		return err;
	}
	if (setsockopt(pk.fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1)
		(void)setsockopt(pk.fd, SOL_SOCKET, SO_RCVBUF, &size,
		    sizeof(size));
	ev_io_init(&pk.w, pk_read_cb, pk.fd, EV_READ);
	ev_io_start(loop, &pk.w);
	return 0;
}

void
sysdep_packet_stop(void)
{
	if (pk.loop != NULL)
		ev_io_stop(pk.loop, &pk.w);
}

void
sysdep_packet_close(void)
{
	sysdep_packet_stop();
	if (pk.fd != -1)
		close(pk.fd);
	pk.fd = -1;
	pk.loop = NULL;
}

int
sysdep_nhrp_send(int ifindex, const struct nhrp_addr *dst_nbma,
    const uint8_t *buf, size_t len)
{
	struct sockaddr_ll sll;

	if (pk.fd == -1)
		return -ENOTCONN;
	if (dst_nbma == NULL || dst_nbma->afn != NHRP_AFN_IPV4 ||
	    dst_nbma->len != 4)
		return -EAFNOSUPPORT;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_NHRP);
	sll.sll_ifindex = ifindex;
	sll.sll_halen = 4;
	memcpy(sll.sll_addr, dst_nbma->addr, 4);
	if (sendto(pk.fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&sll,
	    sizeof(sll)) == -1)
		return -errno;
	return 0;
}

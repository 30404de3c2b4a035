/*
 * sysdep_capture.c - kernel-filtered capture for redirect and multicast,
 * and the batched multicast relay (see capture.h for the contract).
 *
 * Kernel facts this relies on (net/core/dev.c, net/packet/af_packet.c):
 *  - A packet socket bound to a device with a specific protocol sits on
 *    that device's ptype_specific list: the receive path calls it for
 *    that protocol on that device only, and transmissions never reach it.
 *  - Transmissions are tapped (dev_queue_xmit_nit) only for ETH_P_ALL
 *    sockets: the global list and the device's own ptype_all list.  So
 *    the multicast socket is ETH_P_ALL bound to the GRE device; other
 *    interfaces' traffic never reaches it.  The tap clones each packet
 *    sent on that device once; the BPF then drops everything that is not
 *    outgoing IPv4 multicast before it is queued.
 *  - dev_queue_xmit_nit never delivers a packet to the socket that sent
 *    it, so relaying through the multicast socket cannot loop.
 *  - On SOCK_DGRAM sockets the filter sees the packet from the network
 *    header on (offset 0 = IPv4 header), for outgoing packets too.
 *  - The filter is attached before bind() (the socket is created with
 *    protocol 0, i.e. unhooked), so no unfiltered packet is ever queued.
 *  - When the device is unregistered the socket is unhooked for good
 *    (ifindex -1) and reports ENETDOWN; on down/up it is rehooked.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include <ev.h>

#include "capture.h"
#include "log.h"

#ifndef ARPHRD_IP6GRE
#define ARPHRD_IP6GRE	823
#endif
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING	23
#endif

#define CAP_RX_BATCH	32		/* datagrams per recvmmsg */
#define CAP_RX_ROUNDS	4		/* recvmmsg calls per wakeup */
#define CAP_RX_SLOT	65536		/* any IPv4 packet fits */
#define CAP_REDIR_SLOT	256		/* > CAPTURE_SNAPLEN */
#define CAP_REDIR_RCVBUF (64 * 1024)	/* samples: loss is harmless */
#define CAP_MCAST_RCVBUF (2 * 1024 * 1024)
#define CAP_SNDBUF	(4 * 1024 * 1024)
#define CAP_RETRY_SECS	0.002		/* ENOBUFS back-off: first */
#define CAP_RETRY_MAX	0.128		/* doubling up to this */

_Static_assert(sizeof(struct capture_insn) == sizeof(struct sock_filter),
    "struct capture_insn must match struct sock_filter");

struct cap_iface;

struct cap_sock {
	struct cap_iface	*ifp;
	unsigned		 mode;		/* CAPTURE_REDIRECT or _MULTICAST */
	int			 fd;
	bool			 dead;		/* device unregistered */
	ev_io			 w;
};

struct cap_pending {
	TAILQ_ENTRY(cap_pending) entry;
	size_t			 cost;		/* bytes charged to the queue */
	size_t			 len;
	size_t			 n, pos;	/* targets, next one to send */
	struct nhrp_addr	*nbma;
	uint8_t			*data;
};
TAILQ_HEAD(cap_pendinglist, cap_pending);

struct cap_iface {
	LIST_ENTRY(cap_iface)	 entry;
	int			 ifindex;
	unsigned		 what;
	struct cap_sock		 redir, mcast;
	uint32_t		*local;		/* network order */
	size_t			 nlocal;
	struct cap_pendinglist	 queue;
	size_t			 qbytes;
	int			 wfd;		/* fd the write watcher is on */
	ev_io			 ww;
	ev_timer		 retry;
	double			 retry_ival;	/* current back-off */
	struct capture_stats	 st;
};
LIST_HEAD(cap_ifacelist, cap_iface);

static struct {
	struct ev_loop		*loop;
	const struct capture_ops *ops;
	void			*arg;
	struct cap_ifacelist	 ifaces;
	int			 send_fd;	/* shared send-only socket */
	unsigned		 gen;		/* bumped when an iface goes */
	struct capture_stats	 gone;		/* counters of freed ifaces */
} cap = { .send_fd = -1 };

static uint8_t		*cap_rxbuf;		/* CAP_RX_BATCH slots */
static struct mmsghdr	 cap_tx_msgs[CAPTURE_SEND_BATCH];
static union cap_sll {
	struct sockaddr_ll	ll;
	uint8_t			raw[sizeof(struct sockaddr_ll) + 8];
}			 cap_tx_sll[CAPTURE_SEND_BATCH];	/* room for IPv6 */
static size_t		 cap_tx_idx[CAPTURE_SEND_BATCH];

/* ---- pure helpers -------------------------------------------------------- */

static void
insn(struct capture_insn *p, uint16_t code, uint8_t jt, uint8_t jf,
    uint32_t k)
{
	p->code = code;
	p->jt = jt;
	p->jf = jf;
	p->k = k;
}

int
capture_filter_build(unsigned mode, const uint32_t *local_be, size_t nlocal,
    struct capture_insn *prog, size_t max)
{
	struct capture_insn p[CAPTURE_FILTER_MAX];
	size_t n = 0, drop, i;
	uint32_t pkttype;

	if (mode == CAPTURE_REDIRECT) {
		pkttype = PACKET_HOST;
		if (nlocal > CAPTURE_MAX_LOCAL)
			nlocal = CAPTURE_MAX_LOCAL;
	} else if (mode == CAPTURE_MULTICAST) {
		pkttype = PACKET_OUTGOING;
		nlocal = 0;
	} else
		return -EINVAL;
	if (nlocal > 0 && local_be == NULL)
		return -EINVAL;

	/*
	 * Every conditional jump below goes forward to the final
	 * "ret #0"; the program is at most 16 + CAPTURE_MAX_LOCAL long, so
	 * the 8-bit offsets cannot overflow.  jt/jf are filled in once
	 * the length is known: 0xff marks "to drop".
	 */
#define J_DROP	0xff
	insn(&p[n++], BPF_LD | BPF_W | BPF_ABS, 0, 0,
	    (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE));
	insn(&p[n++], BPF_JMP | BPF_JEQ | BPF_K, 0, J_DROP, pkttype);
	insn(&p[n++], BPF_LD | BPF_W | BPF_ABS, 0, 0,
	    (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL));
	insn(&p[n++], BPF_JMP | BPF_JEQ | BPF_K, 0, J_DROP, ETH_P_IP);
	/* IPv4 header: version 4 */
	insn(&p[n++], BPF_LD | BPF_B | BPF_ABS, 0, 0, 0);
	insn(&p[n++], BPF_ALU | BPF_AND | BPF_K, 0, 0, 0xf0);
	insn(&p[n++], BPF_JMP | BPF_JEQ | BPF_K, 0, J_DROP, 0x40);
	/* destination address; a short packet aborts the program (drop) */
	insn(&p[n++], BPF_LD | BPF_W | BPF_ABS, 0, 0, 16);
	insn(&p[n++], BPF_ALU | BPF_AND | BPF_K, 0, 0, 0xf0000000);
	if (mode == CAPTURE_MULTICAST) {
		insn(&p[n++], BPF_JMP | BPF_JEQ | BPF_K, 0, J_DROP,
		    0xe0000000);
		insn(&p[n++], BPF_RET | BPF_K, 0, 0, 0xffff);
	} else {
		insn(&p[n++], BPF_JMP | BPF_JEQ | BPF_K, J_DROP, 0,
		    0xe0000000);
		insn(&p[n++], BPF_LD | BPF_W | BPF_ABS, 0, 0, 16);
		insn(&p[n++], BPF_JMP | BPF_JEQ | BPF_K, J_DROP, 0,
		    0xffffffff);
		for (i = 0; i < nlocal; i++)
			insn(&p[n++], BPF_JMP | BPF_JEQ | BPF_K, J_DROP, 0,
			    ntohl(local_be[i]));
		insn(&p[n++], BPF_RET | BPF_K, 0, 0, CAPTURE_SNAPLEN);
	}
	drop = n;
	insn(&p[n++], BPF_RET | BPF_K, 0, 0, 0);
	for (i = 0; i < drop; i++) {
		if (BPF_CLASS(p[i].code) != BPF_JMP)
			continue;
		if (p[i].jt == J_DROP)
			p[i].jt = (uint8_t)(drop - i - 1);
		if (p[i].jf == J_DROP)
			p[i].jf = (uint8_t)(drop - i - 1);
	}
#undef J_DROP
	if (n > max)
		return -ENOSPC;
	memcpy(prog, p, n * sizeof(p[0]));
	return (int)n;
}

int
capture_validate(unsigned mode, const uint8_t *ip, size_t caplen,
    size_t wirelen)
{
	size_t hl, tot;
	uint32_t dst;

	if (caplen < 20 || (ip[0] >> 4) != 4)
		return -1;
	hl = (size_t)(ip[0] & 0x0f) * 4;
	tot = (size_t)ip[2] << 8 | ip[3];
	if (hl < 20 || tot < hl)
		return -1;
	dst = (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 |
	    (uint32_t)ip[18] << 8 | ip[19];
	if (mode == CAPTURE_MULTICAST) {
		/* whole packets only: never relay a truncated one */
		if ((dst & 0xf0000000) != 0xe0000000)
			return -1;
		if (wirelen > caplen || tot > caplen)
			return -1;
		return (int)tot;
	}
	if (mode != CAPTURE_REDIRECT)
		return -1;
	if ((dst & 0xf0000000) == 0xe0000000 || dst == 0xffffffff)
		return -1;
	if (hl > caplen)
		return -1;
	if (tot < caplen)
		caplen = tot;		/* link padding */
	return (int)caplen;
}

/* ---- interfaces ---------------------------------------------------------- */

static struct cap_iface *
cap_iface_find(int ifindex)
{
	struct cap_iface *ifp;

	LIST_FOREACH(ifp, &cap.ifaces, entry)
		if (ifp->ifindex == ifindex)
			return ifp;
	return NULL;
}

static void	cap_drain_cb(struct ev_loop *, ev_io *, int);
static void	cap_retry_cb(struct ev_loop *, ev_timer *, int);
static void	cap_kick(struct cap_iface *);

static struct cap_iface *
cap_iface_get(int ifindex)
{
	struct cap_iface *ifp;

	if ((ifp = cap_iface_find(ifindex)) != NULL)
		return ifp;
	if ((ifp = calloc(1, sizeof(*ifp))) == NULL)
		return NULL;
	ifp->ifindex = ifindex;
	ifp->redir.ifp = ifp;
	ifp->redir.mode = CAPTURE_REDIRECT;
	ifp->redir.fd = -1;
	ifp->mcast.ifp = ifp;
	ifp->mcast.mode = CAPTURE_MULTICAST;
	ifp->mcast.fd = -1;
	ifp->wfd = -1;
	TAILQ_INIT(&ifp->queue);
	ifp->retry_ival = CAP_RETRY_SECS;
	ev_timer_init(&ifp->retry, cap_retry_cb, CAP_RETRY_SECS, 0.);
	ifp->retry.data = ifp;
	LIST_INSERT_HEAD(&cap.ifaces, ifp, entry);
	return ifp;
}

static void
stats_add(struct capture_stats *to, const struct capture_stats *s)
{
	to->redirect_captured += s->redirect_captured;
	to->multicast_captured += s->multicast_captured;
	to->invalid += s->invalid;
	to->kernel_drops += s->kernel_drops;
	to->relayed += s->relayed;
	to->send_calls += s->send_calls;
	to->queued += s->queued;
	to->dropped += s->dropped;
}

static void
cap_sock_fetch_drops(struct cap_sock *cs)
{
	struct tpacket_stats ts;
	socklen_t sl = sizeof(ts);

	if (cs->fd == -1)
		return;
	if (getsockopt(cs->fd, SOL_PACKET, PACKET_STATISTICS, &ts, &sl) == 0)
		cs->ifp->st.kernel_drops += ts.tp_drops;
}

static void
cap_write_stop(struct cap_iface *ifp)
{
	if (cap.loop != NULL && ifp->wfd != -1)
		ev_io_stop(cap.loop, &ifp->ww);
	ifp->wfd = -1;
}

static void
cap_sock_close(struct cap_sock *cs)
{
	if (cs->fd == -1)
		return;
	cap_sock_fetch_drops(cs);
	if (cs->ifp->wfd == cs->fd)
		cap_write_stop(cs->ifp);
	if (cap.loop != NULL)
		ev_io_stop(cap.loop, &cs->w);
	close(cs->fd);
	cs->fd = -1;
}

static void
cap_pending_free(struct cap_iface *ifp, struct cap_pending *p)
{
	TAILQ_REMOVE(&ifp->queue, p, entry);
	ifp->qbytes -= p->cost;
	free(p);
}

static void
cap_iface_free(struct cap_iface *ifp)
{
	struct cap_pending *p;

	cap_sock_close(&ifp->redir);
	cap_sock_close(&ifp->mcast);
	cap_write_stop(ifp);
	if (cap.loop != NULL)
		ev_timer_stop(cap.loop, &ifp->retry);
	while ((p = TAILQ_FIRST(&ifp->queue)) != NULL) {
		ifp->st.dropped += p->n - p->pos;
		cap_pending_free(ifp, p);
	}
	stats_add(&cap.gone, &ifp->st);
	LIST_REMOVE(ifp, entry);
	free(ifp->local);
	free(ifp);
	cap.gen++;
}

/* ---- receive --------------------------------------------------------------- */

static bool
cap_is_local(const struct cap_iface *ifp, const uint8_t *ip)
{
	uint32_t dst;
	size_t i;

	memcpy(&dst, ip + 16, 4);
	for (i = 0; i < ifp->nlocal; i++)
		if (ifp->local[i] == dst)
			return true;
	return false;
}

static void
cap_src_nbma(const struct sockaddr_ll *sll, size_t namelen,
    struct nhrp_addr *src)
{
	size_t have;

	nhrp_addr_clear(src);
	if (namelen < offsetof(struct sockaddr_ll, sll_addr))
		return;
	have = namelen - offsetof(struct sockaddr_ll, sll_addr);
	if (sll->sll_hatype == ARPHRD_IPGRE && sll->sll_halen == 4 &&
	    have >= 4)
		nhrp_addr_set(src, NHRP_AFN_IPV4, sll->sll_addr, 4);
	else if (sll->sll_hatype == ARPHRD_IP6GRE && sll->sll_halen == 16 &&
	    have >= 16)
		nhrp_addr_set(src, NHRP_AFN_IPV6, sll->sll_addr, 16);
	if (nhrp_addr_is_unspec(src))
		nhrp_addr_clear(src);
}

/* The socket reported an error: a vanished device kills it for good. */
static void
cap_sock_error(struct cap_sock *cs, int err)
{
	char name[IF_NAMESIZE];

	if (err == ENETDOWN || err == ENXIO || err == ENODEV) {
		if (if_indextoname((unsigned)cs->ifp->ifindex, name) != NULL)
			return;		/* only down: rehooked on up */
		log_debug("capture on ifindex %d: interface gone",
		    cs->ifp->ifindex);
		cap_sock_close(cs);
		cs->dead = true;
		cap_kick(cs->ifp);	/* queued copies: another socket */
		return;
	}
	log_debug("capture on ifindex %d: %s", cs->ifp->ifindex,
	    strerror(err));
}

static void
cap_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct cap_sock *cs = w->data;
	struct cap_iface *ifp = cs->ifp;
	union {
		struct sockaddr_ll	ll;
		uint8_t			raw[sizeof(struct sockaddr_ll) + 16];
	} from[CAP_RX_BATCH];
	struct mmsghdr msgs[CAP_RX_BATCH];
	struct iovec iov[CAP_RX_BATCH];
	struct nhrp_addr src;
	const struct sockaddr_ll *sll;
	size_t slot, caplen;
	unsigned gen = cap.gen, want;
	uint8_t *ip;
	int r, i, n, len;

	slot = cs->mode == CAPTURE_REDIRECT ? CAP_REDIR_SLOT : CAP_RX_SLOT;
	want = cs->mode == CAPTURE_REDIRECT ? PACKET_HOST : PACKET_OUTGOING;
	for (r = 0; r < CAP_RX_ROUNDS; r++) {
		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < CAP_RX_BATCH; i++) {
			iov[i].iov_base = cap_rxbuf + (size_t)i * CAP_RX_SLOT;
			iov[i].iov_len = slot;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(cs->fd, msgs, CAP_RX_BATCH,
		    MSG_DONTWAIT | MSG_TRUNC, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				cap_sock_error(cs, errno);
			return;
		}
		for (i = 0; i < n; i++) {
			sll = &from[i].ll;
			ip = iov[i].iov_base;
			caplen = msgs[i].msg_len < slot ? msgs[i].msg_len :
			    slot;
			if (msgs[i].msg_hdr.msg_namelen <
			    offsetof(struct sockaddr_ll, sll_addr) ||
			    sll->sll_pkttype != want ||
			    sll->sll_protocol != htons(ETH_P_IP) ||
			    sll->sll_ifindex != ifp->ifindex) {
				ifp->st.invalid++;
				continue;
			}
			len = capture_validate(cs->mode, ip, caplen,
			    msgs[i].msg_len);
			if (len < 0) {
				ifp->st.invalid++;
				continue;
			}
			if (cs->mode == CAPTURE_MULTICAST) {
				ifp->st.multicast_captured++;
				if (cap.ops->multicast != NULL)
					cap.ops->multicast(cap.arg,
					    ifp->ifindex, ip, (size_t)len);
			} else {
				if (cap_is_local(ifp, ip)) {
					ifp->st.invalid++;
					continue;
				}
				cap_src_nbma(sll, msgs[i].msg_hdr.msg_namelen,
				    &src);
				ifp->st.redirect_captured++;
				if (cap.ops->redirect != NULL)
					cap.ops->redirect(cap.arg,
					    ifp->ifindex, &src, ip,
					    (size_t)len);
			}
			/* the callback may have changed the interfaces */
			if (cap.gen != gen || cs->fd == -1)
				return;
		}
		if (n < CAP_RX_BATCH)
			return;
	}
}

/* ---- sockets ----------------------------------------------------------- */

static void
cap_bufsize(int fd, int opt_force, int opt, int size)
{
	if (setsockopt(fd, SOL_SOCKET, opt_force, &size, sizeof(size)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size));
}

static int
cap_attach_filter(struct cap_sock *cs)
{
	struct capture_insn prog[CAPTURE_FILTER_MAX];
	struct sock_fprog fp;
	int n;

	n = capture_filter_build(cs->mode, cs->ifp->local, cs->ifp->nlocal,
	    prog, CAPTURE_FILTER_MAX);
	if (n < 0)
		return n;
	memset(&fp, 0, sizeof(fp));
	fp.len = (unsigned short)n;
	fp.filter = (struct sock_filter *)(void *)prog;
	if (setsockopt(cs->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp,
	    sizeof(fp)) == -1)
		return -errno;
	return 0;
}

static int
cap_sock_open(struct cap_sock *cs)
{
	struct sockaddr_ll sll;
	uint16_t proto;
	int one = 1, err;

	cs->dead = false;
	if (cap_rxbuf == NULL &&
	    (cap_rxbuf = malloc((size_t)CAP_RX_BATCH * CAP_RX_SLOT)) == NULL)
		return -ENOMEM;
	/* protocol 0: not hooked until bind(), after the filter is on */
	cs->fd = socket(PF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (cs->fd == -1)
		return -errno;
	if ((err = cap_attach_filter(cs)) != 0)
		goto fail;
	if (cs->mode == CAPTURE_REDIRECT) {
		proto = ETH_P_IP;
		cap_bufsize(cs->fd, SO_RCVBUFFORCE, SO_RCVBUF,
		    CAP_REDIR_RCVBUF);
		/* not needed for a protocol socket, harmless: never
		 * see our own transmissions */
		(void)setsockopt(cs->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING,
		    &one, sizeof(one));
	} else {
		proto = ETH_P_ALL;	/* the only way to see transmissions */
		cap_bufsize(cs->fd, SO_RCVBUFFORCE, SO_RCVBUF,
		    CAP_MCAST_RCVBUF);
		cap_bufsize(cs->fd, SO_SNDBUFFORCE, SO_SNDBUF, CAP_SNDBUF);
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(proto);
	sll.sll_ifindex = cs->ifp->ifindex;
	if (bind(cs->fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		err = -errno;
		goto fail;
	}
	ev_io_init(&cs->w, cap_read_cb, cs->fd, EV_READ);
	cs->w.data = cs;
	if (cap.loop != NULL)
		ev_io_start(cap.loop, &cs->w);
	return 0;
fail:
	close(cs->fd);
	cs->fd = -1;
	return err;
}

static int
cap_send_fd(struct cap_iface *ifp)
{
	if (ifp->mcast.fd != -1)
		return ifp->mcast.fd;
	if (cap.send_fd == -1) {
		/* protocol 0: sends only, never receives */
		cap.send_fd = socket(PF_PACKET,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (cap.send_fd == -1)
			return -errno;
		cap_bufsize(cap.send_fd, SO_SNDBUFFORCE, SO_SNDBUF,
		    CAP_SNDBUF);
	}
	return cap.send_fd;
}

/* ---- API ------------------------------------------------------------------- */

int
capture_init(struct ev_loop *loop, const struct capture_ops *ops, void *arg)
{
	if (loop == NULL || ops == NULL)
		return -EINVAL;
	cap.loop = loop;
	cap.ops = ops;
	cap.arg = arg;
	return 0;
}

static int
cap_sock_want(struct cap_sock *cs, bool on)
{
	if (!on) {
		cap_sock_close(cs);
		cs->dead = false;
		return 0;
	}
	if (cs->fd != -1)
		return 0;
	return cap_sock_open(cs);
}

int
capture_iface_set(int ifindex, unsigned what)
{
	struct cap_iface *ifp;
	int err;

	if (ifindex <= 0 || (what & ~(CAPTURE_REDIRECT | CAPTURE_MULTICAST)))
		return -EINVAL;
	if (cap.loop == NULL)
		return -ENOTCONN;
	if (what == 0) {
		if ((ifp = cap_iface_find(ifindex)) != NULL)
			cap_iface_free(ifp);
		return 0;
	}
	if ((ifp = cap_iface_get(ifindex)) == NULL)
		return -ENOMEM;
	ifp->what = what;
	err = cap_sock_want(&ifp->redir, what & CAPTURE_REDIRECT);
	if (err == 0)
		err = cap_sock_want(&ifp->mcast, what & CAPTURE_MULTICAST);
	if (err != 0) {
		cap_sock_close(&ifp->redir);
		cap_sock_close(&ifp->mcast);
		ifp->what = 0;
		if (ifp->nlocal == 0 && TAILQ_EMPTY(&ifp->queue)) {
			cap_iface_free(ifp);
			return err;
		}
	}
	cap_kick(ifp);
	return err;
}

int
capture_iface_set_local(int ifindex, const struct nhrp_addr *addrs, size_t n)
{
	struct cap_iface *ifp;
	uint32_t *l = NULL;
	size_t i, m = 0;
	int err;

	if (ifindex <= 0 || (n > 0 && addrs == NULL))
		return -EINVAL;
	if (n > 0 && (l = calloc(n, sizeof(*l))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (addrs[i].afn == NHRP_AFN_IPV4 && addrs[i].len == 4)
			memcpy(&l[m++], addrs[i].addr, 4);
	if ((ifp = cap_iface_get(ifindex)) == NULL) {
		free(l);
		return -ENOMEM;
	}
	free(ifp->local);
	ifp->local = l;
	ifp->nlocal = m;
	if (ifp->redir.fd != -1 &&
	    (err = cap_attach_filter(&ifp->redir)) != 0)
		return err;
	return 0;
}

/* ---- relay ----------------------------------------------------------------- */

/* The link-layer destination for one copy; 0 when nbma is unusable. */
static socklen_t
cap_fill_sll(union cap_sll *u, int ifindex, const struct nhrp_addr *nbma)
{
	size_t len;

	if (nbma->afn == NHRP_AFN_IPV4 && nbma->len == 4)
		len = 4;
	else if (nbma->afn == NHRP_AFN_IPV6 && nbma->len == 16)
		len = 16;	/* ip6gre */
	else
		return 0;
	memset(u, 0, sizeof(*u));
	u->ll.sll_family = AF_PACKET;
	u->ll.sll_protocol = htons(ETH_P_IP);
	u->ll.sll_ifindex = ifindex;
	u->ll.sll_halen = (unsigned char)len;
	memcpy(u->raw + offsetof(struct sockaddr_ll, sll_addr), nbma->addr,
	    len);
	return sizeof(*u);
}

/*
 * Sends copies of ip/len to nbma[*pos .. n-1] on fd, CAPTURE_SEND_BATCH
 * per sendmmsg, advancing *pos.  0 when all went out, -EAGAIN/-ENOBUFS
 * when the kernel pushed back (*pos is the first one not sent), another
 * -errno on a hard error (the rest are counted as dropped, *pos = n).
 */
static int
cap_xmit(struct cap_iface *ifp, int fd, const uint8_t *ip, size_t len,
    const struct nhrp_addr *nbma, size_t n, size_t *pos)
{
	struct iovec iov;
	size_t cnt, off;
	socklen_t sl;
	int r, err;

	iov.iov_base = (void *)(uintptr_t)ip;	/* sendmmsg does not write */
	iov.iov_len = len;
	while (*pos < n) {
		for (cnt = 0; cnt < CAPTURE_SEND_BATCH && *pos < n; (*pos)++) {
			sl = cap_fill_sll(&cap_tx_sll[cnt], ifp->ifindex,
			    &nbma[*pos]);
			if (sl == 0) {
				ifp->st.dropped++;
				continue;
			}
			memset(&cap_tx_msgs[cnt], 0, sizeof(cap_tx_msgs[cnt]));
			cap_tx_msgs[cnt].msg_hdr.msg_name = &cap_tx_sll[cnt];
			cap_tx_msgs[cnt].msg_hdr.msg_namelen = sl;
			cap_tx_msgs[cnt].msg_hdr.msg_iov = &iov;
			cap_tx_msgs[cnt].msg_hdr.msg_iovlen = 1;
			cap_tx_idx[cnt] = *pos;
			cnt++;
		}
		for (off = 0; off < cnt; ) {
			ifp->st.send_calls++;
			r = sendmmsg(fd, cap_tx_msgs + off,
			    (unsigned)(cnt - off), MSG_DONTWAIT);
			if (r > 0) {
				off += (size_t)r;
				ifp->st.relayed += (uint64_t)r;
				continue;
			}
			err = r == 0 ? EAGAIN : errno;
			if (err == EINTR)
				continue;
			if (err == EAGAIN || err == EWOULDBLOCK ||
			    err == ENOBUFS) {
				*pos = cap_tx_idx[off];
				return err == ENOBUFS ? -ENOBUFS : -EAGAIN;
			}
			/* the same for every copy (EMSGSIZE, ENETDOWN ...) */
			ifp->st.dropped += cnt - off + (n - *pos);
			*pos = n;
			return -err;
		}
	}
	return 0;
}

static void
cap_arm(struct cap_iface *ifp, int fd, int why)
{
	if (why == -ENOBUFS) {
		/* a full device queue does not show in poll(): back off */
		if (!ev_is_active(&ifp->retry)) {
			ev_timer_set(&ifp->retry, ifp->retry_ival, 0.);
			ev_timer_start(cap.loop, &ifp->retry);
		}
		return;
	}
	if (ifp->wfd == fd)
		return;
	cap_write_stop(ifp);
	ev_io_init(&ifp->ww, cap_drain_cb, fd, EV_WRITE);
	ifp->ww.data = ifp;
	ifp->wfd = fd;
	ev_io_start(cap.loop, &ifp->ww);
}

static void
cap_drain(struct cap_iface *ifp)
{
	struct cap_pending *p;
	uint64_t before = ifp->st.relayed;
	int fd, err;

	cap_write_stop(ifp);
	ev_timer_stop(cap.loop, &ifp->retry);
	while ((p = TAILQ_FIRST(&ifp->queue)) != NULL) {
		if ((fd = cap_send_fd(ifp)) < 0) {
			ifp->st.dropped += p->n - p->pos;
			cap_pending_free(ifp, p);
			continue;
		}
		err = cap_xmit(ifp, fd, p->data, p->len, p->nbma, p->n,
		    &p->pos);
		if (err == -EAGAIN || err == -ENOBUFS) {
			/* no progress: wait longer; progress: start over */
			if (ifp->st.relayed == before)
				ifp->retry_ival = ifp->retry_ival * 2 >
				    CAP_RETRY_MAX ? CAP_RETRY_MAX :
				    ifp->retry_ival * 2;
			else
				ifp->retry_ival = CAP_RETRY_SECS;
			cap_arm(ifp, fd, err);
			return;
		}
		cap_pending_free(ifp, p);
	}
	ifp->retry_ival = CAP_RETRY_SECS;
	if (ifp->what == 0 && ifp->nlocal == 0)
		cap_iface_free(ifp);	/* only held the queue */
}

/* Queued copies whose socket was closed: resume them on the next one. */
static void
cap_kick(struct cap_iface *ifp)
{
	if (!TAILQ_EMPTY(&ifp->queue) && ifp->wfd == -1 &&
	    !ev_is_active(&ifp->retry)) {
		ev_timer_set(&ifp->retry, 0., 0.);
		ev_timer_start(cap.loop, &ifp->retry);
	}
}

static void
cap_drain_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	cap_drain(w->data);
}

static void
cap_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	cap_drain(w->data);
}

static void
cap_enqueue(struct cap_iface *ifp, const uint8_t *ip, size_t len,
    const struct nhrp_addr *nbma, size_t n)
{
	struct cap_pending *p;
	size_t cost;

	if (n == 0)
		return;
	cost = sizeof(*p) + len + n * sizeof(*nbma);
	if (ifp->qbytes + cost > CAPTURE_QUEUE_MAX ||
	    (p = malloc(cost)) == NULL) {
		ifp->st.dropped += n;
		return;
	}
	p->cost = cost;
	p->len = len;
	p->n = n;
	p->pos = 0;
	p->nbma = (struct nhrp_addr *)(void *)(p + 1);
	memcpy(p->nbma, nbma, n * sizeof(*nbma));
	p->data = (uint8_t *)(p->nbma + n);
	memcpy(p->data, ip, len);
	TAILQ_INSERT_TAIL(&ifp->queue, p, entry);
	ifp->qbytes += cost;
	ifp->st.queued += n;
}

int
capture_mcast_send(int ifindex, const uint8_t *ip, size_t len,
    const struct nhrp_addr *nbma, size_t n)
{
	struct cap_iface *ifp;
	uint64_t before;
	size_t pos = 0;
	int fd, err;

	if (ifindex <= 0 || ip == NULL || len == 0 || len > 65535 ||
	    (n > 0 && nbma == NULL))
		return -EINVAL;
	if (cap.loop == NULL)
		return -ENOTCONN;
	if (n == 0)
		return 0;
	if ((ifp = cap_iface_get(ifindex)) == NULL)
		return -ENOMEM;
	if (!TAILQ_EMPTY(&ifp->queue)) {
		/* keep the order: behind what is already waiting */
		cap_enqueue(ifp, ip, len, nbma, n);
		return 0;
	}
	if ((fd = cap_send_fd(ifp)) < 0) {
		ifp->st.dropped += n;
		err = fd;
		goto out;
	}
	before = ifp->st.relayed;
	err = cap_xmit(ifp, fd, ip, len, nbma, n, &pos);
	if (err == -EAGAIN || err == -ENOBUFS) {
		cap_enqueue(ifp, ip, len, nbma + pos, n - pos);
		if (!TAILQ_EMPTY(&ifp->queue)) {
			cap_arm(ifp, fd, err);
			return (int)(ifp->st.relayed - before);
		}
		err = 0;
	}
	if (err == 0 || ifp->st.relayed != before)
		err = (int)(ifp->st.relayed - before);
out:
	if (ifp->what == 0 && ifp->nlocal == 0 && TAILQ_EMPTY(&ifp->queue))
		cap_iface_free(ifp);
	return err;
}

void
capture_get_stats(struct capture_stats *st)
{
	struct cap_iface *ifp;

	*st = cap.gone;
	LIST_FOREACH(ifp, &cap.ifaces, entry) {
		cap_sock_fetch_drops(&ifp->redir);
		cap_sock_fetch_drops(&ifp->mcast);
		stats_add(st, &ifp->st);
	}
}

int
capture_iface_stats(int ifindex, struct capture_stats *st)
{
	struct cap_iface *ifp;

	if ((ifp = cap_iface_find(ifindex)) == NULL)
		return -ENOENT;
	cap_sock_fetch_drops(&ifp->redir);
	cap_sock_fetch_drops(&ifp->mcast);
	*st = ifp->st;
	return 0;
}

void
capture_shutdown(void)
{
	struct cap_iface *ifp;

	while ((ifp = LIST_FIRST(&cap.ifaces)) != NULL)
		cap_iface_free(ifp);
	if (cap.send_fd != -1)
		close(cap.send_fd);
	cap.send_fd = -1;
	free(cap_rxbuf);
	cap_rxbuf = NULL;
	memset(&cap.gone, 0, sizeof(cap.gone));
	cap.loop = NULL;
	cap.ops = NULL;
	cap.arg = NULL;
}

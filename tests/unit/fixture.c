/*
 * fixture.c - the fake daemon set-up shared by the core unit tests and
 * the ctl golden driver (see fixture.h).
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "addr.h"
#include "packet.h"
#include "nhrp/admin.h"
#include "nhrp/cache.h"
#include "nhrp/capture.h"
#include "nhrp/conf.h"
#include "nhrp/core.h"
#include "nhrp/ctl.h"
#include "nhrp/iface.h"
#include "nhrp/packet_io.h"
#include "nhrp/peer.h"
#include "nhrp/sysdep.h"
#include "tests/unit/fake_sysdep.h"
#include "tests/unit/fixture.h"

/* --- fake capture module (redirect and multicast need no socket) ------ */

int
capture_init(struct ev_loop *loop, const struct capture_ops *ops, void *arg)
{
	return 0;
}

int
capture_iface_set(int ifindex, unsigned what)
{
	return 0;
}

int
capture_iface_set_local(int ifindex, const struct nhrp_addr *a, size_t n)
{
	return 0;
}

int
capture_mcast_send(int ifindex, const uint8_t *ip, size_t len,
    const struct nhrp_addr *nbma, size_t n)
{
	return (int)n;
}

void
capture_shutdown(void)
{
}

void
capture_get_stats(struct capture_stats *st)
{
	memset(st, 0, sizeof(*st));
}

/* --- set-up ----------------------------------------------------------- */

struct nhrp_conf *
fx_init(const char *cfg, double now)
{
	struct nhrp_conf *conf;

	core_fake_time = true;
	core_fake_now = now;
	nhrp_loop = ev_default_loop(0);
	iface_init();
	cache_init();
	packet_io_init(nhrp_loop);
	conf = conf_parse_buffer("test", cfg, strlen(cfg), NULL, NULL);
	if (conf == NULL)
		return NULL;
	iface_apply_conf(conf);
	return conf;
}

struct nhrp_conf *
fx_init_src(const char *cfg, double now, const char *route_src)
{
	fake.route_src = fx_a(route_src);
	return fx_init(cfg, now);
}

struct nhrp_addr
fx_a(const char *s)
{
	struct nhrp_addr a;

	if (s == NULL || nhrp_addr_parse(s, &a, 0, NULL) != 0)
		memset(&a, 0, sizeof(a));
	return a;
}

char *
fx_fmt(const struct nhrp_addr *a)
{
	static char buf[4][NHRP_ADDRSTRLEN];
	static int i;

	i = (i + 1) % 4;
	if (a->afn == NHRP_AFN_NONE)
		return strcpy(buf[i], "-");
	return nhrp_addr_format(a, buf[i], NHRP_ADDRSTRLEN);
}

void
fx_link(int ifindex, const char *name, unsigned mtu, int gre, uint32_t key,
    const char *local, int link_index)
{
	struct sysdep_link l;

	memset(&l, 0, sizeof(l));
	l.ifindex = ifindex;
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.flags = IFF_UP;
	l.mtu = mtu;
	l.type = gre ? 778 : 1;
	l.is_gre = gre != 0;
	l.gre_ikey = l.gre_okey = key;
	if (local != NULL)
		l.gre_local = fx_a(local);
	l.gre_link = link_index;
	iface_link_event(&l);
}

void
fx_addr(int ifindex, const char *addr, unsigned prefix)
{
	struct sysdep_addr ad;

	memset(&ad, 0, sizeof(ad));
	ad.ifindex = ifindex;
	ad.addr = fx_a(addr);
	ad.prefix = prefix;
	iface_addr_event(&ad);
}

void
fx_three_gre(const char *gre1_addr, const char *gre3_local)
{
	fx_link(5, "gre1", 1476, 1, 0, "198.51.100.2", 0);
	fx_link(6, "gre2", 1476, 1, 0, "198.51.100.3", 0);
	fx_addr(5, gre1_addr, 24);
	fx_addr(6, "10.254.0.2", 24);
	fx_link(7, "gre3", 1476, 1, 0, gre3_local, 0);
	fx_addr(7, "10.253.0.2", 24);
}

const char *
fx_ctl(const char *request)
{
	static struct admin_out out;
	enum admin_cmd cmd;
	const char *args;

	admin_out_free(&out);
	memset(&out, 0, sizeof(out));
	cmd = admin_parse_command(request, &args);
	if (cmd == ADMIN_CMD_NONE)
		admin_reply_unrecognized(&out);
	else
		ctl_handler(NULL, cmd, args, &out);
	admin_printf(&out, "%s", "");
	return out.buf != NULL ? out.buf : "";
}

/* --- packets ---------------------------------------------------------- */

void
fx_rx(int ifindex, const char *outer, const uint8_t *buf, size_t len)
{
	struct nhrp_addr o = fx_a(outer);

	packet_receive(ifindex, &o, buf, len);
}

size_t
fx_rx_pkt(int ifindex, const char *outer, struct nhrp_packet *p)
{
	uint8_t buf[2048];
	ssize_t n;

	n = nhrp_packet_build(p, buf, sizeof(buf));
	if (n <= 0)
		return 0;
	fx_rx(ifindex, outer, buf, (size_t)n);
	return (size_t)n;
}

int
fx_sent(int n, struct nhrp_packet *p, struct nhrp_addr *to)
{
	struct fake_pkt *f;

	if (n < 0)
		n += (int)fake.npkt;
	if (n < 0 || (size_t)n >= fake.npkt)
		return -1;
	f = &fake.pkt[n];
	if (to != NULL)
		*to = f->dst;
	return nhrp_packet_parse(f->buf, f->len, p, NULL);
}

void
fx_req_a(struct nhrp_packet *p, uint8_t type, uint16_t flags, uint32_t id,
    const struct nhrp_addr *nbma, const struct nhrp_addr *src,
    const struct nhrp_addr *dst)
{
	nhrp_packet_init(p, type);
	p->hop_count = 16;
	p->flags = flags;
	p->request_id = id;
	p->src_nbma = *nbma;
	p->src_proto = *src;
	p->dst_proto = *dst;
}

void
fx_req(struct nhrp_packet *p, uint8_t type, uint16_t flags, uint32_t id,
    const char *nbma, const char *src, const char *dst)
{
	struct nhrp_addr n = fx_a(nbma), s = fx_a(src), d = fx_a(dst);

	fx_req_a(p, type, flags, id, &n, &s, &d);
}

void
fx_req_exts(struct nhrp_packet *p)
{
	nhrp_packet_ext_add(p, NHRP_EXT_FORWARD_TRANSIT, true);
	nhrp_packet_ext_add(p, NHRP_EXT_REVERSE_TRANSIT, true);
	nhrp_packet_ext_add(p, NHRP_EXT_RESPONDER, true);
}

int
fx_last_code(uint32_t *id)
{
	struct nhrp_packet p;
	int code;

	if (fx_sent(-1, &p, NULL) != 0)
		return -1;
	code = p.cies.n == 1 ? p.cies.cie[0].code : -1;
	if (id != NULL)
		*id = p.request_id;
	nhrp_packet_clear(&p);
	return code;
}

size_t
fx_count(const char *event)
{
	size_t i, n = 0;

	for (i = 0; i < fake.nhook; i++)
		if (strcmp(fake.hook[i].event, event) == 0)
			n++;
	return n;
}

void
fx_drain(void)
{
	int progress;

	do {
		progress = 0;
		if (fake_hook_done(0) >= 0)
			progress = 1;
		if (fake_neigh_ack(0))
			progress = 1;
	} while (progress);
}

void
fx_forget(void)
{
	fake.npkt = fake.nhook = fake.nneigh = 0;
}

/* --- timers ----------------------------------------------------------- */

double
fx_timer_left(struct nhrp_peer *p)
{
	return peer_timer_left(p);
}

void
fx_fire_timer(ev_timer *w)
{
	if (ev_is_active(w))
		ev_timer_stop(nhrp_loop, w);
	ev_invoke(nhrp_loop, w, EV_TIMER);
}

void
fx_fire(struct nhrp_peer *p)
{
	peer_timer_fire(p);
}

struct nhrp_peer *
fx_find(const char *ifname, const char *addr, unsigned prefix,
    unsigned typemask)
{
	struct nhrp_addr a = fx_a(addr);

	return cache_find_exact(iface_by_name(ifname), &a, prefix, typemask);
}

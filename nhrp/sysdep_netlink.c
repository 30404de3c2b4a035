/*
 * sysdep_netlink.c - rtnetlink through libmnl: link, address, route and
 * neighbour events, startup dumps, overrun resynchronisation, neighbour
 * updates acknowledged by the kernel, route lookups and the per-interface
 * kernel settings a DMVPN interface needs.
 *
 * Four NETLINK_ROUTE sockets, so no read ever sees another's answers:
 *   ev    multicast groups (link, IPv4 address, IPv4 route, neighbour),
 *         non-blocking, on the event loop;
 *   dump  the link/address/route dumps (startup and resync), blocking;
 *   sync  single synchronous requests (route lookup, link query,
 *         neighbour table and link flag changes), blocking;
 *   ack   pipelined neighbour updates with NLM_F_ACK, non-blocking, on
 *         the event loop; answers are matched by sequence number.
 * Callbacks into the core run from dump and ev reads; the core may call
 * any sysdep function from them.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <ev.h>
#include <libmnl/libmnl.h>

#include "log.h"
#include "sysdep.h"
#include "sysdep_nl.h"

#define ATTR_TAB_MAX	64

struct attr_tab {
	const struct nlattr *tb[ATTR_TAB_MAX];
};

static int
attr_tab_cb(const struct nlattr *a, void *data)
{
	struct attr_tab *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type < ATTR_TAB_MAX)
		t->tb[type] = a;
	return MNL_CB_OK;
}

static void
attr_tab_parse(const struct nlmsghdr *nlh, size_t off, struct attr_tab *t)
{
	memset(t, 0, sizeof(*t));
	mnl_attr_parse(nlh, off, attr_tab_cb, t);
}

static void
attr_tab_nested(const struct nlattr *nest, struct attr_tab *t)
{
	memset(t, 0, sizeof(*t));
	if (nest != NULL)
		mnl_attr_parse_nested(nest, attr_tab_cb, t);
}

static int
attr_u32(const struct nlattr *a, uint32_t *v)
{
	if (a == NULL || mnl_attr_get_payload_len(a) < sizeof(uint32_t))
		return -1;
	memcpy(v, mnl_attr_get_payload(a), sizeof(*v));
	return 0;
}

static uint16_t
family_afn(unsigned family)
{
	switch (family) {
	case AF_INET:
		return NHRP_AFN_IPV4;
	case AF_INET6:
		return NHRP_AFN_IPV6;
	}
	return NHRP_AFN_NONE;
}

static int
afn_family(uint16_t afn)
{
	switch (afn) {
	case NHRP_AFN_IPV4:
		return AF_INET;
	case NHRP_AFN_IPV6:
		return AF_INET6;
	}
	return AF_UNSPEC;
}

/* An address attribute of exactly the family's size. */
static int
attr_addr(const struct nlattr *a, uint16_t afn, struct nhrp_addr *addr)
{
	if (a == NULL || nhrp_afn_addrlen(afn) == 0 ||
	    mnl_attr_get_payload_len(a) != nhrp_afn_addrlen(afn))
		return -1;
	return nhrp_addr_set(addr, afn, mnl_attr_get_payload(a),
	    mnl_attr_get_payload_len(a));
}

/* The all-zero address of the family (the "any" destination). */
static void
addr_zero(struct nhrp_addr *addr, uint16_t afn)
{
	static const uint8_t zero[NHRP_ADDR_MAX];

	nhrp_addr_clear(addr);
	nhrp_addr_set(addr, afn, zero, nhrp_afn_addrlen(afn));
}

static int
attr_streq(const struct nlattr *a, const char *s)
{
	size_t n = strlen(s);

	if (a == NULL || mnl_attr_get_payload_len(a) < n)
		return 0;
	if (memcmp(mnl_attr_get_payload(a), s, n) != 0)
		return 0;
	return mnl_attr_get_payload_len(a) == n ||
	    ((const char *)mnl_attr_get_payload(a))[n] == '\0';
}

/* ---- parsers -------------------------------------------------------- */

static void
parse_gre(const struct nlattr *data, struct sysdep_link *l)
{
	struct attr_tab t;
	struct nhrp_addr a;
	uint32_t v;

	attr_tab_nested(data, &t);
	if (attr_u32(t.tb[IFLA_GRE_IKEY], &v) == 0)
		l->gre_ikey = ntohl(v);
	if (attr_u32(t.tb[IFLA_GRE_OKEY], &v) == 0)
		l->gre_okey = ntohl(v);
	if (attr_addr(t.tb[IFLA_GRE_LOCAL], NHRP_AFN_IPV4, &a) == 0 &&
	    !nhrp_addr_is_unspec(&a))
		l->gre_local = a;
	if (attr_addr(t.tb[IFLA_GRE_REMOTE], NHRP_AFN_IPV4, &a) == 0 &&
	    !nhrp_addr_is_unspec(&a))
		l->gre_remote = a;
	if (attr_u32(t.tb[IFLA_GRE_LINK], &v) == 0)
		l->gre_link = (int)v;
}

int
sysdep_nl_parse_link(const struct nlmsghdr *nlh, struct sysdep_link *l)
{
	const struct ifinfomsg *ifi;
	struct attr_tab t, li;
	const struct nlattr *a;
	uint32_t v;
	size_t n;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -1;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -1;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (ifi->ifi_index <= 0)
		return -1;

	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->type = ifi->ifi_type;
	l->deleted = nlh->nlmsg_type == RTM_DELLINK;
	nhrp_addr_clear(&l->gre_local);
	nhrp_addr_clear(&l->gre_remote);

	attr_tab_parse(nlh, sizeof(*ifi), &t);
	if ((a = t.tb[IFLA_IFNAME]) != NULL) {
		n = mnl_attr_get_payload_len(a);
		if (n >= sizeof(l->name))
			n = sizeof(l->name) - 1;
		memcpy(l->name, mnl_attr_get_payload(a), n);
		l->name[n] = '\0';
		l->name[strnlen(l->name, n)] = '\0';
	}
	if (attr_u32(t.tb[IFLA_MTU], &v) == 0)
		l->mtu = v;
	if (t.tb[IFLA_LINKINFO] != NULL) {
		attr_tab_nested(t.tb[IFLA_LINKINFO], &li);
		if (attr_streq(li.tb[IFLA_INFO_KIND], "gre")) {
			l->is_gre = true;
			parse_gre(li.tb[IFLA_INFO_DATA], l);
		}
	}
	return 0;
}

int
sysdep_nl_parse_addr(const struct nlmsghdr *nlh, struct sysdep_addr *ad)
{
	const struct ifaddrmsg *ifa;
	struct attr_tab t;
	uint32_t flags;
	uint16_t afn;

	if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR)
		return -1;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -1;
	ifa = mnl_nlmsg_get_payload(nlh);
	if ((afn = family_afn(ifa->ifa_family)) == NHRP_AFN_NONE)
		return -1;

	memset(ad, 0, sizeof(*ad));
	ad->ifindex = (int)ifa->ifa_index;
	ad->prefix = ifa->ifa_prefixlen;
	ad->deleted = nlh->nlmsg_type == RTM_DELADDR;
	attr_tab_parse(nlh, sizeof(*ifa), &t);
	if (attr_addr(t.tb[IFA_LOCAL], afn, &ad->addr) != 0 &&
	    attr_addr(t.tb[IFA_ADDRESS], afn, &ad->addr) != 0)
		return -1;
	flags = ifa->ifa_flags;
	if (attr_u32(t.tb[IFA_FLAGS], &flags) != 0)
		flags = ifa->ifa_flags;
	ad->secondary = (flags & IFA_F_SECONDARY) != 0;
	if (ad->prefix > nhrp_afn_maxprefix(afn))
		return -1;
	return 0;
}

int
sysdep_nl_parse_neigh(const struct nlmsghdr *nlh, struct sysdep_neigh *n)
{
	const struct ndmsg *ndm;
	struct attr_tab t;
	const struct nlattr *a;
	uint16_t afn;
	size_t len;

	memset(n, 0, sizeof(*n));
	switch (nlh->nlmsg_type) {
	case RTM_NEWNEIGH:
		n->kind = SYSDEP_NEIGH_NEW;
		break;
	case RTM_DELNEIGH:
		n->kind = SYSDEP_NEIGH_DEL;
		break;
	case RTM_GETNEIGH:
		n->kind = SYSDEP_NEIGH_REQUEST;
		break;
	default:
		return -1;
	}
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ndm))
		return -1;
	ndm = mnl_nlmsg_get_payload(nlh);
	if ((afn = family_afn(ndm->ndm_family)) == NHRP_AFN_NONE)
		return -1;
	n->ifindex = ndm->ndm_ifindex;
	n->state = ndm->ndm_state;
	nhrp_addr_clear(&n->lladdr);
	attr_tab_parse(nlh, sizeof(*ndm), &t);
	if (attr_addr(t.tb[NDA_DST], afn, &n->dst) != 0)
		return -1;
	if ((a = t.tb[NDA_LLADDR]) != NULL) {
		/* an NBMA address: IPv4 (GRE) or IPv6 (ip6gre) */
		len = mnl_attr_get_payload_len(a);
		if (len == 4)
			nhrp_addr_set(&n->lladdr, NHRP_AFN_IPV4,
			    mnl_attr_get_payload(a), len);
		else if (len == 16)
			nhrp_addr_set(&n->lladdr, NHRP_AFN_IPV6,
			    mnl_attr_get_payload(a), len);
	}
	return 0;
}

static int
rtnh_gateway(const struct rtnexthop *nh, size_t len, uint16_t afn,
    struct nhrp_addr *gw)
{
	struct attr_tab t;

	memset(&t, 0, sizeof(t));
	nhrp_addr_clear(gw);
	if (len > RTNH_LENGTH(0))
		mnl_attr_parse_payload(RTNH_DATA(nh), len - RTNH_LENGTH(0),
		    attr_tab_cb, &t);
	if (t.tb[RTA_GATEWAY] != NULL &&
	    attr_addr(t.tb[RTA_GATEWAY], afn, gw) != 0)
		return -1;
	return 0;
}

/* Calls cb (when not NULL) for each hop; the hop count, or -1. */
static int
multipath_walk(const struct nlattr *mp, uint16_t afn,
    const struct sysdep_route *base, sysdep_nl_route_cb cb, void *arg)
{
	const struct rtnexthop *nh;
	const uint8_t *p = mnl_attr_get_payload(mp);
	size_t left = mnl_attr_get_payload_len(mp), step;
	struct sysdep_route hop;
	int count = 0;

	while (left >= sizeof(*nh)) {
		nh = (const struct rtnexthop *)(const void *)p;
		if (nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > left)
			return -1;
		hop = *base;
		hop.oif = nh->rtnh_ifindex;
		if (rtnh_gateway(nh, nh->rtnh_len, afn, &hop.gateway) != 0)
			return -1;
		if (cb != NULL)
			cb(arg, &hop);
		count++;
		step = RTNH_ALIGN(nh->rtnh_len);
		if (step >= left)
			break;
		left -= step;
		p += step;
	}
	return count;
}

int
sysdep_nl_parse_route(const struct nlmsghdr *nlh, sysdep_nl_route_cb cb,
    void *arg)
{
	const struct rtmsg *rtm;
	struct attr_tab t;
	struct sysdep_route r;
	uint32_t v;
	uint16_t afn;
	int count;

	if (nlh->nlmsg_type != RTM_NEWROUTE &&
	    nlh->nlmsg_type != RTM_DELROUTE)
		return -1;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -1;
	rtm = mnl_nlmsg_get_payload(nlh);
	if ((afn = family_afn(rtm->rtm_family)) == NHRP_AFN_NONE)
		return -1;
	if (rtm->rtm_flags & RTM_F_CLONED)
		return 0;
	if (rtm->rtm_dst_len > nhrp_afn_maxprefix(afn))
		return -1;

	memset(&r, 0, sizeof(r));
	r.prefix = rtm->rtm_dst_len;
	r.table = rtm->rtm_table;
	r.protocol = rtm->rtm_protocol;
	r.type = rtm->rtm_type;
	r.deleted = nlh->nlmsg_type == RTM_DELROUTE;
	nhrp_addr_clear(&r.gateway);

	attr_tab_parse(nlh, sizeof(*rtm), &t);
	if (t.tb[RTA_DST] != NULL) {
		if (attr_addr(t.tb[RTA_DST], afn, &r.dst) != 0)
			return -1;
	} else {
		if (r.prefix != 0)
			return -1;
		addr_zero(&r.dst, afn);
	}
	if (t.tb[RTA_GATEWAY] != NULL &&
	    attr_addr(t.tb[RTA_GATEWAY], afn, &r.gateway) != 0)
		return -1;
	if (attr_u32(t.tb[RTA_OIF], &v) == 0)
		r.oif = (int)v;
	if (attr_u32(t.tb[RTA_TABLE], &v) == 0)
		r.table = v;

	if (t.tb[RTA_MULTIPATH] == NULL) {
		if (cb != NULL)
			cb(arg, &r);
		return 1;
	}

	/* One route per next hop; validate the whole list first. */
	if ((count = multipath_walk(t.tb[RTA_MULTIPATH], afn, &r, NULL,
	    NULL)) <= 0)
		return count;
	return multipath_walk(t.tb[RTA_MULTIPATH], afn, &r, cb, arg);
}

int
sysdep_nl_parse_route_get(const struct nlmsghdr *nlh,
    struct nhrp_addr *prefsrc, int *oif)
{
	const struct rtmsg *rtm;
	struct attr_tab t;
	uint32_t v;
	uint16_t afn;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -1;
	rtm = mnl_nlmsg_get_payload(nlh);
	if ((afn = family_afn(rtm->rtm_family)) == NHRP_AFN_NONE)
		return -1;
	attr_tab_parse(nlh, sizeof(*rtm), &t);
	if (attr_addr(t.tb[RTA_PREFSRC], afn, prefsrc) != 0)
		return -1;
	if (attr_u32(t.tb[RTA_OIF], &v) != 0)
		return -1;
	*oif = (int)v;
	return 0;
}

struct route_relay {
	const struct sysdep_ops	*ops;
	void			*arg;
};

static void
route_relay_cb(void *data, const struct sysdep_route *r)
{
	struct route_relay *rr = data;

	rr->ops->route(rr->arg, r);
}

static int
family_of(const struct nlmsghdr *nlh)
{
	/* ifaddrmsg, rtmsg and ndmsg all begin with a family byte */
	if (mnl_nlmsg_get_payload_len(nlh) < 1)
		return AF_UNSPEC;
	return *(const uint8_t *)mnl_nlmsg_get_payload(nlh);
}

int
sysdep_nl_dispatch(const void *buf, size_t len, const struct sysdep_ops *ops,
    void *arg, bool *done, int *err)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlmsgerr *e;
	struct route_relay rr = { ops, arg };
	struct sysdep_link l;
	struct sysdep_addr ad;
	struct sysdep_neigh n;
	int left = (int)len, count = 0;

	if (len > (size_t)INT32_MAX)
		return -1;
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		count++;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_DONE:
			if (done != NULL)
				*done = true;
			break;
		case NLMSG_ERROR:
			if (err == NULL)
				break;
			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
				*err = -EBADMSG;
				break;
			}
			e = mnl_nlmsg_get_payload(nlh);
			*err = e->error > 0 ? -e->error : e->error;
			break;
		case RTM_NEWLINK:
		case RTM_DELLINK:
			if (ops->link != NULL &&
			    sysdep_nl_parse_link(nlh, &l) == 0)
				ops->link(arg, &l);
			break;
		case RTM_NEWADDR:
		case RTM_DELADDR:
			if (family_of(nlh) == AF_INET && ops->addr != NULL &&
			    sysdep_nl_parse_addr(nlh, &ad) == 0)
				ops->addr(arg, &ad);
			break;
		case RTM_NEWROUTE:
		case RTM_DELROUTE:
			if (family_of(nlh) == AF_INET && ops->route != NULL)
				sysdep_nl_parse_route(nlh, route_relay_cb, &rr);
			break;
		case RTM_NEWNEIGH:
		case RTM_DELNEIGH:
		case RTM_GETNEIGH:
			if (family_of(nlh) == AF_INET && ops->neigh != NULL &&
			    sysdep_nl_parse_neigh(nlh, &n) == 0)
				ops->neigh(arg, &n);
			break;
		default:
			break;
		}
	}
	return left == 0 ? count : -1;
}

/* ---- builders ------------------------------------------------------- */

static struct nlmsghdr *
put_header(void *buf, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, SYSDEP_NL_REQ_MAX);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	return nlh;
}

size_t
sysdep_nl_build_dump(void *buf, uint32_t seq, uint16_t type)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct ifaddrmsg *ifa;
	struct rtmsg *rtm;
	struct ndmsg *ndm;

	nlh = put_header(buf, type, NLM_F_REQUEST | NLM_F_DUMP, seq);
	switch (type) {
	case RTM_GETLINK:
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
		break;
	case RTM_GETADDR:
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = AF_INET;
		break;
	case RTM_GETROUTE:
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = AF_INET;
		break;
	case RTM_GETNEIGH:
		ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
		ndm->ndm_family = AF_INET;
		break;
	default:
		return 0;
	}
	return nlh->nlmsg_len;
}

size_t
sysdep_nl_build_neigh_set(void *buf, uint32_t seq, int ifindex,
    const struct nhrp_addr *proto, const struct nhrp_addr *nbma)
{
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	int family;

	if (proto == NULL || (family = afn_family(proto->afn)) == AF_UNSPEC ||
	    proto->len != nhrp_afn_addrlen(proto->afn))
		return 0;
	if (nbma != NULL && (nbma->len == 0 || nbma->len > NHRP_ADDR_MAX ||
	    nbma->len != nhrp_afn_addrlen(nbma->afn)))
		return 0;
	nlh = put_header(buf, RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_CREATE |
	    NLM_F_REPLACE | NLM_F_ACK, seq);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_type = RTN_UNICAST;
	ndm->ndm_state = nbma != NULL ? NUD_REACHABLE : NUD_FAILED;
	mnl_attr_put(nlh, NDA_DST, proto->len, proto->addr);
	if (nbma != NULL)
		mnl_attr_put(nlh, NDA_LLADDR, nbma->len, nbma->addr);
	return nlh->nlmsg_len;
}

size_t
sysdep_nl_build_neightbl(void *buf, uint32_t seq, int ifindex)
{
	struct nlmsghdr *nlh;
	struct ndtmsg *ndtm;
	struct nlattr *nest;

	nlh = put_header(buf, RTM_SETNEIGHTBL, NLM_F_REQUEST | NLM_F_ACK, seq);
	ndtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndtm));
	ndtm->ndtm_family = AF_INET;
	mnl_attr_put_strz(nlh, NDTA_NAME, "arp_cache");
	nest = mnl_attr_nest_start(nlh, NDTA_PARMS);
	mnl_attr_put_u32(nlh, NDTPA_IFINDEX, (uint32_t)ifindex);
	mnl_attr_put_u32(nlh, NDTPA_APP_PROBES, 1);
	mnl_attr_put_u32(nlh, NDTPA_UCAST_PROBES, 0);
	mnl_attr_put_u32(nlh, NDTPA_MCAST_PROBES, 0);
	mnl_attr_nest_end(nlh, nest);
	return nlh->nlmsg_len;
}

size_t
sysdep_nl_build_clear_noarp(void *buf, uint32_t seq, int ifindex)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = put_header(buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = 0;
	ifi->ifi_change = IFF_NOARP;
	return nlh->nlmsg_len;
}

size_t
sysdep_nl_build_route_get(void *buf, uint32_t seq, const struct nhrp_addr *dst)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int family;

	if (dst == NULL || (family = afn_family(dst->afn)) == AF_UNSPEC ||
	    dst->len != nhrp_afn_addrlen(dst->afn))
		return 0;
	nlh = put_header(buf, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_ACK, seq);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = nhrp_afn_maxprefix(dst->afn);
	mnl_attr_put(nlh, RTA_DST, dst->len, dst->addr);
	return nlh->nlmsg_len;
}

size_t
sysdep_nl_build_link_get(void *buf, uint32_t seq, int ifindex)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = put_header(buf, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nlh->nlmsg_len;
}

/* ---- acknowledged request queue ------------------------------------- */

void
sysdep_nl_reqq_init(struct sysdep_nl_reqq *q, unsigned max_inflight,
    uint32_t first_seq)
{
	TAILQ_INIT(&q->head);
	q->ninflight = 0;
	q->nqueued = 0;
	q->max_inflight = max_inflight > 0 ? max_inflight : 1;
	q->next_seq = first_seq;
}

static void
reqq_remove(struct sysdep_nl_reqq *q, struct sysdep_nl_req *r)
{
	TAILQ_REMOVE(&q->head, r, entry);
	if (r->inflight)
		q->ninflight--;
	else
		q->nqueued--;
}

void
sysdep_nl_reqq_clear(struct sysdep_nl_reqq *q)
{
	struct sysdep_nl_req *r;

	while ((r = TAILQ_FIRST(&q->head)) != NULL) {
		reqq_remove(q, r);
		free(r);
	}
}

struct sysdep_nl_req *
sysdep_nl_reqq_add(struct sysdep_nl_reqq *q, sysdep_done_fn done, void *ctx)
{
	struct sysdep_nl_req *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->done = done;
	r->ctx = ctx;
	TAILQ_INSERT_TAIL(&q->head, r, entry);
	q->nqueued++;
	return r;
}

struct sysdep_nl_req *
sysdep_nl_reqq_next(struct sysdep_nl_reqq *q)
{
	struct sysdep_nl_req *r;
	struct nlmsghdr *nlh;

	if (q->nqueued == 0 || q->ninflight >= q->max_inflight)
		return NULL;
	TAILQ_FOREACH(r, &q->head, entry) {
		if (r->inflight)
			continue;
		/* a fresh sequence number for every (re)transmission */
		if (++q->next_seq == 0)
			q->next_seq = 1;
		r->seq = q->next_seq;
		if (r->len >= sizeof(*nlh)) {
			nlh = (struct nlmsghdr *)(void *)r->msg;
			nlh->nlmsg_seq = r->seq;
		}
		return r;
	}
	return NULL;
}

void
sysdep_nl_reqq_sent(struct sysdep_nl_reqq *q, struct sysdep_nl_req *r)
{
	if (r->inflight)
		return;
	r->inflight = true;
	q->nqueued--;
	q->ninflight++;
}

static void
reqq_complete(struct sysdep_nl_reqq *q, struct sysdep_nl_req *r, int err)
{
	sysdep_done_fn done = r->done;
	void *ctx = r->ctx;

	reqq_remove(q, r);
	free(r);
	/* last: done may queue new requests or cancel others */
	if (done != NULL)
		done(ctx, err);
}

void
sysdep_nl_reqq_fail(struct sysdep_nl_reqq *q, struct sysdep_nl_req *r,
    int err)
{
	reqq_complete(q, r, err);
}

void
sysdep_nl_reqq_requeue(struct sysdep_nl_reqq *q)
{
	struct sysdep_nl_req *r;

	TAILQ_FOREACH(r, &q->head, entry) {
		if (!r->inflight)
			continue;
		r->inflight = false;
		q->ninflight--;
		q->nqueued++;
	}
}

/*
 * The kernel refused a neighbour entry with ENOBUFS: its neighbour table
 * is at gc_thresh3.  The registration gets code 5 from the core; the
 * operator gets one warning a minute naming the sysctls to raise.
 */
#define NEIGH_FULL_WARN_INTERVAL	60	/* seconds */

static void
neigh_full_warn(void)
{
	static time_t last;
	static unsigned long refused;
	struct timespec ts;
	unsigned t1, t2, t3, base;

	refused++;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		ts.tv_sec = time(NULL);
	if (last != 0 && ts.tv_sec - last < NEIGH_FULL_WARN_INTERVAL)
		return;
	last = ts.tv_sec;
	if (sysdep_neigh_gc_thresh(&t1, &t2, &t3) != 0) {
		log_warnx("Kernel neighbour table full: %lu neighbour "
		    "entr%s refused (ENOBUFS) since the last warning; raise "
		    "net.ipv4.neigh.default.gc_thresh1/2/3 (initial network "
		    "namespace) above the number of spokes", refused,
		    refused == 1 ? "y" : "ies");
	} else {
		/* the suggestion starts from at least the default 1024;
		 * the message reports the kernel's real value */
		base = t3 < 1024 ? 1024 : t3;
		log_warnx("Kernel neighbour table full: %lu neighbour "
		    "entr%s refused (ENOBUFS) since the last warning, at "
		    "net.ipv4.neigh.default.gc_thresh3 = %u; raise the "
		    "thresholds above the number of spokes, e.g. sysctl -w "
		    "net.ipv4.neigh.default.gc_thresh1=%u "
		    "net.ipv4.neigh.default.gc_thresh2=%u "
		    "net.ipv4.neigh.default.gc_thresh3=%u",
		    refused, refused == 1 ? "y" : "ies", t3, base * 2,
		    base * 4, base * 8);
	}
	refused = 0;
}

static bool
req_is_neigh_add(const struct sysdep_nl_req *r)
{
	const struct nlmsghdr *nlh = (const void *)r->msg;
	const struct ndmsg *ndm;

	if (r->len < NLMSG_LENGTH(sizeof(*ndm)) ||
	    nlh->nlmsg_type != RTM_NEWNEIGH)
		return false;
	ndm = mnl_nlmsg_get_payload(nlh);
	return (ndm->ndm_state & NUD_FAILED) == 0;
}

int
sysdep_nl_reqq_input(struct sysdep_nl_reqq *q, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlmsgerr *e;
	struct sysdep_nl_req *r;
	int left = (int)len, count = 0, err;

	if (len > (size_t)INT32_MAX)
		return 0;
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_type != NLMSG_ERROR)
			continue;
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
			continue;
		e = mnl_nlmsg_get_payload(nlh);
		err = e->error > 0 ? -e->error : e->error;
		TAILQ_FOREACH(r, &q->head, entry) {
			if (r->inflight && r->seq == nlh->nlmsg_seq)
				break;
		}
		if (r == NULL)
			continue;	/* cancelled-and-requeued or stale */
		if (err == -ENOBUFS && req_is_neigh_add(r))
			neigh_full_warn();
		reqq_complete(q, r, err);
		count++;
	}
	return count;
}

void
sysdep_nl_reqq_cancel(struct sysdep_nl_reqq *q, void *ctx)
{
	struct sysdep_nl_req *r;

	TAILQ_FOREACH(r, &q->head, entry) {
		if (r->ctx == ctx) {
			r->done = NULL;
			r->ctx = NULL;
		}
	}
}

/* ---- sockets -------------------------------------------------------- */

#define NL_EV_RCVBUF	(16 * 1024 * 1024)
#define NL_ACK_RCVBUF	(4 * 1024 * 1024)
#define NL_DUMP_RCVBUF	(1024 * 1024)
#define NL_MAX_INFLIGHT	256
#define NL_EV_BATCH	256	/* reads per wakeup */
#define NL_SYNC_TIMEOUT	5	/* seconds */

static struct {
	struct ev_loop		*loop;
	const struct sysdep_ops	*ops;
	void			*arg;
	struct mnl_socket	*ev, *dump, *sync, *ack;
	ev_io			ev_w, ack_w;
	ev_timer		retry_w;
	uint32_t		seq;
	struct sysdep_nl_reqq	reqq;
	bool			pumping;
	bool			active;
} nl;

int sysdep_nl_ev_rcvbuf;

static union {
	struct nlmsghdr	h;
	uint8_t		b[65536];
} evbuf, dumpbuf, syncbuf, ackbuf;

static void
sock_rcvbuf(struct mnl_socket *s, int size)
{
	int fd = mnl_socket_get_fd(s);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
		    sizeof(size));
}

static struct mnl_socket *
sock_open(unsigned groups, bool nonblock, int rcvbuf)
{
	struct mnl_socket *s;
	struct timeval tv = { NL_SYNC_TIMEOUT, 0 };
	int fd, one = 1, save;

	if ((s = mnl_socket_open(NETLINK_ROUTE)) == NULL)
		return NULL;
	fd = mnl_socket_get_fd(s);
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		goto fail;
	if (nonblock) {
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
			goto fail;
	} else if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) == -1)
		goto fail;
	if (rcvbuf > 0)
		sock_rcvbuf(s, rcvbuf);
	/* errors quote only the header of our request */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(s, groups, MNL_SOCKET_AUTOPID) == -1)
		goto fail;
	return s;
fail:
	save = errno;
	mnl_socket_close(s);
	errno = save;
	return NULL;
}

/*
 * One datagram from the kernel; anything another process sent to our
 * port is skipped.  The length, or -1 with errno.
 */
static ssize_t
nl_recv(struct mnl_socket *s, void *buf, size_t len)
{
	struct sockaddr_nl sa;
	socklen_t salen;
	ssize_t n;

	for (;;) {
		salen = sizeof(sa);
		memset(&sa, 0, sizeof(sa));
		n = recvfrom(mnl_socket_get_fd(s), buf, len, 0,
		    (struct sockaddr *)&sa, &salen);
		if (n < 0)
			return n;
		if (sa.nl_pid == 0)
			return n;
	}
}

static uint32_t
nl_seq(void)
{
	if (++nl.seq == 0)
		nl.seq = 1;
	return nl.seq;
}

typedef void (*nl_reply_fn)(const struct nlmsghdr *, void *);

/*
 * Sends one request and reads until its ACK, error or NLMSG_DONE.  For
 * a dump, every message goes to the sysdep callbacks; otherwise each
 * answer message goes to reply(data).  0 or -errno.
 */
static int
nl_request(struct mnl_socket *s, void *bufp, size_t bufsz, const void *req,
    size_t reqlen, nl_reply_fn reply, void *data)
{
	const struct nlmsghdr *rq = req;
	const struct nlmsghdr *nlh;
	const struct nlmsgerr *e;
	uint32_t seq = rq->nlmsg_seq, portid;
	ssize_t n;
	int left, err;
	bool dump = (rq->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	bool intr = false;

	if (s == NULL)
		return -ENOTCONN;
	portid = mnl_socket_get_portid(s);
	if (mnl_socket_sendto(s, req, reqlen) < 0)
		return -errno;
	for (;;) {
		n = nl_recv(s, bufp, bufsz);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -ETIMEDOUT;
			return -errno;
		}
		nlh = bufp;
		left = (int)n;
		for (; mnl_nlmsg_ok(nlh, left);
		    nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_seq != seq ||
			    (nlh->nlmsg_pid != 0 && nlh->nlmsg_pid != portid))
				continue;	/* stale answer */
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;	/* changed while dumping */
			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
				break;
			case NLMSG_DONE:
				if (mnl_nlmsg_get_payload_len(nlh) >=
				    sizeof(int)) {
					memcpy(&err, mnl_nlmsg_get_payload(nlh),
					    sizeof(err));
					if (err < 0)
						return err;
				}
				return intr ? -EINTR : 0;
			case NLMSG_ERROR:
				if (mnl_nlmsg_get_payload_len(nlh) <
				    sizeof(*e))
					return -EBADMSG;
				e = mnl_nlmsg_get_payload(nlh);
				return e->error > 0 ? -e->error : e->error;
			default:
				if (dump)
					sysdep_nl_dispatch(nlh, nlh->nlmsg_len,
					    nl.ops, nl.arg, NULL, NULL);
				else if (reply != NULL)
					reply(nlh, data);
				if (!dump && !(rq->nlmsg_flags & NLM_F_ACK))
					return 0;
				break;
			}
		}
	}
}

static int
nl_dump(uint16_t type)
{
	uint8_t req[SYSDEP_NL_REQ_MAX];
	size_t len;
	int err, tries;

	for (tries = 0; tries < 3; tries++) {
		len = sysdep_nl_build_dump(req, nl_seq(), type);
		err = nl_request(nl.dump, &dumpbuf, sizeof(dumpbuf), req, len,
		    NULL, NULL);
		/* a dump interrupted by changes (or an overrun) is redone */
		if (err != -EINTR && err != -EBUSY && err != -ENOBUFS)
			break;
	}
	if (err == -EINTR) {
		/* still changing: the events that follow cover the rest */
		log_debug("netlink dump %u kept changing", type);
		err = 0;
	}
	return err;
}

static int
nl_dump_all(void)
{
	int err;

	if ((err = nl_dump(RTM_GETLINK)) != 0)
		return err;
	if ((err = nl_dump(RTM_GETADDR)) != 0)
		return err;
	return nl_dump(RTM_GETROUTE);
}

static void
nl_resync(void)
{
	int err;

	if (nl.ops->resync_begin != NULL)
		nl.ops->resync_begin(nl.arg);
	if ((err = nl_dump_all()) != 0)
		log_warnx("Netlink resync failed: %s", strerror(-err));
	if (nl.ops->resync_end != NULL)
		nl.ops->resync_end(nl.arg);
}

static void
nl_ev_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	ssize_t n;
	int i;
	bool overrun = false;

	for (i = 0; i < NL_EV_BATCH && nl.active && nl.ev != NULL; i++) {
		n = nl_recv(nl.ev, &evbuf, sizeof(evbuf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ENOBUFS) {
				log_warnx("Netlink overrun");
				overrun = true;
				continue;
			}
			log_warn("netlink event socket");
			break;
		}
		if (n == 0)
			break;
		sysdep_nl_dispatch(&evbuf, (size_t)n, nl.ops, nl.arg, NULL,
		    NULL);
	}
	if (overrun && nl.active)
		nl_resync();
}

/* ---- acknowledged neighbour updates --------------------------------- */

static bool
send_transient(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS ||
	    err == ENOMEM || err == EINTR;
}

/*
 * Sends what the in-flight window allows.  Failures are reported through
 * done() only from the event loop (deferred = true from sysdep_neigh_set,
 * so a caller never sees its done() before sysdep_neigh_set returns).
 */
static void
ack_pump(bool deferred)
{
	struct sysdep_nl_req *r;
	int err;

	if (nl.pumping)
		return;
	nl.pumping = true;
	while ((r = sysdep_nl_reqq_next(&nl.reqq)) != NULL) {
		if (nl.ack == NULL) {
			err = ENOTCONN;
		} else if (mnl_socket_sendto(nl.ack, r->msg, r->len) >= 0) {
			sysdep_nl_reqq_sent(&nl.reqq, r);
			continue;
		} else
			err = errno;
		if (send_transient(err) || deferred) {
			if (nl.loop != NULL && !ev_is_active(&nl.retry_w)) {
				ev_timer_set(&nl.retry_w,
				    send_transient(err) ? 0.05 : 0., 0.);
				ev_timer_start(nl.loop, &nl.retry_w);
			}
			break;
		}
		sysdep_nl_reqq_fail(&nl.reqq, r, -err);
	}
	nl.pumping = false;
}

static void
ack_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ack_pump(false);
}

static void
nl_ack_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	ssize_t n;
	int i;

	for (i = 0; i < NL_EV_BATCH && nl.ack != NULL; i++) {
		n = nl_recv(nl.ack, &ackbuf, sizeof(ackbuf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ENOBUFS) {
				/*
				 * Answers were lost.  Neighbour updates are
				 * idempotent: send every unanswered one again,
				 * in order, so the last one still wins.
				 */
				log_warnx("Netlink overrun (neighbour "
				    "acknowledgements), resending %u",
				    nl.reqq.ninflight);
				sysdep_nl_reqq_requeue(&nl.reqq);
				continue;
			}
			log_warn("netlink request socket");
			break;
		}
		sysdep_nl_reqq_input(&nl.reqq, &ackbuf, (size_t)n);
	}
	ack_pump(false);
}

/* ---- public interface ------------------------------------------------ */

int
sysdep_init(struct ev_loop *loop, const struct sysdep_ops *ops, void *arg)
{
	unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR |
	    RTMGRP_IPV4_ROUTE | RTMGRP_NEIGH;
	int err;

	memset(&nl, 0, sizeof(nl));
	nl.loop = loop;
	nl.ops = ops;
	nl.arg = arg;
	nl.seq = (uint32_t)time(NULL);
	sysdep_nl_reqq_init(&nl.reqq, NL_MAX_INFLIGHT, nl.seq);

	/* events first, so nothing between dump and subscription is lost */
	if ((nl.ev = sock_open(groups, true, sysdep_nl_ev_rcvbuf > 0 ?
	    sysdep_nl_ev_rcvbuf : NL_EV_RCVBUF)) == NULL ||
	    (nl.dump = sock_open(0, false, NL_DUMP_RCVBUF)) == NULL ||
	    (nl.sync = sock_open(0, false, 0)) == NULL ||
	    (nl.ack = sock_open(0, true, NL_ACK_RCVBUF)) == NULL) {
		err = -errno;
		log_warn("netlink socket");
		goto fail;
	}
	ev_io_init(&nl.ev_w, nl_ev_cb, mnl_socket_get_fd(nl.ev), EV_READ);
	ev_io_init(&nl.ack_w, nl_ack_cb, mnl_socket_get_fd(nl.ack), EV_READ);
	ev_timer_init(&nl.retry_w, ack_retry_cb, 0., 0.);
	nl.active = true;

	if ((err = sysdep_packet_init(loop, ops, arg)) != 0)
		goto fail;
	if ((err = nl_dump_all()) != 0) {
		log_warnx("netlink dump: %s", strerror(-err));
		goto fail;
	}
	ev_io_start(loop, &nl.ev_w);
	ev_io_start(loop, &nl.ack_w);
	return 0;
fail:
	sysdep_close();
	return err != 0 ? err : -EIO;
}

void
sysdep_stop_listening(void)
{
	nl.active = false;
	if (nl.loop != NULL)
		ev_io_stop(nl.loop, &nl.ev_w);
}

void
sysdep_close(void)
{
	sysdep_stop_listening();
	if (nl.loop != NULL) {
		ev_io_stop(nl.loop, &nl.ack_w);
		ev_timer_stop(nl.loop, &nl.retry_w);
	}
	sysdep_nl_reqq_clear(&nl.reqq);
	if (nl.ev != NULL)
		mnl_socket_close(nl.ev);
	if (nl.dump != NULL)
		mnl_socket_close(nl.dump);
	if (nl.sync != NULL)
		mnl_socket_close(nl.sync);
	if (nl.ack != NULL)
		mnl_socket_close(nl.ack);
	nl.ev = nl.dump = nl.sync = nl.ack = NULL;
	sysdep_packet_close();
}

static int
write_sysctl(const char *path, const char *value)
{
	int fd, err = 0;
	size_t len = strlen(value);

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		err = errno != 0 ? -errno : -EIO;
	if (close(fd) == -1 && err == 0)
		err = -errno;
	return err;
}

int
sysdep_iface_configure(int ifindex, const char *name)
{
	uint8_t req[SYSDEP_NL_REQ_MAX];
	char path[128];
	size_t len;
	int err, ret = 0;

	len = sysdep_nl_build_neightbl(req, nl_seq(), ifindex);
	if ((err = nl_request(nl.sync, &syncbuf, sizeof(syncbuf), req, len,
	    NULL, NULL)) != 0) {
		log_warnx("Cannot set neighbour table parameters of %s: %s",
		    name, strerror(-err));
		ret = err;
	}
	len = sysdep_nl_build_clear_noarp(req, nl_seq(), ifindex);
	if ((err = nl_request(nl.sync, &syncbuf, sizeof(syncbuf), req, len,
	    NULL, NULL)) != 0) {
		log_warnx("Cannot clear NOARP on %s: %s", name,
		    strerror(-err));
		if (ret == 0)
			ret = err;
	}
	if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return ret != 0 ? ret : -EINVAL;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/send_redirects",
	    name);
	if ((err = write_sysctl(path, "0")) != 0) {
		log_warnx("%s: %s", path, strerror(-err));
		if (ret == 0)
			ret = err;
	}
	return ret;
}

int
sysdep_global_configure(void)
{
	return write_sysctl("/proc/sys/net/ipv4/conf/all/send_redirects", "0");
}

int
sysdep_neigh_set(int ifindex, const struct nhrp_addr *proto,
    const struct nhrp_addr *nbma, sysdep_done_fn done, void *ctx)
{
	struct sysdep_nl_req *r;
	uint8_t msg[SYSDEP_NL_REQ_MAX];
	size_t len;

	if (nl.ack == NULL)
		return -ENOTCONN;
	if ((len = sysdep_nl_build_neigh_set(msg, 0, ifindex, proto,
	    nbma)) == 0)
		return -EAFNOSUPPORT;
	if ((r = sysdep_nl_reqq_add(&nl.reqq, done, ctx)) == NULL)
		return -ENOMEM;
	memcpy(r->msg, msg, len);
	r->len = len;
	ack_pump(true);
	return 0;
}

void
sysdep_cancel(void *ctx)
{
	sysdep_nl_reqq_cancel(&nl.reqq, ctx);
}

struct route_get_res {
	struct nhrp_addr	prefsrc;
	int			oif;
	bool			found;
};

static void
route_get_reply(const struct nlmsghdr *nlh, void *data)
{
	struct route_get_res *res = data;

	if (!res->found &&
	    sysdep_nl_parse_route_get(nlh, &res->prefsrc, &res->oif) == 0)
		res->found = true;
}

struct link_get_res {
	struct sysdep_link	link;
	bool			found;
};

static void
link_get_reply(const struct nlmsghdr *nlh, void *data)
{
	struct link_get_res *res = data;

	if (!res->found && sysdep_nl_parse_link(nlh, &res->link) == 0)
		res->found = true;
}

int
sysdep_route_get(const struct nhrp_addr *dst, struct nhrp_addr *prefsrc,
    unsigned *mtu)
{
	uint8_t req[SYSDEP_NL_REQ_MAX];
	struct route_get_res rres;
	struct link_get_res lres;
	size_t len;
	int err;

	memset(&rres, 0, sizeof(rres));
	if ((len = sysdep_nl_build_route_get(req, nl_seq(), dst)) == 0)
		return -EAFNOSUPPORT;
	if ((err = nl_request(nl.sync, &syncbuf, sizeof(syncbuf), req, len,
	    route_get_reply, &rres)) != 0)
		return err;
	if (!rres.found)
		return -EADDRNOTAVAIL;
	if (prefsrc != NULL)
		*prefsrc = rres.prefsrc;
	if (mtu == NULL)
		return 0;
	memset(&lres, 0, sizeof(lres));
	len = sysdep_nl_build_link_get(req, nl_seq(), rres.oif);
	if ((err = nl_request(nl.sync, &syncbuf, sizeof(syncbuf), req, len,
	    link_get_reply, &lres)) != 0)
		return err;
	if (!lres.found)
		return -ENODEV;
	*mtu = lres.link.mtu;
	return 0;
}

int
sysdep_neigh_gc_thresh(unsigned *thresh1, unsigned *thresh2,
    unsigned *thresh3)
{
	unsigned *out[3] = { thresh1, thresh2, thresh3 };
	char path[64];
	FILE *f;
	unsigned v;
	int i, ok;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path),
		    "/proc/sys/net/ipv4/neigh/default/gc_thresh%d", i + 1);
		if ((f = fopen(path, "re")) == NULL)
			return -errno;
		ok = fscanf(f, "%u", &v) == 1;
		fclose(f);
		if (!ok)
			return -EINVAL;
		if (out[i] != NULL)
			*out[i] = v;
	}
	return 0;
}

/*
 * ctl.c - admin command handlers: show, flush, purge, lowerdown,
 * interface show, redirect purge, update nbma (3.2-3.5).  Replies are
 * built into the admin_out buffer; the admin module writes them out (a
 * show part by part, as the client reads).
 */
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "cache.h"
#include "core.h"
#include "ctl.h"
#include "iface.h"
#include "log.h"
#include "packet_io.h"
#include "peer.h"
#include "redirect.h"

static void *
lk_by_name(void *arg, const char *name)
{
	return iface_by_name(name);
}

static void *
lk_by_proto(void *arg, const struct nhrp_addr *a)
{
	return iface_by_proto(a);
}

static void *
lk_by_local_nbma(void *arg, const struct nhrp_addr *a)
{
	return iface_by_local_nbma(a);
}

const struct admin_lookup ctl_lookup = {
	lk_by_name, lk_by_proto, lk_by_local_nbma, NULL
};

/* 3.4, with "protocol A/0" matching everything (upstream bug fixed) */
static int
ctl_match(const struct nhrp_peer *p, const struct admin_selector *sel,
    unsigned mask)
{
	unsigned len;

	if ((mask & PT(p->type)) == 0 || (p->flags & PEER_F_REMOVED))
		return 0;
	/* interface, local-protocol, or the interface local-nbma inferred */
	if (sel->iface != NULL && sel->iface != (void *)p->iface &&
	    (p->iface == NULL || (p->iface->flags & CONF_IF_SHORTCUT_DEST) == 0))
		return 0;
	if (sel->has & ADMIN_SEL_PROTO) {
		len = sel->proto_prefix;
		if (len > 32)
			len = 32;
		if (p->prefix >= len) {
			if (!nhrp_addr_prefix_match(&sel->proto, len, &p->proto))
				return 0;
		} else if (len != 32 || !nhrp_addr_equal(&p->proto, &sel->proto))
			return 0;
	}
	if ((sel->has & ADMIN_SEL_NBMA) && !nhrp_addr_equal(&p->nbma, &sel->nbma))
		return 0;
	if ((sel->has & ADMIN_SEL_HOST) && (p->hostname == NULL ||
	    sel->hostname == NULL || strcmp(p->hostname, sel->hostname) != 0))
		return 0;
	if ((sel->has & ADMIN_SEL_LOCAL_NBMA) &&
	    !nhrp_addr_equal(nhrp_addr_is_unspec(&p->my_nbma) &&
	    p->iface != NULL ? &p->iface->nbma : &p->my_nbma,
	    &sel->local_nbma))
		return 0;
	return 1;
}

static void
ctl_collect(const struct admin_selector *sel, unsigned mask,
    struct peer_vec *v)
{
	struct nhrp_iface *ifp;
	struct nhrp_peer *p;

	if (sel->has & ADMIN_SEL_NBMA)
		mask &= ~PT(PEER_SHORTCUT_ROUTE);
	if (mask & PT(PEER_LOCAL))
		TAILQ_FOREACH(p, &local_list, show_entry)
			if (ctl_match(p, sel, mask))
				peer_vec_add_cb(p, v);
	TAILQ_FOREACH(ifp, &iface_list, entry) {
		if (sel->iface != NULL && sel->iface != (void *)ifp &&
		    (ifp->flags & CONF_IF_SHORTCUT_DEST) == 0)
			continue;
		TAILQ_FOREACH(p, &ifp->peers, show_entry)
			if (ctl_match(p, sel, mask))
				peer_vec_add_cb(p, v);
	}
}

static void
ctl_show_peer(struct admin_out *out, const struct nhrp_peer *p, double now)
{
	char a[NHRP_ADDRSTRLEN];
	const char *label;
	double rem;
	int secs;

	admin_printf(out, "Interface: %s\n", p->iface != NULL ?
	    p->iface->name : "");
	admin_printf(out, "Type: %s\n", peer_type_name(p->type));
	admin_printf(out, "Protocol-Address: %s/%u\n", af(&p->proto, a),
	    p->prefix);
	if (!nhrp_addr_is_unspec(&p->nbma)) {
		switch (p->type) {
		case PEER_SHORTCUT_ROUTE:
		case PEER_LOCAL_ROUTE:
			label = "Next-hop-Address";
			break;
		case PEER_LOCAL:
			label = "Alias-Address";
			break;
		default:
			label = "NBMA-Address";
			break;
		}
		admin_printf(out, "%s: %s\n", label, af(&p->nbma, a));
	}
	if (p->hostname != NULL)
		admin_printf(out, "Hostname: %s\n", p->hostname);
	if (p->flags & PEER_F_NAT)
		admin_printf(out, "NBMA-NAT-OA-Address: %s\n",
		    af(&p->nat_oa, a));
	if (p->flags & (PEER_F_USED | PEER_F_UP | PEER_F_LOWER_UP))
		admin_printf(out, "Flags:%s%s\n",
		    (p->flags & PEER_F_USED) ? " used" : "",
		    (p->flags & PEER_F_UP) ? " up" :
		    (p->flags & PEER_F_LOWER_UP) ? " lower-up" : "");
	if (p->expire > 0 && p->type != PEER_STATIC && p->type != PEER_LOCAL &&
	    p->type != PEER_DYNAMIC_MAP && p->type != PEER_INCOMPLETE &&
	    p->type != PEER_LOCAL_ROUTE) {
		rem = p->expire - now;
		if (rem >= 0) {
			secs = (int)rem;
			admin_printf(out, "Expires-In: %d:%02d\n", secs / 60,
			    secs % 60);
		}
	}
	admin_printf(out, "\n");
}

/*
 * A show is a snapshot: the matching entries are collected (referenced)
 * when the request arrives, and formatted part by part as the client
 * reads, with the time of the request.  An entry removed meanwhile is
 * left out; the references keep its memory until the show ends.
 */
#define CTL_SHOW_PART	256	/* entries per part at most */

struct ctl_show_state {
	struct peer_vec	 v;
	size_t		 next;
	double		 now;
};

static int
ctl_show_more(void *ctx, struct admin_out *out)
{
	struct ctl_show_state *s = ctx;
	struct nhrp_peer *p;
	size_t start = out->len, n = 0;

	while (s->next < s->v.n && n < CTL_SHOW_PART &&
	    out->len - start < ADMIN_PART_BYTES && !out->oom) {
		p = s->v.v[s->next++];
		if (p->flags & PEER_F_REMOVED)
			continue;
		ctl_show_peer(out, p, s->now);
		n++;
	}
	return s->next >= s->v.n;
}

static void
ctl_show_free(void *ctx)
{
	struct ctl_show_state *s = ctx;

	peer_vec_release(&s->v);
	free(s);
}

static void
ctl_show(const struct admin_selector *sel, unsigned mask,
    struct admin_out *out)
{
	struct ctl_show_state *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		out->oom = true;
		return;
	}
	s->now = core_now();
	ctl_collect(sel, mask, &s->v);
	admin_printf(out, "Status: ok\n\n");
	admin_out_defer(out, ctl_show_more, ctl_show_free, s);
}

static void
ctl_flush(const struct admin_selector *sel, struct admin_out *out)
{
	struct peer_vec v = { 0 };
	size_t i;

	ctl_collect(sel, PEER_MASK_REMOVABLE, &v);
	for (i = 0; i < v.n; i++)
		peer_remove(v.v[i], "user-request");
	admin_printf(out, "Status: ok\nEntries-Affected: %zu\n", v.n);
	peer_vec_release(&v);
}

static void
ctl_purge(const struct admin_selector *sel, const char *reason,
    struct admin_out *out)
{
	struct peer_vec v = { 0 };
	size_t i;

	ctl_collect(sel, PEER_MASK_PURGEABLE, &v);
	for (i = 0; i < v.n; i++)
		peer_purge(v.v[i], reason);
	admin_printf(out, "Status: ok\nEntries-Affected: %zu\n", v.n);
	peer_vec_release(&v);
}

static void
ctl_interface_show(struct admin_out *out)
{
	struct nhrp_iface *ifp, *l;
	char a[NHRP_ADDRSTRLEN];

	admin_printf(out, "Status: ok\n\n");
	TAILQ_FOREACH(ifp, &iface_list, entry) {
		admin_printf(out, "Interface: %s\nIndex: %d\n", ifp->name,
		    ifp->index);
		if (iface_is_configured(ifp) &&
		    (ifp->flags & CONF_IF_SHORTCUT_DEST) == 0 &&
		    !nhrp_addr_is_unspec(&ifp->proto))
			admin_printf(out, "Protocol-Address: %s/%u\n",
			    af(&ifp->proto, a), ifp->prefix);
		if (ifp->flags & (CONF_IF_NON_CACHING | CONF_IF_SHORTCUT |
		    CONF_IF_REDIRECT | CONF_IF_SHORTCUT_DEST | IFACE_CONFIGURED))
			admin_printf(out, "Flags:%s%s%s%s%s\n",
			    (ifp->flags & CONF_IF_NON_CACHING) ? " non-caching" : "",
			    (ifp->flags & CONF_IF_SHORTCUT) ? " shortcut" : "",
			    (ifp->flags & CONF_IF_REDIRECT) ? " redirect" : "",
			    (ifp->flags & CONF_IF_SHORTCUT_DEST) ?
			    " shortcut-dest" : "",
			    (ifp->flags & IFACE_CONFIGURED) ? " configured" : "");
		if (iface_is_configured(ifp)) {
			admin_printf(out, "Holding-Time: %u\nRoute-Table: %u\n"
			    "GRE-Key: %u\nMTU: %u\n", ifp->holding_time,
			    ifp->route_table, ifp->gre_key, ifp->mtu);
			if (ifp->link_index != 0) {
				admin_printf(out, "Link-Index: %d\n",
				    ifp->link_index);
				if ((l = iface_by_index(ifp->link_index)) != NULL)
					admin_printf(out, "Link-Name: %s\n",
					    l->name);
			}
			if (!nhrp_addr_is_unspec(&ifp->nbma))
				admin_printf(out, "NBMA-MTU: %u\n"
				    "NBMA-Address: %s\n", ifp->nbma_mtu,
				    af(&ifp->nbma, a));
			if (!nhrp_addr_is_unspec(&ifp->nat_oa))
				admin_printf(out, "NBMA-NAT-OA: %s\n",
				    af(&ifp->nat_oa, a));
		}
		admin_printf(out, "\n");
	}
}

static void
ctl_redirect_purge(const char *args, struct admin_out *out)
{
	struct nhrp_addr a;
	unsigned plen;

	if (admin_parse_redirect_purge(args, &a, &plen, out) < 0)
		return;
	admin_printf(out, "Status: ok\nEntries-Affected: %zu\n",
	    redirect_purge(a.afn == NHRP_AFN_NONE ? NULL : &a, plen));
}

static void
ctl_update_nbma(const char *args, struct admin_out *out)
{
	struct peer_vec v = { 0 };
	struct nhrp_addr nbma, proto;
	struct nhrp_iface *ifp;
	size_t i;

	if (admin_parse_update_nbma(args, &nbma, &proto, out) < 0)
		return;
	TAILQ_FOREACH(ifp, &iface_list, entry)
		cache_foreach_nbma(ifp, &nbma, PT(PEER_DYNAMIC_NHS),
		    peer_vec_add_cb, &v);
	for (i = 0; i < v.n; i++)
		client_update_nbma(v.v[i], &proto);
	admin_printf(out, "Status: ok\nEntries-Affected: %zu\n", v.n);
	peer_vec_release(&v);
}

void
ctl_handler(void *arg, enum admin_cmd cmd, const char *args,
    struct admin_out *out)
{
	struct admin_selector sel;

	static const char *const names[] = {
		"(unrecognized)", "route show", "show", "flush", "purge",
		"cache lowerdown", "interface show", "redirect purge",
		"update nbma",
	};

	log_debug("Admin: %s%s", (unsigned)cmd < sizeof(names) /
	    sizeof(names[0]) ? names[cmd] : "?", args != NULL ? args : "");
	switch (cmd) {
	case ADMIN_CMD_INTERFACE_SHOW:
		ctl_interface_show(out);
		return;
	case ADMIN_CMD_REDIRECT_PURGE:
		ctl_redirect_purge(args, out);
		return;
	case ADMIN_CMD_UPDATE_NBMA:
		ctl_update_nbma(args, out);
		return;
	case ADMIN_CMD_NONE:
		admin_printf(out, "Status: error\nReason: unrecognized command\n");
		return;
	default:
		break;
	}
	memset(&sel, 0, sizeof(sel));
	if (admin_parse_selector(args, &ctl_lookup, &sel, out) != 0)
		return;
	switch (cmd) {
	case ADMIN_CMD_ROUTE_SHOW:
		ctl_show(&sel, PT(PEER_LOCAL_ROUTE), out);
		break;
	case ADMIN_CMD_SHOW:
		ctl_show(&sel, PEER_MASK_ALL & ~PT(PEER_LOCAL_ROUTE), out);
		break;
	case ADMIN_CMD_FLUSH:
		ctl_flush(&sel, out);
		break;
	case ADMIN_CMD_PURGE:
		ctl_purge(&sel, "user-request", out);
		break;
	case ADMIN_CMD_LOWERDOWN:
		ctl_purge(&sel, "lower-down", out);
		break;
	default:
		admin_printf(out, "Status: error\nReason: unrecognized command\n");
		break;
	}
	admin_selector_clear(&sel);
}

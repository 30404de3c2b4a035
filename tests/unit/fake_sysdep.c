/*
 * fake_sysdep.c - stand-ins for the kernel glue (sysdep.h) and the hook
 * runner (script.h) so the core's state machines run in unit tests:
 * packets sent, neighbour updates and hooks are recorded, and the test
 * answers them (neighbour ACKs, hook exit status) when it wants.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhrp/script.h"
#include "nhrp/sysdep.h"
#include "tests/unit/fake_sysdep.h"

struct fake_state fake;

/* --- sysdep ------------------------------------------------------------ */

int
sysdep_init(struct ev_loop *loop, const struct sysdep_ops *ops, void *arg)
{
	return 0;
}

void
sysdep_stop_listening(void)
{
}

void
sysdep_close(void)
{
}

int
sysdep_iface_configure(int ifindex, const char *name)
{
	return 0;
}

int
sysdep_global_configure(void)
{
	return 0;
}

int
sysdep_neigh_set(int ifindex, const struct nhrp_addr *proto,
    const struct nhrp_addr *nbma, sysdep_done_fn done, void *ctx)
{
	struct fake_neigh *n;

	if (fake.nneigh >= FAKE_MAX)
		return -ENOMEM;
	n = &fake.neigh[fake.nneigh++];
	memset(n, 0, sizeof(*n));
	n->ifindex = ifindex;
	n->proto = *proto;
	if (nbma != NULL)
		n->nbma = *nbma;
	n->failed = nbma == NULL;
	n->done = done;
	n->ctx = ctx;
	n->pending = done != NULL;
	return 0;
}

void
sysdep_cancel(void *ctx)
{
	size_t i;

	for (i = 0; i < fake.nneigh; i++)
		if (fake.neigh[i].pending && fake.neigh[i].ctx == ctx)
			fake.neigh[i].pending = false;
}

int
sysdep_route_get(const struct nhrp_addr *dst, struct nhrp_addr *prefsrc,
    unsigned *mtu)
{
	if (fake.route_src.afn == NHRP_AFN_NONE)
		return -ENETUNREACH;
	*prefsrc = fake.route_src;
	*mtu = 1500;
	return 0;
}

int
sysdep_nhrp_send(int ifindex, const struct nhrp_addr *dst_nbma,
    const uint8_t *buf, size_t len)
{
	struct fake_pkt *p;

	if (fake.npkt >= FAKE_MAX)
		return -ENOBUFS;
	p = &fake.pkt[fake.npkt++];
	p->ifindex = ifindex;
	p->dst = *dst_nbma;
	p->len = len < sizeof(p->buf) ? len : sizeof(p->buf);
	memcpy(p->buf, buf, p->len);
	return 0;
}

int
sysdep_neigh_gc_thresh(unsigned *t1, unsigned *t2, unsigned *t3)
{
	*t1 = 128;
	*t2 = 512;
	*t3 = 1024;
	return 0;
}

/* Answers the oldest pending neighbour update. */
int
fake_neigh_ack(int err)
{
	size_t i;

	for (i = 0; i < fake.nneigh; i++) {
		if (fake.neigh[i].pending) {
			fake.neigh[i].pending = false;
			fake.neigh[i].done(fake.neigh[i].ctx, err);
			return 1;
		}
	}
	return 0;
}

/* --- script ------------------------------------------------------------ */

struct script_job {
	int	 idx;
};

static struct script_job jobs[FAKE_MAX];

void
script_env_init(struct script_env *env)
{
	memset(env, 0, sizeof(*env));
}

int
script_env_add(struct script_env *env, const char *key, const char *fmt, ...)
{
	char val[256];
	va_list ap;
	size_t n;
	char *s;

	if (env->n >= SCRIPT_ENV_MAX)
		return -1;
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	n = strlen(key) + strlen(val) + 2;
	if ((s = malloc(n)) == NULL)
		return -1;
	snprintf(s, n, "%s=%s", key, val);
	env->var[env->n++] = s;
	return 0;
}

void
script_env_clear(struct script_env *env)
{
	size_t i;

	for (i = 0; i < env->n; i++)
		free(env->var[i]);
	memset(env, 0, sizeof(*env));
}

int
script_init(struct ev_loop *loop, const char *path, unsigned t, unsigned m)
{
	return 0;
}

void
script_set_limits(unsigned t, unsigned m)
{
}

/* hooks on: the tests read the NHRP_* environment */
int
script_hooks_off(void)
{
	return 0;
}

struct script_job *
script_run_keyed(const char *key, const char *event, struct script_env *env,
    script_done_fn done, void *ctx)
{
	return script_run(event, env, done, ctx);
}

struct script_job *
script_run(const char *event, struct script_env *env, script_done_fn done,
    void *ctx)
{
	struct fake_hook *h;
	size_t i, o = 0;

	if (fake.nhook >= FAKE_MAX) {
		script_env_clear(env);
		return NULL;
	}
	h = &fake.hook[fake.nhook];
	memset(h, 0, sizeof(*h));
	snprintf(h->event, sizeof(h->event), "%s", event);
	for (i = 0; i < env->n; i++) {
		int r = snprintf(h->env + o, sizeof(h->env) - o, "%s%s",
		    i ? " " : "", env->var[i]);
		if (r > 0 && (size_t)r < sizeof(h->env) - o)
			o += (size_t)r;
	}
	script_env_clear(env);
	h->done = done;
	h->ctx = ctx;
	h->pending = done != NULL;
	jobs[fake.nhook].idx = (int)fake.nhook;
	fake.nhook++;
	return done != NULL ? &jobs[fake.nhook - 1] : NULL;
}

void
script_cancel(struct script_job *job)
{
	if (job != NULL)
		fake.hook[job->idx].pending = false;
}

size_t
script_running(void)
{
	return 0;
}

size_t
script_queued(void)
{
	return 0;
}

void
script_shutdown(void)
{
}

/* Finishes the oldest pending tracked hook; returns its index or -1. */
int
fake_hook_done(int status)
{
	size_t i;

	for (i = 0; i < fake.nhook; i++) {
		if (fake.hook[i].pending) {
			fake.hook[i].pending = false;
			fake.hook[i].done(fake.hook[i].ctx, status,
			    status == 0 ? "success" : "exitstatus 1");
			return (int)i;
		}
	}
	return -1;
}

/* The last hook of this event, or NULL. */
const struct fake_hook *
fake_last_hook(const char *event)
{
	size_t i;

	for (i = fake.nhook; i > 0; i--)
		if (strcmp(fake.hook[i - 1].event, event) == 0)
			return &fake.hook[i - 1];
	return NULL;
}

/* Whether the hook's environment holds every "K=V" word of want. */
int
fake_hook_has(const struct fake_hook *h, const char *want)
{
	char buf[512], *w, *save = NULL, pat[300];

	if (h == NULL)
		return 0;
	snprintf(buf, sizeof(buf), "%s", want);
	for (w = strtok_r(buf, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		snprintf(pat, sizeof(pat), " %s ", w);
		char env[1100];
		snprintf(env, sizeof(env), " %s ", h->env);
		if (strstr(env, pat) == NULL)
			return 0;
	}
	return 1;
}

/* Finishes the oldest pending hook of event whose environment holds
 * every "K=V" word of want; returns its index or -1. */
int
fake_hook_done_match(const char *event, const char *want, int status)
{
	size_t i;

	for (i = 0; i < fake.nhook; i++) {
		if (!fake.hook[i].pending ||
		    strcmp(fake.hook[i].event, event) != 0 ||
		    !fake_hook_has(&fake.hook[i], want))
			continue;
		fake.hook[i].pending = false;
		fake.hook[i].done(fake.hook[i].ctx, status,
		    status == 0 ? "success" : "exitstatus 1");
		return (int)i;
	}
	return -1;
}

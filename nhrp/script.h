/*
 * script.h - hook scripts (opennhrp-script): event + NHRP_* environment.
 *
 * Hooks run asynchronously.  Tracked hooks (a done callback) report
 * success (child exited 0) or failure (non-zero exit, signal, timeout,
 * exec failure); at most max_running children exist at once and further
 * hooks wait in a FIFO queue (never dropped).  A timed-out child gets
 * SIGTERM, then SIGKILL, and is reaped.  Children get a clean signal
 * mask, no inherited descriptors beyond stdio, and only the NHRP_*
 * variables plus PATH=/usr/sbin:/usr/bin:/sbin:/bin.  A script that
 * cannot be executed (missing, not executable) exits 1: a failure.
 * Children are created with clone(CLONE_VM | CLONE_VFORK), not fork().
 *
 * With hooks off (opennhrp -N) no process is created at all: every hook
 * succeeds ("success", status 0) on the next loop iteration, in the same
 * queue and key order.  Callbacks never run from inside script_run*().
 *
 * The backend is hidden behind this interface so a persistent hook
 * channel (one long-lived helper) can replace process-per-event later
 * (design note at the top of script.c).
 */
#ifndef NHRP_SCRIPT_H
#define NHRP_SCRIPT_H

#include <stddef.h>

struct ev_loop;

#define SCRIPT_ENV_MAX	24

struct script_env {
	size_t	n;
	char	*var[SCRIPT_ENV_MAX];	/* "KEY=value", owned */
};

void	script_env_init(struct script_env *);
int	script_env_add(struct script_env *, const char *key, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	script_env_clear(struct script_env *);

/* status 0 = success; reason is "success", "exitstatus N", "signal N" or "timeout" */
typedef void (*script_done_fn)(void *ctx, int status, const char *reason);

struct script_job;

int	script_init(struct ev_loop *, const char *path, unsigned timeout_s,
	    unsigned max_running);
void	script_set_limits(unsigned timeout_s, unsigned max_running);
/*
 * Hooks off (1) or on (0, the default): applies to jobs started from now
 * on.  script_shutdown() turns hooks on again.
 */
void	script_set_hooks_off(int off);
int	script_hooks_off(void);
/* Timeout and SIGTERM->SIGKILL grace (2 s) in ms, for tests; 0 = default. */
void	script_set_timeouts_ms(unsigned timeout_ms, unsigned grace_ms);
/*
 * Runs "path event" with env (taken over: cleared on return).  With
 * done == NULL the hook is fire-and-forget and NULL is returned.
 */
struct script_job *script_run(const char *event, struct script_env *env,
	    script_done_fn done, void *ctx);
/*
 * The same, but hooks that share a key (e.g. one per peer) run one at a
 * time, in the order they were queued.  key may be NULL.
 */
struct script_job *script_run_keyed(const char *key, const char *event,
	    struct script_env *env, script_done_fn done, void *ctx);
/* Cancels a tracked job: the callback never fires; a running child is killed. */
void	script_cancel(struct script_job *);
/* Children running and queued (for counters and shutdown). */
size_t	script_running(void);
size_t	script_queued(void);
void	script_shutdown(void);

#endif

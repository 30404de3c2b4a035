/*
 * script.c - hook script runner: one child process per event on the libev
 * loop, or none at all with hooks off (opennhrp -N).
 *
 * Every hook (tracked or fire-and-forget) enters one FIFO queue and is
 * started while fewer than max_running jobs run; hooks that share a key
 * (one peer) run one at a time, in order.  A child is watched with an
 * ev_child watcher (default loop only) and an ev_timer: on timeout it
 * gets SIGTERM, then SIGKILL after a grace period, and is reaped before
 * its result ("timeout") is reported.  A cancelled job stays accounted
 * until its child is reaped, so the concurrency limit also holds for
 * children that are being killed.
 *
 * Status values given to the done callback: 0 on success, N for
 * "exitstatus N", 128 + N for "signal N", -1 for "timeout".  A callback
 * never runs from inside script_run*(), script_cancel() or
 * script_shutdown(): always from the loop.
 *
 * Spawning.  fork() copies the daemon's page tables (a hub with 50,000
 * spokes has tens of MB) and then takes a copy-on-write fault for every
 * page the daemon writes until the child has exec'd; under emulation a
 * fork costs tens of milliseconds.  The child is therefore created with
 * clone(CLONE_VM | CLONE_VFORK) on a small stack of its own, as glibc's
 * posix_spawn() does: no page table is copied and the daemon sleeps only
 * until execve() returned.  posix_spawn() itself is not used because it
 * leaves libc's reserved signals (32, 33) ignored in the child, and
 * SIG_IGN survives exec; our child resets them with the raw system call.
 * The child shares our memory while it runs, so it only makes
 * async-signal-safe system calls, writes nothing but job->exec_errno,
 * and runs with every signal blocked until the dispositions are reset
 * (no handler of the daemon can run in it).  Building with
 * -DSCRIPT_SPAWN_FORK selects the old fork() path (tests/bench), and so
 * do ASan/TSan/MSan builds (see below).
 *
 * Hooks off (script_set_hooks_off(1), opennhrp -N): no process is
 * created; a started job completes with status 0 ("success") on the next
 * loop iteration, through the same queue, keys and callbacks.  One zero
 * timer per loop iteration completes them all, oldest first: every job
 * queued before that batch began (those that start in it as slots free
 * up too); jobs queued from a callback wait for the next iteration.
 *
 * A persistent hook channel (design note, not built).  One long-lived
 * helper process, started like a hook child, reads records on a pipe and
 * answers each with a status line; a record is the event name, a job id
 * and the same KEY=value strings the job holds in envp (NHRP_* and PATH),
 * so a helper can run the operator's script logic in-process or exec it.
 * It plugs in below the queue: script_run_keyed(), the per-key
 * serialisation, max_running (records in flight), the timeouts,
 * script_cancel() and the script.h interface stay as they are, and only
 * the three places that are per backend here change: starting a job
 * (script_start(): write the record instead of clone, no pid), the
 * result (an ev_io on the reply pipe finds the job by id and calls
 * script_finish() with the status it read, as script_child_cb() does for
 * a wait status), and stopping one (script_terminate(): on timeout the
 * job fails with "timeout" and the helper is killed and restarted, since
 * it cannot be trusted to answer in order any more; a cancelled record's
 * late answer is dropped by id).  If the helper dies, every record in
 * flight fails ("signal N" of the helper) and a new helper starts on the
 * next job; a helper that cannot be started is a failure of the job, so
 * a missing helper still fails closed.  A new script.h call (say
 * script_init_channel(loop, path, ...)) would select it; peer.c and
 * server.c would not change.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "log.h"
#include "script.h"

/*
 * Sanitizer runtimes run their own code in the child (interceptors, stack
 * bookkeeping) and would write the parent's shadow memory through
 * CLONE_VM: sanitized builds use fork().
 */
#ifndef SCRIPT_SPAWN_FORK
# if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#  define SCRIPT_SPAWN_FORK	1
# elif defined(__has_feature)
#  if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#   define SCRIPT_SPAWN_FORK	1
#  endif
# endif
#endif

#define SCRIPT_PATH_ENV		"PATH=/usr/sbin:/usr/bin:/sbin:/bin"
#define SCRIPT_DEF_TIMEOUT	120.0	/* seconds */
#define SCRIPT_DEF_GRACE	2.0	/* SIGTERM -> SIGKILL, seconds */
#define SCRIPT_DEF_RUNNING	16
#define SCRIPT_FORK_RETRY	1.0	/* seconds after a failed spawn */
#define SCRIPT_STACK_SIZE	(64 * 1024)	/* the child's, until execve */

enum job_state {
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_DONE	/* reaped, its callback is running */
};

struct script_job {
	TAILQ_ENTRY(script_job)	 entry;
	enum job_state		 state;
	char			*event;
	char			*key;	/* hooks with one key run one at a time */
	char			*envp[SCRIPT_ENV_MAX + 2];
	script_done_fn		 done;	/* NULL: untracked/cancelled */
	void			*ctx;
	pid_t			 pid;	/* 0: hooks off, no process */
	int			 killing;	/* 0, SIGTERM, SIGKILL */
	int			 timed_out;
	int			 exec_errno;	/* set by a child whose exec failed */
	unsigned long		 seq;	/* queueing order */
	ev_child		 child_w;
	ev_timer		 timer_w;
};

TAILQ_HEAD(script_jobq, script_job);

static struct ev_loop	*script_loop;
static char		*script_path;
static double		 script_timeout = SCRIPT_DEF_TIMEOUT;
static double		 script_grace = SCRIPT_DEF_GRACE;
static unsigned		 script_max_running = SCRIPT_DEF_RUNNING;
static struct script_jobq script_queue = TAILQ_HEAD_INITIALIZER(script_queue);
static struct script_jobq script_active = TAILQ_HEAD_INITIALIZER(script_active);
static size_t		 script_nqueued;
static size_t		 script_nrunning;
static ev_timer		 script_retry_w;
static ev_timer		 script_off_w;	/* hooks off: the completion batch */
static unsigned long	 script_seq;
static int		 script_pumping;
static int		 script_off;		/* hooks off: no processes */
static int		 script_exec_warned;	/* errno last logged, 0: none */
#ifndef SCRIPT_SPAWN_FORK
static char		*script_stack;		/* the child's stack (mmap) */
#endif

static void	script_pump(void);

/* queued jobs passed over per pump while their key is busy */
#define SCRIPT_MAX_SKIP	4096

/* --- environment ------------------------------------------------------- */

void
script_env_init(struct script_env *env)
{
	memset(env, 0, sizeof(*env));
}

int
script_env_add(struct script_env *env, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *val = NULL, *kv = NULL;
	int r;

	if (env->n >= SCRIPT_ENV_MAX || key == NULL || *key == '\0' ||
	    strchr(key, '=') != NULL)
		return -1;
	va_start(ap, fmt);
	r = vasprintf(&val, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	r = asprintf(&kv, "%s=%s", key, val);
	free(val);
	if (r < 0)
		return -1;
	env->var[env->n++] = kv;
	return 0;
}

void
script_env_clear(struct script_env *env)
{
	size_t i;

	for (i = 0; i < env->n && i < SCRIPT_ENV_MAX; i++) {
		free(env->var[i]);
		env->var[i] = NULL;
	}
	env->n = 0;
}

/* --- jobs -------------------------------------------------------------- */

static void
script_job_free(struct script_job *job)
{
	size_t i;

	if (job == NULL)
		return;
	for (i = 0; job->envp[i] != NULL; i++)
		free(job->envp[i]);
	free(job->event);
	free(job->key);
	free(job);
}

static void
script_close_fds(void)
{
	struct rlimit rl;
	long fd, max = 1024;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
#endif
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		max = (long)rl.rlim_cur;
	else if (sysconf(_SC_OPEN_MAX) > 0)
		max = sysconf(_SC_OPEN_MAX);
	for (fd = 3; fd < max; fd++)
		(void)close((int)fd);
}

/*
 * In the child, between clone (or fork) and exec: only async-signal-safe
 * system calls, and no write to memory but the job's exec_errno: with
 * CLONE_VM this is the daemon's memory (errno too, which the parent saves
 * before it looks at it).  All signals are still blocked here (the parent
 * blocked them around the clone), so no inherited handler can run before
 * the reset.
 */
static void __attribute__((noreturn))
script_child(struct script_job *job)
{
	struct sigaction sa;
	sigset_t none;
	char *argv[3];
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, &sa, NULL) == 0 || errno != EINVAL)
			continue;
#ifdef SYS_rt_sigaction
		{
			/*
			 * libc reserves a few real-time signals and refuses
			 * them; an inherited SIG_IGN there must go too.  An
			 * all-zero kernel sigaction is SIG_DFL, no flags,
			 * empty mask, whatever the architecture's layout.
			 */
			unsigned long ksa[8];

			memset(ksa, 0, sizeof(ksa));
			(void)syscall(SYS_rt_sigaction, sig, ksa, NULL,
			    (size_t)((NSIG - 1) / 8));
		}
#endif
	}
	script_close_fds();
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);

	argv[0] = script_path;
	argv[1] = job->event;
	argv[2] = NULL;
	execve(script_path, argv, job->envp);
	job->exec_errno = errno != 0 ? errno : ENOEXEC;
	_exit(1);
}

#ifndef SCRIPT_SPAWN_FORK
static int
script_child_main(void *arg)
{
	script_child(arg);
	/* NOTREACHED */
	return 1;
}
#endif

/* Reports a job's result (callback unless cancelled) and frees it. */
static void
script_finish(struct script_job *job, int status, const char *reason)
{
	script_done_fn done;

	ev_timer_stop(script_loop, &job->timer_w);
	TAILQ_REMOVE(&script_active, job, entry);
	script_nrunning--;
	job->state = JOB_DONE;
	done = job->done;
	job->done = NULL;
	if (done != NULL)
		done(job->ctx, status, reason);
	script_job_free(job);
	script_pump();
}

static void
script_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct script_job *job = w->data;
	char reason[32];
	int st = w->rstatus, status;

	if (!WIFEXITED(st) && !WIFSIGNALED(st))
		return;		/* stopped or continued: keep waiting */

	ev_child_stop(loop, &job->child_w);
	if (job->timed_out) {
		status = -1;
		snprintf(reason, sizeof(reason), "timeout");
	} else if (WIFEXITED(st)) {
		status = WEXITSTATUS(st);
		if (status == 0)
			snprintf(reason, sizeof(reason), "success");
		else
			snprintf(reason, sizeof(reason), "exitstatus %d",
			    status);
	} else {
		status = 128 + WTERMSIG(st);
		snprintf(reason, sizeof(reason), "signal %d", WTERMSIG(st));
	}
	log_debug("script %s (pid %ld): %s", job->event, (long)job->pid,
	    reason);
	script_finish(job, status, reason);
}

/*
 * Hooks off: the jobs "ran" and succeeded, in queueing order.  Finishing
 * one frees a slot and starts the next queued one: it completes in this
 * batch too if it was queued before the batch began.
 */
static void
script_off_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct script_job *job;
	unsigned long cutoff = script_seq;

	for (;;) {
		TAILQ_FOREACH(job, &script_active, entry)
			if (job->pid == 0 && job->seq < cutoff)
				break;
		if (job == NULL)
			break;
		log_debug("script %s: hooks off, success", job->event);
		script_finish(job, 0, "success");
	}
	/* later ones (queued by the callbacks): next iteration */
	TAILQ_FOREACH(job, &script_active, entry)
		if (job->pid == 0) {
			if (!ev_is_active(w))
				ev_timer_start(loop, w);
			break;
		}
}

static void
script_kill(struct script_job *job, int sig)
{
	job->killing = sig;
	if (job->pid <= 0)
		return;		/* never kill(0) or kill(-1) */
	if (kill(job->pid, sig) == -1 && errno != ESRCH)
		log_warn("script %s: kill %ld", job->event, (long)job->pid);
}

/* Starts (or escalates) the SIGTERM -> SIGKILL sequence. */
static void
script_terminate(struct script_job *job)
{
	ev_timer_stop(script_loop, &job->timer_w);
	if (job->killing == 0) {
		script_kill(job, SIGTERM);
		ev_timer_set(&job->timer_w, script_grace, 0.);
		ev_timer_start(script_loop, &job->timer_w);
	} else if (job->killing == SIGTERM) {
		script_kill(job, SIGKILL);
		/* the ev_child watcher reaps it */
	}
}

static void
script_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct script_job *job = w->data;

	if (job->killing == 0) {
		job->timed_out = 1;
		log_warnx("script %s (pid %ld) timed out", job->event,
		    (long)job->pid);
	}
	script_terminate(job);
}

/*
 * Creates the child with every signal blocked; see the top of the file.
 * Returns its pid, or -1 with errno set.
 */
static pid_t
script_spawn_child(struct script_job *job)
{
	sigset_t all, old;
	pid_t pid;
	int saved;

#ifndef SCRIPT_SPAWN_FORK
	if (script_stack == NULL) {
		void *p;

		p = mmap(NULL, SCRIPT_STACK_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (p == MAP_FAILED)
			return -1;
		/* a guard page: an overflow faults instead of corrupting */
		(void)mprotect(p, (size_t)sysconf(_SC_PAGESIZE), PROT_NONE);
		script_stack = p;
	}
#endif
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	job->exec_errno = 0;
#ifdef SCRIPT_SPAWN_FORK
	pid = fork();
	if (pid == 0)
		script_child(job);
#else
	/*
	 * The stack grows down on every architecture Linux runs this on
	 * but PA-RISC, where clone() wants its lowest address.
	 */
# if defined(__hppa__)
	pid = clone(script_child_main, script_stack,
	    CLONE_VM | CLONE_VFORK | SIGCHLD, job);
# else
	pid = clone(script_child_main, script_stack + SCRIPT_STACK_SIZE,
	    CLONE_VM | CLONE_VFORK | SIGCHLD, job);
# endif
#endif
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return pid;
}

static int
script_start(struct script_job *job)
{
	pid_t pid = 0;

	if (!script_off) {
		if ((pid = script_spawn_child(job)) == -1)
			return -errno;
		if (job->exec_errno != 0) {
			/* it exits 1: a failure, reported once reaped */
			if (script_exec_warned != job->exec_errno)
				log_warnx("script %s: cannot execute: %s",
				    script_path, strerror(job->exec_errno));
			script_exec_warned = job->exec_errno;
		} else
			script_exec_warned = 0;
	}

	job->pid = pid;
	job->state = JOB_RUNNING;
	TAILQ_INSERT_TAIL(&script_active, job, entry);
	script_nrunning++;
	job->timer_w.data = job;
	if (pid == 0) {
		ev_timer_init(&job->timer_w, script_timer_cb, 0., 0.);
		if (!ev_is_active(&script_off_w))
			ev_timer_start(script_loop, &script_off_w);
		return 0;
	}
	ev_child_init(&job->child_w, script_child_cb, pid, 0);
	job->child_w.data = job;
	ev_child_start(script_loop, &job->child_w);
	ev_timer_init(&job->timer_w, script_timer_cb, script_timeout, 0.);
	ev_timer_start(script_loop, &job->timer_w);
	log_debug("script %s started (pid %ld)", job->event, (long)pid);
	return 0;
}

static void
script_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	script_pump();
}

/* Starts queued jobs, oldest first, while slots are free. */
/*
 * A queued job waits while a job with the same key runs: the hooks of one
 * peer never overlap and run in the order they were queued (a replaced
 * binding's peer-down finishes before the new binding's peer-up).  Later
 * jobs with other keys may start meanwhile.
 */
static int
script_key_busy(const struct script_job *job)
{
	const struct script_job *a;

	if (job->key == NULL)
		return 0;
	TAILQ_FOREACH(a, &script_active, entry)
		if (a->key != NULL && strcmp(a->key, job->key) == 0)
			return 1;
	return 0;
}

static void
script_pump(void)
{
	struct script_job *job, *next;
	size_t skipped = 0;
	int r;

	if (script_loop == NULL || script_pumping ||
	    ev_is_active(&script_retry_w))
		return;
	script_pumping = 1;
	next = TAILQ_FIRST(&script_queue);
	while (script_nrunning < script_max_running &&
	    (job = next) != NULL && skipped < SCRIPT_MAX_SKIP) {
		next = TAILQ_NEXT(job, entry);
		if (script_key_busy(job)) {
			skipped++;
			continue;
		}
		TAILQ_REMOVE(&script_queue, job, entry);
		script_nqueued--;
		if ((r = script_start(job)) < 0) {
			errno = -r;
			log_warn("script %s: cannot create a process",
			    job->event);
			TAILQ_INSERT_HEAD(&script_queue, job, entry);
			script_nqueued++;
			ev_timer_set(&script_retry_w, SCRIPT_FORK_RETRY, 0.);
			ev_timer_start(script_loop, &script_retry_w);
			break;
		}
	}
	script_pumping = 0;
}

/* --- public interface -------------------------------------------------- */

int
script_init(struct ev_loop *loop, const char *path, unsigned timeout_s,
    unsigned max_running)
{
	char *p;

	if (loop == NULL || !ev_is_default_loop(loop) || path == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((p = strdup(path)) == NULL)
		return -1;
	free(script_path);
	script_path = p;
	if (script_loop != NULL)
		ev_timer_stop(script_loop, &script_retry_w);
	script_loop = loop;
	ev_timer_init(&script_retry_w, script_retry_cb, SCRIPT_FORK_RETRY, 0.);
	if (!ev_is_active(&script_off_w))
		ev_timer_init(&script_off_w, script_off_cb, 0., 0.);
	script_set_limits(timeout_s, max_running);
	return 0;
}

void
script_set_limits(unsigned timeout_s, unsigned max_running)
{
	script_timeout = timeout_s ? (double)timeout_s : SCRIPT_DEF_TIMEOUT;
	script_max_running = max_running ? max_running : SCRIPT_DEF_RUNNING;
	script_pump();
}

void
script_set_hooks_off(int off)
{
	script_off = off != 0;
}

int
script_hooks_off(void)
{
	return script_off;
}

void
script_set_timeouts_ms(unsigned timeout_ms, unsigned grace_ms)
{
	script_timeout = timeout_ms ? timeout_ms / 1000.0 : SCRIPT_DEF_TIMEOUT;
	script_grace = grace_ms ? grace_ms / 1000.0 : SCRIPT_DEF_GRACE;
}

struct script_job *
script_run(const char *event, struct script_env *env, script_done_fn done,
    void *ctx)
{
	return script_run_keyed(NULL, event, env, done, ctx);
}

struct script_job *
script_run_keyed(const char *key, const char *event, struct script_env *env,
    script_done_fn done, void *ctx)
{
	struct script_job *job;
	size_t i, n = 0;

	if (script_loop == NULL || event == NULL ||
	    (job = calloc(1, sizeof(*job))) == NULL)
		goto fail;
	if ((key != NULL && (job->key = strdup(key)) == NULL) ||
	    (job->event = strdup(event)) == NULL ||
	    (job->envp[n++] = strdup(SCRIPT_PATH_ENV)) == NULL) {
		script_job_free(job);
		goto fail;
	}
	if (env != NULL) {
		for (i = 0; i < env->n && i < SCRIPT_ENV_MAX; i++) {
			job->envp[n++] = env->var[i];
			env->var[i] = NULL;
		}
		env->n = 0;
	}
	job->done = done;
	job->ctx = ctx;
	job->state = JOB_QUEUED;
	job->seq = script_seq++;
	TAILQ_INSERT_TAIL(&script_queue, job, entry);
	script_nqueued++;
	script_pump();
	return done != NULL ? job : NULL;

fail:
	log_warnx("script %s: cannot queue", event ? event : "(null)");
	if (env != NULL)
		script_env_clear(env);
	return NULL;
}

void
script_cancel(struct script_job *job)
{
	if (job == NULL || job->state == JOB_DONE)
		return;
	job->done = NULL;
	job->ctx = NULL;
	if (job->state == JOB_QUEUED) {
		TAILQ_REMOVE(&script_queue, job, entry);
		script_nqueued--;
		script_job_free(job);
		return;
	}
	/*
	 * Running: kill it; the slot is freed once the child is reaped.
	 * With hooks off it completes on the next iteration, silently.
	 */
	if (job->pid > 0 && job->killing == 0)
		script_terminate(job);
}

size_t
script_running(void)
{
	return script_nrunning;
}

size_t
script_queued(void)
{
	return script_nqueued;
}

void
script_shutdown(void)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct script_job *job, *next;
	pid_t r;
	int tries;

	while ((job = TAILQ_FIRST(&script_queue)) != NULL) {
		TAILQ_REMOVE(&script_queue, job, entry);
		script_job_free(job);
	}
	script_nqueued = 0;
	/*
	 * SIGKILL every child, then reap them for at most about a second:
	 * a child in uninterruptible sleep (a hung network file system)
	 * does not die at once, and exit must never block on it (it is
	 * reparented to init when we exit).  ECHILD: libev reaped it.
	 */
	TAILQ_FOREACH(job, &script_active, entry) {
		if (script_loop != NULL) {
			ev_child_stop(script_loop, &job->child_w);
			ev_timer_stop(script_loop, &job->timer_w);
		}
		if (job->pid > 0)
			(void)kill(job->pid, SIGKILL);
	}
	for (tries = 0; tries < 100 && !TAILQ_EMPTY(&script_active); tries++) {
		for (job = TAILQ_FIRST(&script_active); job != NULL;
		    job = next) {
			next = TAILQ_NEXT(job, entry);
			r = job->pid > 0 ? waitpid(job->pid, NULL, WNOHANG) : 0;
			if (job->pid > 0 &&
			    (r == 0 || (r == -1 && errno == EINTR)))
				continue;
			TAILQ_REMOVE(&script_active, job, entry);
			script_job_free(job);
		}
		if (!TAILQ_EMPTY(&script_active))
			(void)nanosleep(&tick, NULL);
	}
	while ((job = TAILQ_FIRST(&script_active)) != NULL) {
		log_warnx("script %s (pid %ld) did not die: not waiting for it",
		    job->event, (long)job->pid);
		TAILQ_REMOVE(&script_active, job, entry);
		script_job_free(job);
	}
	script_nrunning = 0;
	if (script_loop != NULL) {
		ev_timer_stop(script_loop, &script_retry_w);
		ev_timer_stop(script_loop, &script_off_w);
	}
	free(script_path);
	script_path = NULL;
	script_loop = NULL;
	script_off = 0;
	script_exec_warned = 0;
#ifndef SCRIPT_SPAWN_FORK
	if (script_stack != NULL)
		(void)munmap(script_stack, SCRIPT_STACK_SIZE);
	script_stack = NULL;
#endif
}

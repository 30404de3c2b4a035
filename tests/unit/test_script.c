/*
 * test_script.c - hook runner: real children on the libev default loop.
 *
 * The hook (tests/hooks/hook-test.sh, copied into a scratch directory)
 * writes what it observes into files that the checks below read.  With
 * hooks off (opennhrp -N) no process may be created at all.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "nhrp/script.h"
#include "tests/tap.h"

struct result {
	int	 called;
	int	 status;
	char	 reason[32];
};

static struct ev_loop *loop;
static char dir[64];
static char hook[128];
static ev_timer tick_w;

static void
tick_cb(struct ev_loop *l, ev_timer *w, int revents)
{
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
done_cb(void *ctx, int status, const char *reason)
{
	struct result *r = ctx;

	r->called++;
	r->status = status;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
}

/* Runs the loop until cond(arg) holds or secs pass; returns cond. */
static int
run_until(int (*cond)(void *), void *arg, double secs)
{
	double end = now_mono() + secs;

	while (!cond(arg)) {
		if (now_mono() > end)
			return 0;
		ev_run(loop, EVRUN_ONCE);
	}
	return 1;
}

static int
cond_called(void *arg)
{
	return ((struct result *)arg)->called > 0;
}

static int
cond_idle(void *arg)
{
	return script_running() == 0 && script_queued() == 0;
}

static int
cond_file(void *arg)
{
	return access(arg, F_OK) == 0;
}

static void
path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static char *
slurp(const char *name)
{
	static char buf[4096];
	char path[256];
	size_t n;
	FILE *f;

	path_of(path, sizeof(path), name);
	buf[0] = '\0';
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static pid_t
read_pid(const char *name)
{
	char *s = slurp(name);

	return s != NULL ? (pid_t)atol(s) : 0;
}

static int
pid_gone(pid_t pid)
{
	return pid > 0 && kill(pid, 0) == -1 && errno == ESRCH;
}

static void
base_env(struct script_env *env, const char *tag)
{
	script_env_init(env);
	script_env_add(env, "NHRP_TESTDIR", "%s", dir);
	script_env_add(env, "NHRP_TAG", "%s", tag);
}

static struct script_job *
run(const char *event, const char *tag, struct result *r)
{
	struct script_env env;

	base_env(&env, tag);
	return script_run(event, &env, r != NULL ? done_cb : NULL, r);
}

static void
test_env(void)
{
	struct script_env env;
	struct result r = { 0 };
	char expect[512], *s;
	int i;

	script_env_init(&env);
	INT_EQ(script_env_add(&env, "BAD=KEY", "x"), -1, "key with '=' refused");
	INT_EQ(script_env_add(&env, "", "x"), -1, "empty key refused");
	for (i = 0; i < SCRIPT_ENV_MAX; i++)
		if (script_env_add(&env, "NHRP_X", "%d", i) != 0)
			break;
	INT_EQ(i, SCRIPT_ENV_MAX, "SCRIPT_ENV_MAX variables fit");
	INT_EQ(script_env_add(&env, "NHRP_X", "over"), -1, "one more refused");
	script_env_clear(&env);
	INT_EQ(env.n, 0, "env cleared");

	script_env_init(&env);
	script_env_add(&env, "NHRP_TESTDIR", "%s", dir);
	script_env_add(&env, "NHRP_TYPE", "%s", "dynamic");
	script_env_add(&env, "NHRP_DESTADDR", "%s", "10.255.255.3");
	script_env_add(&env, "NHRP_DESTPREFIX", "%d", 32);
	script_env_add(&env, "NHRP_DESTNBMA", "%s", "198.51.100.3");
	script_env_add(&env, "NHRP_INTERFACE", "%s", "gre1");
	script_env_add(&env, "NHRP_GRE_KEY", "%u", 0u);
	/* a variable of ours that must not leak */
	setenv("NHRP_LEAK_TEST", "1", 1);
	setenv("HOME", "/nonexistent", 1);
	OK(script_run("env", &env, done_cb, &r) != NULL, "tracked job handle");
	INT_EQ(env.n, 0, "env taken over and cleared");
	OK(run_until(cond_called, &r, 10), "env job finished");
	INT_EQ(r.status, 0, "env job status");
	STR_EQ(r.reason, "success", "env job reason");
	snprintf(expect, sizeof(expect),
	    "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"
	    "NHRP_TESTDIR=%s\n"
	    "NHRP_TYPE=dynamic\n"
	    "NHRP_DESTADDR=10.255.255.3\n"
	    "NHRP_DESTPREFIX=32\n"
	    "NHRP_DESTNBMA=198.51.100.3\n"
	    "NHRP_INTERFACE=gre1\n"
	    "NHRP_GRE_KEY=0\n", dir);
	s = slurp("env.out");
	STR_EQ(s, expect, "environment is exactly NHRP_* + PATH");
	snprintf(expect, sizeof(expect), "%s\nenv\n1\n", hook);
	STR_EQ(slurp("args.out"), expect, "$0 = script path, $1 = event, one arg");

	/* exit codes */
	script_env_init(&env);
	script_env_add(&env, "NHRP_CODE", "%d", 3);
	memset(&r, 0, sizeof(r));
	script_run("exit", &env, done_cb, &r);
	OK(run_until(cond_called, &r, 10), "exit 3 job finished");
	INT_EQ(r.status, 3, "exit 3 status");
	STR_EQ(r.reason, "exitstatus 3", "exit 3 reason");

	memset(&r, 0, sizeof(r));
	run("nosuchevent", "x", &r);
	OK(run_until(cond_called, &r, 10), "unknown event job finished");
	STR_EQ(r.reason, "exitstatus 99", "exit 99 reason");

	memset(&r, 0, sizeof(r));
	run("signal", "x", &r);
	OK(run_until(cond_called, &r, 10), "signal job finished");
	INT_EQ(r.status, 128 + SIGUSR1, "signal status");
	snprintf(expect, sizeof(expect), "signal %d", SIGUSR1);
	STR_EQ(r.reason, expect, "signal reason (parent ignored and blocked it)");
	INT_EQ(script_running(), 0, "nothing running");
}

static void
test_fds_sigs(void)
{
	struct result r = { 0 };
	char *s;
	int fd, fd2;

	/* descriptors without close-on-exec that must not reach the hook */
	fd = open("/dev/null", O_RDONLY);
	fd2 = dup2(fd, 200);
	OK(fd >= 3 && fd2 == 200, "leaky descriptors %d and %d open", fd, fd2);
	run("fds", "x", &r);
	OK(run_until(cond_called, &r, 10), "fds job finished");
	STR_EQ(r.reason, "success", "fds job reason");
	s = slurp("fds.out");
	/* 0-2 inherited stdio, 3 is ls' own directory handle */
	STR_EQ(s, "0\n1\n2\n3\n", "only stdio inherited");
	close(fd);
	close(fd2);

	memset(&r, 0, sizeof(r));
	run("sigs", "x", &r);
	OK(run_until(cond_called, &r, 10), "sigs job finished");
	STR_EQ(slurp("sigs.out"),
	    "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n",
	    "signal mask empty and nothing ignored");
}

static void
test_missing(void)
{
	struct result r = { 0 };
	char path[256];
	int fd;

	path_of(path, sizeof(path), "does-not-exist");
	OK(script_init(loop, path, 0, 0) == 0, "init with a missing script");
	run("peer-up", "x", &r);
	OK(run_until(cond_called, &r, 10), "missing script job finished");
	INT_EQ(r.status, 1, "missing script status");
	STR_EQ(r.reason, "exitstatus 1", "missing script fails closed");

	path_of(path, sizeof(path), "not-executable");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd != -1) {
		(void)write(fd, "#!/bin/sh\nexit 0\n", 17);
		close(fd);
	}
	OK(script_init(loop, path, 0, 0) == 0, "init with a non-executable script");
	memset(&r, 0, sizeof(r));
	run("peer-up", "x", &r);
	OK(run_until(cond_called, &r, 10), "non-executable job finished");
	STR_EQ(r.reason, "exitstatus 1", "non-executable script fails closed");

	OK(script_init(loop, hook, 0, 0) == 0, "init with the test hook");
}

static void
test_timeout(void)
{
	struct result r = { 0 };
	char pf[256];
	pid_t pid;
	double t0;

	script_set_limits(1, 16);
	script_set_timeouts_ms(300, 300);

	t0 = now_mono();
	run("sleep", "t1", &r);
	OK(run_until(cond_called, &r, 10), "sleeping job finished");
	INT_EQ(r.status, -1, "timeout status");
	STR_EQ(r.reason, "timeout", "timeout reason");
	pid = read_pid("pid.t1");
	OK(pid_gone(pid), "timed-out child %ld is dead and reaped", (long)pid);
	OK(now_mono() - t0 < 2.0, "SIGTERM was enough (%.2f s)", now_mono() - t0);

	memset(&r, 0, sizeof(r));
	t0 = now_mono();
	run("stubborn", "t2", &r);
	OK(run_until(cond_called, &r, 10), "stubborn job finished");
	STR_EQ(r.reason, "timeout", "stubborn timeout reason");
	pid = read_pid("pid.t2");
	OK(pid_gone(pid), "SIGTERM-ignoring child %ld was killed", (long)pid);
	OK(now_mono() - t0 >= 0.45, "SIGKILL after the grace (%.2f s)",
	    now_mono() - t0);

	/* fire-and-forget jobs get the timeout kill too */
	run("sleep", "t3", NULL);
	path_of(pf, sizeof(pf), "pid.t3");
	OK(run_until(cond_file, pf, 10), "fire-and-forget sleeper started");
	OK(run_until(cond_idle, NULL, 10), "fire-and-forget sleeper ended");
	pid = read_pid("pid.t3");
	OK(pid_gone(pid), "fire-and-forget sleeper %ld killed and reaped",
	    (long)pid);
}

static void
test_fire_and_forget(void)
{
	char pf[256];
	pid_t pid;
	int i, ok = 1;

	script_set_limits(1, 4);
	for (i = 0; i < 8; i++) {
		char tag[16];

		snprintf(tag, sizeof(tag), "f%d", i);
		if (run("mark", tag, NULL) != NULL)
			ok = 0;
	}
	OK(ok, "fire-and-forget returns NULL");
	INT_EQ(script_running(), 4, "4 running");
	INT_EQ(script_queued(), 4, "4 queued");
	OK(run_until(cond_idle, NULL, 20), "all fire-and-forget jobs ran");
	for (i = 0; i < 8; i++) {
		char name[16];

		snprintf(name, sizeof(name), "mark.f%d", i);
		path_of(pf, sizeof(pf), name);
		pid = read_pid(name);
		if (!cond_file(pf) || !pid_gone(pid))
			ok = 0;
	}
	OK(ok, "every fire-and-forget job ran and was reaped");
}

static void
test_order(void)
{
	char expect[256];
	size_t off = 0;
	int i;

	script_set_limits(5, 1);
	for (i = 0; i < 10; i++) {
		char tag[16];

		snprintf(tag, sizeof(tag), "%d", i);
		run("order", tag, NULL);
		off += snprintf(expect + off, sizeof(expect) - off, "%d\n", i);
	}
	INT_EQ(script_queued(), 9, "one runs, nine queued");
	OK(run_until(cond_idle, NULL, 30), "order jobs finished");
	STR_EQ(slurp("order.out"), expect, "FIFO order");
}

/* Hooks sharing a key run one at a time, in order; other keys go on. */
static void
test_keyed(void)
{
	struct script_env env;
	char *s, *e1, *s2;

	script_set_limits(10, 4);
	base_env(&env, "a1");
	script_run_keyed("gre1 10.0.0.2/32", "keyed", &env, NULL, NULL);
	base_env(&env, "a2");
	script_run_keyed("gre1 10.0.0.2/32", "keyed", &env, NULL, NULL);
	base_env(&env, "b");
	script_run_keyed("gre1 10.0.0.3/32", "keyed", &env, NULL, NULL);
	INT_EQ(script_running(), 2, "keyed: a1 and b run");
	INT_EQ(script_queued(), 1, "keyed: a2 waits for a1");
	OK(run_until(cond_idle, NULL, 30), "keyed jobs finished");
	s = slurp("keyed.out");
	e1 = s != NULL ? strstr(s, "end a1") : NULL;
	s2 = s != NULL ? strstr(s, "start a2") : NULL;
	OK(e1 != NULL && s2 != NULL && e1 < s2,
	    "keyed: a2 started after a1 ended");
	OK(s != NULL && strstr(s, "end b") != NULL && strstr(s, "start b") <
	    (s2 != NULL ? s2 : s + strlen(s)), "keyed: b did not wait");
}

static int max_seen;

static void
watch_cb(struct ev_loop *l, ev_check *w, int revents)
{
	if ((int)script_running() > max_seen)
		max_seen = (int)script_running();
}

static void
test_concurrency(void)
{
	struct result r[6];
	ev_check check_w;
	char *s, *p;
	int i, n, mx = 0, all = 1;

	memset(r, 0, sizeof(r));
	script_set_limits(10, 2);
	ev_check_init(&check_w, watch_cb);
	ev_check_start(loop, &check_w);
	for (i = 0; i < 6; i++)
		run("conc", "c", &r[i]);
	INT_EQ(script_running(), 2, "two started");
	INT_EQ(script_queued(), 4, "four queued");
	OK(run_until(cond_idle, NULL, 30), "concurrency jobs finished");
	ev_check_stop(loop, &check_w);
	for (i = 0; i < 6; i++)
		if (r[i].called != 1 || r[i].status != 0)
			all = 0;
	OK(all, "all six reported success once");
	INT_EQ(max_seen, 2, "runner never had more than 2 children");
	s = slurp("count.out");
	n = 0;
	for (p = s; p != NULL && *p != '\0'; ) {
		int c = atoi(p);

		if (c > mx)
			mx = c;
		n++;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	INT_EQ(n, 6, "six scripts counted");
	INT_EQ(mx, 2, "never more than two scripts alive (and two did overlap)");
}

static void
test_cancel(void)
{
	struct result a = { 0 }, b = { 0 };
	struct script_job *ja, *jb;
	char pf[256];
	pid_t pid;

	script_set_limits(30, 1);
	ja = run("sleep", "ca", &a);
	jb = run("sleep", "cb", &b);
	OK(ja != NULL && jb != NULL, "two tracked jobs");
	INT_EQ(script_running(), 1, "one running");
	INT_EQ(script_queued(), 1, "one queued");
	script_cancel(jb);
	INT_EQ(script_queued(), 0, "queued job dropped");
	path_of(pf, sizeof(pf), "pid.ca");
	OK(run_until(cond_file, pf, 10), "running job started");
	pid = read_pid("pid.ca");
	script_cancel(ja);
	OK(run_until(cond_idle, NULL, 10), "cancelled job reaped");
	OK(pid_gone(pid), "cancelled child %ld is gone", (long)pid);
	INT_EQ(a.called + b.called, 0, "no callback for cancelled jobs");
	path_of(pf, sizeof(pf), "pid.cb");
	OK(!cond_file(pf), "cancelled queued job never ran");
}

/* Writes an executable script NAME in the scratch directory. */
static void
write_script(char *path, size_t len, const char *name, const char *body)
{
	FILE *f;

	path_of(path, len, name);
	if ((f = fopen(path, "w")) == NULL) {
		printf("Bail out! cannot create %s\n", path);
		exit(1);
	}
	fputs(body, f);
	fclose(f);
	chmod(path, 0755);
}

/* The child keeps the daemon's working directory and umask (spec 4.1). */
static void
test_cwd_umask(void)
{
	struct result r = { 0 };
	char path[256], cwd[512], expect[600];
	mode_t old;

	write_script(path, sizeof(path), "cwd-hook",
	    "#!/bin/sh\n{ pwd; umask; } > \"$NHRP_TESTDIR/cwd.out\"\n");
	OK(script_init(loop, path, 0, 0) == 0, "init with the cwd hook");
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';
	/* as after -d: directory / and umask 0 */
	old = umask(0);
	if (chdir("/") != 0)
		tap_diag("chdir /: %s", strerror(errno));
	run("cwd", "x", &r);
	OK(run_until(cond_called, &r, 10), "cwd job finished");
	STR_EQ(slurp("cwd.out"), "/\n0000\n", "cwd / and umask 0 inherited");

	umask(027);
	if (chdir(dir) != 0)
		tap_diag("chdir %s: %s", dir, strerror(errno));
	memset(&r, 0, sizeof(r));
	run("cwd", "x", &r);
	OK(run_until(cond_called, &r, 10), "second cwd job finished");
	snprintf(expect, sizeof(expect), "%s\n0027\n", dir);
	STR_EQ(slurp("cwd.out"), expect, "another cwd and umask inherited");
	umask(old);
	if (cwd[0] != '\0' && chdir(cwd) != 0)
		tap_diag("chdir back: %s", strerror(errno));
	OK(script_init(loop, hook, 0, 0) == 0, "init with the test hook again");
}

static int many_ok, many_bad;

static void
many_cb(void *ctx, int status, const char *reason)
{
	if (status == 0 && strcmp(reason, "success") == 0)
		many_ok++;
	else
		many_bad++;
}

/* Many children in a row (one shared child stack) all succeed. */
static void
test_many(void)
{
	struct script_env env;
	char path[256];
	int i, queued = 0;

	write_script(path, sizeof(path), "true-hook", "#!/bin/sh\nexit 0\n");
	OK(script_init(loop, path, 0, 0) == 0, "init with a true hook");
	script_set_limits(10, 8);
	many_ok = many_bad = 0;
	for (i = 0; i < 300; i++) {
		script_env_init(&env);
		script_env_add(&env, "NHRP_N", "%d", i);
		if (script_run("peer-register", &env, many_cb, NULL) != NULL)
			queued++;
	}
	INT_EQ(queued, 300, "300 tracked jobs queued");
	OK(script_running() <= 8, "at most 8 running (%zu)", script_running());
	OK(run_until(cond_idle, NULL, 60), "300 jobs finished");
	INT_EQ(many_ok, 300, "300 successes");
	INT_EQ(many_bad, 0, "no failure");
	OK(script_init(loop, hook, 0, 0) == 0, "init with the test hook again");
}

static int off_order[8], off_n;

static void
off_order_cb(void *ctx, int status, const char *reason)
{
	if (off_n < 8)
		off_order[off_n++] = status == 0 ? (int)(long)ctx : -1;
}

/*
 * Hooks off: every hook succeeds, asynchronously, without a process; a
 * missing script does not matter; turning hooks on again fails closed.
 */
static void
test_hooks_off(void)
{
	struct result r = { 0 }, c = { 0 };
	struct script_env env;
	struct script_job *j;
	char path[256], pf[256];
	int i, order_ok;

	path_of(path, sizeof(path), "does-not-exist");
	OK(script_init(loop, path, 0, 0) == 0, "init with a missing script");
	OK(!script_hooks_off(), "hooks on by default");
	script_set_hooks_off(1);
	OK(script_hooks_off(), "hooks off");
	script_set_limits(10, 2);

	OK(run("peer-register", "x", &r) != NULL, "hooks off: tracked handle");
	INT_EQ(r.called, 0, "hooks off: no callback from inside script_run");
	OK(run_until(cond_called, &r, 10), "hooks off: job finished");
	INT_EQ(r.called, 1, "hooks off: one callback");
	INT_EQ(r.status, 0, "hooks off: missing script succeeds");
	STR_EQ(r.reason, "success", "hooks off: reason success");

	/* the real hook would exit 3 and leave a file: nothing may run */
	OK(script_init(loop, hook, 0, 0) == 0, "init with the test hook");
	OK(script_hooks_off(), "script_init keeps hooks off");
	script_env_init(&env);
	script_env_add(&env, "NHRP_TESTDIR", "%s", dir);
	script_env_add(&env, "NHRP_CODE", "%d", 3);
	memset(&r, 0, sizeof(r));
	script_run("exit", &env, done_cb, &r);
	run("mark", "off", NULL);
	OK(run_until(cond_called, &r, 10), "hooks off: exit-3 job finished");
	STR_EQ(r.reason, "success", "hooks off: the script did not run");
	OK(run_until(cond_idle, NULL, 10), "hooks off: all done");
	path_of(pf, sizeof(pf), "mark.off");
	OK(!cond_file(pf), "hooks off: fire-and-forget hook created nothing");

	/* per-key order and the concurrency limit still hold */
	off_n = 0;
	for (i = 0; i < 6; i++) {
		script_env_init(&env);
		script_run_keyed(i % 2 ? "gre1 a" : "gre1 b", "peer-up", &env,
		    off_order_cb, (void *)(long)i);
	}
	OK(script_running() <= 2, "hooks off: at most 2 running (%zu)",
	    script_running());
	OK(run_until(cond_idle, NULL, 10), "hooks off: keyed jobs done");
	INT_EQ(off_n, 6, "hooks off: six callbacks");
	order_ok = 1;
	for (i = 0; i < off_n; i++)
		if (off_order[i] < 0)
			order_ok = 0;
	/* within a key, in order */
	{
		int last_a = -1, last_b = -1;

		for (i = 0; i < off_n; i++) {
			int *last = off_order[i] % 2 ? &last_a : &last_b;

			if (off_order[i] < *last)
				order_ok = 0;
			*last = off_order[i];
		}
	}
	OK(order_ok, "hooks off: success, one key's hooks in order");

	/* a cancelled job gets no callback */
	memset(&c, 0, sizeof(c));
	j = run("peer-up", "x", &c);
	script_cancel(j);
	OK(run_until(cond_idle, NULL, 10), "hooks off: cancelled job gone");
	INT_EQ(c.called, 0, "hooks off: no callback for a cancelled job");

	/* on again: a missing script fails closed as before */
	script_set_hooks_off(0);
	path_of(path, sizeof(path), "does-not-exist");
	OK(script_init(loop, path, 0, 0) == 0, "init with a missing script");
	memset(&r, 0, sizeof(r));
	run("peer-register", "x", &r);
	OK(run_until(cond_called, &r, 10), "hooks on: job finished");
	STR_EQ(r.reason, "exitstatus 1", "hooks on: missing script fails");
	OK(script_init(loop, hook, 0, 0) == 0, "init with the test hook again");
}

static void
test_shutdown(void)
{
	struct result a = { 0 };
	char pf[256];
	pid_t pid;

	script_set_limits(30, 1);
	run("sleep", "s1", &a);
	run("sleep", "s2", NULL);
	path_of(pf, sizeof(pf), "pid.s1");
	OK(run_until(cond_file, pf, 10), "job before shutdown started");
	pid = read_pid("pid.s1");
	script_set_hooks_off(1);	/* for later jobs: s2 stays queued */
	script_shutdown();
	INT_EQ(script_running(), 0, "nothing running after shutdown");
	INT_EQ(script_queued(), 0, "nothing queued after shutdown");
	OK(pid_gone(pid), "child %ld killed and reaped by shutdown", (long)pid);
	INT_EQ(a.called, 0, "no callback after shutdown");
	OK(script_run("env", NULL, done_cb, &a) == NULL,
	    "script_run after shutdown refused");
	OK(!script_hooks_off(), "shutdown turns hooks on again");
}

static void
copy_hook(void)
{
	const char *src = getenv("top_srcdir");
	char in[512], buf[8192];
	FILE *f, *g;
	size_t n;

	snprintf(in, sizeof(in), "%s/tests/hooks/hook-test.sh",
	    src != NULL ? src : ".");
	snprintf(hook, sizeof(hook), "%s/hook", dir);
	if ((f = fopen(in, "r")) == NULL) {
		printf("Bail out! cannot open %s\n", in);
		exit(1);
	}
	if ((g = fopen(hook, "w")) == NULL) {
		printf("Bail out! cannot create %s\n", hook);
		exit(1);
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, g);
	fclose(f);
	fclose(g);
	chmod(hook, 0755);
}

static void
cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
}

int
main(void)
{
	struct ev_loop *other;
	sigset_t blk;

	snprintf(dir, sizeof(dir), "/tmp/test_script.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	copy_hook();

	/* a daemon-like parent: odd dispositions and a blocked mask */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	sigemptyset(&blk);
	sigaddset(&blk, SIGUSR1);
	sigaddset(&blk, SIGHUP);
	sigaddset(&blk, SIGTERM);
	sigprocmask(SIG_BLOCK, &blk, NULL);

	loop = ev_default_loop(0);
	ev_timer_init(&tick_w, tick_cb, 0.02, 0.02);
	ev_timer_start(loop, &tick_w);

	other = ev_loop_new(0);
	OK(other != NULL && script_init(other, hook, 0, 0) == -1,
	    "init refuses a non-default loop");
	if (other != NULL)
		ev_loop_destroy(other);
	OK(script_init(loop, hook, 0, 0) == 0, "script_init");

	test_env();
	test_fds_sigs();
	test_missing();
	test_timeout();
	test_fire_and_forget();
	test_order();
	test_keyed();
	test_concurrency();
	test_cancel();
	test_cwd_umask();
	test_many();
	test_hooks_off();
	test_shutdown();

	cleanup();
	return tap_done();
}

/*
 * bench_hooks.c - hook spawning throughput through the script module.
 *
 * Runs K tracked hooks (each with a distinct key and a peer-register-like
 * NHRP_* environment) through script_run_keyed() with a "true" script,
 * in a process that first allocates and touches a heap the size of a
 * busy hub's (50 MB by default), and reports hooks per second, the
 * daemon's own CPU time per hook and the children's.  Built twice:
 * bench_hooks uses the runner as the daemon does (clone with CLONE_VM |
 * CLONE_VFORK), bench_hooks_fork compiles nhrp/script.c with
 * -DSCRIPT_SPAWN_FORK (the old fork() path).  Not run by make check.
 *
 * usage: bench_hooks [-k jobs] [-m heap-MB] [-j max-running]
 *	      [-w pages] [-s script] [-N]
 *   -w pages	pages of the heap written after each hook finished (a busy
 *		daemon dirties memory while children start; with fork()
 *		each one is a copy-on-write fault while a child shares it)
 *   -N		hooks off: no process at all (opennhrp -N)
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "nhrp/log.h"
#include "nhrp/script.h"

#ifdef SCRIPT_SPAWN_FORK
#define BENCH_MODE	"fork"
#else
#define BENCH_MODE	"clone-vfork"
#endif

static unsigned long done_ok, done_bad;
static unsigned char *heap;
static size_t heap_len, dirty_pages, page_size;

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
tv_sec(const struct timeval *tv)
{
	return tv->tv_sec + tv->tv_usec / 1e6;
}

static long
rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = atol(line + 6);
	fclose(f);
	return kb;
}

static void
done_cb(void *ctx, int status, const char *reason)
{
	size_t i;

	if (status == 0)
		done_ok++;
	else if (done_bad++ == 0)
		fprintf(stderr, "bench_hooks: a hook failed: %s\n", reason);
	for (i = 0; i < dirty_pages && heap_len > 0; i++)
		heap[((size_t)random() % (heap_len / page_size)) * page_size]++;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: bench_hooks [-k jobs] [-m heap-MB] "
	    "[-j max-running] [-w pages] [-s script] [-N]\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	struct ev_loop *loop;
	struct script_env env;
	struct rusage ru0, ru1, rc0, rc1;
	const char *script = "/bin/true";
	unsigned long k = 2000, i;
	unsigned running = 16, mb = 50;
	int c, off = 0;
	double t0, t1, self, kids;
	char key[64];

	while ((c = getopt(argc, argv, "k:m:j:w:s:N")) != -1) {
		switch (c) {
		case 'k':
			k = strtoul(optarg, NULL, 10);
			break;
		case 'm':
			mb = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'j':
			running = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			dirty_pages = strtoul(optarg, NULL, 10);
			break;
		case 's':
			script = optarg;
			break;
		case 'N':
			off = 1;
			break;
		default:
			usage();
		}
	}
	if (k == 0 || running == 0)
		usage();
	log_init(1, 0);
	page_size = (size_t)sysconf(_SC_PAGESIZE);

	/* a hub's heap: allocated and touched, so it is resident */
	heap_len = (size_t)mb << 20;
	if (heap_len > 0) {
		if ((heap = malloc(heap_len)) == NULL) {
			perror("malloc");
			return 1;
		}
		memset(heap, 0x5a, heap_len);
	}

	loop = ev_default_loop(0);
	if (script_init(loop, script, 0, running) != 0) {
		perror("script_init");
		return 1;
	}
	script_set_hooks_off(off);

	getrusage(RUSAGE_SELF, &ru0);
	getrusage(RUSAGE_CHILDREN, &rc0);
	t0 = mono();
	for (i = 0; i < k; i++) {
		/* what peer_run_script() passes for a peer-register */
		script_env_init(&env);
		script_env_add(&env, "NHRP_TYPE", "dynamic");
		script_env_add(&env, "NHRP_SRCADDR", "10.255.255.1");
		script_env_add(&env, "NHRP_SRCNBMA", "198.51.100.1");
		script_env_add(&env, "NHRP_DESTADDR", "10.%lu.%lu.%lu",
		    (i >> 16) & 255, (i >> 8) & 255, i & 255);
		script_env_add(&env, "NHRP_DESTPREFIX", "32");
		script_env_add(&env, "NHRP_DESTNBMA", "203.0.%lu.%lu",
		    (i >> 8) & 255, i & 255);
		script_env_add(&env, "NHRP_INTERFACE", "gre1");
		script_env_add(&env, "NHRP_GRE_KEY", "1234");
		snprintf(key, sizeof(key), "gre1 hook%lu/32", i);
		if (script_run_keyed(key, "peer-register", &env, done_cb,
		    NULL) == NULL) {
			fprintf(stderr, "bench_hooks: cannot queue\n");
			return 1;
		}
	}
	while (done_ok + done_bad < k)
		ev_run(loop, EVRUN_ONCE);
	t1 = mono();
	getrusage(RUSAGE_SELF, &ru1);
	getrusage(RUSAGE_CHILDREN, &rc1);

	self = tv_sec(&ru1.ru_utime) - tv_sec(&ru0.ru_utime) +
	    tv_sec(&ru1.ru_stime) - tv_sec(&ru0.ru_stime);
	kids = tv_sec(&rc1.ru_utime) - tv_sec(&rc0.ru_utime) +
	    tv_sec(&rc1.ru_stime) - tv_sec(&rc0.ru_stime);
	printf("mode=%s script=%s heap=%u MB rss=%ld kB jobs=%lu "
	    "max-running=%u dirty-pages/job=%zu\n",
	    off ? "hooks-off" : BENCH_MODE, off ? "(none)" : script, mb,
	    rss_kb(), k, running, dirty_pages);
	printf("  %.0f jobs/s, %.1f s wall, daemon CPU %.1f us/job "
	    "(%ld minor faults), children CPU %.1f us/job, %lu failed\n",
	    k / (t1 - t0), t1 - t0, self * 1e6 / k,
	    ru1.ru_minflt - ru0.ru_minflt, kids * 1e6 / k, done_bad);
	script_shutdown();
	free(heap);
	return done_bad != 0;
}

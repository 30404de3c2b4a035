/*
 * opennhrp.c - main(): command line, startup order and exit codes,
 * pid file, daemonizing, signals (section 1 of the behaviour spec).
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "admin.h"
#include "cache.h"
#include "conf.h"
#include "core.h"
#include "ctl.h"
#include "iface.h"
#include "log.h"
#include "packet_io.h"
#include "peer.h"
#include "resolver.h"
#include "script.h"
#include "sysdep.h"

#define EXIT_USAGE	1
#define EXIT_RESOLVER	3
#define EXIT_CONFIG	4
#define EXIT_KERNEL	5
#define EXIT_ADMIN	6
#define EXIT_DAEMONIZE	8

#define SHUTDOWN_WAIT	15.0	/* seconds for the down hooks to finish */

static const char *pid_path = NHRP_PID_FILE;
static int pid_fd = -1;
static bool pid_created;
static const char *admin_path = NHRP_ADMIN_SOCKET;
static bool admin_up;

static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: opennhrp [-a admin-socket] [-c config-file] "
	    "[-s script-file]\n"
	    "                [-p pid-file] [-d] [-v] [-N]\n"
	    "       opennhrp -V\n"
	    "\n"
	    "\t-a admin-socket\tspecify management interface socket\n"
	    "\t-c config-file\tread configuration from config-file\n"
	    "\t-s script-file\tuse specified script-file for event handling\n"
	    "\t-p pid-file\tspecify pid-file\n"
	    "\t-d\t\tfork to background after startup\n"
	    "\t-v\t\tverbose logging\n"
	    "\t-N\t\trun no hook scripts: every hook succeeds\n"
	    "\t-V\t\tshow version number and exit\n"
	    "\n", stderr);
	exit(EXIT_USAGE);
}

static void
remove_pid_file(void)
{
	if (pid_created && pid_path[0] != '\0')
		unlink(pid_path);
	if (pid_fd >= 0)
		close(pid_fd);
	pid_fd = -1;
	pid_created = false;
}

static void __attribute__((noreturn))
die(int code)
{
	if (admin_up)
		admin_shutdown();	/* e.g. a failed daemonize: no stale socket */
	remove_pid_file();
	exit(code);
}

static void
open_pid_file(void)
{
	if (pid_path[0] == '\0')
		return;
	pid_fd = open(pid_path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (pid_fd < 0) {
		log_error("Unable to open/lock pid file: %s.", strerror(errno));
		exit(EXIT_USAGE);
	}
	if (flock(pid_fd, LOCK_EX | LOCK_NB) < 0) {
		/* another instance owns it: never remove its file */
		log_error("Unable to open/lock pid file: %s.", strerror(errno));
		close(pid_fd);
		pid_fd = -1;
		exit(EXIT_USAGE);
	}
	pid_created = true;
}

static void
write_pid_file(void)
{
	char buf[32];
	int n;

	if (pid_fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(pid_fd, 0) < 0 || write(pid_fd, buf, (size_t)n) != n)
		log_warn("Unable to write the pid file");
}

/*
 * Write end of a pipe to the original parent, which waits on it so that
 * it exits (0) only once the daemon wrote its pid file: a service manager
 * reading the file right after we return must find the final pid.
 */
static int ready_fd = -1;

static int
daemonize(void)
{
	pid_t pid;
	ssize_t n;
	char c;
	int fd, p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0) {
		close(p[1]);
		while ((n = read(p[0], &c, 1)) < 0 && errno == EINTR)
			;
		_exit(n == 1 ? 0 : EXIT_DAEMONIZE);
	}
	close(p[0]);
	ready_fd = p[1];
	if (setsid() < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -1;
	umask(0);
	if ((fd = open("/dev/null", O_RDWR)) < 0)
		return -1;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

/* the daemon is ready: let the original parent exit 0 */
static void
daemon_ready(void)
{
	if (ready_fd < 0)
		return;
	while (write(ready_fd, "", 1) < 0 && errno == EINTR)
		;
	close(ready_fd);
	ready_fd = -1;
}

static void
conf_err(void *arg, const char *msg)
{
	log_error("%s", msg);
}

static void
conf_warn(void *arg, const char *msg)
{
	log_warnx("%s", msg);
}

/* --- signals ---------------------------------------------------------- */

static ev_signal sig_hup, sig_usr1, sig_term, sig_int;
static ev_timer shutdown_timer, shutdown_deadline;

static void
shutdown_end(struct ev_loop *loop)
{
	ev_timer_stop(loop, &shutdown_timer);
	ev_timer_stop(loop, &shutdown_deadline);
	ev_break(loop, EVBREAK_ALL);
}

static void
shutdown_poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	if (script_running() == 0 && script_queued() == 0 &&
	    peer_neigh_pending == 0)
		shutdown_end(loop);
}

/* a relative (monotonic) timer: a stepped realtime clock cannot stretch it */
static void
shutdown_deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	log_warnx("Shutdown: gave up waiting after %.0f s (%zu hooks running, "
	    "%zu queued, %zu neighbour updates unacknowledged)",
	    SHUTDOWN_WAIT, script_running(), script_queued(),
	    peer_neigh_pending);
	shutdown_end(loop);
}

static void
signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	switch (w->signum) {
	case SIGHUP:
		if (nhrp_shutting_down)
			break;
		log_info("SIGHUP: flushing removable peer cache entries");
		core_flush();
		break;
	case SIGUSR1:
		peer_dump_all();
		break;
	case SIGTERM:
	case SIGINT:
		if (nhrp_shutting_down) {
			/* a second signal: stop waiting for the hooks */
			log_info("Shutting down now");
			shutdown_end(loop);
			break;
		}
		log_info("Shutting down");
		sysdep_stop_listening();
		core_shutdown_peers();
		ev_timer_init(&shutdown_timer, shutdown_poll_cb, 0.05, 0.1);
		ev_timer_start(loop, &shutdown_timer);
		ev_timer_init(&shutdown_deadline, shutdown_deadline_cb,
		    SHUTDOWN_WAIT, 0.);
		ev_timer_start(loop, &shutdown_deadline);
		break;
	}
}

static ev_timer start_timer;

static void
start_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	iface_start_peers();
}

int
main(int argc, char **argv)
{
	const char *conf_path = NHRP_CONF_FILE;
	const char *script_path = NHRP_SCRIPT_FILE;
	struct sysdep_ops ops;
	struct nhrp_conf *conf;
	int i, verbose = 0, daemon_mode = 0, check = 0, hooks_off = 0, r;

	for (i = 1; i < argc; i++) {
		if (strlen(argv[i]) != 2 || argv[i][0] != '-')
			usage();
		switch (argv[i][1]) {
		case 'a':
		case 'c':
		case 's':
		case 'p':
			if (i + 1 >= argc)
				usage();
			if (argv[i][1] == 'a')
				admin_path = argv[i + 1];
			else if (argv[i][1] == 'c')
				conf_path = argv[i + 1];
			else if (argv[i][1] == 's')
				script_path = argv[i + 1];
			else
				pid_path = argv[i + 1];
			i++;
			break;
		case 'd':
			daemon_mode = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'N':
			hooks_off = 1;
			break;
		case 'V':
			printf("opennhrp-ng %s (OpenNHRP 0.14.1 compatible)\n",
			    PACKAGE_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (check) {
		log_init(1, verbose);
		return conf_check_main(conf_path, verbose);
	}

	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	log_init(1, verbose);
	open_pid_file();
	log_info("opennhrp-ng %s (OpenNHRP 0.14.1 compatible) starting",
	    PACKAGE_VERSION);

	signal(SIGPIPE, SIG_IGN);
	nhrp_loop = ev_default_loop(0);
	if (nhrp_loop == NULL)
		die(EXIT_KERNEL);
	ev_signal_init(&sig_hup, signal_cb, SIGHUP);
	ev_signal_init(&sig_usr1, signal_cb, SIGUSR1);
	ev_signal_init(&sig_term, signal_cb, SIGTERM);
	ev_signal_init(&sig_int, signal_cb, SIGINT);
	ev_signal_start(nhrp_loop, &sig_hup);
	ev_signal_start(nhrp_loop, &sig_usr1);
	ev_signal_start(nhrp_loop, &sig_term);
	ev_signal_start(nhrp_loop, &sig_int);

	if (resolver_init(nhrp_loop) != 0) {
		log_error("Failed to initialize the DNS resolver");
		die(EXIT_RESOLVER);
	}
	if (access(conf_path, R_OK) != 0) {
		log_error("Unable to open configuration file '%s'.", conf_path);
		die(EXIT_CONFIG);
	}
	if ((conf = conf_parse_file(conf_path, conf_err, NULL)) == NULL)
		die(EXIT_CONFIG);
	nhrp_cur_conf = conf;
	conf_warnings(conf, conf_warn, NULL);
	iface_init();
	packet_io_init(nhrp_loop);
	if (cache_init() != 0 || iface_apply_conf(conf) != 0) {
		log_error("Out of memory applying the configuration");
		die(EXIT_CONFIG);
	}
	if (script_init(nhrp_loop, script_path, conf->script_timeout,
	    conf->script_max_running) != 0) {
		log_error("Unable to initialize the script runner");
		die(EXIT_CONFIG);
	}
	if (hooks_off) {
		/* -N wins over -s: the script is never run */
		script_set_hooks_off(1);
		log_warnx("Hooks off (-N): no hook script runs and every hook "
		    "succeeds, so every registration is accepted "
		    "(peer-register authorizes nothing)");
	}

	core_sysdep_ops(&ops);
	if ((r = sysdep_init(nhrp_loop, &ops, NULL)) != 0) {
		log_error("Failed to initialize kernel interface: %s",
		    strerror(-r));
		die(EXIT_KERNEL);
	}
	sysdep_global_configure();

	if ((r = admin_init(nhrp_loop, admin_path, ctl_handler, NULL)) != 0) {
		log_error("Failed initialize admin socket [%s]: %s", admin_path,
		    strerror(-r));
		die(EXIT_ADMIN);
	}
	admin_up = true;

	if (daemon_mode) {
		if (daemonize() != 0) {
			log_error("Failed to daemonize. Exit.");
			die(EXIT_DAEMONIZE);
		}
		log_stderr(0);
		ev_loop_fork(nhrp_loop);
	}
	write_pid_file();
	daemon_ready();

	ev_timer_init(&start_timer, start_cb, 0., 0.);
	ev_timer_start(nhrp_loop, &start_timer);
	ev_run(nhrp_loop, 0);

	/* clean shutdown */
	log_debug("Stopping hooks (%zu running, %zu queued)", script_running(),
	    script_queued());
	script_shutdown();
	log_debug("Closing the admin socket");
	admin_shutdown();
	log_debug("Closing the resolver");
	resolver_shutdown();
	log_debug("Closing the kernel interface");
	sysdep_close();
	iface_shutdown();
	cache_shutdown();
	conf_free(conf);
	remove_pid_file();
	log_info("Exiting");
	return 0;
}

/*
 * ctl_server.c - fake opennhrp admin servers for tests/admin/ctl.sh.
 *
 *	ctl_server raw PATH REQFILE REPLYFILE
 *		one connection: read until EOF, save the bytes to REQFILE,
 *		send REPLYFILE, close
 *	ctl_server reset PATH
 *		one connection: close it unread after 200 ms
 *	ctl_server big PATH BYTES
 *		one connection: read until EOF, send BYTES bytes of 'x'
 *	ctl_server admin PATH PIDFILE
 *		the real admin module with an echo handler, until SIGTERM
 *
 * Each returns (exit 0) as soon as the socket listens and serves from a
 * background child, so the caller needs no polling.  Children give up
 * after 20 s.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "nhrp/admin.h"

static void
die(const char *what)
{
	fprintf(stderr, "ctl_server: %s: %s\n", what, strerror(errno));
	exit(99);
}

static struct stat bound;	/* the socket file listen_at() created */

static int
listen_at(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		die("socket");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	memcpy(sun.sun_path, path, strlen(path));
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		die("bind");
	if (listen(fd, 4) < 0)
		die("listen");
	if (stat(path, &bound) < 0)
		die("stat");
	return fd;
}

/*
 * Removes path only while it is still our listening socket: the test runs
 * servers on one path back to back, and a slow server that exits after
 * the next one bound must not unlink the next one's socket.
 */
static void
unlink_ours(int lfd, const char *path)
{
	struct stat now;

	(void)lfd;
	if (stat(path, &now) == 0 && now.st_ino == bound.st_ino &&
	    now.st_dev == bound.st_dev)
		unlink(path);
}

/*
 * Parent returns to the shell (after writing the child's pid to pidfile,
 * if any); the child carries on serving.
 */
static void
background(const char *pidfile)
{
	FILE *f;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) < 0)
		die("fork");
	if (pid > 0) {
		if (pidfile != NULL) {
			if ((f = fopen(pidfile, "w")) == NULL)
				die(pidfile);
			fprintf(f, "%ld\n", (long)pid);
			fclose(f);
		}
		_exit(0);
	}
	alarm(20);
}

static int
accept_one(int lfd)
{
	int fd;

	while ((fd = accept(lfd, NULL, NULL)) < 0)
		if (errno != EINTR)
			die("accept");
	return fd;
}

static char *
read_to_eof(int fd, size_t *len)
{
	char *buf = NULL, *nb;
	size_t cap = 0;
	ssize_t n;

	*len = 0;
	for (;;) {
		if (cap - *len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if ((nb = realloc(buf, cap)) == NULL)
				die("realloc");
			buf = nb;
		}
		n = read(fd, buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	return buf;
}

static void
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;		/* the client went away */
		}
		p += n;
		len -= (size_t)n;
	}
}

static void
echo_handler(void *arg, enum admin_cmd cmd, const char *args,
    struct admin_out *out)
{
	admin_printf(out, "Status: ok\ncmd=%s args=[%s]\n",
	    admin_cmd_name(cmd), args);
}

static void
term_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

int
main(int argc, char **argv)
{
	char *buf, *reply;
	size_t len, rlen;
	int lfd, fd, out;

	signal(SIGPIPE, SIG_IGN);
	if (argc == 5 && strcmp(argv[1], "raw") == 0) {
		lfd = listen_at(argv[2]);
		background(NULL);
		fd = accept_one(lfd);
		buf = read_to_eof(fd, &len);
		if ((out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
			die(argv[3]);
		if (write(out, buf, len) != (ssize_t)len)
			die("write");
		close(out);
		if ((out = open(argv[4], O_RDONLY)) < 0)
			die(argv[4]);
		reply = read_to_eof(out, &rlen);
		close(out);
		write_all(fd, reply, rlen);
		close(fd);
		unlink_ours(lfd, argv[2]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "reset") == 0) {
		struct timespec ts = { 0, 200000000 };

		lfd = listen_at(argv[2]);
		background(NULL);
		fd = accept_one(lfd);
		nanosleep(&ts, NULL);
		close(fd);
		unlink_ours(lfd, argv[2]);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "big") == 0) {
		len = strtoul(argv[3], NULL, 10);
		lfd = listen_at(argv[2]);
		background(NULL);
		fd = accept_one(lfd);
		free(read_to_eof(fd, &rlen));
		if ((buf = malloc(len)) == NULL)
			die("malloc");
		memset(buf, 'x', len);
		write_all(fd, buf, len);
		close(fd);
		unlink_ours(lfd, argv[2]);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "admin") == 0) {
		struct ev_loop *loop = EV_DEFAULT;
		ev_signal sig;
		int rc;

		if ((rc = admin_init(loop, argv[2], echo_handler, NULL)) < 0) {
			errno = -rc;
			die("admin_init");
		}
		background(argv[3]);
		ev_loop_fork(loop);
		ev_signal_init(&sig, term_cb, SIGTERM);
		ev_signal_start(loop, &sig);
		ev_run(loop, 0);
		admin_shutdown();
		return 0;
	}
	fprintf(stderr, "usage: ctl_server raw|reset|big|admin PATH ...\n");
	return 2;
}

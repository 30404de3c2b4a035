/*
 * opennhrpctl - send one request to the opennhrp admin socket and copy
 * the reply to standard output.
 *
 * Every argument that is not a two-character "-x" option is a word of
 * the request; the words are joined with single spaces and ended with a
 * newline.  "-a PATH" (anywhere on the line) selects the socket.  The exit
 * status is 0 whenever a reply was read, whatever its Status: line says.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static void
usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-a admin-socket] <command>\n", argv0);
	exit(1);
}

/* Writes all of buf to fd; returns 0 or -errno. */
static int
write_all(int fd, const char *buf, size_t len, int sock)
{
	ssize_t n;

	while (len > 0) {
		if (sock)
			n = send(fd, buf, len, MSG_NOSIGNAL);
		else
			n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *argv0 = argc > 0 && argv[0] != NULL ? argv[0] :
	    "opennhrpctl";
	const char *path = NHRP_ADMIN_SOCKET;
	struct sockaddr_un sun;
	char *req, buf[16384];
	size_t reqlen = 0, n;
	ssize_t got;
	int i, fd, rc, words = 0;

	/* A reader that goes away (opennhrpctl show | head) is not fatal. */
	signal(SIGPIPE, SIG_IGN);

	/* First pass: options, and room for the words, spaces and newline. */
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && strlen(argv[i]) == 2) {
			if (argv[i][1] != 'a' || i + 1 >= argc)
				usage(argv0);
			path = argv[++i];
			continue;
		}
		words++;
		reqlen += strlen(argv[i]) + 1;
	}
	if (words == 0)
		usage(argv0);
	if ((req = malloc(reqlen)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", argv0);
		return 1;
	}
	/* Second pass: the request. */
	reqlen = 0;
	words = 0;
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && strlen(argv[i]) == 2) {
			i++;
			continue;
		}
		if (words++ > 0)
			req[reqlen++] = ' ';
		n = strlen(argv[i]);
		memcpy(req + reqlen, argv[i], n);
		reqlen += n;
	}
	req[reqlen++] = '\n';

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = errno;
		goto connfail;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		rc = ENAMETOOLONG;
		goto connfail;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = errno;
		goto connfail;
	}

	rc = write_all(fd, req, reqlen, 1);
	free(req);
	if (rc < 0)
		goto sendfail;
	shutdown(fd, SHUT_WR);

	for (;;) {
		got = recv(fd, buf, sizeof(buf), 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto sendfail;
		}
		if (got == 0)
			break;
		if ((rc = write_all(STDOUT_FILENO, buf, (size_t)got, 0)) < 0) {
			if (rc == -EPIPE)
				break;	/* the reader has seen enough */
			fprintf(stderr, "Failed to write reply: %s.\n",
			    strerror(-rc));
			return 2;
		}
	}
	close(fd);
	return 0;

connfail:
	free(req);
	fprintf(stderr, "Failed to connect to opennhrp daemon [%s]: %s.\n\n",
	    path, strerror(rc));
	return 1;
sendfail:
	fprintf(stderr, "Failed to send request: %s.\n", strerror(-rc));
	return 2;
}

/*
 * conf-check.c - the config check of "opennhrp -n [-v]" on its own, for
 * the golden tests: conf-check [-v] FILE, or conf-check --keywords.
 */
#include <stdio.h>
#include <string.h>

#include "nhrp/conf.h"

int
main(int argc, char **argv)
{
	const char *kw;
	unsigned i;

	if (argc == 2 && strcmp(argv[1], "--keywords") == 0) {
		for (i = 0; (kw = conf_keyword(i)) != NULL; i++)
			puts(kw);
		return 0;
	}
	if (argc == 2)
		return conf_check_main(argv[1], 0);
	if (argc == 3 && strcmp(argv[1], "-v") == 0)
		return conf_check_main(argv[2], 1);
	fprintf(stderr, "usage: conf-check [-v] file | --keywords\n");
	return 1;
}

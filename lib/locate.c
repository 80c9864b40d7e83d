/* SPDX-License-Identifier: MIT */
/*
 * locate — files relative to the binary, the environment and the install
 * folder; programs on PATH.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "locate.h"

int zc_exe_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0)
		return n < 0 ? -errno : -ENOENT;
	buf[n] = 0;
	slash = strrchr(buf, '/');
	if (slash)
		*slash = 0;
	return 0;
}

static int readable_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, R_OK) == 0;
}

int zc_locate(const char *env, const char *name, const char *const *rel,
	      const char *installed, char *out, size_t len, char *why,
	      size_t wlen)
{
	const char *e = env ? getenv(env) : NULL;
	char dir[4096];

	if (e && *e) {
		snprintf(out, len, "%s", e);
		if (readable_file(out))
			return 0;
		snprintf(why, wlen, "%s='%s': %s", env, e,
			 access(out, R_OK) ? strerror(errno)
					   : "not a regular file");
		return -ENOENT;
	}
	if (rel && zc_exe_dir(dir, sizeof(dir)) == 0)
		for (int i = 0; rel[i]; i++) {
			snprintf(out, len, "%s/%s/%s", dir, rel[i], name);
			if (readable_file(out))
				return 0;
		}
	if (installed) {
		snprintf(out, len, "%s/%s", installed, name);
		if (readable_file(out))
			return 0;
	}
	snprintf(why, wlen, "%s not found next to zcbench%s%s", name,
		 installed ? " or in " : "", installed ? installed : "");
	return -ENOENT;
}

int zc_which(const char *name, char *out, size_t len, char *why, size_t wlen)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		if (access(out, X_OK) == 0)
			return 0;
		snprintf(why, wlen, "'%s': %s", name, strerror(errno));
		return -ENOENT;
	}
	while (path && *path) {
		const char *c = strchr(path, ':');
		int n = c ? (int)(c - path) : (int)strlen(path);
		snprintf(out, len, "%.*s/%s", n ? n : 1, n ? path : ".", name);
		if (access(out, X_OK) == 0)
			return 0;
		path = c ? c + 1 : NULL;
	}
	snprintf(why, wlen, "'%s' is not on PATH", name);
	return -ENOENT;
}

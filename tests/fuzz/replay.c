/* SPDX-License-Identifier: MIT */
/*
 * replay — main() for a fuzz harness outside libFuzzer: runs it once on
 * every file named (folders: every file in them), so the corpus, crashes
 * found earlier included, is a regression test in every build.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t r;
		if (len == cap) {
			uint8_t *p;
			cap = cap ? 2 * cap : 65536;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = p;
		}
		r = fread(buf + len, 1, cap - len, f);
		if (r == 0)
			break;
		len += r;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int n = 0, bad = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		struct dirent *e;
		char *names[4096];
		int k = 0;
		DIR *d;

		if (stat(argv[i], &st) < 0 || !S_ISDIR(st.st_mode)) {
			bad += run_file(argv[i]) < 0;
			n++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d) {
			bad++;
			continue;
		}
		while ((e = readdir(d)) && k < 4096)
			if (e->d_name[0] != '.' &&
			    (names[k] = strdup(e->d_name)))
				k++;
		closedir(d);
		qsort(names, (size_t)k, sizeof(names[0]), cmp_str);
		for (int j = 0; j < k; j++) {
			char path[4400];
			snprintf(path, sizeof(path), "%s/%s", argv[i],
				 names[j]);
			bad += run_file(path) < 0;
			n++;
			free(names[j]);
		}
	}
	printf("replay: %d input(s), %d unreadable\n", n, bad);
	return bad || n == 0 ? 1 : 0;
}

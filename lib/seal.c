/* SPDX-License-Identifier: MIT */
/*
 * seal — HMAC-SHA256 seals on the gnuplot scripts zcbench writes (see
 * seal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef ZC_HAVE_NETTLE
#include <nettle/hmac.h>
#endif

#include "seal.h"

#define KEY_LEN 32

static int key_path(char *p, size_t len)
{
	const char *e = getenv("ZC_PLOT_KEY"), *x = getenv("XDG_CONFIG_HOME"),
		   *h = getenv("HOME");

	if (e && *e)
		return snprintf(p, len, "%s", e) < (int)len ? 0 : -ENAMETOOLONG;
	if (x && *x)
		return snprintf(p, len, "%s/zcbench/plot.key", x) < (int)len
			       ? 0
			       : -ENAMETOOLONG;
	if (h && *h)
		return snprintf(p, len, "%s/.config/zcbench/plot.key", h) <
				       (int)len
			       ? 0
			       : -ENAMETOOLONG;
	return -ENOKEY;
}

/* Folders above the key file, 0700. */
static void make_parents(char *p)
{
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		mkdir(p, 0700);
		*s = '/';
	}
}

static int get_key(unsigned char *key, int create)
{
	char path[4096], *buf;
	size_t n;
	int fd, err = key_path(path, sizeof(path));

	if (err)
		return -ENOKEY;
	err = zc_read_file(path, KEY_LEN, &buf, &n);
	if (!err && n == KEY_LEN) {
		memcpy(key, buf, KEY_LEN);
		free(buf);
		return 0;
	}
	free(buf);
	if (!create || err != -ENOENT)
		return -ENOKEY;
	if (getrandom(key, KEY_LEN, 0) != KEY_LEN)
		return -ENOKEY;
	make_parents(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? get_key(key, 0) : -ENOKEY;
	err = write(fd, key, KEY_LEN) == KEY_LEN ? 0 : -ENOKEY;
	if (close(fd) < 0 || err) {
		unlink(path);
		return -ENOKEY;
	}
	return 0;
}

/* The seal of text[0..n) as 64 hex digits. */
static int seal_of(const unsigned char *key, const char *text, size_t n,
		   char *hex)
{
#ifdef ZC_HAVE_NETTLE
	struct hmac_sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];

	hmac_sha256_set_key(&c, KEY_LEN, key);
	hmac_sha256_update(&c, n, (const uint8_t *)text);
	hmac_sha256_digest(&c, sizeof(d), d);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	return 0;
#else
	(void)key, (void)text, (void)n, (void)hex;
	return -ENOTSUP;
#endif
}

int zc_seal_commit(struct zc_afile *a)
{
	unsigned char key[KEY_LEN];
	char hex[65], *text;
	size_t n;

	if (fflush(a->f) == 0 && get_key(key, 1) == 0 &&
	    zc_read_file(a->tmp, 1u << 24, &text, &n) == 0) {
		if (seal_of(key, text, n, hex) == 0)
			fprintf(a->f, "%s%s\n", ZC_SEAL_TAG, hex);
		free(text);
	}
	return zc_afile_commit(a);
}

int zc_seal_check(const char *dir, const char *name, char *why, size_t len)
{
	unsigned char key[KEY_LEN];
	char path[4200], hex[65], *text, *last;
	size_t n, tag = strlen(ZC_SEAL_TAG);
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	err = zc_read_file(path, 1u << 24, &text, &n);
	if (err < 0) {
		snprintf(why, len, "%s", zc_file_strerror(err, 0));
		return err;
	}
	while (n && text[n - 1] == '\n')
		text[--n] = 0;
	last = memrchr(text, '\n', n);
	last = last ? last + 1 : text;
	err = -EBADMSG;
	if (strncmp(last, ZC_SEAL_TAG, tag)) {
		snprintf(why, len, "not written by zcbench (no seal)");
	} else if (get_key(key, 0) < 0) {
		snprintf(why, len, "no plot key here to check its seal");
		err = -ENOKEY;
	} else if ((err = seal_of(key, text, (size_t)(last - text), hex))) {
		snprintf(why, len, "zcbench was built without nettle");
	} else if (strcmp(last + tag, hex)) {
		snprintf(why, len,
			 "its seal does not match: edited, or written by "
			 "another user or machine");
		err = -EBADMSG;
	}
	free(text);
	return err;
}

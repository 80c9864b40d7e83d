/* SPDX-License-Identifier: MIT */
/*
 * Description: ffi sink library: reference messages pass, every corrupted
 * byte, a lost, duplicated or reordered message is caught; call-marshal's
 * text records and the Python and Node.js hosts build byte-identical
 * messages (needs the built sink; a host's part skipped without its
 * interpreter)
 * Labels: unit
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "../plugins/ffi_msg.h"

static zc_ffi_begin_fn begin;
static zc_ffi_consume_fn consume;
static zc_ffi_end_fn end;
static unsigned char *pool[ZC_FFI_PAYLOADS];
static const uint32_t sizes[] = {32, 40, 48, 64, 256, 1024, 4096};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static void good_stream(uint32_t size)
{
	_Alignas(8) unsigned char m[ZC_FFI_SIZE_MAX];
	struct zc_ffi_verdict v;

	CHECK(begin(size) == 0);
	for (uint64_t id = 0; id < 3000; id++) {
		zc_ffi_fill(m, size, id, pool);
		CHECKF(consume(m) == 0, "size %u id %llu", size,
		       (unsigned long long)id);
	}
	end(&v);
	CHECK(v.received == 3000 && v.bad == 0 && v.first_err == 0);
}

/* Flip each byte of one message in turn: every flip must be caught. */
static void corrupt_bytes(uint32_t size)
{
	_Alignas(8) unsigned char m[ZC_FFI_SIZE_MAX];

	for (uint32_t i = 0; i < size; i++) {
		int err;
		begin(size);
		zc_ffi_fill(m, size, 0, pool);
		CHECK(consume(m) == 0);
		zc_ffi_fill(m, size, 1, pool);
		m[i] ^= 0x40;
		err = consume(m);
		CHECKF(err == -EBADMSG || (i < 8 && err == -EILSEQ),
		       "size %u: flipped byte %u not caught (%d)", size, i,
		       err);
	}
}

static void sequence_faults(void)
{
	_Alignas(8) unsigned char m[64];
	struct zc_ffi_verdict v;

	begin(64);
	zc_ffi_fill(m, 64, 0, pool);
	CHECK(consume(m) == 0);
	zc_ffi_fill(m, 64, 2, pool); /* 1 lost */
	CHECK(consume(m) == -EILSEQ);
	zc_ffi_fill(m, 64, 3, pool); /* resynchronised */
	CHECK(consume(m) == 0);
	CHECK(consume(m) == -EILSEQ); /* duplicate */
	zc_ffi_fill(m, 64, 4, pool);
	CHECK(consume(m) == 0);
	end(&v);
	CHECK(v.received == 5 && v.bad == 2 && v.first_bad == 1 &&
	      v.first_err == -EILSEQ);
	CHECK(begin(33) == -EINVAL && begin(16) == -EINVAL &&
	      begin(8192) == -EINVAL);
}

/* call-marshal's messages, parsed from text records, are the reference
 * messages byte for byte. */
static void marshal_matches(uint32_t size)
{
	static struct zc_ffi_text recs[ZC_FFI_RECS];
	_Alignas(8) unsigned char want[ZC_FFI_SIZE_MAX], got[ZC_FFI_SIZE_MAX];

	for (unsigned k = 0; k < ZC_FFI_RECS; k++)
		zc_ffi_text_rec(&recs[k], k);
	for (uint64_t id = 0; id < 2 * ZC_FFI_RECS + 7; id++) {
		zc_ffi_fill(want, size, id, pool);
		zc_ffi_marshal(got, size, id, recs, pool);
		CHECKF(!memcmp(want, got, size),
		       "size %u: marshalled %llu "
		       "differs",
		       size, (unsigned long long)id);
	}
}

/* What a verdict says. */
static void verdicts(void)
{
	struct zc_ffi_verdict ok = {.received = 10}, lost = {.received = 9},
			      bad = {.received = 10,
				     .bad = 1,
				     .first_bad = 4,
				     .first_err = -EILSEQ};
	char why[300] = "";

	CHECK(zc_ffi_verdict_check(&ok, 10, why, sizeof(why)) == 0);
	CHECK(zc_ffi_verdict_check(&lost, 10, why, sizeof(why)) == -EBADMSG);
	CHECKF(strstr(why, "received 9 of 10") && strstr(why, "missing"), "%s",
	       why);
	CHECK(zc_ffi_verdict_check(&bad, 10, why, sizeof(why)) == -EBADMSG);
	CHECKF(strstr(why, "1 bad (first at 4"), "%s", why);
}

/* A host program's messages (the Python and the Node.js host), byte for
 * byte. */
static int host_matches(const char *dir, const char *interp, const char *ext)
{
	char cmd[4096], path[2048];
	_Alignas(8) unsigned char want[ZC_FFI_SIZE_MAX], got[ZC_FFI_SIZE_MAX];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", interp);
	if (system(cmd) != 0) {
		fprintf(stderr, "%s not found: that host's part skipped\n",
			interp);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/zcbench_ffi_host.%s", dir, ext);
	for (size_t s = 0; s < NSIZES; s++) {
		uint32_t size = sizes[s];
		uint64_t n = 2100, id = 0;
		FILE *f;

		snprintf(cmd, sizeof(cmd),
			 "%s '%s' --mode dump --size %u --count %llu", interp,
			 path, size, (unsigned long long)n);
		f = popen(cmd, "r");
		CHECK(f != NULL);
		if (!f)
			return -1;
		for (; id < n && fread(got, size, 1, f) == 1; id++) {
			zc_ffi_fill(want, size, id, pool);
			if (memcmp(want, got, size)) {
				CHECKF(0, "size %u: message %llu differs", size,
				       (unsigned long long)id);
				break;
			}
		}
		CHECK(pclose(f) == 0);
		CHECKF(id == n, "size %u: %s sent %llu of %llu", size, interp,
		       (unsigned long long)id, (unsigned long long)n);
	}
	return 0;
}

int main(void)
{
	const char *dir = getenv("ZC_BUILDDIR");
	char path[2048], why[300];
	struct zc_ffi_sink sink;
	int err;

	if (!dir)
		dir = ".";
	snprintf(path, sizeof(path), "%s/%s", dir, ZC_FFI_SINK_NAME);
	err = zc_ffi_sink_open(&sink, path, why, sizeof(why));
	if (err < 0) {
		fprintf(stderr, "%s\n", why);
		return err == -ENOENT ? 77 : 1; /* not built : broken */
	}
	begin = sink.begin;
	consume = sink.consume;
	end = sink.end;
	for (unsigned v = 0; v < ZC_FFI_PAYLOADS; v++) {
		pool[v] = malloc(ZC_FFI_SIZE_MAX);
		zc_ffi_payload(pool[v], ZC_FFI_SIZE_MAX, v);
	}
	for (size_t s = 0; s < NSIZES; s++) {
		good_stream(sizes[s]);
		corrupt_bytes(sizes[s]);
		marshal_matches(sizes[s]);
	}
	sequence_faults();
	verdicts();
	host_matches(dir, "python3", "py");
	host_matches(dir, "node", "js");
	for (unsigned v = 0; v < ZC_FFI_PAYLOADS; v++)
		free(pool[v]);
	dlclose(sink.dl);
	return zc_check_result();
}

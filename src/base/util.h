/* Small helpers: parsing numbers and sizes, string vectors, the cleanup
 * attributes every module uses, and reading a small text file. Covered by
 * tests/unit/test_util.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

/* Hand over ownership out of a cleanup variable. */
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _fd = (fd);                                                                    \
		(fd) = -1;                                                                         \
		_fd;                                                                               \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Decimal unsigned integer, whole string, no sign, no overflow. */
int parse_u64(const char *s, uint64_t *out);
int parse_u32(const char *s, uint32_t *out);

/* A size with an optional k/m/g/t suffix (powers of 1024,
 * case-insensitive), at most HUSK_SIZE_MAX (-ERANGE above it): a tmpfs
 * size near 2^64 wraps in the kernel to "unlimited", and a limit added to
 * another (memory + swap) must not overflow. 256 TiB is far above any
 * machine's memory and far below the wrap. */
#define HUSK_SIZE_MAX (1ull << 48)
int parse_size(const char *s, uint64_t *out);

/* An octal file mode up to 07777. */
int parse_mode(const char *s, uint32_t *out);

/* A growable NULL-terminated vector of owned strings. */
struct strv {
	char **v;
	size_t n;
};
int strv_push(struct strv *sv, const char *s);
void strv_free(struct strv *sv);

/* xmalloc-style helpers: husk cannot do anything useful without memory, and
 * an allocation failure is reported as a launch failure. */
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);

bool str_has_prefix(const char *s, const char *prefix);

/* The start of a text file (/proc, /sys, cgroupfs): up to len - 1 bytes,
 * NUL-terminated. Returns 0 or a negative errno. */
int read_text(const char *path, char *buf, size_t len);

/* A text file husk is told to read (a profile, a seccomp policy, a JSON
 * file), read whole into a NUL-terminated buffer: only a regular file of
 * at most cap bytes, opened O_NONBLOCK so a FIFO cannot hold husk at the
 * open, and a read error is an error, never an early end. Returns 0 with
 * *buf (free it) and *len, or a negative errno with "PATH: why" in err. */
int read_capped_file(const char *path, size_t cap, char **buf, size_t *len, char *err,
		     size_t errlen);

/* Writes a one-line reason into err (for front ends, which report it with
 * the option or file that caused it) and returns r, a negative errno. */
int errf(char *err, size_t errlen, int r, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Whether an absolute path is normal: starts with '/', no "." or ".."
 * components, no empty components except a trailing slash is refused too. */
bool path_is_normal_absolute(const char *p);

/* The interpreter named by a "#!" line at the start of buf (len bytes), as
 * the kernel's binfmt_script reads it: after "#!" and blanks, up to the
 * next blank or newline. Returns false when buf is not a script or names
 * none, or the name does not fit out. */
bool shebang_interpreter(const char *buf, size_t len, char *out, size_t outlen);

/* The PT_INTERP path (the dynamic loader) of an ELF file whose first len
 * bytes are buf, 32- or 64-bit, either byte order. Returns 1 with it in
 * out; 0 for an ELF without one (static) or a file that is not ELF; -1
 * when the headers lie past buf or are malformed. */
int elf_interp(const unsigned char *buf, size_t len, char *out, size_t outlen);

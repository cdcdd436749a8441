#include "base/util.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"

int parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return -EINVAL;
	uint64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int r = parse_u64(s, &v);
	if (r < 0)
		return r;
	if (v > UINT32_MAX)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return -EINVAL;
	size_t len = strlen(s);
	unsigned shift = 0;
	switch (tolower((unsigned char)s[len - 1])) {
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	case 't':
		shift = 40;
		break;
	default:
		break;
	}
	char num[32];
	size_t nlen = shift ? len - 1 : len;
	if (nlen == 0 || nlen >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, nlen);
	num[nlen] = '\0';
	uint64_t v;
	int r = parse_u64(num, &v);
	if (r < 0)
		return r;
	if (v > (HUSK_SIZE_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int parse_mode(const char *s, uint32_t *out)
{
	if (!s || !*s || strlen(s) > 5)
		return -EINVAL;
	uint32_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '7')
			return -EINVAL;
		v = v * 8 + (uint32_t)(*p - '0');
	}
	if (v > 07777)
		return -ERANGE;
	*out = v;
	return 0;
}

int strv_push(struct strv *sv, const char *s)
{
	char **nv = realloc(sv->v, (sv->n + 2) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	sv->v = nv;
	sv->v[sv->n] = strdup(s);
	if (!sv->v[sv->n])
		return -ENOMEM;
	sv->v[++sv->n] = NULL;
	return 0;
}

void strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		die("out of memory");
	return p;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool path_is_normal_absolute(const char *p)
{
	if (!p || p[0] != '/')
		return false;
	if (strcmp(p, "/") == 0)
		return true;
	const char *c = p + 1;
	while (*c) {
		const char *e = strchr(c, '/');
		size_t len = e ? (size_t)(e - c) : strlen(c);
		if (len == 0)
			return false; /* "//" or a trailing '/' */
		if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!e)
			break;
		c = e + 1;
		if (!*c)
			return false;
	}
	return true;
}

int errf(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

bool shebang_interpreter(const char *buf, size_t len, char *out, size_t outlen)
{
	if (len < 2 || buf[0] != '#' || buf[1] != '!')
		return false;
	size_t i = 2;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	size_t start = i;
	while (i < len && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\0')
		i++;
	size_t n = i - start;
	if (n == 0 || n >= outlen)
		return false;
	memcpy(out, buf + start, n);
	out[n] = '\0';
	return true;
}

int read_text(const char *path, char *buf, size_t len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t n = 0;
	ssize_t r;
	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) != 0) {
		if (r < 0)
			return -errno;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return 0;
}

static uint64_t elf_rd(const unsigned char *p, size_t n, bool big)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[big ? n - 1 - i : i] << (8 * i);
	return v;
}

int elf_interp(const unsigned char *buf, size_t len, char *out, size_t outlen)
{
	if (len < 52 || memcmp(buf, "\177ELF", 4) != 0)
		return 0;
	bool is64 = buf[4] == 2, big = buf[5] == 2;
	if ((buf[4] != 1 && buf[4] != 2) || (buf[5] != 1 && buf[5] != 2) || (is64 && len < 64))
		return -1;
	uint64_t phoff = is64 ? elf_rd(buf + 32, 8, big) : elf_rd(buf + 28, 4, big);
	uint64_t phentsize = elf_rd(buf + (is64 ? 54 : 42), 2, big);
	uint64_t phnum = elf_rd(buf + (is64 ? 56 : 44), 2, big);
	if (phentsize < (is64 ? 56u : 32u))
		return phnum ? -1 : 0;
	for (uint64_t i = 0; i < phnum; i++) {
		if (phoff > len || i > (len - phoff) / phentsize ||
		    phoff + (i + 1) * phentsize > len)
			return -1;
		const unsigned char *ph = buf + phoff + i * phentsize;
		if (elf_rd(ph, 4, big) != 3 /* PT_INTERP */)
			continue;
		uint64_t off = is64 ? elf_rd(ph + 8, 8, big) : elf_rd(ph + 4, 4, big);
		uint64_t sz = is64 ? elf_rd(ph + 32, 8, big) : elf_rd(ph + 16, 4, big);
		if (sz == 0 || off > len || sz > len - off || sz > outlen)
			return -1;
		memcpy(out, buf + off, sz);
		out[sz - 1] = '\0'; /* the segment holds the NUL */
		return out[0] ? 1 : -1;
	}
	return 0;
}

int read_capped_file(const char *path, size_t cap, char **buf, size_t *len, char *err,
		     size_t errlen)
{
	*buf = NULL;
	*len = 0;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > cap) {
		char c[32];
		if (cap >= (1u << 20) && cap % (1u << 20) == 0)
			snprintf(c, sizeof(c), "%zu MiB", cap >> 20);
		else
			snprintf(c, sizeof(c), "%zu bytes", cap);
		return errf(err, errlen, -EINVAL, "%s: not a regular file of at most %s", path, c);
	}
	char *b = xcalloc(1, (size_t)st.st_size + 1);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, b + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(b);
			return errf(err, errlen, -e, "%s: read: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*buf = b;
	*len = got;
	return 0;
}

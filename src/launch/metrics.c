#include "launch/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct out {
	char *buf;
	size_t len, n;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	if (o->n >= o->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n += (size_t)k;
	if (o->n > o->len)
		o->n = o->len;
}

static void series(struct out *o, const char *name, const char *type, const char *help,
		   const char *label, uint64_t v)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n%s{sandbox=\"%s\"} %" PRIu64 "\n", name, help, name, type,
	    name, label, v);
}

size_t metrics_format(char *buf, size_t len, const char *sandbox, const struct metrics_values *v,
		      const struct cg_usage *u)
{
	/* A label value escapes \, " and newlines (the exposition format). */
	char label[2 * 64 + 1];
	size_t k = 0;
	for (const char *c = sandbox; *c && k + 2 < sizeof(label); c++) {
		if (*c == '\\' || *c == '"' || *c == '\n')
			label[k++] = '\\';
		label[k++] = *c == '\n' ? 'n' : *c;
	}
	label[k] = '\0';
	struct out o = { buf, len, 0 };
	series(&o, "husk_up", "gauge", "1 while the service runs, 0 between restarts and after exit.",
	       label, v->up);
	series(&o, "husk_restarts_total", "counter", "Restarts since husk started.", label,
	       v->restarts);
	if (v->health >= 0) {
		put(&o, "# HELP husk_health_status The health check's status: one series per state, "
			"1 for the current one.\n# TYPE husk_health_status gauge\n");
		static const char *const states[] = { "starting", "healthy", "unhealthy" };
		for (int i = 0; i < 3; i++)
			put(&o, "husk_health_status{sandbox=\"%s\",status=\"%s\"} %d\n", label, states[i],
			    v->health == i);
		series(&o, "husk_health_probes_total", "counter", "Health probes run.", label,
		       v->probes);
		series(&o, "husk_health_probe_failures_total", "counter", "Health probes that failed.",
		       label, v->probe_failures);
	}
	series(&o, "husk_seccomp_denials_total", "counter",
	       "System calls the seccomp filter refused and husk reported.", label, v->denials);
	if (u && u->has_memory)
		series(&o, "husk_memory_bytes", "gauge", "Memory the sandbox's cgroup uses now.", label,
		       u->memory_bytes);
	if (u && u->has_cpu)
		put(&o, "# HELP husk_cpu_seconds_total CPU time of the sandbox's cgroup.\n"
			"# TYPE husk_cpu_seconds_total counter\n"
			"husk_cpu_seconds_total{sandbox=\"%s\"} %" PRIu64 ".%06" PRIu64 "\n",
		    label, u->cpu_usec / 1000000, u->cpu_usec % 1000000);
	return o.n;
}

int metrics_write(const char *path, const char *sandbox, const struct metrics_values *v)
{
	char text[8192], tmp[PATH_MAX];
	struct cg_usage u;
	if (v->cg)
		cg_usage(v->cg, &u);
	size_t n = metrics_format(text, sizeof(text), sandbox, v, v->cg ? &u : NULL);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	bool ok = write(fd, text, n) == (ssize_t)n;
	int e = errno;
	close(fd);
	if (!ok || rename(tmp, path) < 0) {
		e = ok ? errno : e;
		unlink(tmp);
		return -e;
	}
	return 0;
}

#include "supervise/restart.h"

#include <errno.h>
#include <string.h>

#include "base/util.h"

const char *restart_mode_name(enum restart_mode m)
{
	switch (m) {
	case RESTART_ON_FAILURE:
		return "on-failure";
	case RESTART_ALWAYS:
		return "always";
	case RESTART_UNLESS_STOPPED:
		return "unless-stopped";
	default:
		return "no";
	}
}

bool restart_next(const struct restart_spec *s, struct restart_state *st, enum restart_reason why,
		  int code, int64_t ran_ms, uint32_t *delay_ms)
{
	if (why == END_STOPPED)
		return false;
	/* --health-on-unhealthy restart asks for a restart by itself; under
	 * --restart no it is counted as on-failure would. */
	bool failed = why == END_UNHEALTHY || code != 0;
	bool want;
	switch (s->mode) {
	case RESTART_ALWAYS:
	case RESTART_UNLESS_STOPPED:
		want = true;
		break;
	case RESTART_ON_FAILURE:
		want = failed;
		break;
	default:
		want = why == END_UNHEALTHY;
		break;
	}
	if (!want)
		return false;
	if ((s->mode == RESTART_ON_FAILURE || s->mode == RESTART_NO) && s->max && st->count >= s->max)
		return false;
	/* A run that lasted was not a crash loop: start the backoff over. */
	if (st->delay_ms == 0 || ran_ms >= RESTART_STABLE_MS)
		st->delay_ms = s->delay_ms;
	else if (st->delay_ms > s->max_delay_ms / 2)
		st->delay_ms = s->max_delay_ms;
	else
		st->delay_ms *= 2;
	if (st->delay_ms > s->max_delay_ms)
		st->delay_ms = s->max_delay_ms;
	st->count++;
	*delay_ms = st->delay_ms;
	return true;
}

int restart_parse(const char *arg, struct restart_spec *s, char *err, size_t errlen)
{
	static const char *const usage = "expected no, on-failure[:N], always or unless-stopped";
	s->max = 0;
	if (strcmp(arg, "no") == 0)
		s->mode = RESTART_NO;
	else if (strcmp(arg, "always") == 0)
		s->mode = RESTART_ALWAYS;
	else if (strcmp(arg, "unless-stopped") == 0)
		s->mode = RESTART_UNLESS_STOPPED;
	else if (strcmp(arg, "on-failure") == 0)
		s->mode = RESTART_ON_FAILURE;
	else if (str_has_prefix(arg, "on-failure:")) {
		uint32_t n;
		if (parse_u32(arg + 11, &n) < 0 || n == 0 || n > 1000000)
			return errf(err, errlen, -EINVAL, "N is a count of restarts from 1 to 1000000");
		s->mode = RESTART_ON_FAILURE;
		s->max = n;
	} else {
		return errf(err, errlen, -EINVAL, "%s", usage);
	}
	return 0;
}

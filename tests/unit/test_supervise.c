/* Supervision: the health state machine and the restart backoff on a
 * fake clock (times are arguments), their option parsers, the HTTP
 * status line, and the supervise loop's tick (a real child, stopped by
 * the tick as an unhealthy service is). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch/init.h"
#include "launch/metrics.h"
#include "launch/named.h"
#include "supervise/health.h"
#include "launch/probe.h"
#include "supervise/restart.h"

static struct health_spec spec(uint32_t interval, uint32_t start_period, uint32_t retries)
{
	return (struct health_spec){ .kind = HEALTH_TCP, .interval_ms = interval,
				     .timeout_ms = 1000, .start_period_ms = start_period,
				     .retries = retries };
}

static void test_health_first_probe_after_one_interval(void **state)
{
	struct health_spec s = spec(30000, 0, 3);
	struct health h;
	health_start(&h, &s, 5000);
	assert_int_equal(h.status, HS_STARTING);
	assert_int_equal(h.next, 35000);
	assert_string_equal(health_status_name(h.status), "starting");
}

static void test_health_retries_in_a_row_make_unhealthy(void **state)
{
	struct health_spec s = spec(1000, 0, 3);
	struct health h;
	health_start(&h, &s, 0);
	assert_false(health_result(&h, &s, false, 1000, 1010));
	assert_false(health_result(&h, &s, false, 2010, 2020));
	assert_int_equal(h.status, HS_STARTING);
	assert_int_equal(h.streak, 2);
	/* The third failure in a row is the transition, reported once. */
	assert_true(health_result(&h, &s, false, 3020, 3030));
	assert_int_equal(h.status, HS_UNHEALTHY);
	assert_false(health_result(&h, &s, false, 4030, 4040));
	assert_int_equal(h.streak, 4);
	/* One pass heals and resets the streak. */
	assert_true(health_result(&h, &s, true, 5040, 5050));
	assert_int_equal(h.status, HS_HEALTHY);
	assert_int_equal(h.streak, 0);
	/* The next probe one interval after this one ended. */
	assert_int_equal(h.next, 6050);
	assert_int_equal(h.probes, 5);
	assert_int_equal(h.failures, 4);
}

static void test_health_a_pass_between_failures_resets(void **state)
{
	struct health_spec s = spec(1000, 0, 2);
	struct health h;
	health_start(&h, &s, 0);
	health_result(&h, &s, false, 1000, 1000);
	assert_true(health_result(&h, &s, true, 2000, 2000));
	assert_false(health_result(&h, &s, false, 3000, 3000));
	assert_int_equal(h.status, HS_HEALTHY);
	assert_true(health_result(&h, &s, false, 4000, 4000));
	assert_int_equal(h.status, HS_UNHEALTHY);
}

static void test_health_start_period(void **state)
{
	struct health_spec s = spec(1000, 10000, 1);
	struct health h;
	health_start(&h, &s, 100000);
	/* Failures of probes begun inside the period do not count... */
	for (int i = 1; i <= 9; i++)
		assert_false(health_result(&h, &s, false, 100000 + i * 1000, 100000 + i * 1000 + 5));
	assert_int_equal(h.status, HS_STARTING);
	assert_int_equal(h.streak, 0);
	/* ...one begun after it does (retries 1: at once). */
	assert_true(health_result(&h, &s, false, 110000, 110005));
	assert_int_equal(h.status, HS_UNHEALTHY);

	/* Once a probe has passed, failures count even inside the period
	 * (Docker: the period only covers a service still starting). */
	health_start(&h, &s, 0);
	assert_true(health_result(&h, &s, true, 1000, 1000));
	assert_true(health_result(&h, &s, false, 2000, 2000));
	assert_int_equal(h.status, HS_UNHEALTHY);
}

static void test_restart_backoff_doubles_caps_and_resets(void **state)
{
	struct restart_spec s = { .mode = RESTART_ALWAYS, .delay_ms = 100, .max_delay_ms = 1000 };
	struct restart_state st = { 0 };
	uint32_t d, want[] = { 100, 200, 400, 800, 1000, 1000 };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_true(restart_next(&s, &st, END_EXIT, 1, 50, &d));
		assert_int_equal(d, want[i]);
	}
	assert_int_equal(st.count, 6);
	/* A run of RESTART_STABLE_MS was no crash loop: back to the start. */
	assert_true(restart_next(&s, &st, END_EXIT, 1, RESTART_STABLE_MS, &d));
	assert_int_equal(d, 100);
	assert_true(restart_next(&s, &st, END_EXIT, 0, 10, &d));
	assert_int_equal(d, 200);
	/* Huge settings do not overflow the doubling. */
	struct restart_spec big = { .mode = RESTART_ALWAYS, .delay_ms = 3000000000u,
				    .max_delay_ms = 4000000000u };
	struct restart_state bs = { 0 };
	assert_true(restart_next(&big, &bs, END_EXIT, 1, 0, &d));
	assert_true(restart_next(&big, &bs, END_EXIT, 1, 0, &d));
	assert_int_equal(d, 4000000000u);
}

static void test_restart_policies(void **state)
{
	uint32_t d;
	struct restart_state st = { 0 };
	struct restart_spec no = { .mode = RESTART_NO, .delay_ms = 100, .max_delay_ms = 1000 };
	assert_false(restart_next(&no, &st, END_EXIT, 1, 0, &d));
	/* --health-on-unhealthy restart asks by itself. */
	assert_true(restart_next(&no, &st, END_UNHEALTHY, 143, 0, &d));

	struct restart_spec of = { .mode = RESTART_ON_FAILURE, .max = 2, .delay_ms = 100,
				   .max_delay_ms = 1000 };
	st = (struct restart_state){ 0 };
	assert_false(restart_next(&of, &st, END_EXIT, 0, 0, &d));
	assert_true(restart_next(&of, &st, END_EXIT, 3, 0, &d));
	assert_true(restart_next(&of, &st, END_UNHEALTHY, 143, 0, &d));
	assert_false(restart_next(&of, &st, END_EXIT, 3, 0, &d)); /* N = 2 reached */
	assert_int_equal(st.count, 2);

	struct restart_spec al = { .mode = RESTART_UNLESS_STOPPED, .delay_ms = 100,
				   .max_delay_ms = 1000 };
	st = (struct restart_state){ 0 };
	assert_true(restart_next(&al, &st, END_EXIT, 0, 0, &d));
	/* A stop asked of husk is never followed by a restart. */
	assert_false(restart_next(&al, &st, END_STOPPED, 143, 0, &d));
	assert_false(restart_next(&of, &st, END_STOPPED, 1, 0, &d));
}

static void test_restart_parse(void **state)
{
	struct restart_spec s;
	char err[256];
	assert_int_equal(restart_parse("on-failure:5", &s, err, sizeof(err)), 0);
	assert_int_equal(s.mode, RESTART_ON_FAILURE);
	assert_int_equal(s.max, 5);
	assert_int_equal(restart_parse("always", &s, err, sizeof(err)), 0);
	assert_int_equal(s.max, 0);
	assert_string_equal(restart_mode_name(s.mode), "always");
	assert_int_equal(restart_parse("unless-stopped", &s, err, sizeof(err)), 0);
	assert_int_equal(restart_parse("no", &s, err, sizeof(err)), 0);
	const char *bad[] = { "", "yes", "on-failure:", "on-failure:0", "on-failure:-1",
			      "on-failure:99999999999", "always:3" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(restart_parse(bad[i], &s, err, sizeof(err)), -EINVAL);
}

static void test_duration(void **state)
{
	static const struct {
		const char *in;
		uint32_t ms;
	} ok[] = { { "30s", 30000 },   { "1m30s", 90000 }, { "500ms", 500 }, { "1.5s", 1500 },
		   { "2", 2000 },      { "0.25", 250 },    { "1h", 3600000 }, { "1h2m3s4ms", 3723004 },
		   { "24h", 86400000 }, { "0s", 0 },       { ".5s", 500 },    { "1.0001s", 1000 } };
	char err[256];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint32_t ms = 1;
		assert_int_equal(health_parse_duration(ok[i].in, &ms, err, sizeof(err)), 0);
		assert_int_equal(ms, ok[i].ms);
	}
	const char *bad[] = { "", "s", "1x", "1m30", "-1s", "1 s", ".s", "1.s5", "ms" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t ms;
		assert_int_equal(health_parse_duration(bad[i], &ms, err, sizeof(err)), -EINVAL);
	}
	const char *big[] = { "25h", "24h1ms", "99999999999999999999999s", "86401" };
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		uint32_t ms;
		assert_int_equal(health_parse_duration(big[i], &ms, err, sizeof(err)), -ERANGE);
	}
}

static void test_cmd_words(void **state)
{
	struct strv v = { 0 };
	char err[256];
	assert_int_equal(health_parse_cmd("  /bin/check 'a b'  \"c\\\"d\" e\\ f ''", &v, err,
					  sizeof(err)),
			 0);
	assert_int_equal(v.n, 5);
	assert_string_equal(v.v[0], "/bin/check");
	assert_string_equal(v.v[1], "a b");
	assert_string_equal(v.v[2], "c\"d");
	assert_string_equal(v.v[3], "e f");
	assert_string_equal(v.v[4], "");
	assert_null(v.v[5]);
	strv_free(&v);
	assert_int_equal(health_parse_cmd("sh -c 'x", &v, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unterminated"));
	assert_int_equal(v.n, 0);
	assert_int_equal(health_parse_cmd("   ", &v, err, sizeof(err)), -EINVAL);
}

static void test_http_and_tcp_targets(void **state)
{
	struct health_spec s;
	char err[256];
	memset(&s, 0, sizeof(s));
	assert_int_equal(health_parse_http("http://127.0.0.1:8080/health?x=1", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, HEALTH_HTTP);
	assert_string_equal(s.host, "127.0.0.1");
	assert_int_equal(s.port, 8080);
	assert_string_equal(s.path, "/health?x=1");
	assert_int_equal(health_parse_http("http://[::1]", &s, err, sizeof(err)), 0);
	assert_string_equal(s.host, "::1");
	assert_int_equal(s.port, 80);
	assert_string_equal(s.path, "/");
	const char *bad[] = { "https://127.0.0.1/", "ftp://x", "http://localhost/",
			      "http://127.0.0.1:0/", "http://127.0.0.1:65536/", "http://[::1/",
			      "http://127.0.0.1/a b", "http://127.0.0.1:80x/" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(health_parse_http(bad[i], &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(health_parse_tcp("8080", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, HEALTH_TCP);
	assert_string_equal(s.host, "127.0.0.1");
	assert_int_equal(s.port, 8080);
	assert_int_equal(health_parse_tcp("[::1]:9", &s, err, sizeof(err)), 0);
	assert_string_equal(s.host, "::1");
	assert_int_equal(s.port, 9);
	const char *badt[] = { "0", "x", "localhost:80", "10.0.0.1", "[::1]", "" };
	for (size_t i = 0; i < sizeof(badt) / sizeof(badt[0]); i++)
		assert_int_equal(health_parse_tcp(badt[i], &s, err, sizeof(err)), -EINVAL);
}

static void test_http_status_line(void **state)
{
	static const char *const r1 = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n";
	assert_int_equal(probe_http_status(r1, strlen(r1)), 200);
	assert_int_equal(probe_http_status("HTTP/1.0 503 Busy", 17), 503);
	assert_int_equal(probe_http_status("HTTP/1.1 302\r\n", 14), 302);
	assert_int_equal(probe_http_status("HTTP/1.1 2000 x", 15), -1);
	assert_int_equal(probe_http_status("HTTP/2 200 OK\r\n", 15), -1);
	assert_int_equal(probe_http_status("HTTP/1.1 20", 11), -1);
	assert_int_equal(probe_http_status("SSH-2.0-OpenSSH\r\n", 17), -1);
	assert_int_equal(probe_http_status("", 0), -1);
}

/* The loop's tick: called on its own schedule, and a stop it asks for
 * ends the child as SIGTERM from outside would, without counting as one
 * (no stopped_by: a restart may follow). */
struct fake {
	int ticks;
	int64_t first;
};

static int64_t fake_tick(void *arg, int64_t now, int *stop)
{
	struct fake *f = arg;
	if (!f->ticks++)
		f->first = now;
	if (now - f->first >= 200)
		*stop = SIGTERM;
	return now + 20;
}

static void test_supervise_tick_stops_the_child(void **state)
{
	sigset_t set, old;
	supervise_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid_t c = fork();
	if (c == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		pause();
		_exit(0);
	}
	struct fake f = { 0 };
	struct supervise_tick t = { fake_tick, NULL, &f };
	int stopped = 0;
	struct supervise_opts o = { .relay_fd = -1, .tick = &t, .stopped_by = &stopped };
	int64_t t0 = mono_ms();
	int code = supervise(c, &o);
	int64_t took = mono_ms() - t0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	assert_int_equal(code, 128 + SIGTERM);
	assert_int_equal(stopped, 0);
	/* Woken on its schedule (about every 20 ms), not only by signals. */
	assert_true(f.ticks >= 5);
	assert_true(took >= 200 && took < 5000);
}

static void test_metrics_text(void **state)
{
	char buf[4096];
	struct metrics_values v = { .up = true, .restarts = 2, .health = HS_HEALTHY, .probes = 7,
				    .probe_failures = 1, .denials = 3 };
	struct cg_usage u = { .has_memory = true, .memory_bytes = 1048576, .has_cpu = true,
			      .cpu_usec = 2500001 };
	size_t n = metrics_format(buf, sizeof(buf), "web", &v, &u);
	assert_int_equal(n, strlen(buf));
	assert_non_null(strstr(buf, "# TYPE husk_up gauge\nhusk_up{sandbox=\"web\"} 1\n"));
	assert_non_null(strstr(buf, "husk_restarts_total{sandbox=\"web\"} 2\n"));
	assert_non_null(strstr(buf, "husk_health_status{sandbox=\"web\",status=\"starting\"} 0\n"
				    "husk_health_status{sandbox=\"web\",status=\"healthy\"} 1\n"
				    "husk_health_status{sandbox=\"web\",status=\"unhealthy\"} 0\n"));
	assert_non_null(strstr(buf, "husk_health_probe_failures_total{sandbox=\"web\"} 1\n"));
	assert_non_null(strstr(buf, "husk_seccomp_denials_total{sandbox=\"web\"} 3\n"));
	assert_non_null(strstr(buf, "husk_memory_bytes{sandbox=\"web\"} 1048576\n"));
	assert_non_null(strstr(buf, "husk_cpu_seconds_total{sandbox=\"web\"} 2.500001\n"));
	/* No check, no group: those series are left out, not zero. */
	v.health = -1;
	metrics_format(buf, sizeof(buf), "a\"b\\c", &v, NULL);
	assert_null(strstr(buf, "husk_health"));
	assert_null(strstr(buf, "husk_memory_bytes"));
	/* Label values escaped as the exposition format says. */
	assert_non_null(strstr(buf, "husk_up{sandbox=\"a\\\"b\\\\c\"} 1\n"));
	/* A short buffer is filled, never overrun. */
	char small[40];
	assert_true(metrics_format(small, sizeof(small), "web", &v, NULL) <= sizeof(small));
}

static void test_names(void **state)
{
	const char *ok[] = { "web", "a", "my-app.1_2", "A0" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_true(named_valid(ok[i]));
	const char *bad[] = { "", ".", "..", ".x", "-x", "a/b", "a b", "a\n",
			      "0123456789012345678901234567890123456789012345678901234567890123" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(named_valid(bad[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_first_probe_after_one_interval),
		cmocka_unit_test(test_health_retries_in_a_row_make_unhealthy),
		cmocka_unit_test(test_health_a_pass_between_failures_resets),
		cmocka_unit_test(test_health_start_period),
		cmocka_unit_test(test_restart_backoff_doubles_caps_and_resets),
		cmocka_unit_test(test_restart_policies),
		cmocka_unit_test(test_restart_parse),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_cmd_words),
		cmocka_unit_test(test_http_and_tcp_targets),
		cmocka_unit_test(test_http_status_line),
		cmocka_unit_test(test_supervise_tick_stops_the_child),
		cmocka_unit_test(test_metrics_text),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch/init.h"

/* Real wait statuses from real children, not hand-built bit patterns. */
static int status_of_exit(int code)
{
	pid_t p = fork();
	if (p == 0)
		_exit(code);
	int st;
	waitpid(p, &st, 0);
	return st;
}

static int status_of_signal(int sig)
{
	pid_t p = fork();
	if (p == 0) {
		signal(sig, SIG_DFL);
		raise(sig);
		_exit(99);
	}
	int st;
	waitpid(p, &st, 0);
	return st;
}

static void test_exit_codes(void **state)
{
	assert_int_equal(exit_code_from_status(status_of_exit(0)), 0);
	assert_int_equal(exit_code_from_status(status_of_exit(7)), 7);
	assert_int_equal(exit_code_from_status(status_of_exit(255)), 255);
	assert_int_equal(exit_code_from_status(status_of_signal(SIGTERM)), 143);
	assert_int_equal(exit_code_from_status(status_of_signal(SIGKILL)), 137);
}

static void test_forwarded_signals(void **state)
{
	sigset_t s;
	supervise_sigset(&s);
	int want[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD };
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_true(sigismember(&s, want[i]));
	assert_false(sigismember(&s, SIGKILL));
	assert_false(sigismember(&s, SIGPIPE));
}

/* supervise() forwards a signal to the child and returns its status. */
static void test_supervise_forwards(void **state)
{
	sigset_t s, old;
	supervise_sigset(&s);
	sigprocmask(SIG_BLOCK, &s, &old);
	pid_t c = fork();
	if (c == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		pause();
		_exit(0);
	}
	kill(getpid(), SIGUSR1);
	struct supervise_opts o = { .reap_all = false };
	assert_int_equal(supervise(c, &o), 128 + SIGUSR1);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_forwarded_signals),
		cmocka_unit_test(test_supervise_forwards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
